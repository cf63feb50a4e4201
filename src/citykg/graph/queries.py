"""The Cypher the graph area owns: status counts and the migration ledger."""

from __future__ import annotations

from typing import LiteralString

COUNT_NODES: LiteralString = "MATCH (n) RETURN count(n) AS nodes"

COUNT_RELATIONSHIPS: LiteralString = "MATCH ()-[r]->() RETURN count(r) AS relationships"

DELETE_SOME_NODES: LiteralString = (
    "MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted"
)
"""One batch of :meth:`GraphStore.clear`: a whole-graph delete in one statement holds every
node in memory at once."""

COUNT_BY_LABEL: LiteralString = (
    "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS nodes ORDER BY nodes DESC, label"
)

APPLIED_MIGRATIONS: LiteralString = (
    "MATCH (m:SchemaMigration) RETURN m.id AS id, m.name AS name, m.appliedAt AS appliedAt "
    "ORDER BY m.id"
)

RECORD_MIGRATION: LiteralString = (
    "MERGE (m:SchemaMigration {id: $id}) "
    "ON CREATE SET m.name = $name, m.appliedAt = $appliedAt, m.ontologyVersion = $ontologyVersion"
)

ONTOLOGY_VERSION: LiteralString = (
    "MATCH (o:OntologyRelease {current: true}) "
    "RETURN o.version AS version, o.appliedAt AS appliedAt"
)

RECORD_ONTOLOGY_VERSION: LiteralString = (
    "CALL { MATCH (old:OntologyRelease {current: true}) SET old.current = false "
    "RETURN count(*) AS retired } "
    "MERGE (o:OntologyRelease {version: $version}) "
    "SET o.current = true, o.appliedAt = $appliedAt"
)

STAMP: LiteralString = "MATCH (s:ChangeStamp {topic: $topic}) RETURN s.stamp AS stamp"
"""A change topic's stamp (:mod:`citykg.graph.stamps`)."""

MOVE_STAMPS: LiteralString = (
    "UNWIND $topics AS topic MERGE (s:ChangeStamp {topic: topic}) SET s.stamp = $stamp"
)
"""New stamps for change topics, after a write that named them."""
