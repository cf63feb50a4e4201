"""Request dependencies as ``Annotated`` aliases: handlers declare ``store: Store``,
``principal: CurrentPrincipal``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from citykg.access import Principal, authenticate
from citykg.graph import GraphStore
from citykg.settings import Settings

bearer = HTTPBearer(auto_error=False, description="An API token from `citykg users token`.")


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Store = Annotated[GraphStore, Depends(get_store)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def resolve_principal(
    request: Request, store: GraphStore, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``, resolved once per request (the
    route guard does it first); 401 without a valid token."""
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    if credentials is None:
        raise HTTPException(401, "missing API token: send Authorization: Bearer <token>")
    principal = authenticate(store, credentials.credentials)
    if principal is None:
        raise HTTPException(401, "unknown or revoked API token")
    request.state.principal = principal
    return principal


def get_principal(
    request: Request,
    store: Store,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    return resolve_principal(request, store, credentials)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
