"""The gazetteer the parser matches against, built from the graph (and kept fresh)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from citykg.geo import queries
from citykg.geo.address import Gazetteer, GazetteerEntry
from citykg.geo.codes import LEVEL_OF_LENGTH
from citykg.graph import GraphStore


def gazetteer_from_graph(store: GraphStore) -> Gazetteer:
    """Every administrative division in the graph, with its former names and merged names.

    Division names and codes are public statistical data, so the gazetteer is not scoped; what
    a caller may then *see* of a matched place is (see :mod:`citykg.geo.places`).
    """
    entries = []
    extra: dict[str, list[str]] = {}
    for row in store.read(queries.GAZETTEER_PLACES):
        code = str(row["code"])
        if len(code) not in LEVEL_OF_LENGTH:
            continue
        entries.append(GazetteerEntry(code, str(row["name"]), int(LEVEL_OF_LENGTH[len(code)])))
        extra.setdefault(code, []).extend(row["formerNames"] or ())
    for row in store.read(queries.GAZETTEER_ALIASES):
        extra.setdefault(str(row["code"]), []).extend([row["name"], *(row["formerNames"] or ())])
    return Gazetteer(entries, extra_names=extra)


@dataclass(slots=True)
class GazetteerCache:
    """One gazetteer per store, rebuilt when divisions are added or changed (cheap check)."""

    _gazetteer: Gazetteer | None = None
    _version: tuple[int, int] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, store: GraphStore) -> Gazetteer:
        row = store.read(queries.GAZETTEER_VERSION)[0]
        version = (int(row["places"]), int(row["changes"]))
        with self._lock:
            if self._gazetteer is None or version != self._version:
                self._gazetteer = gazetteer_from_graph(store)
                self._version = version
            return self._gazetteer
