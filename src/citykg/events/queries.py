"""The Cypher of events: intake, duplicates, moves' own effects, reads and KPIs.

An event node carries its ontology attributes plus the bookkeeping the closed loop reads back
fast: ``id`` (= ``eventCode``, what the workflow moves by), ``state``, ``placeCode``,
``department``/``role`` (routed post), ``dispatcher`` (command centre), ``reportedAtMs``,
``stageDueMs``, and per stage left: ``leftStages``/``leftMs``/``leftLate`` (aligned lists),
written by the move statement's tail together with the transition fact. The KPI table reads the
tallies those statements keep (``:EventTally``, one per department and day of report, and
``:EventPlaceTally``, one per community and day, below) for the whole days of the period and the
cases themselves for the rest; both equal the transition facts (tested).
"""

from __future__ import annotations

from typing import LiteralString

# --- KPI tallies (考核问效 counters) -------------------------------------------------------
# One ``:EventTally`` per department and UTC day of report (``key`` = department|day), and one
# ``:EventPlaceTally`` per community (the first 12 digits of the case's place code: a case placed
# no deeper than its street is its street's) and UTC day (``key`` = community|day), each holding the
# KPI counts of the cases in that cell as they are now, and their left stage visits (aligned lists
# ``visitCase``/``visitStage``/``visitMs``/``visitLate``). Every statement that creates or moves a
# case updates its cells in the same statement: the case's contribution before the move is
# taken out of the cell it was in, its contribution after is added to the cell it is in now, so
# a tally always equals a count over its cases, whatever happens between statements. Rows come in
# as (s: +1 or -1, p: the case's properties); they are summed per cell first, so each cell is
# written once per statement (FalkorDB loses all but one of several updates of one node made
# by one clause). The cell is written before it is read (``SET t.department``): on Neo4j that
# takes its write lock first, so two statements on one cell cannot both add to the same count.
# The closed states are ``models.CLOSED_STATES`` (a test checks the literal).

_closed: LiteralString = "p.state IN ['closed', 'visited', 'rated']"
_running_due: LiteralString = (
    "NOT p.state IN ['closed', 'visited', 'rated'] AND p.stageDueMs IS NOT NULL"
)


