"""Reading places: one place (through its former codes), its children, its history."""

from __future__ import annotations

from typing import Any

from citykg.errors import NotFound
from citykg.geo import queries
from citykg.geo.codes import ATTACHED_KINDS, LEVEL_LABELS, PlaceCode
from citykg.geo.models import Page, Place, PlaceChange, PlaceRef
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore

KINDS = frozenset({*LEVEL_LABELS.values(), *ATTACHED_KINDS.values()})
MAX_PAGE = 10_000


def resolve_code(store: GraphStore, *, code: str, scope: PlaceScope) -> str:
    """The current code of the place known by ``code`` (itself, or a former code of it).

    Raises :class:`NotFound` when no visible place has or had that code.
    """
    checked = PlaceCode.parse(code).value
    params = {"code": checked, **scope.params()}
    if store.read(queries.PLACE, params):
        return checked
    rows = store.read(queries.PLACE_BY_ALIAS, params)
    if rows:
        return str(rows[0]["code"])
    raise NotFound(f"code: no place has or had the code {checked}")


def get_place(store: GraphStore, *, code: str, scope: PlaceScope) -> Place:
    """The place with ``code``, following former codes to the current place."""
    current = resolve_code(store, code=code, scope=scope)
    params = {"code": current, **scope.params()}
    row = store.read(queries.PLACE, params)[0]
    node = row["place"]
    props: dict[str, Any] = dict(node["properties"])
    labels = tuple(node["labels"])
    ancestors = tuple(
        PlaceRef(str(a["code"]), str(a["name"]), _int(a["level"]), _kind_of_code(str(a["code"])))
        for a in store.read(queries.ANCESTORS, params)
    )
    return Place(
        code=current,
        name=str(props.get("name", "")),
        level=_int(props.get("level")),
        kind=_kind(labels),
        labels=labels,
        parent=row["parent"],
        ancestors=ancestors,
        short_name=props.get("shortName"),
        former_names=tuple(props.get("formerNames") or ()),
        former_codes=tuple(props.get("formerCodes") or ()),
        source=props.get("source"),
        resolved_from=None
        if current == PlaceCode.parse(code).value
        else PlaceCode.parse(code).value,
        properties=props,
    )


def list_children(
    store: GraphStore, *, code: str, scope: PlaceScope, skip: int = 0, limit: int = 1000
) -> Page[PlaceRef]:
    """The places directly under ``code`` (a former code works too), ordered by code."""
    current = resolve_code(store, code=code, scope=scope)
    limit = max(0, min(limit, MAX_PAGE))
    params = {"code": current, "skip": skip, "end": skip + limit, **scope.params()}
    rows = store.read(queries.CHILDREN, params)
    if not rows:
        return Page((), 0, skip)
    items = tuple(
        PlaceRef(str(r["code"]), str(r["name"]), _int(r["level"]), _kind(r["labels"]))
        for r in rows[0]["rows"]
    )
    return Page(items, int(rows[0]["total"]), skip)


def place_history(store: GraphStore, *, code: str, scope: PlaceScope) -> list[PlaceChange]:
    """Every recorded change of the place (and of places merged into it), oldest first."""
    current = resolve_code(store, code=code, scope=scope)
    rows = store.read(queries.HISTORY, {"code": current, **scope.params()})
    return [
        PlaceChange(
            change_id=str(r["changeId"]),
            kind=str(r["kind"]),
            at=str(r["at"]),
            author=str(r["author"]),
            old_code=str(r["oldCode"]),
            new_code=str(r["newCode"]),
            old_name=r["oldName"],
            new_name=r["newName"],
            old_parent=r["oldParent"],
            new_parent=r["newParent"],
            reason=r["reason"],
        )
        for r in rows
    ]


def _kind(labels: Any) -> str:
    return next((str(label) for label in labels if label in KINDS), "Place")


def _kind_of_code(code: str) -> str:
    return PlaceCode(code).label


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
