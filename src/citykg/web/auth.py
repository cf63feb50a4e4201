"""Sign-in (an API token, or a username and password), sign-out, and who a page runs as.

A page is admitted by the rule of the API route it mirrors (:func:`mirrors`): the same
``access/rules.yaml`` entry, decided by the same :func:`~citykg.access.policy.route_decision`,
so a page cannot be more open than its API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from citykg.access import Principal, authenticate
from citykg.access.policy import route_decision
from citykg.access.rules import load_rules
from citykg.access.tokens import (
    check_password,
    password_sign_in,
    session_principal,
    token_sign_in,
)
from citykg.api.deps import Store
from citykg.errors import Forbidden
from citykg.web import session
from citykg.web.nav import home_of
from citykg.web.render import render
from citykg.web.routing import SignInNeeded, page_router
from citykg.web.session import Posted

router = page_router()


def page_principal(request: Request, store: Store) -> Principal:
    """The signed-in principal with its posts and scope as the graph holds them now."""
    who = signed_in(request, store)
    if who is None:
        raise SignInNeeded
    request.state.viewer = who
    return who


def signed_in(request: Request, store: Store) -> Principal | None:
    """The session's principal while the credential it signed in with stands; else the
    session is ended (a revoked token, a changed password, a removed principal)."""
    principal_id = session.principal_id(request)
    if principal_id is None:
        return None
    who = session_principal(store, principal_id=principal_id, sign_in=session.credential(request))
    if who is None:
        session.sign_out(request)
    return who


Viewer = Annotated[Principal, Depends(page_principal)]


def mirrors(route: str) -> Callable[..., Principal]:
    """A dependency admitting the viewer as the API route ``route`` (``"GET /ledgers/{type}"``)
    admits a caller; an unknown route name fails at import."""
    rule = load_rules().file.routes[route]

    def admitted(who: Viewer) -> Principal:
        decision = route_decision(who, rule)
        if not decision.admitted:
            raise Forbidden(f"{who.id}: {decision.reason_en}")
        return who

    return admitted


def officials_only(who: Viewer) -> Principal:
    """Console pages: a resident is sent to their own page instead."""
    if who.kind == "resident":
        raise Forbidden("the console is for officials")
    return who


@router.get("/")
def sign_in_form(request: Request, store: Store) -> Response:
    who = signed_in(request, store)
    if who is not None:
        return RedirectResponse(home_of(who), status_code=303)
    return render(request, "signin.html")


@router.post("/signin")
def sign_in(request: Request, store: Store, form: Posted) -> Response:
    token = str(form.get("token") or "").strip()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    who, credential = None, ""
    if token:
        who, credential = authenticate(store, token), token_sign_in(token)
    elif username and password:
        who = check_password(store, username, password)
        credential = password_sign_in(store, username)
    if who is None:
        context = {"error": "bad_sign_in", "username": username}
        return render(request, "signin.html", context, status=401)
    session.sign_in(request, who.id, credential)
    return RedirectResponse(home_of(who), status_code=303)


@router.post("/signout")
def sign_out(request: Request, form: Posted) -> Response:
    session.sign_out(request)
    return RedirectResponse("/", status_code=303)
