"""The resident page (居民侧), mobile first: the services offered where I live, my requests and
their status, me and my household. Everything is read as ``me``: the ledger detail of my own
person and the held submissions I wrote, through the functions the API calls.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from citykg.access import Principal
from citykg.api.deps import AppSettings, Store
from citykg.api.keys import ME, key_from_url
from citykg.api.routes.ledgers import get_catalog
from citykg.controls import list_forms
from citykg.controls.review import held_list
from citykg.errors import Forbidden
from citykg.ledgers import EntityDetail, entity_detail
from citykg.web.auth import Viewer, mirrors
from citykg.web.ledgers import entity_context
from citykg.web.render import render
from citykg.web.routing import page_router

PAGE = 50


def residents_only(who: Viewer) -> Principal:
    if who.kind != "resident":
        raise Forbidden("the resident page is for residents")
    return who


router = page_router(residents_only)
Reader = Annotated[Principal, Depends(mirrors("GET /ledgers/{type}/{key}"))]
Requester = Annotated[Principal, Depends(mirrors("GET /reviews"))]


def me(store: Store, settings: AppSettings, who: Principal) -> EntityDetail:
    key = key_from_url(ME, masked=True, principal=who, path="key")
    return entity_detail(
        store, catalog=get_catalog(settings), principal=who, type="Person", key=key
    )


@router.get("/my")
def services(request: Request, store: Store, settings: AppSettings, who: Reader) -> Response:
    """The services offered where I live: for now the forms about a person like me (the
    channels issue puts the channels open at my residence here)."""
    context = entity_context(
        store, get_catalog(settings), me(store, settings, who), request, subject=ME
    )
    return render(request, "my_services.html", context)


@router.get("/my/requests")
def requests(request: Request, store: Store, who: Requester) -> Response:
    held = held_list(store, principal=who, status=None, limit=PAGE)
    titles = {f.id: f.title for f in list_forms(store)}
    return render(request, "my_requests.html", {"held": held, "titles": titles})


@router.get("/my/me")
def household(request: Request, store: Store, settings: AppSettings, who: Reader) -> Response:
    context = entity_context(
        store, get_catalog(settings), me(store, settings, who), request, subject=ME
    )
    return render(request, "entity.html", {**context, "mine": True})
