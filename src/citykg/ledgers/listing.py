"""Ledger lists: one page at a time, keyset-paged, masked for the caller.

    >>> page = ledger_page(store, catalog=catalog, principal=worker,
    ...                    query=LedgerQuery(type="Person", filters=(Filter(key="age", op="gte",
    ...                                      value="60"),), sort="name"))
    >>> page.next_cursor   # pass back as query.cursor for the next page

Without ``sort`` a ledger is in the **address order**: by the code of the place each entity hangs
off, then its identity key, the order of a worker walking the buildings (and, where the key is
masked, the only order that discloses nothing). It is read as a walk through the place tree in
code order, a few slices at a time until the page is full (:class:`_Walk`): a district's first
page costs about what a community's does. An explicit ``sort`` sorts everything the view selects,
which for a district or a whole city takes a few hundred milliseconds at 100,000 persons.

A cursor holds the last row's sort value (the place code in the address order) and identity key
and a fingerprint of the view, so a cursor from another view (other filters, sort or type) is
refused rather than misread.
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
from citykg.errors import ValidationFailed
from citykg.geo.codes import CODE_LENGTHS, Level, PlaceCode
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
    if sort is None:
        records = address_records(store, selection, query)
    else:
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


ADDRESS_ORDER = "@place"
"""The address order's name in cursors (no attribute key starts with ``@``)."""
FIRST_DIVISIONS = 8
"""Divisions read for the first slices of a walk; each further read takes four times as many."""
FIRST_PLACES = 48
"""Places (doors, units, buildings…) a page's first statement reads, in code order. In a fresh
5,000-person demo city the first 48 places of each community hold 87-125 residents, a page of
50 with room (24 held 41-62: half the first pages took a second statement); 64 held 131-168,
all read and sorted by the engine (first-page statement 1.07 vs 0.94 ms at p50)."""


def _sort(
    store: GraphStore, catalog: Catalog, principal: Principal, etype: EntityType, query: LedgerQuery
) -> SortKey | None:
    """The page order: ``None`` for the address order (no ``sort`` asked). Order discloses as
    much as a filter, so sorting by a masked attribute goes through the policy; a masked
    identity key (a person's sealed ID number) only breaks ties."""
    if query.sort is None:
        return None
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


def address_records(
    store: GraphStore, selection: Selection, query: LedgerQuery
) -> list[dict[str, Any]]:
    """The page's records in the address order: the walk's slices, the first places of them
    per statement (``FIRST_PLACES``, four times as many each further statement), until the
    page (and one more row, for the cursor) is full or the view is walked."""
    text = selection.walk + queries.address_key
    params = {**selection.params, "take": query.limit + 1}
    start = ""
    if query.cursor:
        place, key = _read_cursor(query.cursor, selection, None)
        text += queries.after_address
        params.update(afterPlace=place, afterKey=key)
        start = str(place)
    text += queries.address_rows
    key = selection.etype.key
    records: list[dict[str, Any]] = []
    walk = _Walk(store, selection, start).batches()
    slices: list[dict[str, str]] = []
    places = FIRST_PLACES
    while len(records) <= query.limit:
        slices = slices or next(walk, [])
        if not slices:
            break
        wanted = query.limit + 1 - len(records)
        (walked,) = store.read(text, {**params, "slices": slices, "take": wanted,
                                       "places": places})  # fmt: skip
        for at in walked["found"]:
            place, path = at["place"], at["path"]
            records += [
                {"key": e["properties"].get(key), "sortValue": place, "labels": e["labels"],
                 "properties": e["properties"], "place": place, "path": path}
                for e in at["rows"]
            ]  # fmt: skip
        if walked["taken"] < places:  # every place of these slices was read
            slices = []
        else:  # on after the last place read (its subtree's slice keeps the index's form)
            slices = _clip(slices, str(walked["reached"]) + "!")
            places *= 4
    return records


def _clip(slices: list[dict[str, str]], position: str) -> list[dict[str, str]]:
    """``slices`` from ``position`` on (it lies in one of them, or between)."""
    rest = [dict(s) for s in slices if s["hi"] > position]
    if rest:
        rest[0]["lo"] = max(rest[0]["lo"], position)
    return rest


