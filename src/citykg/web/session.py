"""What the signed session cookie holds: the principal id and a CSRF token, nothing else.

The principal's roles, posts and scope are resolved from the graph on every request, as for an
API token, so a transfer or a revoked post shows at once.
"""

from __future__ import annotations

import secrets

from fastapi import Request

_PRINCIPAL = "principal"
_CSRF = "csrf"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (the sign-in form needs one too)."""
    token = request.session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


def csrf_ok(request: Request, sent: str) -> bool:
    token = request.session.get(_CSRF)
    return isinstance(token, str) and secrets.compare_digest(token, sent)


def sign_in(request: Request, principal_id: str) -> None:
    """A fresh session for ``principal_id`` (a new CSRF token too)."""
    request.session.clear()
    request.session[_PRINCIPAL] = principal_id
    csrf_token(request)


def sign_out(request: Request) -> None:
    request.session.clear()


def principal_id(request: Request) -> str | None:
    found = request.session.get(_PRINCIPAL)
    return found if isinstance(found, str) else None
