"""Keeping the analysts' copy up to date: a full rebuild, and catching up from recorded writes.

**Full rebuild** (:func:`rebuild`: ``citykg analysis refresh``, ``citykg demo``, and
:data:`REBUILD_EVERY` by the syncer): every entity and relationship of the city graph is read
in batches of keys and projected into the spare slot, which then goes live (on Neo4j, into the
one database, in place). It starts reading at ``as_of``.

**Catching up** (:func:`catch_up`, every :data:`SYNC_INTERVAL_S` by the API's :class:`Syncer`):
the city graph records who wrote what, and when. Each recorded write names entities it touched:

* a form submission, a ledger edit or end: ``(entity)-[:ASSERTED_BY]->(:Submission {at})``;
* a place renamed, moved, merged or split: ``(:PlaceChange {at})-[:CHANGED|CREATED]->(place)``
  with its old and new codes, and a ``(:PlaceAlias {at})`` for every re-coded place;
* a place entered (addresses, landmarks, roads, grids) or imported: ``Place.createdAt``.

Every entity named since ``as_of`` (less an overlap, since a write is stamped before it
commits) is projected again: removed from the copy with its relationships, written again from
the city graph with all of its relationships, or left out if it is gone (a merged place, an
old code). Changes already applied are remembered within :data:`OVERLAP`, so each is applied
once. Most syncs read :data:`RECENT` back; one every :data:`SWEEP_EVERY_S` reads the whole
:data:`OVERLAP`, so a write that took longer between its stamp and its commit still comes in,
seconds later. Each submission's id is then read about 12 times instead of 61 (a whole minute
read every second cost 0.2 ms of Python per submission written, 27,000 ids a second under 450
submissions a second).

**Not recorded, hence only in the copy after the next full rebuild:** jurisdiction assigned
with ``geo``, divisions an import *updated* (new ones are recorded), a generated or loaded demo
city, migrations, and any write made with hand-written Cypher.

Only one process writes the copy at a time (a lease in the state node); the others skip.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

from citykg.analysis import queries
from citykg.analysis.copy import AnalystCopy, CopyState
from citykg.analysis.projection import CopiedNode, CopiedRelationship, Projection, Ref
from citykg.errors import CityKGError, Conflict
from citykg.graph import GraphSchema, GraphStore, Index
from citykg.graph.identifiers import cypher_with

log = logging.getLogger(__name__)

BATCH = 2_000
"""Keys read, and rows written, per statement."""
OVERLAP = timedelta(seconds=60)
"""How far before ``as_of`` a sweep reads changes again: a write is stamped before it commits."""
RECENT = timedelta(seconds=5)
"""How far before ``as_of`` the syncs between sweeps read: most writes commit within it."""
SWEEP_EVERY_S = 10.0
"""How often (seconds, per process) a sync reads the whole :data:`OVERLAP`."""
LEASE = timedelta(seconds=120)
"""How long a writer of the copy holds it without renewing (a crashed one is then overtaken)."""
SYNC_INTERVAL_S = 1.0
REBUILD_EVERY = timedelta(hours=6)
"""A full rebuild this often brings in writes that are not recorded (see above)."""
REBUILD_ABOVE = 20_000
"""Touched entities beyond which a rebuild is cheaper than catching up (a large import)."""

CHANGES_SCHEMA = GraphSchema(
    indexes=(
        Index("Submission", "at"),
        Index("PlaceChange", "at"),
        Index("PlaceAlias", "at"),
        Index("Place", "createdAt"),
    )
)
"""Indexes on the city graph that make reading the recorded changes a range seek."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync did: ``rebuild``, ``catch-up``, or ``busy`` (another process was writing)."""

    kind: str
    as_of: str | None = None
    changes: int = 0
    entities: int = 0
    relationships: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded write of the city graph and the entities it touched."""

    id: str
    at: str
    refs: tuple[Ref, ...]


@dataclass
class Seen:
    """Changes already applied to the copy's current generation, within the overlap window."""

    generation: int = -1
    at: dict[str, str] = field(default_factory=dict)
    swept: float | None = None
    """When (``time.monotonic``) a sync of this process last read the whole :data:`OVERLAP`."""

    def overlap(self) -> timedelta:
        """How far back this sync reads: the whole :data:`OVERLAP` when a sweep is due (it
        counts as done even if the sync then fails: the next one is a sweep period later)."""
        now = time.monotonic()
        if self.swept is not None and now - self.swept < SWEEP_EVERY_S:
            return RECENT
        self.swept = now
        return OVERLAP

    def known(self, generation: int) -> Container[str]:
        """The ids of the changes applied to ``generation`` (none after a rebuild)."""
        if generation != self.generation:
            self.generation, self.at = generation, {}
        return self.at

    def unseen(self, generation: int, changes: Sequence[Change]) -> list[Change]:
        known = self.known(generation)
        return [c for c in changes if c.id not in known]

    def remember(self, changes: Iterable[Change], *, since: str) -> None:
        self.at.update((c.id, c.at) for c in changes)
        self.at = {k: at for k, at in self.at.items() if at > since}


