"""Duplicate candidates (合并): the same problem reported again, found on intake, never merged
by itself.

Candidates share the category and either the compound (or community) or a grid cell of
``radius_m`` around the report's coordinates, were reported within the window before the
report, and are open or closed recently (``duplicates`` in ``rules.yaml``). Both keys are stored
on the event (``dupPlace``, ``dupCell``), so finding them is an index look-up bounded by the
window. Of each key's cases the ``per_key`` most recent are kept (a compound with a burst of
reports of one kind is not read whole for every new report), then ranked in Python by text
similarity on character bigrams (rapidfuzz) and by how close the places are; a handler
confirms a merge (:func:`citykg.events.handling.merge`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

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


@lru_cache(maxsize=65_536)
def bigrams(text: str) -> str:
    """The text normalized into its character bigrams, sorted (kept: a case's text is compared
    with every report near it, and a report with each of its candidates)."""
    norm = normalize_name(text)
    return " ".join(sorted(norm[i : i + 2] for i in range(len(norm) - 1))) or norm


def similarity(a: str, b: str) -> float:
    """Character-bigram similarity of two texts, 0–1 (rapidfuzz's ``token_sort_ratio`` of their
    bigrams: the ratio of the sorted bigrams, kept sorted)."""
    return fuzz.ratio(bigrams(a), bigrams(b)) / 100.0


@dataclass(frozen=True, slots=True)
class Ask:
    """What one report asks for its duplicate candidates: its text, category and place."""

    text: str
    category: str
    location: Location
    lat: float | None
    lon: float | None
    at: datetime


def candidates(
    store: GraphStore, *, rules: Duplicates, asks: Sequence[Ask]
) -> list[list[Candidate]]:
    """The earlier cases each report may duplicate, best first (at most ``rules.limit`` each),
    for a batch of reports in one statement: each distinct key of the batch is looked up once
    per window (a batch shares its time), its ``rules.per_key`` most recent cases returned."""
    windows: dict[tuple[int, int, int], dict[str, Any]] = {}
    wanted: list[tuple[int, list[str], list[str]]] = []
    for ask in asks:
        places = {ask.location.compound_or_community, ask.location.community} - {None}
        place_keys = [k for p in sorted(places, key=str) if (k := place_key(p, ask.category))]
        cell_keys = [
            k for dx in (-1, 0, 1) for dy in (-1, 0, 1)
            if (k := cell_key(ask.lat, ask.lon, ask.category, radius_m=rules.radius_m,
                              dx=dx, dy=dy))
        ]  # fmt: skip
        span = (_ms(ask.at - timedelta(days=rules.window_days)), _ms(ask.at),
                _ms(ask.at - timedelta(days=rules.recently_closed_days)))  # fmt: skip
        window = windows.setdefault(span, {"w": len(windows), "placeKeys": set(),
                                           "cellKeys": set()})  # fmt: skip
        window["placeKeys"].update(place_keys)
        window["cellKeys"].update(cell_keys)
        wanted.append((int(window["w"]), place_keys, cell_keys))
    found: dict[tuple[int, str, str], list[dict[str, Any]]] = {}
    params: dict[str, Any] = {"perKey": rules.per_key, "placeKeys": [], "cellKeys": []}
    looked: list[tuple[int, str, str]] = []  # what each key's index q stands for
    for span, window in windows.items():
        scan = {"since": span[0], "until": span[1], "closedSince": span[2]}
        for kind in ("placeKeys", "cellKeys"):
            for k in sorted(window[kind]):
                params[kind].append({"q": len(looked), "k": k, **scan})
                looked.append((int(window["w"]), kind, k))
    if looked:
        for row in store.read(queries.DUPLICATE_CANDIDATES, params):
            id_, state, place, reported = str(row["meta"]).split("|", 3)
            found.setdefault(looked[int(row["q"])], []).append({
                "id": id_, "state": state, "place": place or None, "reportedAt": reported,
                "title": row["title"], "description": row["description"],
            })  # fmt: skip
    out = []
    for ask, (w, place_keys, cell_keys) in zip(asks, wanted, strict=True):
        rows = list({str(r["id"]): r for kind, keys in (("placeKeys", place_keys),
                                                         ("cellKeys", cell_keys))
                     for k in keys for r in found.get((w, kind, k), [])}.values())  # fmt: skip
        out.append(_ranked(rows, ask, rules.limit))
    return out


def _ranked(rows: list[dict[str, Any]], ask: Ask, limit: int) -> list[Candidate]:
    """The ``limit`` best of ``rows`` for ``ask``: text similarity (all of them in one call)
    and closeness of the places; ties by id."""
    if not rows:
        return []
    texts = [bigrams(f"{r['title'] or ''} {r['description'] or ''}") for r in rows]
    scored = []
    for _, ratio, i in process.extract(bigrams(ask.text), texts, scorer=fuzz.ratio, limit=None):
        row, similar = rows[i], ratio / 100.0
        score = round(0.7 * similar + 0.3 * _closeness(row["place"], ask.location), 3)
        scored.append((-score, str(row["id"]), row, similar))
    scored.sort(key=lambda x: (x[0], x[1]))
    return [Candidate(id_, str(row["title"] or ""), str(row["state"]),
                      str(row["place"]) if row["place"] else None, str(row["reportedAt"] or ""),
                      -score, round(similar, 3))
            for score, id_, row, similar in scored[:limit]]  # fmt: skip


def _closeness(place: str | None, location: Location) -> float:
    if place and location.building and place.startswith(location.building):
        return 1.0
    if place and location.compound and place.startswith(location.compound):
        return 0.7
    if place and location.community and place.startswith(location.community):
        return 0.4
    return 0.3


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)
