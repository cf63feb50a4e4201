"""Fragments of the Cypher a form compiles to, assembled per form version.

:mod:`citykg.controls.statement` joins these into one write statement per form (and one prefill
read); labels, relationship types, property keys and group names fill the ``{slots}`` of the
``_TEMPLATE`` fragments only through :func:`citykg.graph.identifiers.cypher_with`, values are
always parameters. A fragment alone is not a statement: ``tests/controls`` sends every
assembled statement of the example forms through FalkorDB's planner instead.

Two FalkorDB 4.x behaviours shape these texts (both checked by the tests):

* ``OPTIONAL MATCH (x) WITH x WHERE x IS NULL`` loses its filter; the idempotency guard counts
  instead (``WITH count(prev) AS seen WHERE seen = 0``).
* A pattern comprehension whose relationship type did not exist when the query text was first
  planned stays empty for as long as the plan is cached; related facts are therefore read with
  ``OPTIONAL MATCH … collect(…)``, never ``[(a)-[:T]->(b) | …]``.
"""

from __future__ import annotations

from typing import LiteralString

# --- the submission statement ----------------------------------------------------------------
# One statement per submission: guard (replay or missing place → no row, nothing written;
# places are looked up one by one so each is an index seek, and ``+ [null]`` keeps a row when
# no place is answered),
# the :Submission node, the subject, then one CALL per address and per related group.
# Variables carried throughout: s (the submission), places, subject.

SUBMISSION_OPEN: LiteralString = (
    "OPTIONAL MATCH (prev:Submission {id: $submissionId}) "
    "WITH count(prev) AS seen WHERE seen = 0 "
    "UNWIND $placeCodes + [null] AS code "
    "OPTIONAL MATCH (pl:Place {placeCode: code}) "
    "WITH seen, collect(pl) AS places WHERE size(places) = size($placeCodes) "
    "OPTIONAL MATCH (form:Form {id: $formId, version: $formVersion}) "
    "WITH places, collect(form) AS forms "
    "CREATE (s:Submission {id: $submissionId, form: $formId, formVersion: $formVersion, at: $at, "
    "author: $author, authorPerson: $authorPerson, channel: $channel, task: $task}) "
    "FOREACH (f IN forms | CREATE (s)-[:USED_FORM]->(f)) "
)

SUBJECT_MERGE_TEMPLATE: LiteralString = (
    "WITH s, places MERGE (subject:{top} {{{key}: $subject.key}}) "
)
LABEL_TEMPLATE: LiteralString = ":{label}"
SUBJECT_ROW: LiteralString = "WITH s, places, subject, subject AS e, $subject AS row "

# The entity ``e`` takes ``row.props`` (and its class labels, in the same SET: every SET of an
# indexed node re-indexes it); a property whose value changes first goes to a :PastValue
# (value, the submission that had asserted it and when, until now, replaced by whom); then
# ``e`` is linked to the submission with the keys it asserted.
ENTITY_HISTORY: LiteralString = (
    "OPTIONAL MATCH (e)-[a:ASSERTED_BY]->(o:Submission) "
    "WITH s, places, subject, row, e, "
    "collect(CASE WHEN a IS NULL THEN null ELSE [a.keys, o.id, a.at] END) AS asserted "
    "FOREACH (c IN [k IN keys(row.props) WHERE e[k] IS NOT NULL AND e[k] <> row.props[k] | "
    "{key: k, value: e[k], src: reduce(b = [null, ''], x IN asserted | "
    "CASE WHEN k IN x[0] AND x[2] > b[1] THEN [x[1], x[2]] ELSE b END)}] | "
    "CREATE (e)-[:HAD_VALUE]->(:PastValue {key: c.key, value: c.value, source: c.src[0], "
    "since: CASE c.src[1] WHEN '' THEN null ELSE c.src[1] END, until: $at, "
    "replacedBy: $submissionId})) "
)
ENTITY_SET: LiteralString = "SET e += row.props"
ENTITY_LABELS: LiteralString = ", e"
ENTITY_ASSERTED: LiteralString = " CREATE (e)-[:ASSERTED_BY {keys: keys(row.props), at: $at}]->(s) "
SUBJECT_DONE: LiteralString = "WITH s, places, subject "