def copy_schema(projection: Projection) -> GraphSchema:
    """Indexes of the copy: each top class's identity key (relationships are matched by it)."""
    return GraphSchema(indexes=tuple(Index(t.label, t.key) for t in projection.tops))


def rebuild(main: GraphStore, copy: AnalystCopy, projection: Projection) -> SyncReport:
    """Project the whole city graph into a fresh slot and make it live; Conflict if another
    process is writing the copy."""
    report = _rebuild(main, copy, projection)
    if report is None:
        raise Conflict("another process is writing the analysts' copy; try again shortly")
    return report


def _rebuild(main: GraphStore, copy: AnalystCopy, projection: Projection) -> SyncReport | None:
    started = time.perf_counter()
    with _leased(main, copy) as lease:
        if lease is None:
            return None
        as_of = _now()
        state = copy.state(main)
        slot = copy.spare(state)
        target = copy.store(slot)
        main.apply_schema(CHANGES_SCHEMA)
        target.clear()
        target.apply_schema(copy_schema(projection))
        _Projector(main, target, projection, lease).project(
            _every_entity(main, projection), fresh=True
        )
        entities = int(target.read(queries.COUNT_NODES)[0]["n"])
        relationships = int(target.read(queries.COUNT_RELATIONSHIPS)[0]["n"])
        params = {"id": copy.id, "holder": lease.holder, "slot": slot, "asOf": as_of,
                  "keyId": projection.key_id, "entities": entities,
                  "relationships": relationships}  # fmt: skip
        if not main.write(queries.FINISH_REBUILD, params).rows:
            raise Conflict("the analysts' copy was taken over by another process while rebuilding")
    seconds = time.perf_counter() - started
    log.info("analysts' copy rebuilt: %d entities, %d relationships in %.1f s",
             entities, relationships, seconds)  # fmt: skip
    return SyncReport("rebuild", as_of, 0, entities, relationships, seconds)


def catch_up(
    main: GraphStore, copy: AnalystCopy, projection: Projection, seen: Seen | None = None
) -> SyncReport:
    """Apply the changes recorded since the copy's ``as_of``; rebuild instead when there is no
    copy yet or it lost its data, another key made it, its last rebuild is older than
    :data:`REBUILD_EVERY`, or the changes touch more than :data:`REBUILD_ABOVE` entities."""
    state = copy.state(main)
    if state is None or _needs_rebuild(state, copy, projection):
        return _rebuild(main, copy, projection) or SyncReport("busy")
    seen = seen or Seen()
    started = time.perf_counter()
    as_of = _now()
    last = datetime.fromisoformat(state.as_of)
    since, horizon = _iso(last - seen.overlap()), _iso(last - OVERLAP)
    known = seen.known(state.generation)
    changes = seen.unseen(state.generation, recorded_changes(main, projection, since, known))
    if sum(len(c.refs) for c in changes) > REBUILD_ABOVE:
        return _rebuild(main, copy, projection) or SyncReport("busy")
    if not changes:
        main.write(queries.ADVANCE_IDLE, {"id": copy.id, "generation": state.generation,
                                          "asOf": as_of, "now": as_of})  # fmt: skip
        return SyncReport("catch-up", as_of)
    with _leased(main, copy) as lease:
        if lease is None:
            return SyncReport("busy", state.as_of)
        refs: dict[str, list[Ref]] = defaultdict(list)
        for ref in dict.fromkeys(r for c in changes for r in c.refs):
            refs[ref.top].append(ref)
        projector = _Projector(main, copy.store(state.slot), projection, lease)
        written = projector.project(refs, fresh=False)
        params = {"id": copy.id, "holder": lease.holder, "generation": state.generation,
                  "asOf": as_of}  # fmt: skip
        if main.write(queries.ADVANCE, params).rows:
            seen.remember(changes, since=horizon)
    seconds = time.perf_counter() - started
    return SyncReport("catch-up", as_of, len(changes), written.entities, written.relationships,
                      seconds)  # fmt: skip


