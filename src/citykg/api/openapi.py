"""The published OpenAPI says what the API really answers.

FastAPI documents each route's success and, for routes with parameters, a 422 in its own shape
(``application/json``). The API's errors are RFC 9457 problems (``application/problem+json``,
:mod:`citykg.api.errors`) and any route may answer several of them: the guard's 401/403, a
missing or out-of-reach entity's 404, a conflict's 409, a refused value's 422 naming the field,
a look-up limit's 429, an outage's 503. :func:`install` adds those to every operation that does
not document the code itself, and drops the token requirement from public routes (their rule in
``access/rules.yaml`` says ``public``), so a client or a schema-driven test knows what to expect.
A parameter FastAPI documents as "X or null" is documented as X: a URL cannot carry a null, an
optional parameter is one that may be left out.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from citykg.access.rules import load_rules
from citykg.api.errors import PROBLEM
from citykg.api.guard import route_name

_TEXT = {"type": "string"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": _TEXT,
        "title": _TEXT,
        "status": {"type": "integer"},
        "detail": _TEXT,
        "instance": _TEXT,
        "errors": {
            "type": "array",
            "description": "Each field at fault, with the message in the caller's language.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": _TEXT, "message": _TEXT, "value": {}},
            },
        },
    },
}
ERRORS = {
    "400": "The request cannot be read (a body nested too deeply), or the graph refused it.",
    "401": "No valid API token (Authorization: Bearer <token>).",
    "403": "The caller may not do this; the problem says which right is missing.",
    "404": "Nothing of that name within the caller's reach.",
    "409": "The change conflicts with the current state (a uniqueness rule, a moved item).",
    "422": "A value is not valid: errors names each field, nothing was written.",
    "429": "Too many look-ups by this caller; try again later.",
    "503": "Graph unavailable; try again after Retry-After seconds.",
}
PUBLIC_ERRORS = ("400", "422", "503")
"""What a public route may answer besides its own documented codes: it asks for no token."""
EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-sent events, until the stream's bound.",
        "content": {"text/event-stream": {"schema": _TEXT}},
    }
}
"""The ``responses=`` of a route answering with server-sent events instead of JSON."""


def install(app: FastAPI) -> None:
    """Publish the app's OpenAPI with problem responses and public routes' security."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document(generate())
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def document(schema: dict[str, Any]) -> None:
    """Add the problem responses to every operation of ``schema`` (in place)."""
    rules = load_rules().file.routes
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            rule = rules.get(route_name(method, path))
            public = rule is not None and rule.public
            if public:
                operation["security"] = []
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _not_null(parameter.get("schema", {}))
            responses = operation.setdefault("responses", {})
            if _fastapi_validation_error(responses.get("422")):
                del responses["422"]
            for code in PUBLIC_ERRORS if public else ERRORS:
                responses.setdefault(
                    code,
                    {"description": ERRORS[code], "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}},
                )
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without its null branch (``anyOf: [X, {type: null}]`` becomes X)."""
    branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
    if len(branches) != 1 or len(schema["anyOf"]) != 2:
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf" and (k, v) != ("default", None)}
    return {**branches[0], **rest}


def _fastapi_validation_error(response: dict[str, Any] | None) -> bool:
    """FastAPI's own 422 (``HTTPValidationError``): the API never answers with that shape."""
    if response is None:
        return False
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))
