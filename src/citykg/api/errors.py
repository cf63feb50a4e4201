"""citykg errors as RFC 9457 problem details (``application/problem+json``).

The only place that maps library errors to HTTP statuses.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from citykg.errors import (
    CityKGError,
    ConfigError,
    Conflict,
    Forbidden,
    GraphUnavailable,
    NotFound,
    OutOfReach,
    QueryError,
    TooManyLookups,
    ValidationFailed,
)

PROBLEM = "application/problem+json"
UNAVAILABLE = {"en": "graph unavailable", "zh": "图数据库不可用"}
"""All a client learns of a graph outage: the cause (paths, sockets) goes to the server log."""

log = logging.getLogger(__name__)

STATUS: dict[type[CityKGError], tuple[int, str]] = {
    ValidationFailed: (422, "validation-failed"),
    NotFound: (404, "not-found"),
    TooManyLookups: (429, "too-many-lookups"),
    Forbidden: (403, "forbidden"),
    Conflict: (409, "conflict"),
    QueryError: (400, "query-rejected"),
    GraphUnavailable: (503, "graph-unavailable"),
    ConfigError: (500, "misconfigured"),
}


def problem(
    status: int,
    kind: str,
    detail: str,
    instance: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem answer; ``headers`` go with it (``Allow`` of a 405, ``Retry-After`` of a 503)."""
    body = {
        "type": f"https://w3id.org/citykg/problems/{kind}",
        "title": kind.replace("-", " "),
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    body = {key: _safe(value) for key, value in body.items()}
    sent = {**(headers or {}), **({"Retry-After": "5"} if status == 503 else {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=sent or None)


async def citykg_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CityKGError)
    status, kind = next(
        (value for cls, value in STATUS.items() if isinstance(exc, cls)), (500, "error")
    )
    extra: dict[str, Any] = {}
    if isinstance(exc, GraphUnavailable):
        log.warning("graph unavailable on %s: %s", request.url.path, exc.message)
        return problem(status, kind, unavailable(language(request)), request.url.path)
    if isinstance(exc, ValidationFailed | OutOfReach):
        lang = language(request)
        extra["errors"] = [
            {"field": v.path, "message": v.text(lang), "value": v.value} for v in exc.violations
        ]
    return problem(status, kind, exc.message, request.url.path, **extra)


async def request_invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "message": e["msg"]}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "validation-failed", detail, request.url.path, errors=errors)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    kind = {401: "unauthorized", 404: "not-found", 405: "method-not-allowed"}.get(
        exc.status_code, "error"
    )
    return problem(exc.status_code, kind, str(exc.detail), request.url.path, headers=exc.headers)


def unavailable(lang: str) -> str:
    """The outage message, in ``lang`` first and English after."""
    return UNAVAILABLE["en"] if lang == "en" else f"{UNAVAILABLE[lang]} ({UNAVAILABLE['en']})"


def _safe(value: Any) -> Any:
    """``value`` as JSON can carry it: a problem echoes input back, and input may hold what
    JSON and UTF-8 refuse (non-finite floats, unpaired surrogates); those become text."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {_safe(str(key)): _safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(item) for item in value]
    return _safe(repr(value))


def install(app: FastAPI) -> None:
    app.add_exception_handler(CityKGError, citykg_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(HTTPException, http_error)


def language(request: Request) -> str:
    """The language messages are given in: Chinese when the client asks for it first."""
    accept = request.headers.get("accept-language", "")
    return "zh" if accept.lower().startswith("zh") else "en"
