"""The official console and the resident page: each calls the API's own service functions
under the signed-in principal, so what a page shows is what the API would answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from citykg import tasks
from citykg.access import Principal
from citykg.api.deps import AppSettings, Store
from citykg.api.keys import ME, key_from_url
from citykg.api.routes.ledgers import entity_key, get_catalog, ledger_query
from citykg.controls.review import held_list
from citykg.errors import Forbidden, NotFound, ValidationFailed
from citykg.ledgers import entity_detail, ledger_page
from citykg.ledgers.catalog import Catalog
from citykg.web.auth import Viewer
from citykg.web.render import render

router = APIRouter(include_in_schema=False)
PAGE = 50
COUNTED = 500
"""Home counts stop here and show as "500+" (a home page is not a report)."""
OPEN_ITEMS = ("pending", "in_progress", "returned", "redo")


def _failure(request: Request, who: Principal, error: Exception) -> Response:
    """Not found and not yours look the same, as in the API (404); no right is 403."""
    if isinstance(error, Forbidden):
        return render(request, "error.html", {"title": "forbidden"}, principal=who, status=403)
    return render(request, "error.html", {"title": "not_found"}, principal=who, status=404)


def _labels(catalog: Catalog, type: str) -> dict[str, dict[str, str]]:
    """Attribute labels by property key, for showing a property table."""
    attributes = catalog.entity_type(type).attributes.values()
    return {a.property_key: {"zh": a.label.zh, "en": a.label.en} for a in attributes}


@router.get("/console")
def home(request: Request, store: Store, who: Viewer) -> Response:
    if who.kind == "resident":
        return RedirectResponse("/my", status_code=303)
    reviews = held_list(store, principal=who, status="pending", limit=COUNTED)
    items = tasks.mine(store, principal=who, states=OPEN_ITEMS, limit=COUNTED)
    counts = {"pending_reviews": len(reviews), "open_items": len(items)}
    return render(request, "home.html", {"counts": counts, "limit": COUNTED}, principal=who)


@router.get("/console/persons")
def persons(
    request: Request,
    store: Store,
    settings: AppSettings,
    who: Viewer,
    q: str | None = None,
    cursor: str | None = None,
) -> Response:
    """The persons ledger; an htmx request gets only the rows (search and next page)."""
    catalog = get_catalog(settings)
    context: dict[str, Any] = {"q": q or "", "page": None, "error": None}
    try:
        query = ledger_query("Person", catalog, within=None, filters=[], q=q or None,
                             created_by=None, sort=None, cursor=cursor, limit=PAGE,
                             purpose=None)  # fmt: skip
        context["page"] = ledger_page(store, catalog=catalog, principal=who, query=query)
    except ValidationFailed as invalid:
        context["error"] = invalid.violations[0]
    except (Forbidden, NotFound) as error:
        return _failure(request, who, error)
    partial = request.headers.get("HX-Request") == "true"
    name = "_person_rows.html" if partial else "persons.html"
    return render(request, name, context, principal=who)


@router.get("/entities/{type}/{ref}")
def entity(
    request: Request, type: str, ref: str, store: Store, settings: AppSettings, who: Viewer
) -> Response:
    """An entity by ref, as the caller may see it; anything else is the not-found page."""
    catalog = get_catalog(settings)
    try:
        key = entity_key(catalog, type, ref, who)
        detail = entity_detail(store, catalog=catalog, principal=who, type=type, key=key)
    except (Forbidden, NotFound, ValidationFailed) as error:
        return _failure(request, who, error)
    context = {"detail": detail, "labels": _labels(catalog, type)}
    return render(request, "entity.html", context, principal=who)


@router.get("/console/reviews")
def reviews(request: Request, store: Store, who: Viewer) -> Response:
    held = held_list(store, principal=who, status="pending", limit=PAGE)
    return render(request, "reviews.html", {"held": held}, principal=who)


@router.get("/console/tasks")
def my_items(request: Request, store: Store, who: Viewer) -> Response:
    items = tasks.mine(store, principal=who, limit=PAGE)
    return render(request, "tasks.html", {"items": items}, principal=who)


@router.get("/console/tasks/{task_id}")
def task_progress(request: Request, task_id: str, store: Store, who: Viewer) -> Response:
    try:
        view = tasks.progress(store, principal=who, task_id=task_id)
    except (Forbidden, NotFound) as error:
        return _failure(request, who, error)
    return render(request, "progress.html", {"progress": view}, principal=who)


@router.get("/my")
def resident(request: Request, store: Store, settings: AppSettings, who: Viewer) -> Response:
    """Me, my household (``me``: the caller's own person) and my held requests."""
    catalog = get_catalog(settings)
    try:
        me = key_from_url(ME, masked=True, principal=who, path="key")
        detail = entity_detail(store, catalog=catalog, principal=who, type="Person", key=me)
    except (Forbidden, NotFound, ValidationFailed) as error:
        return _failure(request, who, error)
    held = held_list(store, principal=who, status=None, limit=PAGE)
    context = {"detail": detail, "labels": _labels(catalog, "Person"), "held": held}
    return render(request, "resident.html", context, principal=who)
