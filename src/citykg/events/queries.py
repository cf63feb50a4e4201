"""The Cypher of events: intake, duplicates, moves' own effects, reads and KPIs.

An event node carries its ontology attributes plus the bookkeeping the closed loop reads back
fast: ``id`` (= ``eventCode``, what the workflow moves by), ``state``, ``placeCode``,
``department``/``role`` (routed post), ``dispatcher`` (command centre), ``reportedAtMs``,
``stageDueMs``, and per stage left: ``leftStages``/``leftMs``/``leftLate`` (aligned lists),
written by the move statement's tail together with the transition fact, so KPIs are one pass
over the period's events and still equal the transition facts (tested).
"""

from __future__ import annotations

from typing import LiteralString

# Intake: many reports of one class per statement, each with its place, reporter, the thing it
# concerns and its intake fact (受理), all or nothing. ``{a}``/``{b}``: the class's labels.
CREATE_EVENTS: LiteralString = (
    "UNWIND $rows AS row "
    "CREATE (e:Event) SET e:{a}:{b}, e += row.props "
    "CREATE (t:Transition) SET t += row.fact "
    "CREATE (e)-[:HAS_TRANSITION]->(t) "
    "WITH e, row "
    "CALL {{ WITH e, row WITH e, row WHERE row.place IS NOT NULL "
    "MATCH (p:Place {{placeCode: row.place}}) CREATE (e)-[r:OCCURRED_AT]->(p) SET r += row.located "
    "RETURN count(r) AS placed }} "
    "CALL {{ WITH e, row WITH e, row WHERE row.reporter IS NOT NULL "
    "MATCH (q:Person {{idNumber: row.reporter}}) "
    "CREATE (e)-[r:REPORTED_BY]->(q) SET r += row.report "
    "RETURN count(r) AS reported }} "
    "CALL {{ WITH e, row WITH e, row WHERE row.thing IS NOT NULL "
    "MATCH (x:Thing {{thingCode: row.thing}}) CREATE (e)-[r:CONCERNS_THING]->(x) "
    "RETURN count(r) AS things }} "
    "RETURN count(e) AS created"
)

# Duplicate candidates: the same compound (or community) and category, or the same grid cell
# and category, reported within the window, open or closed recently.
_candidate_fields: LiteralString = (
    "WHERE e.reportedAtMs >= ask.since AND e.state <> 'merged' "
    "AND (e.closedAtMs IS NULL OR e.closedAtMs >= ask.closedSince) "
    "RETURN ask.i AS i, e.id AS id, e.title AS title, e.description AS description, "
    "e.placeCode AS place, e.state AS state, e.reportedAt AS reportedAt"
)
# One statement for a batch of reports: $asks holds each report's keys, window and index i.
DUPLICATE_CANDIDATES: LiteralString = (
    "UNWIND $asks AS ask UNWIND ask.placeKeys AS k MATCH (e:Event {dupPlace: k}) "
    + _candidate_fields
    + " UNION "
    "UNWIND $asks AS ask UNWIND ask.cellKeys AS k MATCH (e:Event {dupCell: k}) " + _candidate_fields
)

EVENT: LiteralString = (
    "MATCH (e:Event {id: $id}) "
    "CALL { WITH e MATCH (e)-[:REPORTED_BY]->(p:Person) RETURN collect(p.idNumber) AS reporters } "
    "CALL { WITH e MATCH (e)-[:DUPLICATE_OF]->(m:Event) RETURN collect(m.id) AS masters } "
    "CALL { WITH e MATCH (d:Event)-[:DUPLICATE_OF]->(e) RETURN collect(d.id) AS duplicates } "
    "CALL { WITH e MATCH (d:Event)-[:DUPLICATE_OF]->(e) MATCH (d)-[:REPORTED_BY]->(p:Person) "
    "RETURN collect(p.idNumber) AS followers } "
    "RETURN properties(e) AS event, reporters, masters, duplicates, followers"
)

ORGANIZATION_NAMES: LiteralString = (
    "UNWIND $codes AS c MATCH (o:Organization {creditCode: c}) "
    "RETURN o.creditCode AS code, o.name AS name"
)

# A scoped list: the caller's organizations' events (handling or dispatching) and the events
# at places under their jurisdiction, newest first.
LIST: LiteralString = (
    "MATCH (e:Event) WHERE e.id IS NOT NULL AND e.state IS NOT NULL "
    "AND (size($states) = 0 OR e.state IN $states) "
    "AND (e.department IN $orgs OR e.dispatcher IN $orgs OR "
    "any(root IN $scopeRoots WHERE e.placeCode STARTS WITH root)) "
    "AND ($overdueOnly = false OR e.isOverdue = true OR e.stageDueMs < $now) "
    "RETURN properties(e) AS event ORDER BY e.reportedAtMs DESC, e.id SKIP $skip LIMIT $limit"
)

