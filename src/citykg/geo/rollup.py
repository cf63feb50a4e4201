"""Counts of an entity type under a place, rolled up by level (city/district/street/community).

Entities hang off places through one relationship per top class: persons ``RESIDES_IN`` (only
current residences, those without ``until``, unless ``include_past``), things ``INSTALLED_AT``,
events ``OCCURRED_AT``, organizations ``LOCATED_AT``. Any other entity label (a subclass such as
``Resident`` or ``Vehicle``) is counted through all four. An entity counts once per bucket even
with several attachments in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from citykg.errors import ValidationFailed, Violation
from citykg.geo import queries
from citykg.geo.codes import CODE_LENGTHS, LEVEL_KEYS, Level, subtree_bounds
from citykg.geo.models import Page
from citykg.geo.places import MAX_PAGE, get_place
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore

ATTACHMENTS: dict[str, str] = {
    "Person": "RESIDES_IN",
    "Thing": "INSTALLED_AT",
    "Event": "OCCURRED_AT",
    "Organization": "LOCATED_AT",
}
_LABEL = re.compile(r"^[A-Z][A-Za-z0-9_]*$")
LEVEL_NAMES: dict[str, int] = {key: int(level) for level, key in LEVEL_KEYS.items()}


@dataclass(frozen=True, slots=True)
class Bucket:
    """One place at the roll-up level and how many entities it holds."""

    code: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Rollup:
    """Counts of ``entity`` under ``code``: the total and one bucket per place at ``level``.

    ``direct`` counts entities attached above the roll-up level (e.g. an event at the street
    itself when rolling up by community).
    """

    code: str
    name: str
    entity: str
    level: int | None
    total: int
    buckets: tuple[Bucket, ...]
    direct: int = 0
    members: Mapping[str, frozenset[str]] | None = None
    """When asked for: the identity keys counted, by the code prefix at the roll-up level (the
    place's own code without a level), whose record keys perturb published counts."""


@dataclass(frozen=True, slots=True)
class EntityRow:
    """An entity under a place: its identity key, name and the place it is attached to."""

    key: str | None
    name: str | None
    place: str


def parse_level(value: str | int | None) -> int | None:
    """A roll-up level from ``5``, ``"5"`` or ``"community"``."""
    if value is None or value == "":
        return None
    if isinstance(value, int) or str(value).isdigit():
        number = int(value)
    else:
        number = LEVEL_NAMES.get(str(value).lower(), 0)
    if not 1 <= number <= 9:
        raise ValidationFailed(
            [Violation(path="level", message=f"unknown level {value!r}: 1–9 or a level name")]
        )
    return number


def rollup(
    store: GraphStore,
    *,
    code: str,
    scope: PlaceScope,
    entity: str = "Person",
    level: int | None = None,
    include_past: bool = False,
    members: bool = False,
) -> Rollup:
    """Count ``entity`` under ``code``, by place at ``level`` (default: the level below); with
    ``members`` also say who is counted where."""
    label = _entity_label(entity)
    place = get_place(store, code=code, scope=scope)
    if level is None and place.level is not None and place.level < Level.DOOR:
        level = place.level + 1
    if level is not None and place.level is not None and level <= place.level:
        raise ValidationFailed(
            [
                Violation(
                    path="level",
                    message=f"roll-up level {level} must be below the place's level {place.level}",
                    value=level,
                )
            ]
        )
    low, high = subtree_bounds(place.code)
    base = {
        "lo": low,
        "hi": high,
        "label": label,
        "rels": _relationships(label),
        "includePast": include_past,
        **scope.params(),
    }
    width = CODE_LENGTHS[level - 1] if level is not None else len(place.code)
    held: dict[str, frozenset[str]] | None = None
    if members:
        rows = store.read(queries.ROLLUP_MEMBERS, {**base, "width": width})
        held = {str(r["bucket"]): frozenset(str(m) for m in r["members"]) for r in rows}
        counts = {bucket: len(keys) for bucket, keys in held.items()}
        total = len(frozenset().union(*held.values()))
    else:
        total = int(store.read(queries.ROLLUP_TOTAL, base)[0]["n"])
        counts = {}
        if level is not None:
            rows = store.read(queries.ROLLUP, {**base, "width": width})
            counts = {str(r["bucket"]): int(r["n"]) for r in rows}
    buckets: tuple[Bucket, ...] = ()
    direct = 0
    if level is not None:
        names = store.read(queries.BUCKETS, {**base, "level": level})
        buckets = tuple(
            Bucket(str(b["code"]), str(b["name"]), counts.get(str(b["code"]), 0)) for b in names
        )
        direct = sum(n for bucket, n in counts.items() if len(bucket) != width)
    return Rollup(place.code, place.name, label, level, total, buckets, direct, held)


def entities_under(
    store: GraphStore,
    *,
    code: str,
    scope: PlaceScope,
    entity: str = "Person",
    include_past: bool = False,
    skip: int = 0,
    limit: int = 1000,
) -> Page[EntityRow]:
    """The entities of type ``entity`` attached anywhere under ``code`` (one row per attachment)."""
    label = _entity_label(entity)
    current = get_place(store, code=code, scope=scope).code
    low, high = subtree_bounds(current)
    limit = max(0, min(limit, MAX_PAGE * 100))
    params = {
        "lo": low,
        "hi": high,
        "label": label,
        "rels": _relationships(label),
        "includePast": include_past,
        "skip": skip,
        "end": skip + limit,
        **scope.params(),
    }
    row = store.read(queries.ENTITIES_UNDER, params)[0]
    items = tuple(EntityRow(r["key"], r["name"], str(r["place"])) for r in row["rows"])
    return Page(items, int(row["total"]), skip)


def _relationships(label: str) -> list[str]:
    own = ATTACHMENTS.get(label)
    return [own] if own else sorted(ATTACHMENTS.values())


def _entity_label(entity: str) -> str:
    if not _LABEL.match(entity or ""):
        raise ValidationFailed(
            [Violation(path="type", message=f"{entity!r} is not an entity type", value=entity)]
        )
    return entity
