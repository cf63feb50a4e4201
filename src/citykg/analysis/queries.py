"""The Cypher of the analysts' copy: reading entities and changes from the city graph, writing
them into the copy, and the copy's state (kept in the city graph, where analysts never look).

``{slots}`` are labels, relationship types and keys from the ontology, filled by
:func:`citykg.graph.identifiers.cypher_with`. ``$tops`` is ``[[label, key], …]`` of the ontology's
top classes: ``head([t IN $tops WHERE t[0] IN labels(x) | [t[0], x[t[1]]]])`` is the ``[top, key]``
of an entity ``x``, null for a node that is not one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import LiteralString

from citykg.graph.identifiers import cypher_with

# --- reading the city graph ---------------------------------------------------------------------

ENTITY_KEYS_TEMPLATE: LiteralString = (
    "MATCH (n:{top}) WHERE n.{key} IS NOT NULL RETURN n.{key} AS key"
)

ENTITIES_TEMPLATE: LiteralString = (
    "UNWIND $keys AS k MATCH (n:{top} {{{key}: k}}) "
    "RETURN k AS key, labels(n) AS labels, properties(n) AS props"
)

# Relationships of the entities $keys to other entities, with the other end's [top, key]
# (null when the other end is not an entity: a submission, an alias, a principal …).
OUTGOING_TEMPLATE: LiteralString = (
    "UNWIND $keys AS k MATCH (n:{top} {{{key}: k}})-[r]->(m) WHERE type(r) IN $types "
    "RETURN k AS key, type(r) AS type, properties(r) AS props, "
    "head([t IN $tops WHERE t[0] IN labels(m) | [t[0], m[t[1]]]]) AS other"
)

INCOMING_TEMPLATE: LiteralString = (
    "UNWIND $keys AS k MATCH (n:{top} {{{key}: k}})<-[r]-(m) WHERE type(r) IN $types "
    "RETURN k AS key, type(r) AS type, properties(r) AS props, "
    "head([t IN $tops WHERE t[0] IN labels(m) | [t[0], m[t[1]]]]) AS other"
)

# --- what changed since $since: (id, at, refs [[top, key], …]) per recorded write ---------------

# Form submissions, ledger edits and ends: every entity written is ASSERTED_BY its submission.
# Form submissions stamped after $since, ids and stamps only: the sync reads a minute of overlap
# again every second (at 200 submissions/s, 12,000 of them), so the entities a submission
# touched are read (SUBMISSION_REFS) only for those it has not applied yet.
SUBMISSIONS_SINCE: LiteralString = (
    "MATCH (s:Submission) WHERE s.at > $since RETURN 's:' + s.id AS id, s.at AS at"
)

SUBMISSION_REFS: LiteralString = (
    "UNWIND $ids AS sid MATCH (s:Submission {id: sid}) "
    "OPTIONAL MATCH (e)-[:ASSERTED_BY]->(s) "
    "WITH s, collect(head([t IN $tops WHERE t[0] IN labels(e) | [t[0], e[t[1]]]])) AS refs "
    "RETURN 's:' + s.id AS id, s.at AS at, refs"
)

# Renames, moves, merges and splits: the place changed or created, old and new codes (an old
# code no longer in the graph is removed from the copy).
PLACES_CHANGED_SINCE: LiteralString = (
    "MATCH (c:PlaceChange) WHERE c.at > $since "
    "CALL { WITH c MATCH (c)-[:CHANGED|CREATED]->(p:Place) "
    "RETURN collect(p.placeCode) AS touched } "
    "RETURN 'c:' + c.changeId AS id, c.at AS at, "
    "[x IN [c.oldCode, c.newCode] + coalesce(c.newCodes, []) + touched "
    "WHERE x IS NOT NULL | ['Place', x]] AS refs"
)

# Every place re-coded by a move, merge or split: its former code and its current one.
PLACES_RECODED_SINCE: LiteralString = (
    "MATCH (a:PlaceAlias) WHERE a.at > $since "
    "OPTIONAL MATCH (a)-[:ALIAS_OF]->(p:Place) "
    "RETURN 'a:' + a.code + '@' + coalesce(a.changeId, a.at) AS id, a.at AS at, "
    "[x IN [a.code, p.placeCode] WHERE x IS NOT NULL | ['Place', x]] AS refs"
)

# Places entered (address entry, landmarks, roads, grids) or imported.
PLACES_CREATED_SINCE: LiteralString = (
    "MATCH (p:Place) WHERE p.createdAt > $since "
    "RETURN 'p:' + p.placeCode AS id, p.createdAt AS at, [['Place', p.placeCode]] AS refs"
)

PLACE_CHANGES_SINCE = (PLACES_CHANGED_SINCE, PLACES_RECODED_SINCE, PLACES_CREATED_SINCE)
"""Place changes are few: read whole, refs included."""

# --- writing the copy -----------------------------------------------------------------------------

DELETE_ENTITIES_TEMPLATE: LiteralString = (
    "UNWIND $keys AS k MATCH (n:{top} {{{key}: k}}) DETACH DELETE n RETURN count(*) AS deleted"
)

CREATE_RELATIONSHIPS_TEMPLATE: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (a:{start} {{{startKey}: row.a}}), (b:{end} {{{endKey}: row.b}}) "
    "CREATE (a)-[r:{type}]->(b) SET r = row.props RETURN count(r) AS created"
)

COUNT_NODES: LiteralString = "MATCH (n) RETURN count(n) AS n"

COUNT_RELATIONSHIPS: LiteralString = "MATCH ()-[r]->() RETURN count(r) AS n"


def create_entities(labels: Iterable[str]) -> LiteralString:
    """``UNWIND $rows AS row CREATE (n:A:B…) SET n = row``: one text per set of labels."""
    text: LiteralString = "UNWIND $rows AS row CREATE (n"
    for label in labels:
        text += cypher_with(":{label}", label=label)
    return text + ") SET n = row"


# --- the copy's state, one node in the city graph -----------------------------------------------

STATE: LiteralString = (
    "MATCH (c:AnalystCopy {id: $id}) "
    "RETURN c.slot AS slot, coalesce(c.generation, 0) AS generation, c.asOf AS asOf, "
    "c.rebuiltAt AS rebuiltAt, c.keyId AS keyId, c.entities AS entities, "
    "c.relationships AS relationships, c.holder AS holder, c.leaseUntil AS leaseUntil"
)

# Only one process writes the copy at a time: a lease, taken when free or expired. The first SET
# takes the node's write lock on Neo4j before the lease is read (FalkorDB runs writes one by one).
TAKE_LEASE: LiteralString = (
    "MERGE (c:AnalystCopy {id: $id}) SET c.claim = $holder "
    "WITH c, (c.leaseUntil IS NULL OR c.leaseUntil < $now OR c.holder = $holder) AS free "
    "SET c.holder = CASE WHEN free THEN $holder ELSE c.holder END, "
    "c.leaseUntil = CASE WHEN free THEN $until ELSE c.leaseUntil END "
    "RETURN free AS held"
)

RELEASE_LEASE: LiteralString = (
    "MATCH (c:AnalystCopy {id: $id}) WHERE c.holder = $holder "
    "SET c.holder = null, c.leaseUntil = null"
)

# A rebuild is done: the rebuilt slot goes live, as of when reading began.
FINISH_REBUILD: LiteralString = (
    "MATCH (c:AnalystCopy {id: $id}) WHERE c.holder = $holder "
    "SET c.slot = $slot, c.generation = coalesce(c.generation, 0) + 1, c.asOf = $asOf, "
    "c.rebuiltAt = $asOf, c.keyId = $keyId, c.entities = $entities, "
    "c.relationships = $relationships, c.holder = null, c.leaseUntil = null "
    "RETURN c.generation AS generation"
)

# Nothing changed since the last sync: the copy is as of now, unless a writer is busy with it.
ADVANCE_IDLE: LiteralString = (
    "MATCH (c:AnalystCopy {id: $id}) WHERE c.generation = $generation "
    "AND (c.leaseUntil IS NULL OR c.leaseUntil < $now) SET c.asOf = $asOf"
)

# Changes up to $asOf are in the copy (of this generation: a rebuild in between wins).
ADVANCE: LiteralString = (
    "MATCH (c:AnalystCopy {id: $id}) WHERE c.holder = $holder AND c.generation = $generation "
    "SET c.asOf = $asOf, c.holder = null, c.leaseUntil = null "
    "RETURN c.asOf AS asOf"
)