MINE: LiteralString = (
    "MATCH (p:Person {idNumber: $person})<-[:REPORTED_BY]-(e:Event) WHERE e.state IS NOT NULL "
    "AND e.eventClass IS NOT NULL "
    "CALL { WITH e MATCH (e)-[:DUPLICATE_OF]->(m:Event) RETURN collect(m.id) AS masters } "
    "RETURN properties(e) AS event, masters ORDER BY e.reportedAtMs DESC, e.id "
    "SKIP $skip LIMIT $limit"
)

PUBLIC: LiteralString = (
    "MATCH (e:Event) WHERE e.reportedAtMs >= $from AND e.reportedAtMs < $to "
    "AND e.state IS NOT NULL "
    "AND (size($codes) = 0 OR e.serviceCode IN $codes OR e.category IN $codes) "
    "AND (size($ids) = 0 OR e.id IN $ids) "
    "RETURN properties(e) AS event ORDER BY e.reportedAtMs DESC, e.id LIMIT $limit"
)

JURISDICTIONS: LiteralString = (
    "MATCH (o:Organization)-[:HAS_JURISDICTION_OVER]->(p:Place) WHERE size(p.placeCode) <= 12 "
    "RETURN o.creditCode AS org, o.name AS name, p.placeCode AS place"
)

PREMISES: LiteralString = (
    "MATCH (p:Place) WHERE p.level >= 6 AND p.level <= 9 "
    "RETURN p.placeCode AS code, p.name AS name, p.number AS number, "
    "p.latitude AS lat, p.longitude AS lon"
)

PREMISES_VERSION: LiteralString = (
    "CALL { MATCH (p:Compound) RETURN count(p) AS compounds } "
    "CALL { MATCH (b:Building) RETURN count(b) AS buildings } "
    "CALL { MATCH (d:Door) RETURN count(d) AS doors } "
    "CALL { MATCH (o:Organization)-[j:HAS_JURISDICTION_OVER]->(:Place) RETURN count(j) AS duties } "
    "RETURN compounds, buildings, doors, duties"
)

# --- the move statement's tails (lower case: fragments, not statements): the case's own effects

tail_stage: LiteralString = (
    "SET n.leftStages = coalesce(n.leftStages, []) + "
    "CASE WHEN row.from <> row.to THEN [row.from] ELSE [] END, "
    "n.leftMs = coalesce(n.leftMs, []) + "
    "CASE WHEN row.from <> row.to THEN [row.atMs - coalesce(before.stateSinceMs, row.atMs)] "
    "ELSE [] END, "
    "n.leftLate = coalesce(n.leftLate, []) + "
    "CASE WHEN row.from <> row.to THEN [row.context.late] ELSE [] END, "
    "n.stages = CASE WHEN row.to IN coalesce(n.stages, []) THEN n.stages "
    "ELSE coalesce(n.stages, []) + [row.to] END, "
    "n.isOverdue = coalesce(n.isOverdue, false) OR row.context.late, "
    "n.supervisionCount = coalesce(n.supervisionCount, 0) + $supervised, "
    "n.sendBacks = coalesce(n.sendBacks, 0) + $sentBack, "
    "n.reopenCount = coalesce(n.reopenCount, 0) + $reopened, "
    "n.returnCount = coalesce(n.returnCount, 0) + $returned "
)

tail_plain: LiteralString = tail_stage + "RETURN collect(n.id) AS moved"

tail_assign: LiteralString = (
    tail_stage + "WITH n, row "
    "CALL { WITH n, row MATCH (o:Organization {creditCode: n.department}) "
    "CREATE (n)-[a:ASSIGNED_TO]->(o) SET a.dispatchedAt = row.at, a.deadline = n.handleDue, "
    "a.role = '1', a.dispatchedBy = row.organization, a.accepted = false "
    "RETURN count(a) AS assigned } "
    "RETURN collect(n.id) AS moved"
)

tail_supervise: LiteralString = (
    tail_stage + "WITH n, row "
    "CALL { WITH n, row WITH n, row WHERE row.organization IS NOT NULL "
    "MATCH (o:Organization {creditCode: row.organization}) "
    "CREATE (n)-[s:SUPERVISED_BY]->(o) SET s.kind = 'note', s.supervisedAt = row.at "
    "RETURN count(s) AS supervised } "
    "RETURN collect(n.id) AS moved"
)

tail_merge: LiteralString = (
    tail_stage + "WITH n, row "
    "MATCH (m:Event {id: $master}) "
    "CREATE (n)-[d:DUPLICATE_OF]->(m) SET d.similarity = $similarity, "
    "d.detectionMethod = 'character n-grams (rapidfuzz)', d.detectedAt = row.at, "
    "d.confirmed = true, d.confirmedBy = row.by "
    "SET m.duplicateCount = coalesce(m.duplicateCount, 0) + 1 "
    "RETURN collect(n.id) AS moved"
)

