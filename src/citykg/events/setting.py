"""The in-memory side of a graph's events: the locator and the jurisdiction directory.

Both are built from the graph once and rebuilt when places or jurisdictions change (a cheap
count check, at most every :data:`CHECK_EVERY_S` seconds), so intake locates and routes a
report without a round trip. The schema events query by is applied once per store.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from citykg.events import queries
from citykg.events.locate import Locator, PremisesIndex
from citykg.events.routing import Directory
from citykg.geo import gazetteer_from_graph
from citykg.geo.queries import GAZETTEER_VERSION
from citykg.graph import Constraint, GraphSchema, GraphStore, Index
from citykg.workflow import WORKFLOW_SCHEMA

CHECK_EVERY_S = 5.0
EVENTS_SCHEMA = GraphSchema(
    constraints=(Constraint("EventTally", "key"), Constraint("EventPlaceTally", "key")),
    indexes=(
        Index("Event", "id"),
        Index("Event", "dupPlace"),
        Index("Event", "dupCell"),
        Index("Event", "reportedAtMs"),
        Index("Event", "department"),
        Index("Event", "stageDueMs"),
        Index("EventTally", "day"),
        Index("EventPlaceTally", "day"),
        Index("EventTallyState", "id"),
    ),
).merged(WORKFLOW_SCHEMA)


@dataclass(slots=True)
class Setting:
    locator: Locator
    directory: Directory
    version: tuple[int, ...]
    checked: float


_SETTINGS: WeakKeyDictionary[GraphStore, Setting] = WeakKeyDictionary()
_LOCK = threading.Lock()


def setting(store: GraphStore, *, fresh: bool = False) -> Setting:
    """The locator and directory of ``store`` (``fresh``: check for changes now)."""
    with _LOCK:
        known = _SETTINGS.get(store)
        now = time.monotonic()
        if known is not None and not fresh and now - known.checked < CHECK_EVERY_S:
            return known
        version = _version(store)
        if known is not None and known.version == version:
            known.checked = now
            return known
        store.apply_schema(EVENTS_SCHEMA)
        premises = PremisesIndex.from_rows(store.read(queries.PREMISES))
        built = Setting(
            Locator(gazetteer_from_graph(store), premises),
            Directory(store.read(queries.JURISDICTIONS)),
            version,
            now,
        )
        _SETTINGS[store] = built
        return built


def _version(store: GraphStore) -> tuple[int, ...]:
    places = store.read(GAZETTEER_VERSION)[0]
    premises = store.read(queries.PREMISES_VERSION)[0]
    return (int(places["places"]), int(places["changes"]),
            *(int(premises[k]) for k in ("compounds", "buildings", "doors", "duties")))  # fmt: skip