def recorded_changes(
    main: GraphStore, projection: Projection, since: str, known: Container[str] = ()
) -> list[Change]:
    """Every recorded write stamped after ``since``, with the entities it touched; the
    entities of submissions in ``known`` (applied already) are not read again."""
    tops = [[t.label, t.key] for t in projection.tops]
    rows = [row for query in queries.PLACE_CHANGES_SINCE
            for row in main.read(query, {"since": since, "tops": tops})]  # fmt: skip
    new = [str(row["id"])[2:] for row in main.read(queries.SUBMISSIONS_SINCE, {"since": since})
           if row["id"] not in known]  # fmt: skip
    for batch in _batches(new):
        rows += main.read(queries.SUBMISSION_REFS, {"ids": batch, "tops": tops})
    return [
        Change(
            str(row["id"]),
            str(row["at"]),
            tuple(Ref(str(r[0]), str(r[1])) for r in row["refs"] if r and r[1] is not None),
        )
        for row in rows
    ]


class Syncer:
    """The API process's background thread: catches the copy up every :data:`SYNC_INTERVAL_S`
    (errors are logged and the next turn tries again)."""

    def __init__(
        self,
        main: GraphStore,
        copy: AnalystCopy,
        projection: Projection,
        *,
        seen: Seen,
        interval_s: float = SYNC_INTERVAL_S,
    ) -> None:
        self._main, self._copy, self._projection = main, copy, projection
        self._interval_s = interval_s
        self._seen = seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="analyst-copy-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                catch_up(self._main, self._copy, self._projection, self._seen)
            except CityKGError as exc:  # the graph is down, or another process rebuilds: retry
                log.warning("analysts' copy not synced: %s", exc)
            self._stop.wait(self._interval_s)


# --- writing the copy --------------------------------------------------------------------------


@dataclass
class _Written:
    entities: int = 0
    relationships: int = 0


class _Lease:
    """The right to write the copy; called to renew it as a long rebuild goes on."""

    def __init__(self, main: GraphStore, copy: AnalystCopy) -> None:
        self.main, self.copy = main, copy
        self.holder = uuid.uuid4().hex

    def take(self) -> bool:
        now = datetime.now(UTC)
        params = {"id": self.copy.id, "holder": self.holder, "now": _iso(now),
                  "until": _iso(now + LEASE)}  # fmt: skip
        return bool(self.main.write(queries.TAKE_LEASE, params).rows[0]["held"])

    def __call__(self) -> None:
        """Renew; Conflict if another process took the copy over meanwhile."""
        if not self.take():
            raise Conflict("the analysts' copy was taken over by another process")


@contextmanager
def _leased(main: GraphStore, copy: AnalystCopy) -> Iterator[_Lease | None]:
    """A held lease (released on the way out, unless finishing released it), or None."""
    lease = _Lease(main, copy)
    if not lease.take():
        yield None
        return
    try:
        yield lease
    finally:
        main.write(queries.RELEASE_LEASE, {"id": copy.id, "holder": lease.holder})