def _tally_rows(label: LiteralString, prop: LiteralString, group: LiteralString,
                out: LiteralString) -> LiteralString:  # fmt: skip
    """The rows (s, p) summed into the cells of ``label``, one per ``group`` (an expression of
    p, null for a case not counted there) and day, the group kept as ``prop``; returns
    ``count(t) AS <out>``."""
    return (
        "WITH s, p, CASE WHEN p.state IS NULL OR p.state = 'merged' OR p.reportedAtMs IS NULL "
        "OR " + group + " IS NULL THEN null "
        "ELSE " + group + " + '|' + toString(p.reportedAtMs / 86400000) END AS key "
        "WITH s, p, key WHERE key IS NOT NULL "
        "WITH key, head(collect(" + group + ")) AS grp, "
        "head(collect(p.reportedAtMs / 86400000)) AS day, "
        "collect({s: s, id: p.id, stages: coalesce(p.leftStages, []), ms: coalesce(p.leftMs, []), "
        "late: coalesce(p.leftLate, [])}) AS parts, "
        "toInteger(sum(s)) AS received, "
        "toInteger(sum(s * CASE WHEN " + _closed + " THEN 1 ELSE 0 END)) AS closed, "
        "toInteger(sum(s * CASE WHEN " + _closed + " AND p.closure = 'resolved' "
        "THEN 1 ELSE 0 END)) AS resolved, "
        "toInteger(sum(s * CASE WHEN " + _closed + " AND p.closure = 'transferred' "
        "THEN 1 ELSE 0 END)) AS transferred, "
        "toInteger(sum(s * CASE WHEN " + _closed + " AND p.closure = 'unresolvable' "
        "THEN 1 ELSE 0 END)) AS unresolvable, "
        "toInteger(sum(s * CASE WHEN p.signDueMs IS NOT NULL THEN 1 ELSE 0 END)) AS dispatched, "
        "toInteger(sum(s * CASE WHEN p.signedAtMs IS NOT NULL AND p.signedAtMs <= p.signDueMs "
        "THEN 1 ELSE 0 END)) AS signedOnTime, "
        "toInteger(sum(s * CASE WHEN " + _closed + " AND p.closedAtMs <= p.closeDueMs "
        "THEN 1 ELSE 0 END)) AS closedOnTime, "
        "toInteger(sum(s * CASE WHEN p.repliedAtMs IS NOT NULL THEN 1 ELSE 0 END)) AS replied, "
        "toInteger(sum(s * CASE WHEN coalesce(p.sendBacks, 0) > 0 THEN 1 ELSE 0 END)) "
        "AS sentBack, "
        "toInteger(sum(s * CASE WHEN p.satisfaction IN ['1', '2', '3'] THEN 1 ELSE 0 END)) "
        "AS rated, "
        "toInteger(sum(s * CASE WHEN p.satisfaction IN ['1', '2'] THEN 1 ELSE 0 END)) "
        "AS satisfied, "
        "toInteger(sum(s * CASE WHEN coalesce(p.isOverdue, false) THEN 1 ELSE 0 END)) "
        "AS flagged, "
        "toInteger(sum(s * CASE WHEN " + _running_due + " AND NOT coalesce(p.isOverdue, false) "
        "THEN 1 ELSE 0 END)) AS openDue, "
        "toInteger(sum(s * CASE WHEN " + _running_due + " AND p.state = 'accepted' "
        "THEN 1 ELSE 0 END)) AS runAccepted, "
        "toInteger(sum(s * CASE WHEN " + _running_due + " AND p.state = 'dispatched' "
        "THEN 1 ELSE 0 END)) AS runDispatched, "
        "toInteger(sum(s * CASE WHEN " + _running_due + " AND p.state = 'handling' "
        "THEN 1 ELSE 0 END)) AS runHandling, "
        "toInteger(sum(s * CASE WHEN " + _running_due + " AND p.state = 'replied' "
        "THEN 1 ELSE 0 END)) AS runReplied "
        "MERGE (t:" + label + " {key: key}) SET t." + prop + " = grp, t.day = day "
        "WITH t, parts, received, closed, resolved, transferred, unresolvable, "
        "dispatched, signedOnTime, closedOnTime, replied, sentBack, rated, satisfied, flagged, "
        "openDue, runAccepted, runDispatched, runHandling, runReplied, "
        "[x IN parts | x.id] AS gone, [x IN parts WHERE x.s > 0] AS adds, "
        "coalesce(t.visitCase, []) AS vc, coalesce(t.visitStage, []) AS vs, "
        "coalesce(t.visitMs, []) AS vm, coalesce(t.visitLate, []) AS vl "
        "WITH t, received, closed, resolved, transferred, unresolvable, "
        "dispatched, signedOnTime, closedOnTime, replied, sentBack, rated, satisfied, flagged, "
        "openDue, runAccepted, runDispatched, runHandling, runReplied, adds, vc, vs, vm, vl, "
        "[i IN range(0, size(vc) - 1) WHERE NOT vc[i] IN gone] AS keep, "
        "reduce(a = [], x IN adds | a + x.stages) AS stages "
        "SET t.received = coalesce(t.received, 0) + received, "
        "t.closed = coalesce(t.closed, 0) + closed, "
        "t.resolved = coalesce(t.resolved, 0) + resolved, "
        "t.transferred = coalesce(t.transferred, 0) + transferred, "
        "t.unresolvable = coalesce(t.unresolvable, 0) + unresolvable, "
        "t.dispatched = coalesce(t.dispatched, 0) + dispatched, "
        "t.signedOnTime = coalesce(t.signedOnTime, 0) + signedOnTime, "
        "t.closedOnTime = coalesce(t.closedOnTime, 0) + closedOnTime, "
        "t.replied = coalesce(t.replied, 0) + replied, "
        "t.sentBack = coalesce(t.sentBack, 0) + sentBack, "
        "t.rated = coalesce(t.rated, 0) + rated, "
        "t.satisfied = coalesce(t.satisfied, 0) + satisfied, "
        "t.flagged = coalesce(t.flagged, 0) + flagged, "
        "t.openDue = coalesce(t.openDue, 0) + openDue, "
        "t.runAccepted = coalesce(t.runAccepted, 0) + runAccepted, "
        "t.runDispatched = coalesce(t.runDispatched, 0) + runDispatched, "
        "t.runHandling = coalesce(t.runHandling, 0) + runHandling, "
        "t.runReplied = coalesce(t.runReplied, 0) + runReplied "
        "FOREACH (_ IN CASE WHEN size(keep) < size(vc) OR size(stages) > 0 OR t.visitCase IS NULL "
        "THEN [1] ELSE [] END | "
        "SET t.visitCase = [i IN keep | vc[i]] "
        "+ reduce(a = [], x IN adds | a + [v IN x.stages | x.id]), "
        "t.visitStage = [i IN keep | vs[i]] + stages, "
        "t.visitMs = [i IN keep | vm[i]] + reduce(a = [], x IN adds | a + x.ms), "
        "t.visitLate = [i IN keep | vl[i]] + reduce(a = [], x IN adds | a + x.late)) "
        "RETURN count(t) AS " + out
    )  # fmt: skip


