"""Duplicate candidates (合并): the same problem reported again, found on intake, never merged
by itself.

Candidates share the category and either the compound (or community) or a grid cell of
``radius_m`` around the report's coordinates, were reported within the window, and are open
or closed recently (``duplicates`` in ``rules.yaml``). Both keys are stored on the event
(``dupPlace``, ``dupCell``), so finding them is an index look-up. They are ranked by text
similarity on character bigrams (rapidfuzz) and by how close the places are; a handler
confirms a merge (:func:`citykg.events.handling.merge`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from citykg.events import queries
from citykg.events.config import Duplicates
from citykg.events.locate import Location
from citykg.geo.address import normalize_name
from citykg.graph import GraphStore

_DEG_PER_M = 1 / 111_320.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """An earlier case this report may duplicate, and how alike they are (0–1)."""

    id: str
    title: str
    state: str
    place: str | None
    reported_at: str
    score: float
    text_similarity: float


def place_key(place: str | None, category: str) -> str | None:
    """The compound (or coarser place) and category a report is grouped by."""
    return None if place is None else f"{place[:16]}|{category}"


def cell_key(lat: float | None, lon: float | None, category: str, *, radius_m: float,
             dx: int = 0, dy: int = 0) -> str | None:  # fmt: skip
    """The grid cell (about ``radius_m`` wide) of a point, with its category."""
    if lat is None or lon is None:
        return None
    size = radius_m * _DEG_PER_M
    return f"{math.floor(lat / size) + dx}:{math.floor(lon / size) + dy}|{category}"


def bigrams(text: str) -> str:
    norm = normalize_name(text)
    return " ".join(norm[i : i + 2] for i in range(len(norm) - 1)) or norm


def similarity(a: str, b: str) -> float:
    """Character-bigram similarity of two texts, 0–1."""
    return fuzz.token_sort_ratio(bigrams(a), bigrams(b)) / 100.0


def candidates(
    store: GraphStore,
    *,
    rules: Duplicates,
    text: str,
    category: str,
    location: Location,
    lat: float | None,
    lon: float | None,
    at: datetime,
    exclude: str | None = None,
) -> list[Candidate]:
    """The earlier cases this report may duplicate, best first (at most ``rules.limit``)."""
    places = {location.compound_or_community, location.community} - {None}
    place_keys = [k for p in places if (k := place_key(p, category))]
    cell_keys = [
        k for dx in (-1, 0, 1) for dy in (-1, 0, 1)
        if (k := cell_key(lat, lon, category, radius_m=rules.radius_m, dx=dx, dy=dy))
    ]  # fmt: skip
    if not place_keys and not cell_keys:
        return []
    params = {
        "placeKeys": place_keys,
        "cellKeys": cell_keys,
        "since": _ms(at - timedelta(days=rules.window_days)),
        "closedSince": _ms(at - timedelta(days=rules.recently_closed_days)),
    }
    found = [r for r in store.read(queries.DUPLICATE_CANDIDATES, params) if r["id"] != exclude]
    ranked = sorted((_rank(r, text, location) for r in {r["id"]: r for r in found}.values()),
                    key=lambda c: (-c.score, c.id))  # fmt: skip
    return ranked[: rules.limit]


def _rank(row: dict[str, Any], text: str, location: Location) -> Candidate:
    other = f"{row['title'] or ''} {row['description'] or ''}"
    alike = similarity(text, other)
    place = str(row["place"]) if row["place"] else None
    closeness = 0.3
    if place and location.building and place.startswith(location.building):
        closeness = 1.0
    elif place and location.compound and place.startswith(location.compound):
        closeness = 0.7
    elif place and location.community and place.startswith(location.community):
        closeness = 0.4
    score = round(0.7 * alike + 0.3 * closeness, 3)
    return Candidate(str(row["id"]), str(row["title"] or ""), str(row["state"]), place,
                     str(row["reportedAt"] or ""), score, round(alike, 3))  # fmt: skip


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)
