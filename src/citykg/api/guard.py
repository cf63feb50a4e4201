"""Route access by construction: every API route is declared in the rules and checked.

``routes`` in ``access/rules.yaml`` says, for each route of the OpenAPI, whether it is public,
which action it needs and what its answers reach. :func:`check_declared` refuses to build the
app while a route is missing there, so a new route cannot ship without a rule; :func:`guard`
runs before every handler, resolves the caller once (handlers reuse it) and refuses a caller
without the route's action (403) or without a token (401). What a permitted caller then sees is
the policy's business (:mod:`citykg.access.policy`), inside every query.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials
from starlette.exceptions import HTTPException

from citykg.access.check import ensure_allowed
from citykg.access.policy import route_decision
from citykg.access.rules import RouteRule, load_rules
from citykg.api.deps import Store, bearer, resolve_principal
from citykg.errors import ConfigError

_CONVERTER = re.compile(r"\{(\w+):\w+\}")


def route_name(method: str, path: str) -> str:
    """``GET /terms/{term}/forms``: how a route is named in the rules (no path converters)."""
    return f"{method.upper()} {_CONVERTER.sub(r'{\1}', path)}"


def declared_routes(app: FastAPI) -> list[str]:
    """Every route of the app's OpenAPI, by rule name."""
    return [
        route_name(method, path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]


def check_declared(app: FastAPI) -> None:
    """Raise :class:`ConfigError` naming every API route that has no rule."""
    rules = load_rules().file.routes
    missing = [name for name in declared_routes(app) if name not in rules]
    if missing:
        raise ConfigError(
            "routes without an access rule (add them under routes: in access/rules.yaml): "
            + ", ".join(missing)
        )


def rule_of(request: Request) -> RouteRule | None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return None
    return load_rules().file.routes.get(route_name(request.method, route.path))


def guard(
    request: Request,
    store: Store,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Admit the caller to the route as its rule says, or refuse with 401/403."""
    rule = rule_of(request)
    if rule is None:
        route = request.scope.get("route")
        if isinstance(route, APIRoute) and route.include_in_schema:  # not after check_declared
            raise HTTPException(403, "this route has no access rule")
        return
    if rule.public:
        return
    principal = resolve_principal(request, store, credentials)
    if rule.action and not route_decision(principal, rule).admitted:
        ensure_allowed(principal=principal, action=rule.action)  # raises, naming the action
