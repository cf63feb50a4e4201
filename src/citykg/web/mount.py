"""Attach the web console to the API app: session cookie, static files, page routes."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from citykg.settings import Settings
from citykg.web import auth, pages

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI, settings: Settings) -> None:
    """Sessions are signed with ``CITYKG_SECRET`` (else a random per-process secret, so a
    restart signs everyone out) and hold only the principal id and a CSRF token."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret or secrets.token_hex(32),
        session_cookie="citykg_session",
        max_age=8 * 3600,
        same_site="lax",
        https_only=False,
    )
    app.add_exception_handler(auth.SignInNeeded, _to_sign_in)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.router)
    app.include_router(pages.router)


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/", status_code=303)
