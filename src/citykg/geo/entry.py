"""Address entry: a parsed address resolved to a place node, creating missing levels 6–9.

The division the parser found (a community, or a street/district whose compound is known) is
looked up in the graph, then the compound, building, unit and door are matched among the
children level by level (compounds by name, the others by number). What is missing below a
known community or premises is created when ``create=True`` (the caller is allowed to): one
``CREATE_PREMISES`` statement writes the whole chain with provenance (``source``, ``createdBy``,
``createdAt``, ``createdFrom``) and fresh codes. Otherwise the missing levels are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from citykg.errors import Conflict, NotFound, ValidationFailed, Violation
from citykg.geo import queries
from citykg.geo.address import Gazetteer, LevelMatch, ParsedAddress, normalize_name
from citykg.geo.codes import (
    ATTACHED_KINDS,
    CODE_LENGTHS,
    Level,
    PlaceCode,
    next_serial,
    serial_range,
    subtree_bounds,
)
from citykg.geo.models import PlaceRef
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore

SOURCE = "address-entry"
ATTEMPTS = 3
_TAIL = (Level.COMPOUND, Level.BUILDING, Level.UNIT, Level.DOOR)
_NUMBER = re.compile(r"([A-Z]?[0-9]+|[A-Z])")
_LABELS = {
    Level.COMPOUND: "Compound",
    Level.BUILDING: "Building",
    Level.UNIT: "BuildingUnit",
    Level.DOOR: "Door",
}


@dataclass(frozen=True, slots=True)
class AddressEntry:
    """Where an address landed: the deepest place, what was created, what is still missing."""

    parsed: ParsedAddress
    place: PlaceRef | None
    path: tuple[PlaceRef, ...]
    created: tuple[PlaceRef, ...]
    missing: tuple[LevelMatch, ...]
    note: str = ""

    @property
    def complete(self) -> bool:
        return self.place is not None and not self.missing


def enter_address(
    store: GraphStore,
    *,
    address: str | ParsedAddress,
    gazetteer: Gazetteer,
    scope: PlaceScope,
    create: bool = False,
    author: str | None = None,
    within: str | None = None,
) -> AddressEntry:
    """Resolve ``address`` to the deepest place it names; create missing levels 6–9 if asked."""
    parsed = (
        address if isinstance(address, ParsedAddress) else gazetteer.parse(address, within=within)
    )
    if create and not (author or "").strip():
        raise ValidationFailed(
            [Violation(path="author", message="creating places needs an author", value=author)]
        )
    for _ in range(ATTEMPTS):
        result = _attempt(store, parsed, scope, create=create, author=(author or "").strip())
        if result is not None:
            return result
    raise Conflict("address: the places changed while they were being created; nothing written")


def attach_place(
    store: GraphStore,
    *,
    parent: str,
    kind: str,
    name: str,
    author: str,
    scope: PlaceScope,
) -> PlaceRef:
    """Attach a landmark, road or grid (``kind``) named ``name`` to the place ``parent``."""
    parent_code = PlaceCode.parse(parent, field="parent")
    if kind not in ATTACHED_KINDS.values():
        allowed = ", ".join(ATTACHED_KINDS.values())
        raise ValidationFailed([Violation(path="kind", message=f"kind is one of {allowed}")])
    for field_name, value in (("name", name), ("author", author)):
        if not (value or "").strip():
            raise ValidationFailed(
                [Violation(path=field_name, message=f"{field_name} is required")]
            )
    for _ in range(ATTEMPTS):
        state = _children(store, parent_code.value, scope)
        if state is None:
            raise NotFound(f"parent: no place with code {parent_code}")
        high_water, children = state
        sample = parent_code.child(1, kind=kind)
        used = {
            PlaceCode(str(c["code"])).serial
            for c in children
            if PlaceCode(str(c["code"])).attached_kind == kind
        }
        low, high = serial_range(sample)
        serial = next_serial(used=used, high_water=high_water, low=low, high=high)
        code = parent_code.child(serial, kind=kind)
        params = {
            "parent": parent_code.value,
            "expectedHighWater": high_water,
            "highWater": max(high_water, serial),
            "code": code.value,
            "name": name.strip(),
            "kind": kind,
            "source": SOURCE,
            "author": author.strip(),
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            **scope.params(),
        }
        if store.write(queries.CREATE_ATTACHED, params).rows:
            return PlaceRef(code.value, name.strip(), None, kind)
    raise Conflict("parent: the place changed while attaching; nothing was written")


def _attempt(
    store: GraphStore, parsed: ParsedAddress, scope: PlaceScope, *, create: bool, author: str
) -> AddressEntry | None:
    division = parsed.division
    wanted = [m for m in parsed.levels if m.level >= Level.COMPOUND]
    if division is None or division.code is None:
        return AddressEntry(parsed, None, (), (), tuple(wanted), "no administrative division found")
    state = _children(store, division.code, scope)
    if state is None:
        return AddressEntry(
            parsed, None, (), (), tuple(wanted), f"division {division.code} is not in the graph"
        )
    anchor = PlaceRef(division.code, division.name, division.level)
    path: list[PlaceRef] = [anchor]
    high_water, children = state
    remaining = list(wanted)
    if remaining and remaining[0].level == Level.COMPOUND and division.level < Level.COMMUNITY:
        compound = _find_compound(store, division.code, remaining[0].name, scope)
        if compound is not None:
            path.append(compound)
            remaining.pop(0)
            found = _children(store, compound.code, scope)
            assert found is not None
            high_water, children = found
    while remaining:
        match = _match(children, remaining[0])
        if match is None:
            break
        path.append(match)
        remaining.pop(0)
        found = _children(store, match.code, scope)
        assert found is not None
        high_water, children = found
    deepest = path[-1]
    if not remaining:
        return AddressEntry(parsed, deepest, tuple(path), (), ())
    expected_level = (deepest.level or 0) + 1
    if not create or deepest.level is None or deepest.level < Level.COMMUNITY:
        note = "" if create else "missing levels not created (create=False)"
        if create:
            note = "places are created only under a known community"
        return AddressEntry(parsed, deepest, tuple(path), (), tuple(remaining), note)
    if [m.level for m in remaining] != list(range(expected_level, expected_level + len(remaining))):
        gap = Level(expected_level).name.lower()
        return AddressEntry(
            parsed, deepest, tuple(path), (), tuple(remaining), f"cannot create without a {gap}"
        )
    rows, new_high = _plan(PlaceCode.parse(deepest.code), high_water, children, remaining)
    params: dict[str, Any] = {
        "anchor": deepest.code,
        "expectedHighWater": high_water,
        "highWater": new_high,
        "rows": rows,
        "source": SOURCE,
        "author": author,
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "text": parsed.text,
        **scope.params(),
    }
    summary = store.write(queries.CREATE_PREMISES, params)
    if not summary.rows:
        return None  # the anchor changed since planning: plan again
    created = tuple(
        PlaceRef(r["code"], r["name"], r["level"], _LABELS[Level(r["level"])]) for r in rows
    )
    return AddressEntry(parsed, created[-1], (*path, *created), created, ())


def _plan(
    anchor: PlaceCode,
    high_water: int,
    children: list[dict[str, Any]],
    remaining: list[LevelMatch],
) -> tuple[list[dict[str, Any]], int]:
    """The rows of the chain to create under ``anchor`` and the anchor's new high-water mark."""
    first = anchor.child(1)
    used = {PlaceCode(str(c["code"])).serial for c in children if _same_length(c, first)}
    low, high = serial_range(first)
    serial = next_serial(used=used, high_water=high_water, low=low, high=high)
    rows: list[dict[str, Any]] = []
    parent = anchor
    code = anchor.child(serial)
    for i, match in enumerate(remaining):
        if i:
            code = parent.child(1)
        last = i == len(remaining) - 1
        rows.append(
            {
                "code": code.value,
                "parent": parent.value,
                "level": int(match.level),
                "name": _display_name(match),
                "number": None if match.level == Level.COMPOUND else match.name,
                "highWater": None if last else 1,
            }
        )
        parent = code
    return rows, max(high_water, serial)


