"""The analysts' de-identified copy of the city graph, and the Cypher analysts run on it.

Analysts never query the live graph. They query a projection of it (:mod:`.projection`: entities
and their relations, no sensitive value in clear, no platform bookkeeping) kept in its own graph
engine (:mod:`.copy`), rebuilt in full and caught up from recorded writes (:mod:`.sync`), and
queried read-only, limited and audited (:mod:`.runner`). docs/privacy.md §4 says what an analyst
can and cannot learn from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from citykg.access.masking import masker_for
from citykg.analysis.copy import (
    AnalystCopy,
    CopyState,
    analyst_graph_url,
    copy_id,
    copy_state,
    local_directory,
)
from citykg.analysis.projection import Projection, projection_key
from citykg.analysis.runner import QueryResult, run_query
from citykg.analysis.sync import Seen, Syncer, SyncReport, catch_up, rebuild
from citykg.graph import GraphStore
from citykg.ontology import load_ontology
from citykg.settings import Settings

KEY_FILE = "hash.key"
"""Beside an embedded copy: its HMAC key when ``CITYKG_SECRET`` is not set (development)."""

__all__ = [
    "Analysis",
    "AnalystCopy",
    "CopyState",
    "QueryResult",
    "SyncReport",
    "analyst_graph_url",
    "copy_id",
    "copy_state",
    "opened_analysis",
    "run_query",
]


@dataclass
class Analysis:
    """The copy of one city graph: its engine, its projection, what this process applied."""

    main: GraphStore
    copy: AnalystCopy
    projection: Projection
    seen: Seen = field(default_factory=Seen)

    def state(self) -> CopyState | None:
        return self.copy.state(self.main)

    def refresh(self) -> SyncReport:
        """A full rebuild (Conflict if another process is writing the copy)."""
        return rebuild(self.main, self.copy, self.projection)

    def catch_up(self) -> SyncReport:
        """Apply what was recorded since the copy's ``as_of`` (a rebuild if there is no copy)."""
        return catch_up(self.main, self.copy, self.projection, self.seen)

    @contextmanager
    def syncing(self) -> Iterator[Syncer]:
        """A background :class:`Syncer` for as long as the block runs (the API's lifespan)."""
        syncer = Syncer(self.main, self.copy, self.projection, seen=self.seen)
        syncer.start()
        try:
            yield syncer
        finally:
            syncer.stop()


@contextmanager
def opened_analysis(settings: Settings, main: GraphStore) -> Iterator[Analysis]:
    """The analysts' copy of ``main`` as the settings place it, closed (and an embedded
    engine stopped) on the way out."""
    ontology = load_ontology(settings.ontology_dir)
    url = analyst_graph_url(settings)
    copy = AnalystCopy(
        url, graph_name=settings.graph_name, neo4j_notifications=settings.neo4j_notifications
    )
    try:
        beside = local_directory(url)
        key = projection_key(settings.secret, beside / KEY_FILE if beside else None)
        yield Analysis(main, copy, Projection(ontology, masker_for(ontology), key))
    finally:
        copy.close()