_community: LiteralString = (
    "CASE WHEN p.placeCode IS NULL THEN null ELSE substring(p.placeCode, 0, 12) END"
)
_tally_departments: LiteralString = _tally_rows("EventTally", "department", "p.department",
                                                "tallied")  # fmt: skip
_tally_places: LiteralString = _tally_rows("EventPlaceTally", "place", _community, "placed")

# The move statement's last part: every moved case out of its cell as it was, into its cell now.
_moved_rows: LiteralString = (
    "CALL { WITH moves UNWIND moves AS mv "
    "UNWIND [{s: -1, p: mv.before}, {s: 1, p: mv.after}] AS x WITH x.s AS s, x.p AS p "
)
tally_moves: LiteralString = (
    "WITH collect({before: before, after: properties(n)}) AS moves "
    + _moved_rows
    + _tally_departments
    + " } "
    + _moved_rows
    + _tally_places
    + " } RETURN [mv IN moves | mv.after.id] AS moved"
)

# Intake: many reports of one class per statement, each with its place, reporter, the thing it
# concerns and its intake fact (受理), all or nothing. ``{a}``/``{b}``: the class's labels. The
# optional links are an OPTIONAL MATCH of a unique key (null when the row has none) and a
# FOREACH that writes only when it matched: a unit subquery per link made the statement twice
# as slow on FalkorDB (200 reports: 167 -> 78-110 ms). A batch with no reporter and no thing
# (the hotline desk's, a sensor's) is written by CREATE_PLACED_EVENTS, without those two
# look-ups (on the 1M-person city each was an index probe per row: 13 of 120 ms a batch).
_create_head: LiteralString = (
    "UNWIND $rows AS row "
    "CREATE (e:Event) SET e:{a}:{b}, e += row.props "
    "CREATE (t:Transition) SET t += row.fact "
    "CREATE (e)-[:HAS_TRANSITION]->(t) "
    "WITH e, row OPTIONAL MATCH (p:Place {{placeCode: row.place}}) "
    "FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | "
    "CREATE (e)-[r:OCCURRED_AT]->(p) SET r += row.located) "
)
_create_links: LiteralString = (
    "WITH e, row OPTIONAL MATCH (q:Person {{idNumber: row.reporter}}) "
    "FOREACH (_ IN CASE WHEN q IS NULL THEN [] ELSE [1] END | "
    "CREATE (e)-[r:REPORTED_BY]->(q) SET r += row.report) "
    "WITH e, row OPTIONAL MATCH (x:Thing {{thingCode: row.thing}}) "
    "FOREACH (_ IN CASE WHEN x IS NULL THEN [] ELSE [1] END | "
    "CREATE (e)-[r:CONCERNS_THING]->(x)) "
)
_create_tally: LiteralString = (
    "WITH collect(row.props) AS made "
    "CALL {{ WITH made UNWIND made AS p WITH 1 AS s, p "
    + _tally_departments.replace("{", "{{").replace("}", "}}")
    + " }} CALL {{ WITH made UNWIND made AS p WITH 1 AS s, p "
    + _tally_places.replace("{", "{{").replace("}", "}}")
    + " }} RETURN size(made) AS created"
)
CREATE_EVENTS: LiteralString = _create_head + _create_links + _create_tally
CREATE_PLACED_EVENTS: LiteralString = _create_head + _create_tally

