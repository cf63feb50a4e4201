"""Template rendering with the page language, the signed-in principal, navigation and CSRF."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from citykg.access import Principal
from citykg.web.i18n import COOKIE, language, texts
from citykg.web.nav import areas
from citykg.web.session import CSRF_HEADER, csrf_token, take_flash

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
YEAR = 365 * 24 * 3600


@pass_context
def in_language(context: Context, text: Any) -> str:
    """``{{ label | tr }}``: a zh/en text (of the ontology, a form, a ledger) in the page's
    language, falling back to the other."""
    if text is None or isinstance(text, str):
        return text or ""
    pair = text if isinstance(text, Mapping) else {"zh": text.zh, "en": text.en}
    zh, en = str(pair.get("zh") or ""), str(pair.get("en") or "")
    return (en or zh) if context.get("lang") == "en" else (zh or en)


templates.env.filters["tr"] = in_language


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HTMLResponse:
    """``name`` rendered for the signed-in principal (if any: ``request.state.viewer``); a
    ``?lang=`` choice is remembered in a cookie."""
    lang = language(request)
    viewer: Principal | None = getattr(request.state, "viewer", None)
    partial = request.headers.get("HX-Request") == "true"
    values = {
        "t": texts(lang),
        "lang": lang,
        "principal": viewer,
        "nav": areas(viewer) if viewer else (),
        "here": request.url.path,
        "csrf": csrf_token(request),
        "csrf_header": CSRF_HEADER,
        "flash": None if partial else take_flash(request),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, values, status_code=status)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(COOKIE, lang, max_age=YEAR, httponly=True, samesite="lax")
    return response
