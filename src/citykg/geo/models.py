"""The typed results of the geo functions (frozen dataclasses; the API maps them to pydantic)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A place in a list: code, name, level (``None`` for landmarks, roads, grids) and class."""

    code: str
    name: str
    level: int | None = None
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Place:
    """One place with its properties, its path to the root and how it was reached.

    ``resolved_from`` is the code that was asked for when it is a former code of this place.
    """

    code: str
    name: str
    level: int | None
    kind: str
    labels: tuple[str, ...]
    parent: str | None
    ancestors: tuple[PlaceRef, ...]
    short_name: str | None = None
    former_names: tuple[str, ...] = ()
    former_codes: tuple[str, ...] = ()
    source: str | None = None
    resolved_from: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page[T]:
    """A slice of a longer ordered list: ``items`` from ``skip``, out of ``total``."""

    items: tuple[T, ...]
    total: int
    skip: int = 0


@dataclass(frozen=True, slots=True)
class PlaceChange:
    """A recorded change of a place: rename, move, merge or split (who, when, from what)."""

    change_id: str
    kind: str
    at: str
    author: str
    old_code: str
    new_code: str
    old_name: str | None = None
    new_name: str | None = None
    old_parent: str | None = None
    new_parent: str | None = None
    reason: str | None = None
    recoded: int = 0
    new_codes: tuple[str, ...] = ()
