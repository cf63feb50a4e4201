"""Template rendering with the page language, the signed-in principal and the CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from citykg.access import Principal
from citykg.web.i18n import COOKIE, language, texts
from citykg.web.session import csrf_token

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
YEAR = 365 * 24 * 3600


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    status: int = 200,
) -> HTMLResponse:
    """``name`` rendered; a ``?lang=`` choice is remembered in a cookie."""
    lang = language(request)
    values = {"t": texts(lang), "lang": lang, "principal": principal,
              "csrf": csrf_token(request), **(context or {})}  # fmt: skip
    response = templates.TemplateResponse(request, name, values, status_code=status)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(COOKIE, lang, max_age=YEAR, httponly=True, samesite="lax")
    return response