# An address: end the current relation to another place (when the form says so), update the
# current one to this place, or create it. $groups.<slot> = {code, props, start, end}: the
# relation's answered attributes, and its start (``since``) and end (``until``) stamps.
ADDRESS_OPEN_TEMPLATE: LiteralString = (
    "CALL {{ WITH s, places, subject "
    "WITH subject, [p IN places WHERE p.placeCode = $groups.{slot}.code] AS target "
)
ADDRESS_END_PREVIOUS_TEMPLATE: LiteralString = (
    "OPTIONAL MATCH (subject)-[old:{rel}]->(op:Place) "
    "WHERE old.until IS NULL AND size(target) > 0 AND NOT op IN target "
    "WITH subject, target, collect(old) AS ended "
    "FOREACH (r IN ended | SET r += $groups.{slot}.end, r.endedBy = $submissionId) "
    "WITH subject, target "
)
ADDRESS_SET_TEMPLATE: LiteralString = (
    "OPTIONAL MATCH (subject)-[cur:{rel}]->(cp:Place) WHERE cur.until IS NULL AND cp IN target "
    "WITH subject, target, collect(cur) AS current "
    "FOREACH (r IN current | SET r += $groups.{slot}.props, "
    "r.assertedBy = $submissionId, r.assertedAt = $at) "
    "FOREACH (p IN CASE WHEN size(current) = 0 THEN target ELSE [] END | "
    "CREATE (subject)-[r:{rel}]->(p) SET r += $groups.{slot}.start, r += $groups.{slot}.props, "
    "r.assertedBy = $submissionId, r.assertedAt = $at) }} "
)

# Related entities: $groups.<slot> = [{key, props, rel}], matched by identity key.
RELATED_OPEN_TEMPLATE: LiteralString = (
    "CALL {{ WITH s, places, subject UNWIND $groups.{slot} AS row "
    "MERGE (e:{top} {{{key}: row.key}}) "
)
RELATED_ROW: LiteralString = "WITH s, places, subject, row, e "
RELATED_OUTGOING_TEMPLATE: LiteralString = "MERGE (subject)-[r:{rel}]->(e) "
RELATED_INCOMING_TEMPLATE: LiteralString = "MERGE (e)-[r:{rel}]->(subject) "
RELATED_CLOSE: LiteralString = (
    "SET r += row.rel, r.assertedBy = $submissionId, r.assertedAt = $at } "
)

SUBMISSION_CLOSE: LiteralString = "RETURN s.id AS submission"

# --- prefill -----------------------------------------------------------------------------------

PREFILL_OPEN_TEMPLATE: LiteralString = (
    "MATCH (e:{top} {{{key}: $key}}) "
    "OPTIONAL MATCH (e)-[a:ASSERTED_BY]->(o:Submission) "
    "WITH e, collect(CASE WHEN a IS NULL THEN null ELSE [a.keys, a.at, o.id, o.form] END) "
    "AS asserted "
)
PREFILL_ADDRESS_TEMPLATE: LiteralString = (
    "CALL {{ WITH e OPTIONAL MATCH (e)-[r:{rel}]->(t:Place) WHERE r.until IS NULL "
    "OPTIONAL MATCH (t)-[:PART_OF*1..8]->(up:Place) "
    "WITH r, t, collect(CASE WHEN up IS NULL THEN null "
    "ELSE [up.placeCode, up.name, up.level] END) AS path "
    "RETURN collect(CASE WHEN t IS NULL THEN null "
    "ELSE [properties(r), properties(t), path] END) AS {slot} }} "
)
PREFILL_RELATED_OUTGOING_TEMPLATE: LiteralString = (
    "CALL {{ WITH e OPTIONAL MATCH (e)-[r:{rel}]->(t:{top}) WHERE r.until IS NULL "
)
PREFILL_RELATED_INCOMING_TEMPLATE: LiteralString = (
    "CALL {{ WITH e OPTIONAL MATCH (e)<-[r:{rel}]-(t:{top}) WHERE r.until IS NULL "
)
PREFILL_RELATED_CLOSE_TEMPLATE: LiteralString = (
    "OPTIONAL MATCH (t)-[a:ASSERTED_BY]->(o:Submission) "
    "WITH r, t, collect(CASE WHEN a IS NULL THEN null "
    "ELSE [a.keys, a.at, o.id, o.form] END) AS facts "
    "RETURN collect(CASE WHEN t IS NULL THEN null "
    "ELSE [properties(r), properties(t), facts] END) AS {slot} }} "
)
PREFILL_RETURN: LiteralString = "RETURN properties(e) AS subject, asserted"
PREFILL_RETURN_SLOT_TEMPLATE: LiteralString = ", {slot}"

# Where a subject is: its current places through the relation an address field writes.
SUBJECT_PLACES_TEMPLATE: LiteralString = (
    "MATCH (e:{top} {{{key}: $key}}) "
    "OPTIONAL MATCH (e)-[r:{rel}]->(p:Place) WHERE r.until IS NULL "
    "RETURN collect(p.placeCode) AS places"
)