class _Projector:
    """Reads entities by key from the city graph and writes their projection into ``target``."""

    def __init__(
        self,
        main: GraphStore,
        target: GraphStore,
        projection: Projection,
        renew: Callable[[], None],
    ) -> None:
        self.main, self.target, self.projection, self.renew = main, target, projection, renew
        self._tops = [[t.label, t.key] for t in projection.tops]
        self._types = list(projection.relation_types)

    def project(self, refs: dict[str, list[Ref]], *, fresh: bool) -> _Written:
        """Write the entities ``refs`` and their relationships; unless the target is ``fresh``,
        first remove them (and so their relationships) from it. Nodes go first, so every
        relationship finds both of its ends."""
        written = _Written()
        if not fresh:
            for top, found in refs.items():
                template = cypher_with(queries.DELETE_ENTITIES_TEMPLATE, top=top,
                                       key=self.projection.top(top).key)  # fmt: skip
                for batch in _batches([self.projection.copy_key(r) for r in found]):
                    self.target.write(template, {"keys": batch})
        present: set[Ref] = set()
        for top, found in refs.items():
            for batch in _batches([r.key for r in found]):
                nodes = self._nodes(top, batch)
                present.update(n.ref for n in nodes)
                written.entities += self._write_nodes(nodes)
                self.renew()
        for top, found in refs.items():
            for batch in _batches([r.key for r in found if r in present]):
                rels = self._relationships(queries.OUTGOING_TEMPLATE, top, batch, outgoing=True)
                if not fresh:
                    incoming = self._relationships(
                        queries.INCOMING_TEMPLATE, top, batch, outgoing=False
                    )
                    rels += [r for r in incoming if r.start not in present]
                written.relationships += self._write_relationships(rels)
                self.renew()
        return written

    def _nodes(self, top: str, keys: list[str]) -> list[CopiedNode]:
        template = cypher_with(queries.ENTITIES_TEMPLATE, top=top, key=self.projection.top(top).key)
        rows = self.main.read(template, {"keys": keys})
        found = (self.projection.node(row["labels"], row["props"]) for row in rows)
        return [n for n in found if n is not None and n.ref.top == top]

    def _relationships(
        self, template: LiteralString, top: str, keys: list[str], *, outgoing: bool
    ) -> list[CopiedRelationship]:
        text = cypher_with(template, top=top, key=self.projection.top(top).key)
        rows = self.main.read(text, {"keys": keys, "types": self._types, "tops": self._tops})
        found: list[CopiedRelationship] = []
        for row in rows:
            if not row["other"] or row["other"][1] is None:
                continue
            this, other = Ref(top, str(row["key"])), Ref(*map(str, row["other"]))
            start, end = (this, other) if outgoing else (other, this)
            rel = self.projection.relationship(str(row["type"]), start, end, row["props"])
            if rel is not None:
                found.append(rel)
        return found

    def _write_nodes(self, nodes: list[CopiedNode]) -> int:
        by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for node in nodes:
            by_labels[node.labels].append(node.properties)
        for labels, rows in by_labels.items():
            self.target.write(queries.create_entities(labels), {"rows": rows})
        return len(nodes)

    def _write_relationships(self, rels: list[CopiedRelationship]) -> int:
        grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for rel in rels:
            row = {"a": self.projection.copy_key(rel.start), "b": self.projection.copy_key(rel.end),
                   "props": rel.properties}  # fmt: skip
            grouped[(rel.type, rel.start.top, rel.end.top)].append(row)
        created = 0
        for (rel_type, start, end), rows in grouped.items():
            text = cypher_with(
                queries.CREATE_RELATIONSHIPS_TEMPLATE,
                start=start,
                startKey=self.projection.top(start).key,
                end=end,
                endKey=self.projection.top(end).key,
                type=rel_type,
            )
            for batch in _batches(rows):
                created += int(self.target.write(text, {"rows": batch}).rows[0]["created"])
        return created


def _every_entity(main: GraphStore, projection: Projection) -> dict[str, list[Ref]]:
    """The key of every entity of the city graph, by top class."""
    refs: dict[str, list[Ref]] = {}
    for top in projection.tops:
        query = cypher_with(queries.ENTITY_KEYS_TEMPLATE, top=top.label, key=top.key)
        refs[top.label] = [Ref(top.label, str(row["key"])) for row in main.read(query)]
    return refs


def _needs_rebuild(state: CopyState, copy: AnalystCopy, projection: Projection) -> bool:
    """Another key made the copy, its rebuild is old, or its live slot lost its data."""
    if state.key_id != projection.key_id:
        return True
    if datetime.fromisoformat(state.rebuilt_at) < datetime.now(UTC) - REBUILD_EVERY:
        return True
    live = copy.store(state.slot).read(queries.COUNT_NODES)
    return state.entities > 0 and not live[0]["n"]


def _batches[T](items: Sequence[T]) -> Iterator[list[T]]:
    for offset in range(0, len(items), BATCH):
        yield list(items[offset : offset + BATCH])


def _now() -> str:
    return _iso(datetime.now(UTC))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")
