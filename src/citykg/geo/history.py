"""Changes of divisions as recorded operations: rename, move, merge, split.

Each operation is planned from a read of the current state (pure checks, code allocation) and
then written as ONE statement that re-checks that state and writes nothing if it moved (the
operation is retried, then refused with :class:`Conflict`). Every operation leaves a
``(:PlaceChange {changeId, kind, at, author, reason, oldCode, newCode, oldName, newName, …})``
linked to the place by ``CHANGED``; nothing is overwritten silently:

- a rename keeps the old name in ``formerNames`` (the parser still understands it);
- a move re-codes the moved subtree under its new parent (a code always starts with its parent's
  code); every old code becomes a ``(:PlaceAlias {code})-[:ALIAS_OF]->(place)`` and stays in
  ``formerCodes``, so :func:`citykg.geo.places.resolve_code` follows it to the current place;
- a merge moves the children (new codes), residents, things, events and located organizations of
  the merged place to the surviving one, drops jurisdictions over it (recorded), deletes it and
  leaves its code and name as an alias of the survivor;
- a split creates new sibling places and moves the listed children into them.

Administrative divisions (levels 1–5) carry official NBS codes, so a move or split of one needs
its new official code(s); levels 6–9, landmarks, roads and grids get the next never-used serial.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, LiteralString

from citykg.errors import Conflict, NotFound, ValidationFailed, Violation
from citykg.geo import queries
from citykg.geo.codes import PlaceCode, next_serial, serial_range, subtree_bounds
from citykg.geo.models import PlaceChange
from citykg.geo.names import short_name
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore

ATTEMPTS = 3
KNOWN_INCOMING = frozenset(
    {
        "PART_OF",
        "HAS_JURISDICTION_OVER",
        "RESIDES_IN",
        "INSTALLED_AT",
        "OCCURRED_AT",
        "LOCATED_AT",
        "ALIAS_OF",
        "CHANGED",
        "CREATED",
    }
)
KNOWN_OUTGOING = frozenset({"PART_OF"})


@dataclass(frozen=True, slots=True)
class SplitPart:
    """A new place split off: its name, official code (levels 1–5) and the children it takes."""

    name: str
    code: str | None = None
    children: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class _State:
    code: PlaceCode
    name: str
    level: int | None
    high_water: int
    parent: str | None
    incoming: tuple[str, ...]
    outgoing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Parent:
    code: PlaceCode
    high_water: int
    children: tuple[PlaceCode, ...]


# --- operations -------------------------------------------------------------------------------


def rename_place(
    store: GraphStore,
    *,
    code: str,
    name: str,
    author: str,
    scope: PlaceScope,
    reason: str | None = None,
) -> PlaceChange:
    """Give the place a new name; the old one stays in ``formerNames``."""
    checked = PlaceCode.parse(code)
    new_name = _required_text(name, "name")
    who = _required_text(author, "author")
    state = _state(store, checked, scope, field="code")
    if new_name == state.name:
        raise _invalid("name", new_name, f"{checked} is already named {new_name!r}")
    change = _change("rename", who, reason)
    params = {
        "code": checked.value,
        "name": new_name,
        "shortName": short_name(new_name, state.level)
        if state.level and state.level <= 5
        else None,
        **change,
        **scope.params(),
    }
    _write_once(store, queries.RENAME_PLACE, params)
    return _record(change, "rename", checked.value, checked.value, state.name, new_name)


def move_place(
    store: GraphStore,
    *,
    code: str,
    to: str,
    author: str,
    scope: PlaceScope,
    new_code: str | None = None,
    reason: str | None = None,
) -> PlaceChange:
    """Attach the place (and its subtree) under ``to``; the subtree gets codes under ``to``.

    A division of levels 1–5 needs ``new_code``, its official new code; other places get the
    next never-used serial under ``to``. Jurisdiction follows the tree: after the move the
    place answers to whoever is responsible for ``to``.
    """
    checked = PlaceCode.parse(code)
    target = PlaceCode.parse(to, field="to")
    who = _required_text(author, "author")
    for _ in range(ATTEMPTS):
        state = _state(store, checked, scope, field="code")
        parent = _parent(store, target, scope, field="to")
        if target.value.startswith(checked.value):
            raise _invalid("to", target.value, "cannot move a place under itself or its descendant")
        if state.parent == target.value:
            raise _invalid("to", target.value, f"{checked} is already part of {target}")
        _check_parent_level(checked, target, "to")
        moved_to = _new_code_under(store, checked, parent, new_code, scope)
        change = _change("move", who, reason)
        low, high = subtree_bounds(checked.value)
        params = {
            "code": checked.value,
            "from": state.parent,
            "to": target.value,
            "newCode": moved_to.value,
            "lo": low,
            "hi": high,
            "expectedHighWater": parent.high_water,
            "toHighWater": max(parent.high_water, moved_to.serial),
            "fromHighWater": checked.serial,
            **change,
            **scope.params(),
        }
        rows = store.write(queries.MOVE_PLACE, params).rows
        if rows:
            recoded = int(rows[0]["recoded"])
            return _record(
                change, "move", checked.value, moved_to.value, state.name, state.name,
                old_parent=state.parent, new_parent=target.value, recoded=recoded,
            )  # fmt: skip
    raise _changed_meanwhile(checked.value)


def merge_places(
    store: GraphStore,
    *,
    code: str,
    into: str,
    author: str,
    scope: PlaceScope,
    reason: str | None = None,
) -> PlaceChange:
    """Merge the place ``code`` into ``into`` (same level); ``code`` then resolves to ``into``."""
    checked = PlaceCode.parse(code)
    survivor = PlaceCode.parse(into, field="into")
    who = _required_text(author, "author")
    if survivor == checked:
        raise _invalid("into", survivor.value, "a place cannot be merged into itself")
    if survivor.label != checked.label:
        raise _invalid(
            "into",
            survivor.value,
            f"cannot merge a {checked.label} ({checked}) into a {survivor.label} ({survivor})",
        )
    for _ in range(ATTEMPTS):
        state = _state(store, checked, scope, field="code")
        target = _state(store, survivor, scope, field="into")
        _check_relationships(state)
        merged = _parent(store, checked, scope, field="code")
        receiving = _parent(store, survivor, scope, field="into")
        aliases = _alias_serials(store, survivor)
        kids = _allocate(merged.children, receiving, aliases)
        change = _change("merge", who, reason)
        low, high = subtree_bounds(checked.value)
        params = {
            "code": checked.value,
            "into": survivor.value,
            "from": state.parent,
            "intoParent": target.parent,
            "kids": [{"old": old.value, "new": new.value} for old, new in kids],
            "lo": low,
            "hi": high,
            "expectedHighWater": receiving.high_water,
            "expectedDegree": len(state.incoming) + len(state.outgoing),
            "highWater": max([receiving.high_water, *(new.serial for _, new in kids)]),
            "upHighWater": checked.serial,
            **change,
            **scope.params(),
        }
        rows = store.write(queries.MERGE_PLACE, params).rows
        if rows:
            return _record(
                change, "merge", checked.value, survivor.value, state.name, target.name,
                old_parent=state.parent, new_parent=target.parent,
                recoded=int(rows[0]["recoded"]),
            )  # fmt: skip
    raise _changed_meanwhile(checked.value)


def split_place(
    store: GraphStore,
    *,
    code: str,
    parts: Sequence[SplitPart],
    author: str,
    scope: PlaceScope,
    reason: str | None = None,
) -> PlaceChange:
    """Split new sibling places off ``code``, each taking the listed children of ``code``."""
    checked = PlaceCode.parse(code)
    who = _required_text(author, "author")
    if not parts:
        raise _invalid("parts", "", "a split needs at least one new part")
    for _ in range(ATTEMPTS):
        state = _state(store, checked, scope, field="code")
        if state.parent is None:
            raise _invalid("code", checked.value, "a province cannot be split here")
        up = _parent(store, PlaceCode.parse(state.parent), scope, field="code")
        own = _parent(store, checked, scope, field="code")
        part_codes = _part_codes(store, checked, up, parts)
        rows_parts, moved, own_high = _split_plan(checked, own, parts, part_codes)
        change = _change("split", who, reason)
        low, high = subtree_bounds(checked.value)
        params = {
            "code": checked.value,
            "parts": rows_parts,
            "moved": moved,
            "lo": low,
            "hi": high,
            "expectedHighWater": up.high_water,
            "upHighWater": max([up.high_water, *(c.serial for c in part_codes)]),
            "ownHighWater": own_high,
            **change,
            **scope.params(),
        }
        rows = store.write(queries.SPLIT_PLACE, params).rows
        if rows:
            return _record(
                change, "split", checked.value, checked.value, state.name, state.name,
                recoded=int(rows[0]["recoded"]),
                new_codes=tuple(c.value for c in part_codes),
            )  # fmt: skip
    raise _changed_meanwhile(checked.value)


# --- planning helpers (pure) ------------------------------------------------------------------


def _allocate(
    children: Sequence[PlaceCode], receiving: _Parent, alias_serials: dict[int, set[int]]
) -> list[tuple[PlaceCode, PlaceCode]]:
    """New codes under ``receiving`` for ``children``: never a used or former serial."""
    used: dict[tuple[int, str | None], set[int]] = {}
    for child in receiving.children:
        used.setdefault((len(child.value), child.attached_kind), set()).add(child.serial)
    for length, serials in alias_serials.items():
        used.setdefault((length, None), set()).update(serials)
    result = []
    for child in sorted(children):
        kind = child.attached_kind
        suffix = len(child.value) - len(child.parent.value) if child.parent else 0
        key = (len(receiving.code.value) + suffix, kind)
        low, high = serial_range(child)
        serial = next_serial(
            used=used.get(key, set()), high_water=receiving.high_water, low=low, high=high
        )
        used.setdefault(key, set()).add(serial)
        result.append((child, receiving.code.child(serial, kind=kind)))
    return result


def _split_plan(
    code: PlaceCode, own: _Parent, parts: Sequence[SplitPart], part_codes: Sequence[PlaceCode]
) -> tuple[list[dict[str, Any]], list[dict[str, str]], int]:
    children = {c.value for c in own.children}
    taken: set[str] = set()
    rows: list[dict[str, Any]] = []
    moved: list[dict[str, str]] = []
    own_high = 0
    for i, (part, part_code) in enumerate(zip(parts, part_codes, strict=True)):
        name = _required_text(part.name, f"parts[{i}].name")
        serials = []
        for child in part.children:
            child_code = PlaceCode.parse(child, field=f"parts[{i}].children")
            if child_code.value not in children:
                raise _invalid(f"parts[{i}].children", child, f"{child} is not a child of {code}")
            if child_code.value in taken:
                raise _invalid(f"parts[{i}].children", child, f"{child} is listed twice")
            taken.add(child_code.value)
            suffix = child_code.value[len(code.value) :]
            moved.append(
                {"old": child_code.value, "new": part_code.value + suffix, "part": part_code.value}
            )
            serials.append(child_code.serial)
            own_high = max(own_high, child_code.serial)
        rows.append(
            {
                "code": part_code.value,
                "name": name,
                "shortName": short_name(name, code.level) if code.level else None,
                "level": None if code.level is None else int(code.level),
                "highWater": max(serials) if serials else None,
            }
        )
    return rows, moved, own_high


# --- reads ------------------------------------------------------------------------------------


def _state(store: GraphStore, code: PlaceCode, scope: PlaceScope, *, field: str) -> _State:
    rows = store.read(queries.PLACE_STATE, {"code": code.value, **scope.params()})
    if not rows:
        raise NotFound(f"{field}: no place with code {code}")
    row = rows[0]
    return _State(
        code=code,
        name=str(row["name"]),
        level=None if row["level"] is None else int(row["level"]),
        high_water=int(row["highWater"] or 0),
        parent=row["parent"],
        incoming=tuple(row["incoming"]),
        outgoing=tuple(row["outgoing"]),
    )


def _parent(store: GraphStore, code: PlaceCode, scope: PlaceScope, *, field: str) -> _Parent:
    rows = store.read(queries.PARENT_STATE, {"code": code.value, **scope.params()})
    if not rows:
        raise NotFound(f"{field}: no place with code {code}")
    children = tuple(
        PlaceCode(str(c["code"])) for c in rows[0]["children"] if c.get("code") is not None
    )
    return _Parent(code, int(rows[0]["highWater"] or 0), children)


def _alias_serials(store: GraphStore, parent: PlaceCode) -> dict[int, set[int]]:
    """Serials of former codes of children of ``parent`` (by code length): never reused."""
    low, high = subtree_bounds(parent.value)
    found: dict[int, set[int]] = {}
    for row in store.read(queries.ALIAS_CODES_UNDER, {"lo": low, "hi": high}):
        alias = PlaceCode(str(row["code"]))
        if alias.parent == parent and alias.attached_kind is None:
            found.setdefault(len(alias.value), set()).add(alias.serial)
    return found


def _new_code_under(
    store: GraphStore, code: PlaceCode, parent: _Parent, new_code: str | None, scope: PlaceScope
) -> PlaceCode:
    if code.is_administrative:
        if not new_code:
            raise _invalid(
                "new_code", "", f"moving the division {code} needs its new official code"
            )
        official = PlaceCode.parse(new_code, field="new_code")
        if official.parent != parent.code or official.label != code.label:
            raise _invalid(
                "new_code",
                official.value,
                f"{official} is not a {code.label} code under {parent.code}",
            )
        _check_free(store, official, "new_code")
        return official
    if new_code:
        raise _invalid("new_code", new_code, "codes below the community are allocated, not given")
    return _allocate([code], parent, {})[0][1]


def _part_codes(
    store: GraphStore, code: PlaceCode, up: _Parent, parts: Sequence[SplitPart]
) -> list[PlaceCode]:
    result: list[PlaceCode] = []
    allocated: list[PlaceCode] = []
    for i, part in enumerate(parts):
        if code.is_administrative:
            if not part.code:
                raise _invalid(f"parts[{i}].code", "", "a new division needs its official code")
            official = PlaceCode.parse(part.code, field=f"parts[{i}].code")
            if official.parent != up.code or official.label != code.label:
                raise _invalid(
                    f"parts[{i}].code", official.value, f"not a {code.label} code under {up.code}"
                )
            _check_free(store, official, f"parts[{i}].code")
            result.append(official)
        else:
            if part.code:
                raise _invalid(
                    f"parts[{i}].code", part.code, "codes below the community are allocated"
                )
            siblings = _Parent(up.code, up.high_water, (*up.children, *allocated))
            new = _allocate([code], siblings, {})[0][1]
            allocated.append(new)
            result.append(new)
    return result


def _check_free(store: GraphStore, code: PlaceCode, field: str) -> None:
    row = store.read(queries.CODE_TAKEN, {"code": code.value})[0]
    if int(row["places"]):
        raise Conflict(f"{field}: the code {code} belongs to another place")
    if int(row["aliases"]):
        raise Conflict(f"{field}: the code {code} was used before; codes are never reused")


# --- checks and records -----------------------------------------------------------------------


def _check_parent_level(code: PlaceCode, parent: PlaceCode, field: str) -> None:
    if code.level is None or parent.level is None:
        return  # landmarks, roads and grids attach to any place
    if parent.level != code.level - 1:
        raise _invalid(
            field,
            parent.value,
            f"a {code.label} goes under a level-{code.level - 1} place, not a {parent.label}",
        )


def _check_relationships(state: _State) -> None:
    unknown = sorted(
        {*(set(state.incoming) - KNOWN_INCOMING), *(set(state.outgoing) - KNOWN_OUTGOING)}
    )
    if unknown:
        raise _invalid(
            "code",
            state.code.value,
            f"{state.code} has relationships a merge cannot carry over: {', '.join(unknown)}",
        )


def _required_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise _invalid(field, value or "", f"{field} is required")
    return text


def _invalid(field: str, value: str, message: str) -> ValidationFailed:
    return ValidationFailed([Violation(path=field, message=message, value=value)])


def _changed_meanwhile(code: str) -> Conflict:
    return Conflict(f"code: {code} or its new parent changed while planning; nothing was written")


def _write_once(store: GraphStore, query: LiteralString, params: dict[str, Any]) -> None:
    if not store.write(query, params).rows:
        raise NotFound(f"code: no place with code {params['code']}")


def _change(kind: str, author: str, reason: str | None) -> dict[str, Any]:
    return {
        "changeId": f"{kind}-{uuid.uuid4()}",
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "author": author,
        "reason": reason,
    }


def _record(
    change: dict[str, Any],
    kind: str,
    old_code: str,
    new_code: str,
    old_name: str,
    new_name: str,
    *,
    old_parent: str | None = None,
    new_parent: str | None = None,
    recoded: int = 0,
    new_codes: tuple[str, ...] = (),
) -> PlaceChange:
    return PlaceChange(
        change_id=change["changeId"],
        kind=kind,
        at=change["at"],
        author=change["author"],
        old_code=old_code,
        new_code=new_code,
        old_name=old_name,
        new_name=new_name,
        old_parent=old_parent,
        new_parent=new_parent,
        reason=change["reason"],
        recoded=recoded,
        new_codes=new_codes,
    )