# Duplicate candidates: the same compound (or community) and category, or the same grid cell
# and category, reported within the window before the report (not with it: a batch's reports
# share their time, and its write may come first), open or closed recently; of each
# key the $perKey most recent. $placeKeys/$cellKeys: a batch's distinct keys with their window
# (a batch shares its time), each numbered ``q``; rows come back per q, a case's id, state,
# place code and time of report joined in ``meta`` (``|`` between them, none holds one): a batch
# of 200 on the 1M-person city reads 3,300 rows, and the driver's parsing is per value.
_candidate_scan: LiteralString = (
    "AND e.reportedAtMs >= since AND e.reportedAtMs < until "
    "WITH e, closedSince WHERE e.state <> 'merged' "
    "AND (e.closedAtMs IS NULL OR e.closedAtMs >= closedSince) "
    "WITH e ORDER BY e.reportedAtMs DESC, e.id LIMIT $perKey RETURN e } "
    "RETURN q, coalesce(e.id, '') + '|' + coalesce(e.state, '') + '|' "
    "+ coalesce(e.placeCode, '') + '|' + coalesce(e.reportedAt, '') AS meta, "
    "e.title AS title, e.description AS description"
)
_candidate_keys: LiteralString = (
    " AS x WITH x.q AS q, x.k AS k, x.since AS since, x.until AS until, "
    "x.closedSince AS closedSince "
)
DUPLICATE_CANDIDATES: LiteralString = (
    "UNWIND $placeKeys"
    + _candidate_keys
    + "CALL { WITH k, since, until, closedSince MATCH (e:Event) WHERE e.dupPlace = k "
    + _candidate_scan
    + " UNION ALL UNWIND $cellKeys"
    + _candidate_keys
    + "CALL { WITH k, since, until, closedSince MATCH (e:Event) WHERE e.dupCell = k "
    + _candidate_scan
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
_in_queue: LiteralString = (
    "AND (e.department IN $orgs OR e.dispatcher IN $orgs OR "
    "any(root IN $scopeRoots WHERE e.placeCode STARTS WITH root)) "
)

_listed: LiteralString = (
    "AND e.id IS NOT NULL AND e.state IS NOT NULL "
    "AND (size($states) = 0 OR e.state IN $states) "
    + _in_queue
    + "AND ($overdueOnly = false OR e.isOverdue = true OR e.stageDueMs < $now) "
    "RETURN properties(e) AS event ORDER BY e.reportedAtMs DESC, e.id SKIP $skip LIMIT $limit"
)

# A queue's page, newest first: the cases reported since $since (through the index on
# reportedAtMs, so a page of a district's queue sorts days of cases, not all of them), or all.
LIST_SINCE: LiteralString = "MATCH (e:Event) WHERE e.reportedAtMs >= $since " + _listed
LIST: LiteralString = "MATCH (e:Event) WHERE true " + _listed

# Open cases of a queue overdue or due before $soon (the console's home alert), at most $limit,
# through the index on stageDueMs: those due before $soon, then those flagged overdue in an earlier
# stage whose current deadline is later (the cases with a deadline ahead are few).
DUE_SOON: LiteralString = (
    "MATCH (e:Event) WHERE e.stageDueMs < $soon AND e.state IN $states "
    + _in_queue
    + "RETURN e.id AS id LIMIT $limit UNION "
    "MATCH (e:Event) WHERE e.stageDueMs >= $soon AND e.isOverdue = true AND e.state IN $states "
    + _in_queue
    + "RETURN e.id AS id LIMIT $limit"
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

tail_plain: LiteralString = tail_stage + "WITH n, before " + tally_moves

tail_assign: LiteralString = (
    tail_stage + "WITH n, row, before "
    "CALL { WITH n, row MATCH (o:Organization {creditCode: n.department}) "
    "CREATE (n)-[a:ASSIGNED_TO]->(o) SET a.dispatchedAt = row.at, a.deadline = n.handleDue, "
    "a.role = '1', a.dispatchedBy = row.organization, a.accepted = false "
    "RETURN count(a) AS assigned } "
    "WITH n, before " + tally_moves
)

tail_supervise: LiteralString = (
    tail_stage + "WITH n, row, before "
    "CALL { WITH n, row WITH n, row WHERE row.organization IS NOT NULL "
    "MATCH (o:Organization {creditCode: row.organization}) "
    "CREATE (n)-[s:SUPERVISED_BY]->(o) SET s.kind = 'note', s.supervisedAt = row.at "
    "RETURN count(s) AS supervised } "
    "WITH n, before " + tally_moves
)

tail_merge: LiteralString = (
    tail_stage + "WITH n, row, before "
    "MATCH (m:Event {id: $master}) "
    "CREATE (n)-[d:DUPLICATE_OF]->(m) SET d.similarity = $similarity, "
    "d.detectionMethod = 'character n-grams (rapidfuzz)', d.detectedAt = row.at, "
    "d.confirmed = true, d.confirmedBy = row.by "
    "SET m.duplicateCount = coalesce(m.duplicateCount, 0) + 1 "
    "WITH n, before " + tally_moves
)

tail_rate: LiteralString = (
    tail_stage + "WITH n, row, before "
    "CALL { WITH n, row WITH n, row WHERE $person IS NOT NULL "
    "MATCH (p:Person {idNumber: $person}) "
    "CREATE (p)-[v:EVALUATES]->(n) SET v.satisfaction = $satisfaction, v.evaluatedAt = row.at, "
    "v.resolved = $resolved RETURN count(v) AS rated } "
    "WITH n, before " + tally_moves
)

# --- KPIs (考核问效) -----------------------------------------------------------------------------

# The cases reported within the ranges ``$ranges`` ([from, to) pairs in epoch ms) of the period.
_period: LiteralString = (
    "UNWIND $ranges AS r MATCH (e:Event) WHERE e.reportedAtMs >= r[0] AND e.reportedAtMs < r[1] "
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

# Per stage: visits left (their times, for the median, and lateness) and visits still running
# (late when past due).
KPI_STAGES: LiteralString = (
    _period + "UNWIND range(0, size(coalesce(e.leftStages, [])) - 1) AS i "
    "WITH grp, e.leftStages[i] AS stage, e.leftMs[i] AS ms, e.leftLate[i] AS late "
    "RETURN grp, stage, collect(ms) AS durations, "
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

# The organizations over the district or one of its streets: from the district's index entry
# and its children (a prefix filter on every place scanned them all: 10-54 ms at 100k persons).
DEPARTMENTS_OF: LiteralString = (
    "MATCH (d:Place {placeCode: $district}) OPTIONAL MATCH (c:Place)-[:PART_OF]->(d) "
    "WITH d, collect(c) AS below UNWIND [d] + below AS p WITH p WHERE size(p.placeCode) <= 9 "
    "MATCH (o:Organization)-[:HAS_JURISDICTION_OVER]->(p) "
    "RETURN DISTINCT o.creditCode AS code, o.name AS name ORDER BY code"
)

# --- the KPI table from the tallies (whole UTC days $fromDay ≤ day < $toDay) ----------------------
# By department from the ``:EventTally`` cells, by street or community (``$length`` digits of the
# place code) from the ``:EventPlaceTally`` cells.

_days: LiteralString = "WHERE t.day >= $fromDay AND t.day < $toDay "
_department_cells: LiteralString = (
    "MATCH (t:EventTally) " + _days + "WITH t.department AS grp, t WHERE grp IN $groups "
)
_place_cells: LiteralString = (
    "MATCH (t:EventPlaceTally) " + _days + "WITH substring(t.place, 0, $length) AS grp, t "
    "WHERE grp IN $groups "
)
_sums: LiteralString = (
    "RETURN grp, toInteger(sum(t.received)) AS received, "
    "toInteger(sum(t.closed)) AS closed, toInteger(sum(t.resolved)) AS resolved, "
    "toInteger(sum(t.transferred)) AS transferred, "
    "toInteger(sum(t.unresolvable)) AS unresolvable, toInteger(sum(t.dispatched)) AS dispatched, "
    "toInteger(sum(t.signedOnTime)) AS signedOnTime, "
    "toInteger(sum(t.closedOnTime)) AS closedOnTime, toInteger(sum(t.replied)) AS replied, "
    "toInteger(sum(t.sentBack)) AS sentBack, toInteger(sum(t.rated)) AS rated, "
    "toInteger(sum(t.satisfied)) AS satisfied, toInteger(sum(t.flagged)) AS flagged, "
    "toInteger(sum(t.openDue)) AS openDue, toInteger(sum(t.runAccepted)) AS runAccepted, "
    "toInteger(sum(t.runDispatched)) AS runDispatched, "
    "toInteger(sum(t.runHandling)) AS runHandling, toInteger(sum(t.runReplied)) AS runReplied "
    "ORDER BY grp"
)
KPI_TALLIES: LiteralString = _department_cells + _sums
KPI_PLACE_TALLIES: LiteralString = _place_cells + _sums

# The cells' stage visits per stage: how many, how many overran, their median, and their times
# only for the stages in $pairs (``group|stage``: those the rest of the period has visits of too,
# whose median is taken over both).
_visits: LiteralString = (
    "WITH grp, t WHERE size(coalesce(t.visitStage, [])) > 0 "
    "WITH grp, t.visitStage AS stages, t.visitMs AS times, t.visitLate AS lates "
    "UNWIND range(0, size(stages) - 1) AS i "
    "WITH grp, stages[i] AS stage, times[i] AS ms, lates[i] AS late "
    "WITH grp, stage, count(ms) AS left, percentileDisc(ms, 0.5) AS medianMs, "
    "toInteger(sum(CASE WHEN late THEN 1 ELSE 0 END)) AS lateLeft, collect(ms) AS durations "
    "RETURN grp, stage, left, medianMs, lateLeft, "
    "CASE WHEN grp + '|' + stage IN $pairs THEN durations ELSE [] END AS durations "
    "ORDER BY grp, stage"
)
KPI_TALLY_VISITS: LiteralString = _department_cells + _visits
KPI_PLACE_TALLY_VISITS: LiteralString = _place_cells + _visits

# The times of the cells' stage visits of the stages $stages, for the deadline suggestions.
_durations: LiteralString = (
    "WITH t WHERE size(coalesce(t.visitStage, [])) > 0 "
    "WITH t.visitStage AS stages, t.visitMs AS times "
    "UNWIND range(0, size(stages) - 1) AS i "
    "WITH stages[i] AS stage, times[i] AS ms WHERE stage IN $stages "
    "RETURN stage, collect(ms) AS durations"
)
TALLY_DURATIONS: LiteralString = _department_cells + _durations
PLACE_TALLY_DURATIONS: LiteralString = _place_cells + _durations

# Cases still in a stage whose deadline is not past at $now (few: those that entered it lately),
# reported within [$from, $to): the tallies count running cases with a deadline, these are the
# ones of them not late yet.
_due_later: LiteralString = (
    "MATCH (e:Event) WHERE e.stageDueMs >= $now "
    "WITH e WHERE e.reportedAtMs >= $from AND e.reportedAtMs < $to "
    "AND e.state IN $runningStates "
)
_due_later_counts: LiteralString = (
    "RETURN grp, e.state AS stage, count(e) AS dueLater, "
    "toInteger(sum(CASE WHEN coalesce(e.isOverdue, false) THEN 0 ELSE 1 END)) AS unflagged "
    "ORDER BY grp, stage"
)
KPI_DUE_LATER: LiteralString = (
    _due_later + "AND e.department IN $groups WITH e.department AS grp, e " + _due_later_counts
)
KPI_PLACE_DUE_LATER: LiteralString = (
    _due_later + "AND e.placeCode IS NOT NULL "
    "WITH substring(e.placeCode, 0, $length) AS grp, e WHERE grp IN $groups " + _due_later_counts
)

TALLY_STATE: LiteralString = "MATCH (m:EventTallyState {id: 'kpi'}) RETURN m.version AS version"

# Builds every tally from the cases, in one statement (a graph from before the tallies, or a
# new tally version): the old tallies go, the state node records the version.
BUILD_TALLIES: LiteralString = (
    "CALL { MATCH (o:EventTally) DELETE o RETURN count(*) AS dropped } "
    "CALL { MATCH (o:EventPlaceTally) DELETE o RETURN count(*) AS droppedPlaces } "
    "CALL { MATCH (e:Event) WITH 1 AS s, properties(e) AS p " + _tally_departments + " } "
    "CALL { MATCH (e:Event) WITH 1 AS s, properties(e) AS p " + _tally_places + " } "
    "MERGE (m:EventTallyState {id: 'kpi'}) SET m.version = $version "
    "RETURN dropped + droppedPlaces AS dropped, tallied, placed"
)
