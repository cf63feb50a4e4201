"""Ledgers (台账): browse, search, filter and page any top type, export the view, and open an
entity with its relations. Each page calls the ledger service the ``/ledgers`` routes call,
with the query those routes build (:func:`citykg.api.routes.ledgers.ledger_view`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from citykg.access import Principal
from citykg.api.deps import AppSettings, Store, catalog_of
from citykg.api.routes.ledgers import entity_key, ledger_view
from citykg.controls import list_forms
from citykg.errors import ValidationFailed
from citykg.ledgers import (
    Catalog,
    EntityDetail,
    LedgerQuery,
    entity_detail,
    export_ledger,
    ledger_page,
)
from citykg.web.auth import mirrors, officials_only
from citykg.web.i18n import Lang, language
from citykg.web.render import render
from citykg.web.routing import page_router

console = page_router(officials_only)
shared = page_router()
"""Entity pages: officials within their jurisdiction, residents their own household."""
PAGE = 50
TABS = ("Person", "Organization", "Thing", "Place", "Event")
Reader = Annotated[Principal, Depends(mirrors("GET /ledgers/{type}"))]
Exporter = Annotated[Principal, Depends(mirrors("GET /ledgers/{type}/export"))]
DetailReader = Annotated[Principal, Depends(mirrors("GET /ledgers/{type}/{key}"))]
Filters = Annotated[list[str], Query(alias="filter")]


@dataclass(frozen=True, slots=True)
class Shown:
    """One property as a page shows it: label, value in words, whether it is masked."""

    label: str
    value: str
    masked: bool


def _query(
    catalog: Catalog,
    type: str,
    q: str,
    filters: list[str],
    within: str,
    sort: str,
    cursor: str | None,
) -> LedgerQuery:
    return ledger_view(
        type,
        catalog,
        within=within or None,
        filters=[f for f in filters if f],
        q=q or None,
        created_by=None,
        sort=sort or None,
        cursor=cursor,
        limit=PAGE,
        purpose=None,
    )


@console.get("/console/ledgers")
def ledgers() -> Response:
    return RedirectResponse("/console/ledgers/Person", status_code=303)


@console.get("/console/ledgers/{type}")
def ledger(
    request: Request,
    type: str,
    store: Store,
    settings: AppSettings,
    who: Reader,
    q: str = "",
    filters: Filters = [],  # noqa: B006 (FastAPI copies defaults)
    within: str = "",
    sort: str = "",
    cursor: str | None = None,
) -> Response:
    """One page of a ledger; an htmx request gets only the rows (a search, the next page)."""
    catalog = catalog_of(settings)
    view = {
        "type": type,
        "q": q,
        "filters": [f for f in filters if f],
        "within": within,
        "sort": sort,
    }
    context: dict[str, Any] = {
        "view": view,
        "page": None,
        "error": None,
        "types": sorted(
            catalog.top_types(), key=lambda t: TABS.index(t.name) if t.name in TABS else 9
        ),
        "catalog": catalog,
    }
    try:
        query = _query(catalog, type, q, filters, within, sort, cursor)
        context["page"] = ledger_page(store, catalog=catalog, principal=who, query=query)
    except ValidationFailed as invalid:
        context["error"] = invalid.violations[0]
    partial = request.headers.get("HX-Request") == "true" and cursor is not None
    return render(request, "_ledger_rows.html" if partial else "ledger.html", context)


@console.get("/console/ledgers/{type}/export")
def export(
    request: Request,
    type: str,
    store: Store,
    settings: AppSettings,
    who: Exporter,
    format: Literal["csv", "xlsx"] = "csv",
    q: str = "",
    filters: Filters = [],  # noqa: B006
    within: str = "",
    sort: str = "",
) -> Response:
    """The whole view as a file, masked as on screen (audited, as the API's export)."""
    catalog = catalog_of(settings)
    query = _query(catalog, type, q, filters, within, sort, None)
    file = export_ledger(
        store, catalog=catalog, principal=who, query=query, format=format, lang=language(request)
    )
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


@shared.get("/entities/{type}/{ref}")
def entity(
    request: Request, type: str, ref: str, store: Store, settings: AppSettings, who: DetailReader
) -> Response:
    """An entity by ref, as the viewer may see it; anything else is the not-found page."""
    catalog = catalog_of(settings)
    key = entity_key(catalog, type, ref, who)
    detail = entity_detail(store, catalog=catalog, principal=who, type=type, key=key)
    context = entity_context(store, catalog, detail, request, subject=ref)
    return render(request, "entity.html", context)


def entity_context(
    store: Store, catalog: Catalog, detail: EntityDetail, request: Request, *, subject: str
) -> dict[str, Any]:
    """What an entity page shows: properties in words, relations, and the forms that edit it,
    about ``subject`` (how its URL named it: a ref, a code, or ``me``)."""
    lang = language(request)
    forms = [f for f in list_forms(store) if f.subject in detail.labels]
    return {
        "detail": detail,
        "shown": shown(catalog, detail, lang),
        "forms": forms,
        "subject": subject,
        "class_label": class_label(catalog, detail.labels, lang),
    }


def class_label(catalog: Catalog, labels: list[str], lang: Lang) -> str:
    found = catalog.type_of(labels)
    return found.cls.label.get(lang) if found else ""


def shown(catalog: Catalog, detail: EntityDetail, lang: Lang) -> list[Shown]:
    """Properties with their ontology labels; codes as their labels, masked values as given."""
    etype = catalog.type_of(detail.labels) or catalog.entity_type(detail.type)
    rows = []
    for key, value in detail.properties.items():
        attribute = etype.attributes.get(key)
        masked = key in detail.masked
        label = attribute.label.get(lang) if attribute else key
        codes = catalog.ontology.code_list_of(attribute) if attribute and not masked else None
        rows.append(Shown(label, words(value, codes.by_notation if codes else {}, lang), masked))
    return rows


def words(value: Any, codes: Any, lang: Lang) -> str:
    """A property value as text: codes by their labels, yes/no, lists joined."""
    if isinstance(value, list):
        return "、".join(words(v, codes, lang) for v in value)
    if isinstance(value, bool):
        return ("是", "Yes")[lang == "en"] if value else ("否", "No")[lang == "en"]
    concept = codes.get(str(value))
    return concept.label.get(lang) if concept else str(value)
