"""Request dependencies as ``Annotated`` aliases: handlers declare ``store: Store``,
``principal: CurrentPrincipal``.

The ones that only look something up are ``async``: FastAPI runs a plain ``def`` dependency in
a worker thread, and each such hop costs more than the look-up (a ledger page made eight). Only
what reads the graph (the caller's token, once per request) goes to a thread.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from citykg.access import Principal, authenticate
from citykg.graph import GraphStore
from citykg.ledgers import Catalog, catalog_for
from citykg.ontology import Ontology, load_ontology
from citykg.settings import Settings

bearer = HTTPBearer(auto_error=False, description="An API token from `citykg users token`.")


async def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


FRESH_FOR_S = 1.0
"""How long the app trusts the ontology it last checked: a steward's edit is served within a
second, and requests between checks skip the walk over its files (0.15 ms, about 3% of a
ledger page's CPU)."""
_checked: dict[Path, tuple[float, Ontology]] = {}


def ontology_of(settings: Settings) -> Ontology:
    """The ontology the app serves (loaded once per folder, reloaded when a file changes)."""
    now = time.monotonic()
    checked = _checked.get(settings.ontology_dir)
    if checked is not None and now - checked[0] < FRESH_FOR_S:
        return checked[1]
    ontology = load_ontology(settings.ontology_dir)
    _checked[settings.ontology_dir] = (now, ontology)
    return ontology


def catalog_of(settings: Settings) -> Catalog:
    """The ledgers of that ontology."""
    return catalog_for(ontology_of(settings))


async def get_ontology(settings: Annotated[Settings, Depends(get_settings)]) -> Ontology:
    return ontology_of(settings)


async def get_catalog(settings: Annotated[Settings, Depends(get_settings)]) -> Catalog:
    return catalog_of(settings)


Store = Annotated[GraphStore, Depends(get_store)]
AppSettings = Annotated[Settings, Depends(get_settings)]
OntologyDep = Annotated[Ontology, Depends(get_ontology)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]


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


async def get_principal(
    request: Request,
    store: Store,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:  # the route guard resolved it
        return known
    return await run_in_threadpool(resolve_principal, request, store, credentials)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
