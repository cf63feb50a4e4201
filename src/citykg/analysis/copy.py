"""Where the analysts' copy lives: its own graph engine, and its state.

``CITYKG_ANALYST_GRAPH`` names the copy's graph like ``CITYKG_GRAPH`` names the city's. By
default it is an embedded FalkorDB in ``<data dir>/analyst`` of an embedded city graph (else
``./data/analyst``): a second ``redis-server`` that citykg starts and stops like the first, so an
analyst's query never takes a lock, a thread or memory of the engine officials and writers use.
With Neo4j in production it is the URL of another database or server.

A FalkorDB server holds several graphs, so the copy has two **slots**: a full rebuild fills the
spare one while analysts query the live one, then swaps. A Neo4j URL names one database: there
the rebuild happens in place (analysts see a partial copy while it runs).

The copy's **state** (which slot is live, how fresh it is, which key hashed it, who is writing
it) is a ``:AnalystCopy`` node in the *city* graph: every process (API, CLI) reads it there, and
analysts, who only ever reach the copy, never see it.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from citykg.analysis import queries
from citykg.graph import GraphStore, NotificationLevel, engine_pid, open_store
from citykg.settings import Settings

SLOTS = ("a", "b")


def analyst_graph_url(settings: Settings) -> str:
    """The copy's graph URL: the setting, else an embedded FalkorDB beside the city graph."""
    if settings.analyst_graph:
        return settings.analyst_graph
    beside = local_directory(settings.graph)
    return f"falkordb://{((beside or Path.cwd() / 'data') / 'analyst').as_posix()}"


def local_directory(url: str) -> Path | None:
    """The data directory of an embedded copy; None for a server."""
    parts = urlsplit(url)
    if parts.scheme == "falkordb" and not parts.netloc and parts.path.startswith("/"):
        return Path(unquote(parts.path))
    return None


@dataclass(frozen=True, slots=True)
class CopyState:
    """The copy as last written: live slot, rebuild generation, freshness, key, counts, lease.

    ``as_of``: every change the city graph records (see :mod:`citykg.analysis.sync`) made
    before this time is in the copy; ``rebuilt_at``: when the last full rebuild started reading,
    which also brings in writes made without a record (imports, generated cities).
    """

    slot: str
    generation: int
    as_of: str
    rebuilt_at: str
    key_id: str
    entities: int
    relationships: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CopyState | None:
        if row["slot"] is None:
            return None
        return cls(
            slot=str(row["slot"]),
            generation=int(row["generation"]),
            as_of=str(row["asOf"]),
            rebuilt_at=str(row["rebuiltAt"]),
            key_id=str(row["keyId"]),
            entities=int(row["entities"] or 0),
            relationships=int(row["relationships"] or 0),
        )


class AnalystCopy:
    """The copy's graph engine: one store per slot (one slot on Neo4j), opened together."""

    def __init__(
        self, url: str, *, graph_name: str, neo4j_notifications: NotificationLevel = "OFF"
    ) -> None:
        self._stores: dict[str, GraphStore] = {}
        first = open_store(url, graph_name=f"{graph_name}_analyst_{SLOTS[0]}",
                           neo4j_notifications=neo4j_notifications, stamped=False)  # fmt: skip
        self._stores[SLOTS[0]] = first
        if first.backend == "falkordb":
            try:
                second = open_store(
                    url, graph_name=f"{graph_name}_analyst_{SLOTS[1]}", stamped=False
                )
            except BaseException:
                first.close()
                raise
            self._stores[SLOTS[1]] = second
        self.backend = first.backend
        self.id = copy_id(url, graph_name)
        _yield_cpu(first)

    @property
    def swaps(self) -> bool:
        """Whether a rebuild fills a spare slot (FalkorDB) rather than the live one (Neo4j)."""
        return len(self._stores) > 1

    def store(self, slot: str) -> GraphStore:
        return self._stores.get(slot) or self._stores[SLOTS[0]]

    def spare(self, state: CopyState | None) -> str:
        """The slot a rebuild fills: the one not live (the only one on Neo4j)."""
        if not self.swaps or state is None:
            return SLOTS[0]
        return SLOTS[1] if state.slot == SLOTS[0] else SLOTS[0]

    def state(self, main: GraphStore) -> CopyState | None:
        return copy_state(main, self.id)

    def close(self) -> None:
        """Guests first: the first slot's store owns an embedded server and stops it."""
        for slot in reversed(list(self._stores)):
            self._stores.pop(slot).close()


def _yield_cpu(store: GraphStore) -> None:
    """Run every thread of an embedded copy engine as ``SCHED_IDLE`` (Linux schedules per
    thread) on the upper half of this process's CPUs: analysts' queries then get the CPU time
    officials and writers leave idle and give it back at once when they wake, and the lower half
    never runs them, so its caches stay the officials' (with 4 officials at once on 2 cores, a
    ledger page was +26% / +57% slower under 1 / 4 long analyst queries on any CPU, +7–28% /
    +29–38% in two runs with the copy on the upper one: bench/analyst_isolation.py, 2026-12-06)."""
    pid = engine_pid(store)
    if pid is None:
        return
    cpus = sorted(os.sched_getaffinity(0))
    upper = set(cpus[len(cpus) // 2 :])
    with contextlib.suppress(OSError, AttributeError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            os.sched_setscheduler(int(task.name), os.SCHED_IDLE, os.sched_param(0))
            os.sched_setaffinity(int(task.name), upper)


def copy_id(url: str, graph_name: str) -> str:
    """Names a copy in its state node: its URL without credentials, and whose copy it is."""
    parts = urlsplit(url)
    where = parts.hostname or ""
    if parts.port:
        where += f":{parts.port}"
    return f"{parts.scheme}://{where}{parts.path}#{graph_name}"


def copy_state(main: GraphStore, name: str) -> CopyState | None:
    """The state of the copy ``name`` (its :func:`copy_id`) from the city graph; None before
    its first rebuild."""
    rows = main.read(queries.STATE, {"id": name})
    return CopyState.from_row(rows[0]) if rows else None
