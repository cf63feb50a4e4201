"""Sign-in (an API token, or a username and password), sign-out, and the page principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from citykg.access import Principal, authenticate
from citykg.access.tokens import check_password, principal
from citykg.api.deps import Store
from citykg.errors import NotFound
from citykg.web import session
from citykg.web.render import render

router = APIRouter(include_in_schema=False)


class SignInNeeded(Exception):
    """No valid session: the page answers with a redirect to the sign-in form."""


def home_of(who: Principal) -> str:
    return "/my" if who.kind == "resident" else "/console"


def page_principal(request: Request, store: Store) -> Principal:
    """The signed-in principal, resolved from the graph now (posts and scope as of today)."""
    principal_id = session.principal_id(request)
    if principal_id is None:
        raise SignInNeeded
    try:
        return principal(store, principal_id)
    except NotFound:
        session.sign_out(request)
        raise SignInNeeded from None


Viewer = Annotated[Principal, Depends(page_principal)]


@router.get("/")
def sign_in_form(request: Request, store: Store) -> Response:
    principal_id = session.principal_id(request)
    if principal_id is not None:
        try:
            return RedirectResponse(home_of(principal(store, principal_id)), status_code=303)
        except NotFound:
            session.sign_out(request)
    return render(request, "signin.html")


@router.post("/signin")
def sign_in(
    request: Request,
    store: Store,
    csrf: Annotated[str, Form()] = "",
    token: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    if not session.csrf_ok(request, csrf):
        return render(request, "signin.html", {"error": "bad_sign_in"}, status=403)
    who = None
    if token.strip():
        who = authenticate(store, token.strip())
    elif username.strip() and password:
        who = check_password(store, username.strip(), password)
    if who is None:
        return render(request, "signin.html", {"error": "bad_sign_in", "username": username},
                      status=401)  # fmt: skip
    session.sign_in(request, who.id)
    return RedirectResponse(home_of(who), status_code=303)


@router.post("/signout")
def sign_out(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    if not session.csrf_ok(request, csrf):
        return render(request, "error.html", {"title": "forbidden"}, status=403)
    session.sign_out(request)
    return RedirectResponse("/", status_code=303)