def _display_name(match: LevelMatch) -> str:
    if match.level == Level.BUILDING:
        return f"{match.name}座" if match.name.isalpha() else f"{match.name}号楼"
    if match.level == Level.UNIT:
        return f"{match.name}单元"
    if match.level == Level.DOOR:
        return f"{match.name}室"
    return match.name


def _same_length(child: dict[str, Any], sample: PlaceCode) -> bool:
    return len(str(child["code"])) == len(sample.value)


def _children(
    store: GraphStore, code: str, scope: PlaceScope
) -> tuple[int, list[dict[str, Any]]] | None:
    rows = store.read(queries.PARENT_STATE, {"code": code, **scope.params()})
    if not rows:
        return None
    children = [c for c in rows[0]["children"] if c.get("code") is not None]
    return int(rows[0]["highWater"] or 0), children


def _find_compound(store: GraphStore, under: str, name: str, scope: PlaceScope) -> PlaceRef | None:
    low, high = subtree_bounds(under)
    rows = store.read(queries.FIND_COMPOUNDS, {"lo": low, "hi": high, **scope.params()})
    wanted = _compound_key(name)
    found = [r for r in rows if _compound_key(str(r["name"])) == wanted]
    if len(found) != 1:
        return None
    return PlaceRef(str(found[0]["code"]), str(found[0]["name"]), int(Level.COMPOUND), "Compound")


def _match(children: list[dict[str, Any]], wanted: LevelMatch) -> PlaceRef | None:
    level = Level(wanted.level)
    for child in children:
        code = PlaceCode(str(child["code"]))
        if code.attached_kind or len(code.value) != _length(level):
            continue
        if level == Level.COMPOUND:
            hit = _compound_key(str(child["name"])) == _compound_key(wanted.name)
        else:
            hit = _number_of(child) == wanted.name
        if hit:
            return PlaceRef(code.value, str(child["name"]), int(level), _LABELS[level])
    return None


def _length(level: Level) -> int:
    return CODE_LENGTHS[level - 1]


def _number_of(child: dict[str, Any]) -> str | None:
    if child.get("number"):
        return str(child["number"])
    found = _NUMBER.search(normalize_name(str(child.get("name") or "")))
    if not found:
        return None
    text = found[1]
    return str(int(text)) if text.isdigit() else text


def _compound_key(name: str) -> str:
    key = normalize_name(name)
    for suffix in ("小区", "社区"):
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
    return key
