"""What is in the graph: backend health, counts by label, ontology version, migrations."""

from __future__ import annotations

from dataclasses import dataclass, field

from citykg.graph import queries
from citykg.graph.store import GraphStore, Health


@dataclass(frozen=True, slots=True)
class GraphStatus:
    health: Health
    nodes: int = 0
    relationships: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    ontology_version: str | None = None
    migrations: list[str] = field(default_factory=list)


def graph_status(store: GraphStore) -> GraphStatus:
    """Counts and versions; a graph that does not answer gives a status with ``ok`` false."""
    health = store.health()
    if not health.ok:
        return GraphStatus(health=health)
    version = store.read(queries.ONTOLOGY_VERSION)
    return GraphStatus(
        health=health,
        nodes=int(store.read(queries.COUNT_NODES)[0]["nodes"]),
        relationships=int(store.read(queries.COUNT_RELATIONSHIPS)[0]["relationships"]),
        labels={row["label"]: int(row["nodes"]) for row in store.read(queries.COUNT_BY_LABEL)},
        ontology_version=version[0]["version"] if version else None,
        migrations=[row["name"] for row in store.read(queries.APPLIED_MIGRATIONS)],
    )
