"""Ledger lists: one page at a time, keyset-paged, masked for the caller.

    >>> page = ledger_page(store, catalog=catalog, principal=worker,
    ...                    query=LedgerQuery(type="Person", filters=(Filter(key="age", op="gte",
    ...                                      value="60"),), sort="name"))
    >>> page.next_cursor   # pass back as query.cursor for the next page

A cursor holds the last row's sort value and identity key and a fingerprint of the view, so a
cursor from another view (other filters, sort or type) is refused rather than misread.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, LiteralString

from citykg.access.policy import READ, Reach
from citykg.access.policy import read_reach as reach
from citykg.access.principals import Principal
from citykg.graph import GraphStore
from citykg.ledgers import queries
from citykg.ledgers.catalog import Catalog, EntityType, SortKey, invalid
from citykg.ledgers.models import MAX_PAGE, LedgerPage, LedgerQuery, LedgerRow
from citykg.ledgers.refs import PREFIX, seal, shown, unseal
from citykg.ledgers.selection import Selection, ensure_may_disclose, select


def ledger_page(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    query: LedgerQuery,
    today: date | None = None,
) -> LedgerPage:
    """One page of the ledger ``query`` asks for, as ``principal`` may see it (``ledger.read``)."""
    return read_page(
        store, catalog=catalog, principal=principal, reach=reach(principal, action=READ),
        query=query, today=today,
    )  # fmt: skip


def read_page(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    reach: Reach,
    query: LedgerQuery,
    reveal: Sequence[str] = (),
    today: date | None = None,
) -> LedgerPage:
    """A page within an already checked ``reach`` (lists and exports)."""
    selection = select(
        store, catalog=catalog, principal=principal, reach=reach, type=query.type,
        within=query.within, filters=query.filters, q=query.q, created_by=query.created_by,
        purpose=query.purpose, today=today,
    )  # fmt: skip
    sort = _sort(store, catalog, principal, selection.etype, query)
    text, params = _page_statement(selection, sort, query)
    records = store.read(text, params)
    rows = [_row(catalog, principal, selection, r, reveal) for r in records[: query.limit]]
    cursor = None
    if len(records) > query.limit:
        last = records[query.limit - 1]
        cursor = _cursor(selection, sort, last["sortValue"], last["key"])
    return LedgerPage(type=selection.etype.name, items=rows, next_cursor=cursor, limit=query.limit)


def iter_ledger(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    reach: Reach,
    query: LedgerQuery,
    max_rows: int,
    reveal: Sequence[str] = (),
) -> Iterator[LedgerRow]:
    """Every row of a ledger view, page after page (at most ``max_rows``)."""
    page_query = query.model_copy(update={"limit": MAX_PAGE, "cursor": query.cursor})
    sent = 0
    while sent < max_rows:
        page = read_page(store, catalog=catalog, principal=principal, reach=reach,
                         query=page_query, reveal=reveal)  # fmt: skip
        for row in page.items[: max_rows - sent]:
            yield row
            sent += 1
        if page.next_cursor is None:
            return
        page_query = page_query.model_copy(update={"cursor": page.next_cursor})


def _sort(
    store: GraphStore, catalog: Catalog, principal: Principal, etype: EntityType, query: LedgerQuery
) -> SortKey:
    """The page order. Order discloses as much as a filter, so sorting by a masked attribute
    goes through the policy; where the identity key itself is masked (a person's ID number),
    the default order is by name (the key only breaks ties), never by the key."""
    if query.sort is None and etype.key in etype.masked and etype.search_keys:
        return catalog.sort_key(etype, etype.search_keys[0])
    sort = catalog.sort_key(etype, query.sort)
    ensure_may_disclose(store, catalog=catalog, principal=principal, etype=etype, path="sort",
                        keys=[sort.key], purpose=query.purpose, use="sort")  # fmt: skip
    return sort


def _page_statement(
    selection: Selection, sort: SortKey, query: LedgerQuery
) -> tuple[LiteralString, dict[str, Any]]:
    text = selection.text + queries.sort_value
    params = {**selection.params, "sort": sort.key, "floor": sort.floor, "take": query.limit + 1}
    if query.cursor:
        value, key = _read_cursor(query.cursor, selection, sort)
        text += queries.after_descending if sort.descending else queries.after_ascending
        params.update(afterValue=value, afterKey=key)
    text += queries.order_descending if sort.descending else queries.order_ascending
    text += queries.page_rows
    text += queries.return_descending if sort.descending else queries.return_ascending
    return text, params


def _row(
    catalog: Catalog,
    principal: Principal,
    selection: Selection,
    record: dict[str, Any],
    reveal: Sequence[str],
) -> LedgerRow:
    etype = selection.etype
    seen = catalog.masker.redact(principal, record["labels"], record["properties"], reveal=reveal)
    key, ref = shown(str(record["key"]), masked=etype.key in seen.masked)
    return LedgerRow(
        type=catalog.most_specific(record["labels"]),
        key=key,
        ref=ref,
        labels=sorted(record["labels"]),
        properties=seen.properties,
        place=record["place"],
        address="".join(record["path"] or []),
        masked=seen.masked,
    )


def _cursor(selection: Selection, sort: SortKey, value: Any, key: Any) -> str:
    """The last row's sort value and key, sealed (they may be masked values)."""
    payload = {"v": value, "k": key, "f": selection.fingerprint, "s": sort.text}
    return seal(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


def _read_cursor(cursor: str, selection: Selection, sort: SortKey) -> tuple[Any, Any]:
    """A sealed ref that is not a cursor (an entity's ref) is refused like any bad cursor."""
    payload: Any = None
    if cursor.startswith(PREFIX):
        with contextlib.suppress(ValueError):
            payload = json.loads(unseal(cursor, path="cursor"))
    if not isinstance(payload, dict) or not {"v", "k", "f", "s"} <= payload.keys():
        raise invalid("cursor", "not a cursor of this ledger: pass back next_cursor as it came",
                      "游标无效：请原样传回 next_cursor", cursor)  # fmt: skip
    value, key = payload["v"], payload["k"]
    same = payload["f"] == selection.fingerprint and payload["s"] == sort.text
    if not same:
        raise invalid("cursor", "the cursor belongs to another view (type, filters, search or "
                      "sort changed): start again without a cursor",
                      "游标与当前查询条件不符，请去掉游标重新查询", cursor)  # fmt: skip
    return value, key
