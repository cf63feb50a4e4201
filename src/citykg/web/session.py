"""What the signed session cookie holds: the principal id, what it signed in with (a token's
hash, or when the password was set), a CSRF token and one flash message.

The principal's roles, posts and scope are resolved from the graph on every request, as for an
API token, so a transfer or a revoked post shows at once; so is the credential, so revoking the
token or changing the password ends the session at its next page. Every POST carries the
session's CSRF token, in the ``csrf`` form field or, from htmx, the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

_PRINCIPAL = "principal"
_CSRF = "csrf"
_CREDENTIAL = "credential"
_FLASH = "flash"
CSRF_HEADER = "X-CSRF-Token"


class CsrfRefused(Exception):
    """A POST without the session's CSRF token: answered 403, nothing done."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (the sign-in form needs one too)."""
    token = request.session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's; else :class:`CsrfRefused`."""
    form = await request.form()
    sent = request.headers.get(CSRF_HEADER) or form.get(_CSRF)
    token = request.session.get(_CSRF)
    if not (
        isinstance(sent, str) and isinstance(token, str) and secrets.compare_digest(token, sent)
    ):
        raise CsrfRefused
    return form


Posted = Annotated[FormData, Depends(checked_form)]


def sign_in(request: Request, principal_id: str, credential: str) -> None:
    """A fresh session for ``principal_id`` (a new CSRF token too), remembering the credential
    it was opened with (:func:`citykg.access.tokens.sign_in_stands` checks it on every page)."""
    request.session.clear()
    request.session[_PRINCIPAL] = principal_id
    request.session[_CREDENTIAL] = credential
    csrf_token(request)


def sign_out(request: Request) -> None:
    request.session.clear()


def principal_id(request: Request) -> str | None:
    found = request.session.get(_PRINCIPAL)
    return found if isinstance(found, str) else None


def credential(request: Request) -> str:
    found = request.session.get(_CREDENTIAL)
    return found if isinstance(found, str) else ""


def flash(request: Request, key: str) -> None:
    """A message (a text key) for the next page shown, after a redirect."""
    request.session[_FLASH] = key


def take_flash(request: Request) -> str | None:
    found = request.session.pop(_FLASH, None)
    return found if isinstance(found, str) else None