class _Walk:
    """The view's places in code order as slices ``{lo, hi}`` (ranges FalkorDB's index answers
    exactly, see :mod:`citykg.ledgers.queries`), from ``start`` (a cursor's place) on.

    A view inside one community is one slice per root. Under a district or a street the walk
    reads the administrative divisions in code order (a few, then four times as many each
    time) and cuts: a division above the community level alone ``[d, d!)``, a community's
    subtree ``[c, c~)``, and after a division's subtree its landmarks, roads and grids
    ``[dA, d~)``. Place codes start with their parent's code and premises hang under
    communities, so the slices cover every place of the view once, in code order.
    """

    def __init__(self, store: GraphStore, selection: Selection, start: str) -> None:
        self.store = store
        self.selection = selection
        self.position = start  # everything below is read
        self.slices: list[dict[str, str]] = []
        self.open: list[str] = []  # divisions whose landmarks, roads and grids come later

    def batches(self) -> Iterator[list[dict[str, str]]]:
        roots = self.selection.roots
        if not any(_divided(root) for root in roots):
            for root in roots:
                self._cut(root, root + "~")
            if self.slices:
                yield self.slices
            return
        for place in _ancestry(self.position, roots):  # a cursor's place: finish its subtrees
            if self._enter(place):
                break
        after, wanted = self.position, FIRST_DIVISIONS
        scope = self.selection.params["scopeRoots"]
        whole = [root for root in roots if not _divided(root)]  # merged into the divisions
        while True:
            rows = self.store.read(queries.DIVISIONS_AFTER, {"roots": list(roots), "after": after,
                                   "n": wanted, "scopeRoots": scope})  # fmt: skip
            codes = [str(row["code"]) for row in rows]
            for code in codes:
                while whole and whole[0] < code:
                    self._next(whole.pop(0))
                self._next(code)
            if len(codes) < wanted:
                for root in whole:
                    self._next(root)
                while self.open:
                    self._leave()
            if self.slices:
                yield self.slices
                self.slices = []
            if len(codes) < wanted:
                return
            after, wanted = codes[-1], wanted * 4

    def _next(self, code: str) -> None:
        """The place ``code``, after every division it is not under is left."""
        while self.open and not code.startswith(self.open[-1]):
            self._leave()
        self._enter(code)

    def _enter(self, code: str) -> bool:
        """Cut at the place ``code``; whether its subtree is cut whole."""
        if _divided(code):
            self._cut(code, code + "!")
            self.open.append(code)
            return False
        self._cut(code, code + "~")
        return True

    def _leave(self) -> None:
        code = self.open.pop()
        self._cut(code + "A", code + "~")

    def _cut(self, lo: str, hi: str) -> None:
        """The range ``[lo, hi)`` less what was read. When the position lies inside it, it lies
        under the prefix ``hi`` closes, so the rest keeps the form the index answers."""
        if hi <= self.position:
            return
        low = max(lo, self.position)
        self.slices.append({"lo": low, "hi": hi})
        self.position = hi


def _divided(code: str) -> bool:
    """Whether divisions may lie under the place ``code``: above the community level, or the
    whole tree (``""``)."""
    if not code:
        return True
    try:
        level = PlaceCode.parse(code).level
    except ValidationFailed:
        return False
    return level is not None and level < Level.COMMUNITY


def _ancestry(code: str, roots: Sequence[str]) -> list[str]:
    """The places from the root of the view holding ``code`` down to ``code`` (none for ``""``
    or a code outside the view)."""
    root = next((r for r in roots if code and code.startswith(r)), None)
    if root is None:
        return []
    tree = code[: next((i for i, ch in enumerate(code) if not ch.isdigit()), len(code))]
    chain = [tree[:n] for n in CODE_LENGTHS if n <= len(tree)]
    if tree != code:
        chain.append(code)
    return [place for place in chain if place.startswith(root)]


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


def _cursor(selection: Selection, sort: SortKey | None, value: Any, key: Any) -> str:
    """The last row's sort value and key, sealed (they may be masked values)."""
    order = sort.text if sort else ADDRESS_ORDER
    payload = {"v": value, "k": key, "f": selection.fingerprint, "s": order}
    return seal(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


def _read_cursor(cursor: str, selection: Selection, sort: SortKey | None) -> tuple[Any, Any]:
    """A sealed ref that is not a cursor (an entity's ref) is refused like any bad cursor."""
    payload: Any = None
    if cursor.startswith(PREFIX):
        with contextlib.suppress(ValueError):
            payload = json.loads(unseal(cursor, path="cursor"))
    if not isinstance(payload, dict) or not {"v", "k", "f", "s"} <= payload.keys():
        raise invalid("cursor", "not a cursor of this ledger: pass back next_cursor as it came",
                      "游标无效：请原样传回 next_cursor", cursor)  # fmt: skip
    value, key = payload["v"], payload["k"]
    order = sort.text if sort else ADDRESS_ORDER
    same = payload["f"] == selection.fingerprint and payload["s"] == order
    if not same:
        raise invalid("cursor", "the cursor belongs to another view (type, filters, search or "
                      "sort changed): start again without a cursor",
                      "游标与当前查询条件不符，请去掉游标重新查询", cursor)  # fmt: skip
    return value, key
