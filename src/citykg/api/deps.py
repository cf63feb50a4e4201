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

_bearer = HTTPBearer(auto_error=False, description="An API token from `citykg users token`.")


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Store = Annotated[GraphStore, Depends(get_store)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def get_principal(
    store: Store,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 without a valid token."""
    if credentials is None:
        raise HTTPException(401, "missing API token: send Authorization: Bearer <token>")
    principal = authenticate(store, credentials.credentials)
    if principal is None:
        raise HTTPException(401, "unknown or revoked API token")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