tail_rate: LiteralString = (
    tail_stage + "WITH n, row "
    "CALL { WITH n, row WITH n, row WHERE $person IS NOT NULL "
    "MATCH (p:Person {idNumber: $person}) "
    "CREATE (p)-[v:EVALUATES]->(n) SET v.satisfaction = $satisfaction, v.evaluatedAt = row.at, "
    "v.resolved = $resolved RETURN count(v) AS rated } "
    "RETURN collect(n.id) AS moved"
)

# --- KPIs (考核问效) -----------------------------------------------------------------------------

_period: LiteralString = (
    "MATCH (e:Event) WHERE e.reportedAtMs >= $from AND e.reportedAtMs < $to "
    "AND e.state IS NOT NULL AND e.state <> 'merged' "
    "WITH e, CASE WHEN $byPlace THEN substring(e.placeCode, 0, $length) "
    "ELSE e.department END AS grp "
    "WHERE grp IN $groups "
)

KPI_COUNTS: LiteralString = (
    _period + "RETURN grp, count(e) AS received, "
    "toInteger(sum(CASE WHEN e.state IN $closedStates THEN 1 ELSE 0 END)) AS closed, "
    "toInteger(sum(CASE WHEN e.state IN $closedStates AND e.closure = 'resolved' "
    "THEN 1 ELSE 0 END)) AS resolved, "
    "toInteger(sum(CASE WHEN e.state IN $closedStates AND e.closure = 'transferred' "
    "THEN 1 ELSE 0 END)) AS transferred, "
    "toInteger(sum(CASE WHEN e.state IN $closedStates AND e.closure = 'unresolvable' "
    "THEN 1 ELSE 0 END)) AS unresolvable, "
    "toInteger(sum(CASE WHEN e.signDueMs IS NOT NULL THEN 1 ELSE 0 END)) AS dispatched, "
    "toInteger(sum(CASE WHEN e.signedAtMs IS NOT NULL AND e.signedAtMs <= e.signDueMs "
    "THEN 1 ELSE 0 END)) AS signedOnTime, "
    "toInteger(sum(CASE WHEN e.state IN $closedStates AND e.closedAtMs <= e.closeDueMs "
    "THEN 1 ELSE 0 END)) AS closedOnTime, "
    "toInteger(sum(CASE WHEN e.repliedAtMs IS NOT NULL THEN 1 ELSE 0 END)) AS replied, "
    "toInteger(sum(CASE WHEN coalesce(e.sendBacks, 0) > 0 THEN 1 ELSE 0 END)) AS sentBack, "
    "toInteger(sum(CASE WHEN e.satisfaction IN ['1', '2', '3'] THEN 1 ELSE 0 END)) AS rated, "
    "toInteger(sum(CASE WHEN e.satisfaction IN ['1', '2'] THEN 1 ELSE 0 END)) AS satisfied, "
    "toInteger(sum(CASE WHEN coalesce(e.isOverdue, false) OR (NOT e.state IN $closedStates "
    "AND e.stageDueMs < $now) THEN 1 ELSE 0 END)) AS overdue "
    "ORDER BY grp"
)

# Per stage: visits left (with time and lateness) and visits still running (late when past due).
KPI_STAGES: LiteralString = (
    _period + "UNWIND range(0, size(coalesce(e.leftStages, [])) - 1) AS i "
    "WITH grp, e.leftStages[i] AS stage, e.leftMs[i] AS ms, e.leftLate[i] AS late "
    "RETURN grp, stage, count(ms) AS left, percentileDisc(ms, 0.5) AS medianMs, "
    "toInteger(sum(CASE WHEN late THEN 1 ELSE 0 END)) AS lateLeft ORDER BY grp, stage"
)

KPI_RUNNING: LiteralString = (
    _period + "WITH grp, e WHERE NOT e.state IN $finalStates AND e.stageDueMs IS NOT NULL "
    "RETURN grp, e.state AS stage, count(e) AS running, "
    "toInteger(sum(CASE WHEN e.stageDueMs < $now THEN 1 ELSE 0 END)) AS lateRunning "
    "ORDER BY grp, stage"
)

STAGE_DURATIONS: LiteralString = (
    _period + "UNWIND range(0, size(coalesce(e.leftStages, [])) - 1) AS i "
    "WITH e.leftStages[i] AS stage, e.leftMs[i] AS ms WHERE stage IN $stages "
    "RETURN stage, collect(ms) AS durations"
)

DEPARTMENTS_OF: LiteralString = (
    "MATCH (o:Organization)-[:HAS_JURISDICTION_OVER]->(p:Place) "
    "WHERE p.placeCode STARTS WITH $district AND size(p.placeCode) <= 9 "
    "RETURN DISTINCT o.creditCode AS code, o.name AS name ORDER BY code"
)
