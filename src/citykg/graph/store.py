"""The graph store contract every backend fulfils.

The whole platform talks to the graph through :class:`GraphStore` only. A *write* is one Cypher
statement and therefore one atomic unit on every backend (FalkorDB has no multi-statement
transactions through its client), so a logical write that touches several entities is built as
one ``UNWIND … MERGE`` statement. Results come back as plain Python values; nodes, relationships
and paths are normalised to the same dict shapes on every backend (see :func:`node`,
:func:`relationship`), so callers never see driver types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, LiteralString, Protocol, runtime_checkable

from citykg.graph.queries import DELETE_SOME_NODES
from citykg.graph.sealing import Sealer

Params = Mapping[str, Any]

READ_ONLY_REFUSED = "the query would change the graph; only read queries are allowed"
INDEX_TIMEOUT_S = 300.0
NotificationLevel = Literal["OFF", "WARNING", "INFORMATION"]
"""The lowest severity of server notification a Neo4j store receives and logs."""
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Constraint:
    """A uniqueness constraint: no two nodes with ``label`` share a value of ``key``."""

    label: str
    key: str


@dataclass(frozen=True, slots=True)
class Index:
    """A range (exact-match) index on ``label.key``."""

    label: str
    key: str


@dataclass(frozen=True, slots=True)
class GraphSchema:
    """The constraints and indexes the ontology compiles to; applied by ``apply_schema``."""

    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()

    def merged(self, other: GraphSchema) -> GraphSchema:
        return GraphSchema(
            constraints=tuple(dict.fromkeys(self.constraints + other.constraints)),
            indexes=tuple(dict.fromkeys(self.indexes + other.indexes)),
        )


@dataclass(frozen=True, slots=True)
class WriteSummary:
    """What one write statement changed, plus any rows it returned."""

    rows: list[Row] = field(default_factory=list)
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0


@dataclass(frozen=True, slots=True)
class Health:
    """The answer to ``health()``: which backend, where, and whether it answered."""

    backend: str
    location: str
    ok: bool
    version: str = ""
    detail: str = ""


@runtime_checkable
class GraphStore(Protocol):
    """One graph database, reached through a small, backend-neutral surface.

    Backends differ only in capability flags, never in what callers write:
    ``supports_read_only_queries`` says reads run in a mode where the server refuses writes;
    ``sealer`` seals ID numbers and phones on the way in and opens them on the way out;
    ``stamped`` says whether writes move change stamps (:mod:`citykg.graph.stamps`).
    """

    backend: str
    supports_read_only_queries: bool
    sealer: Sealer
    stamped: bool

    def read(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        """Run a read-only statement and return its rows."""
        ...

    def read_untrusted(
        self, query: str, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        """Run a query text from outside (an analyst); the server refuses any write in it."""
        ...

    def write(self, query: LiteralString, params: Params | None = None) -> WriteSummary:
        """Run one statement atomically: all of its effects land, or none do."""
        ...

    def apply_schema(self, schema: GraphSchema) -> None:
        """Create the constraints and indexes that are missing; idempotent."""
        ...

    def await_indexes(self, timeout_s: float = INDEX_TIMEOUT_S) -> None:
        """Wait until every index serves queries: they build in the background after
        ``apply_schema`` and when a graph is loaded from disk. Raises
        :class:`~citykg.errors.GraphUnavailable` after ``timeout_s``."""
        ...

    def explain(self, query: str, params: Params | None = None) -> str:
        """Ask the query planner for a plan without running the query (portability checks)."""
        ...

    def health(self) -> Health:
        """Check that the database answers."""
        ...

    def clear(self) -> None:
        """Delete every node and relationship; indexes and constraints stay."""
        ...

    def compact(self) -> None:
        """Rewrite the engine's files from the graph as it is now, so that values overwritten
        or deleted leave the disk (after sealing or a key rotation), where the engine allows."""
        ...

    def settle(self) -> None:
        """After a bulk write (a task's dispatch, a generated city): fold what the engine keeps
        pending, so that the small writes that follow cost what they should."""
        ...

    def close(self) -> None:
        """Release connections and stop any server process this store started."""
        ...


CLEAR_BATCH = 20_000


def delete_all_nodes(store: GraphStore) -> None:
    """:meth:`GraphStore.clear` in batches, each its own statement."""
    while store.write(DELETE_SOME_NODES, {"batch": CLEAR_BATCH}).rows[0]["deleted"]:
        pass


def node(element_id: str, labels: Sequence[str], properties: Mapping[str, Any]) -> Row:
    """The one shape a node takes in results, whatever the backend."""
    return {"id": element_id, "labels": sorted(labels), "properties": dict(properties)}


def relationship(
    element_id: str, rel_type: str, start: str, end: str, properties: Mapping[str, Any]
) -> Row:
    """The one shape a relationship takes in results, whatever the backend."""
    return {
        "id": element_id,
        "type": rel_type,
        "start": start,
        "end": end,
        "properties": dict(properties),
    }


def path(nodes: list[Row], relationships: list[Row]) -> Row:
    """The one shape a path takes in results."""
    return {"nodes": nodes, "relationships": relationships}
