"""Loading administrative divisions into the graph, in batches of one ``UNWIND … MERGE`` each.

Idempotent: a division is matched on ``placeCode``; an existing node keeps its name (a recorded
rename is never undone by a re-import) and a row whose code is a former code (an alias left by a
move or merge) is skipped. Parents are written before children, so each batch links its rows to
parents that exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from citykg.geo import queries
from citykg.geo.divisions import NBS_SOURCE, DivisionRow
from citykg.geo.names import short_name
from citykg.graph import Constraint, GraphSchema, GraphStore

BATCH_SIZE = 5_000

GEO_SCHEMA = GraphSchema(
    constraints=(
        Constraint("Place", "placeCode"),
        Constraint("PlaceAlias", "code"),
        Constraint("PlaceChange", "changeId"),
    ),
)

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import wrote: rows read, nodes created, rows linked to a parent, seconds taken."""

    rows: int
    created: int
    linked: int
    seconds: float
    by_level: dict[int, int] = field(default_factory=dict)


def ensure_geo_schema(store: GraphStore) -> None:
    """The unique keys the geo area relies on: ``Place.placeCode``, alias codes, change ids."""
    store.apply_schema(GEO_SCHEMA)


def import_divisions(
    store: GraphStore,
    rows: Sequence[DivisionRow],
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    source: str = NBS_SOURCE,
) -> ImportReport:
    """Write ``rows`` (parents first) as places; ``progress(n)`` after each batch of ``n`` rows."""
    ensure_geo_schema(store)
    started = time.perf_counter()
    at = datetime.now(UTC).isoformat(timespec="seconds")
    ordered = sorted(rows, key=lambda r: (r.level, r.code))
    created = linked = 0
    by_level: dict[int, int] = {}
    for offset in range(0, len(ordered), batch_size):
        batch = ordered[offset : offset + batch_size]
        params = {"rows": [_row(r) for r in batch], "source": source, "at": at}
        summary = store.write(queries.MERGE_DIVISIONS, params)
        created += summary.nodes_created
        linked += int(summary.rows[0]["linked"]) if summary.rows else 0
        for row in batch:
            by_level[row.level] = by_level.get(row.level, 0) + 1
        if progress is not None:
            progress(len(batch))
    return ImportReport(len(ordered), created, linked, time.perf_counter() - started, by_level)


def count_divisions(store: GraphStore) -> dict[int, int]:
    """Administrative divisions in the graph per level (1–5)."""
    return {int(r["level"]): int(r["places"]) for r in store.read(queries.COUNT_DIVISIONS_BY_LEVEL)}


def _row(row: DivisionRow) -> dict[str, object]:
    return {
        "code": row.code,
        "name": row.name,
        "level": row.level,
        "shortName": short_name(row.name, row.level),
        "parent": row.parent,
    }
