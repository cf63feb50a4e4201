"""``/ledgers``: list, search, open, count, export, edit and end entities of any ledger type.

Every route runs as the authenticated principal, within what it may see; bad parameters give a
problem+json 422 naming the parameter (``type``, ``filter``, ``sort``, ``cursor``, ``limit``…).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from citykg.access import Principal
from citykg.access.policy import ensure_lookup_allowed
from citykg.api.deps import CatalogDep, CurrentPrincipal, Store
from citykg.api.keys import key_from_url
from citykg.ledgers import (
    Catalog,
    EntityDetail,
    LedgerPage,
    LedgerQuery,
    LedgerStats,
    edit_entity,
    end_entity,
    entity_detail,
    export_ledger,
    ledger_page,
    ledger_stats,
)
from citykg.ledgers.catalog import invalid
from citykg.ledgers.models import MAX_PAGE, Text
from citykg.ledgers.refs import seal

router = APIRouter(prefix="/ledgers", tags=["ledgers"])
ID_LIKE = re.compile(r"\d{14}[\dXx]{0,4}")
"""An ID number (15 or 18 characters) or most of one: never accepted in a URL."""


Filters = Annotated[
    list[str],
    Query(alias="filter", description="key:op:value, e.g. gender:eq:2, age:gte:60, gender:in:1,2"),
]
Within = Annotated[str | None, Query(description="Only under this place code.")]
Purpose = Annotated[str | None, Query(description="Why: audited with reveals and sensitive use.")]
Reveal = Annotated[list[str], Query(description="Masked attributes to show in clear.")]


class LedgerTypeOut(BaseModel):
    type: str
    label: Text
    key: str
    attachment: str | None


class EditIn(BaseModel):
    values: dict[str, Any] = Field(description="Attribute values by property key.")
    submission_id: str | None = Field(default=None, description="Idempotency key.")


class EditOut(BaseModel):
    submission: str
    replayed: bool


class EndIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
    submission_id: str | None = None


class LookupIn(BaseModel):
    key: str = Field(min_length=1, max_length=64, description="The clear identity key.")
    purpose: str = Field(default="", max_length=500, description="Why (kept in the audit log).")


class EndOut(BaseModel):
    submission: str
    ended: int
    remaining: int


@router.get("", response_model=list[LedgerTypeOut])
def ledger_types(catalog: CatalogDep, principal: CurrentPrincipal) -> list[LedgerTypeOut]:
    """The top ledgers (any subclass name works as a type too)."""
    return [
        LedgerTypeOut(
            type=t.name,
            label=Text(zh=t.cls.label.zh, en=t.cls.label.en),
            key=t.key,
            attachment=t.attachment,
        )
        for t in catalog.top_types()
    ]


async def ledger_query(
    type: str,
    catalog: CatalogDep,
    within: Within = None,
    filters: Filters = [],  # noqa: B006 (FastAPI copies defaults)
    q: Annotated[
        str | None,
        Query(description="Search names and addresses (an ID number: POST …/lookup)."),
    ] = None,
    created_by: Annotated[str | None, Query(description="Creating organization.")] = None,
    sort: Annotated[str | None, Query(description="key or -key")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    purpose: Purpose = None,
) -> LedgerQuery:
    """The ledger view a request asks for (filters checked against the ontology later)."""
    return ledger_view(type, catalog, within=within, filters=filters, q=q, created_by=created_by,
                       sort=sort, cursor=cursor, limit=limit, purpose=purpose)  # fmt: skip


def ledger_view(
    type: str,
    catalog: Catalog,
    *,
    within: str | None,
    filters: list[str],
    q: str | None,
    created_by: str | None,
    sort: str | None,
    cursor: str | None,
    limit: int,
    purpose: str | None,
) -> LedgerQuery:
    """A ledger view from its parameters as a URL gives them (the console's pages too)."""
    if q and ID_LIKE.search(q):
        raise invalid("q", "identity numbers never travel in URLs: POST them to …/lookup",
                      "证件号码不得出现在网址中：请使用 POST …/lookup 查询", None)  # fmt: skip
    return LedgerQuery(
        type=type, within=within, filters=tuple(catalog.parse_filter(f) for f in filters), q=q,
        created_by=created_by, sort=sort, cursor=cursor, limit=limit, purpose=purpose,
    )  # fmt: skip


LedgerView = Annotated[LedgerQuery, Depends(ledger_query)]


@router.get("/{type}", response_model=LedgerPage)
async def list_ledger(
    view: LedgerView, store: Store, principal: CurrentPrincipal, catalog: CatalogDep
) -> LedgerPage:
    """One keyset page of a ledger; pass ``next_cursor`` back as ``cursor`` for the next."""
    # the graph read in a worker thread, the answer checked and rendered on the event loop: a
    # plain ``def`` route made FastAPI hop to a thread a second time to check the answer
    return await run_in_threadpool(
        ledger_page, store, catalog=catalog, principal=principal, query=view
    )


@router.get("/{type}/stats", response_model=LedgerStats)
def ledger_statistics(
    type: str,
    store: Store,
    principal: CurrentPrincipal,
    catalog: CatalogDep,
    within: Within = None,
    level: Annotated[str | None, Query(description="1–9 or street, community…")] = None,
    by: Annotated[str | None, Query(description="Attribute key or ageBand.")] = None,
    filters: Filters = [],  # noqa: B006
    purpose: Purpose = None,
) -> LedgerStats:
    """Counts under a place (default: your jurisdiction), by place at ``level`` and by ``by``."""
    return ledger_stats(
        store, catalog=catalog, principal=principal, type=type, within=within, level=level,
        by=by, filters=[catalog.parse_filter(f) for f in filters], purpose=purpose,
    )  # fmt: skip


@router.get("/{type}/export", response_class=Response)
def export(
    view: LedgerView,
    store: Store,
    principal: CurrentPrincipal,
    catalog: CatalogDep,
    format: Literal["csv", "xlsx"] = "csv",
    columns: Annotated[list[str], Query(description="Attribute keys (default: all)")] = [],  # noqa: B006
    reveal: Reveal = [],  # noqa: B006
    lang: Literal["zh", "en", "key"] = "zh",
) -> Response:
    """The whole ledger view as a CSV or XLSX file (audited)."""
    file = export_ledger(
        store, catalog=catalog, principal=principal, query=view, format=format, columns=columns,
        reveal=reveal, lang=lang,
    )  # fmt: skip
    disposition = f'attachment; filename="{file.filename}"'
    return Response(file.content, media_type=file.media_type,
                    headers={"Content-Disposition": disposition})  # fmt: skip


@router.post("/{type}/lookup", response_model=EntityDetail)
def lookup_entity(
    type: str,
    body: LookupIn,
    store: Store,
    principal: CurrentPrincipal,
    catalog: CatalogDep,
) -> EntityDetail:
    """One entity found by its clear identity key (an ID number read off a card), sent in the
    body, never in a URL; audited and rate-limited per principal. Answers like the detail
    (404 alike for missing and out of reach); open it again by the ``ref`` it returns."""
    etype = catalog.entity_type(type)
    shown_as = seal(body.key) if etype.key in etype.masked else body.key
    ensure_lookup_allowed(store, principal=principal, target=f"{etype.top.name}: {shown_as}",
                          path="key", purpose=body.purpose)  # fmt: skip
    return entity_detail(store, catalog=catalog, principal=principal, type=type, key=body.key)


@router.get("/{type}/{key}", response_model=EntityDetail)
def read_entity(
    type: str,
    key: str,
    store: Store,
    principal: CurrentPrincipal,
    catalog: CatalogDep,
    reveal: Reveal = [],  # noqa: B006
    purpose: Purpose = None,
) -> EntityDetail:
    """One entity (by ``ref``, ``me``, or an identity key that is not masked) with its
    relations; ``reveal`` is audited."""
    clear = entity_key(catalog, type, key, principal)
    return entity_detail(store, catalog=catalog, principal=principal, type=type, key=clear,
                         reveal=reveal, purpose=purpose)  # fmt: skip


def entity_key(catalog: Catalog, type: str, key: str, principal: Principal) -> str:
    """The clear key a URL names: masked keys only as refs (or ``me``)."""
    etype = catalog.entity_type(type)
    return key_from_url(key, masked=etype.key in etype.masked, principal=principal, path="key",
                        person=etype.top.name == "Person")  # fmt: skip


@router.patch("/{type}/{key}", response_model=EditOut)
def edit(
    type: str,
    key: str,
    body: Annotated[EditIn, Body()],
    store: Store,
    principal: CurrentPrincipal,
    catalog: CatalogDep,
) -> EditOut:
    """Change attributes, validated and recorded like a form submission (with history)."""
    result = edit_entity(store, catalog=catalog, principal=principal, type=type,
                         key=entity_key(catalog, type, key, principal), values=body.values,
                         submission_id=body.submission_id)  # fmt: skip
    return EditOut(submission=result.submission, replayed=result.replayed)


@router.post("/{type}/{key}/end", response_model=EndOut)
def end(
    type: str,
    key: str,
    body: Annotated[EndIn, Body()],
    store: Store,
    principal: CurrentPrincipal,
    catalog: CatalogDep,
) -> EndOut:
    """End the entity's current places in your jurisdiction (soft delete, recorded)."""
    result = end_entity(store, catalog=catalog, principal=principal, type=type,
                        key=entity_key(catalog, type, key, principal), reason=body.reason,
                        submission_id=body.submission_id)  # fmt: skip
    return EndOut(submission=result.submission, ended=result.ended, remaining=result.remaining)
