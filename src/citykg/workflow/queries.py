"""The Cypher of the workflow: moving work items and reading their transitions.

**One statement per move (or batch of moves).** :data:`MOVE_TEMPLATE` takes each row's item
(``{label}`` node with ``id``), guards on the state the caller read (``row.from``), changes the
state and records the transition as a ``:Transition`` node linked from the item, all in one
statement, then hands on to a tail: the caller's own effects in the same statement (a task
item's counters), ending in a ``RETURN``. A row whose item is not in ``row.from`` any more is
skipped: the caller reports it as a conflict, nothing of it written.

The guard writes the item before reading its state (``SET n.version = coalesce(…)``): on Neo4j
that takes the node's write lock first, so two concurrent moves cannot both pass a guard read
under read-committed isolation (FalkorDB runs writes one at a time). ``before`` holds the item's
properties as they were, for the tail.

A self transition (a hand-over that keeps the state) keeps ``stateSinceMs``: stage times are the
time between entering a state and leaving it (:data:`STAGE_TIMES`), hand-overs excluded.
"""

from __future__ import annotations

from typing import LiteralString

MOVE_TEMPLATE: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (n:{label} {{id: row.id}}) "
    "SET n.version = coalesce(n.version, 0) "
    "WITH n, row WHERE n.state = row.from "
    "WITH n, row, properties(n) AS before "
    "SET n.state = row.to, n.version = n.version + 1, "
    "n.stateSince = CASE WHEN row.from = row.to THEN n.stateSince ELSE row.at END, "
    "n.stateSinceMs = CASE WHEN row.from = row.to THEN n.stateSinceMs ELSE row.atMs END "
    "SET n += row.set "
    "CREATE (t:Transition {{id: row.tid, kind: row.kind, item: row.id, event: row.event, "
    "from: row.from, to: row.to, by: row.by, organization: row.organization, role: row.role, "
    "at: row.at, atMs: row.atMs, sinceMs: before.stateSinceMs, reason: row.reason, "
    "note: row.note}}) "
    "SET t += row.context "
    "CREATE (n)-[:HAS_TRANSITION]->(t) "
)

return_moved: LiteralString = "RETURN collect(n.id) AS moved"
"""The tail of a move with no further effects: the ids of the items moved."""

# Through the index on the fact's item: from the unlabelled item (any workflow's) FalkorDB 4
# scanned every node (a case's page at 100k persons: 63 ms of 70).
HISTORY: LiteralString = (
    "MATCH (t:Transition {item: $id}) RETURN properties(t) AS transition ORDER BY t.atMs, t.id"
)

# Time spent in each state before leaving it, per group (a context key of the transitions, e.g.
# the level of a task part), for the transitions recorded within one container ($within).
STAGE_TIMES: LiteralString = (
    "MATCH (t:Transition {within: $within}) WHERE t.kind = $kind AND t.from <> t.to "
    "AND t.sinceMs IS NOT NULL "
    "WITH t[$groupBy] AS grp, t.from AS stage, t.atMs - t.sinceMs AS ms "
    "RETURN grp, stage, count(ms) AS n, percentileDisc(ms, 0.5) AS median, "
    "percentileDisc(ms, 0.9) AS p90, max(ms) AS longest ORDER BY grp, stage"
)

# Who did what: transitions within one container by principal, post and event.
WHO_DID_WHAT: LiteralString = (
    "MATCH (t:Transition {within: $within}) WHERE t.kind = $kind "
    "RETURN t.by AS principal, t.organization AS organization, t.role AS role, "
    "t.event AS event, count(t) AS n ORDER BY principal, event"
)
