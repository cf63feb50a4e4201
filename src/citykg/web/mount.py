"""Attach the web console to the API app: session cookie, static files, page routes."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citykg.settings import Settings
from citykg.web import (
    auth,
    builder,
    channels,
    events,
    forms,
    home,
    ledgers,
    notifications,
    places,
    resident,
    reviews,
    tasks,
)

STATIC = Path(__file__).parent / "static"
COOKIE = "citykg_session"
ROUTERS = (
    auth.router,
    home.router,
    places.router,
    ledgers.console,
    ledgers.shared,
    forms.console,
    forms.shared,
    builder.router,
    reviews.router,
    tasks.router,
    channels.router,
    notifications.router,
    events.router,
    resident.router,
)
"""One router per area: a new area adds its module here and its entry in ``web.nav``."""


def mount(app: FastAPI, settings: Settings) -> None:
    """Sessions are signed with ``CITYKG_SECRET`` (else a random per-process secret, so a
    restart signs everyone out), HttpOnly, SameSite=Lax, Secure when served over https."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret or secrets.token_hex(32),
        session_cookie=COOKIE,
        max_age=8 * 3600,
        same_site="lax",
        https_only=False,
    )
    app.add_middleware(SecureOverHttps)  # outside the sessions: it sees the cookie they set
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)


class SecureOverHttps:
    """Marks the session cookie ``Secure`` on a request that came over https (behind a proxy:
    run uvicorn with ``--proxy-headers`` so the scheme is the client's)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookies = headers.getlist("set-cookie")
                if any(c.startswith(f"{COOKIE}=") for c in cookies):
                    del headers["set-cookie"]
                    for cookie in cookies:
                        secure = cookie.startswith(f"{COOKIE}=") and "secure" not in cookie.lower()
                        headers.append("set-cookie", f"{cookie}; secure" if secure else cookie)
            await send(message)

        await self.app(scope, receive, secured)
