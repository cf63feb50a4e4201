"""Fragments of the Cypher a form compiles to, assembled per form version.

:mod:`citykg.controls.statement` joins these into one write statement per form (and one prefill
read); labels, relationship types, property keys and group names fill the ``{slots}`` of the
``_TEMPLATE`` fragments only through :func:`citykg.graph.identifiers.cypher_with`, values are
always parameters. A fragment alone is not a statement: ``tests/controls`` sends every
assembled statement of the example forms through FalkorDB's planner instead.

Two FalkorDB 4.x behaviours shape these texts (both checked by the tests):

* ``OPTIONAL MATCH (x) WITH x WHERE x IS NULL`` loses its filter; the idempotency guard counts
  instead (``CALL { … RETURN count(prev) AS seen } WITH sub, seen WHERE seen = 0``).
* A pattern comprehension whose relationship type did not exist when the query text was first
  planned stays empty for as long as the plan is cached; related facts are therefore read with
  ``CALL { WITH x MATCH … RETURN collect(…) }``, never ``[(a)-[:T]->(b) | …]``.

Optional parts are counted and collected in ``CALL`` subqueries so that no aggregate ever sees a
null (Neo4j reports each one it skips; ``docs/cypher.md``).
"""

from __future__ import annotations

from typing import LiteralString

# --- the submission statement ----------------------------------------------------------------
# One statement writes a batch of submissions of one form, one row ``sub`` each (its
# parameters): guard (replay or missing place → that row ends, nothing of it is written;
# places are looked up one by one so each is an index seek), the :Submission node, the
# subject, then one CALL per address and per related group. Variables carried throughout: sub,
# s (the submission), places, subject.

SUBMISSION_OPEN: LiteralString = (
    "UNWIND $submissions AS sub "
    "CALL { WITH sub MATCH (prev:Submission {id: sub.submissionId}) RETURN count(prev) AS seen } "
    "WITH sub, seen WHERE seen = 0 "
    "CALL { WITH sub UNWIND sub.placeCodes AS code MATCH (pl:Place {placeCode: code}) "
    "RETURN collect(pl) AS places } "
    "WITH sub, places WHERE size(places) = size(sub.placeCodes) "
    "CALL { WITH sub MATCH (form:Form {id: sub.formId, version: sub.formVersion}) "
    "RETURN collect(form) AS forms } "
    "CREATE (s:Submission {id: sub.submissionId, form: sub.formId, "
    "formVersion: sub.formVersion, at: sub.at, author: sub.author, "
    "authorPerson: sub.authorPerson, channel: sub.channel, task: sub.task}) "
    "FOREACH (f IN forms | CREATE (s)-[:USED_FORM]->(f)) "
)

# An entity (the subject, or one related row): ``row`` = {key, props}. It is looked up as
# ``old``; a value of ``old`` that changes first goes to a :PastValue (value, the submission
# that had asserted it and when, until now, replaced by whom; sources are read only when
# something changes). A new entity is created with its labels and values in the CREATE
# itself, an existing one takes ``row.props`` and its labels in one SET: FalkorDB 4.x spends
# time that grows with the graph (about 1 ms per 100,000 nodes) on any SET of a node created
# in the same statement. Then the entity, found again as ``e``, is linked to the submission
# with the keys it asserted. ``{carry}``: the variables the statement carries at that point.
SUBJECT_ROW: LiteralString = "WITH sub, s, places, sub.subject AS row "
CARRY_SUBJECT: LiteralString = "sub, s, places"
CARRY_RELATED: LiteralString = "sub, s, places, subject"
ENTITY_FIND_TEMPLATE: LiteralString = "OPTIONAL MATCH (old:{top} {{{key}: row.key}}) "
ENTITY_CHANGED: LiteralString = (
    ", row, old, CASE WHEN old IS NULL THEN [] ELSE "
    "[k IN keys(row.props) WHERE old[k] IS NOT NULL AND old[k] <> row.props[k]] END AS changed "
)
ENTITY_HISTORY: LiteralString = (
    "CALL { WITH sub, old, row, changed WITH sub, old, row, changed WHERE size(changed) > 0 "
    "CALL { WITH old MATCH (old)-[a:ASSERTED_BY]->(o:Submission) "
    "RETURN collect([a.keys, o.id, a.at]) AS asserted } "
    "FOREACH (c IN [k IN changed | "
    "{key: k, value: old[k], src: reduce(b = [null, ''], x IN asserted | "
    "CASE WHEN k IN x[0] AND x[2] > b[1] THEN [x[1], x[2]] ELSE b END)}] | "
    "CREATE (old)-[:HAD_VALUE]->(:PastValue {key: c.key, value: c.value, source: c.src[0], "
    "since: CASE c.src[1] WHEN '' THEN null ELSE c.src[1] END, until: sub.at, "
    "replacedBy: sub.submissionId})) } "
)
ENTITY_CREATE_TEMPLATE: LiteralString = (
    "FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END | CREATE (:{top}"
)
LABEL_TEMPLATE: LiteralString = ":{label}"
ENTITY_CREATE_KEY_TEMPLATE: LiteralString = " {{{key}: row.key"
ENTITY_CREATE_VALUE_TEMPLATE: LiteralString = ", {name}: row.props.{name}"
ENTITY_CREATE_CLOSE: LiteralString = "})) "
ENTITY_UPDATE: LiteralString = (
    "FOREACH (o IN CASE WHEN old IS NULL THEN [] ELSE [old] END | SET o += row.props"
)
ENTITY_UPDATE_LABELS: LiteralString = ", o"
ENTITY_UPDATE_CLOSE: LiteralString = ") "
ENTITY_AGAIN_TEMPLATE: LiteralString = (
    ", row MATCH (e:{top} {{{key}: row.key}}) "
    "CREATE (e)-[:ASSERTED_BY {{keys: keys(row.props), at: sub.at}}]->(s) "
)
SUBJECT_DONE: LiteralString = "WITH sub, s, places, e AS subject "

# An address: end the current relation to another place (when the form says so), update the
# current one to this place, or create it. $groups.<slot> = {code, props, start, end}: the
# relation's answered attributes, and its start (``since``) and end (``until``) stamps.
ADDRESS_OPEN_TEMPLATE: LiteralString = (
    "CALL {{ WITH sub, s, places, subject "
    "WITH sub, subject, [p IN places WHERE p.placeCode = sub.groups.{slot}.code] AS target "
)
ADDRESS_END_PREVIOUS_TEMPLATE: LiteralString = (
    "CALL {{ WITH sub, subject, target MATCH (subject)-[old:{rel}]->(op:Place) "
    "WHERE old.until IS NULL AND size(target) > 0 AND NOT op IN target "
    "SET old += sub.groups.{slot}.end, old.endedBy = sub.submissionId }} "
)
ADDRESS_SET_TEMPLATE: LiteralString = (
    "CALL {{ WITH subject, target MATCH (subject)-[cur:{rel}]->(cp:Place) "
    "WHERE cur.until IS NULL AND cp IN target RETURN collect(cur) AS current }} "
    "FOREACH (r IN current | SET r += sub.groups.{slot}.props, "
    "r.assertedBy = sub.submissionId, r.assertedAt = sub.at) "
    "FOREACH (p IN CASE WHEN size(current) = 0 THEN target ELSE [] END | "
    "CREATE (subject)-[r:{rel}]->(p) SET r += sub.groups.{slot}.start, "
    "r += sub.groups.{slot}.props, r.assertedBy = sub.submissionId, r.assertedAt = sub.at) }} "
)

# Related entities: $groups.<slot> = [{key, props, rel}], matched by identity key.
RELATED_OPEN_TEMPLATE: LiteralString = (
    "CALL {{ WITH sub, s, places, subject UNWIND sub.groups.{slot} AS row "
)
RELATED_ROW: LiteralString = "WITH sub, s, places, subject, row, e "
RELATED_OUTGOING_TEMPLATE: LiteralString = "MERGE (subject)-[r:{rel}]->(e) "
RELATED_INCOMING_TEMPLATE: LiteralString = "MERGE (e)-[r:{rel}]->(subject) "
RELATED_CLOSE: LiteralString = (
    "SET r += row.rel, r.assertedBy = sub.submissionId, r.assertedAt = sub.at } "
)

SUBMISSION_CLOSE: LiteralString = "RETURN s.id AS submission"

# --- prefill -----------------------------------------------------------------------------------

PREFILL_OPEN_TEMPLATE: LiteralString = (
    "MATCH (e:{top} {{{key}: $key}}) "
    "CALL {{ WITH e MATCH (e)-[a:ASSERTED_BY]->(o:Submission) "
    "RETURN collect([a.keys, a.at, o.id, o.form]) AS asserted }} "
)
PREFILL_ADDRESS_TEMPLATE: LiteralString = (
    "CALL {{ WITH e MATCH (e)-[r:{rel}]->(t:Place) WHERE r.until IS NULL "
    "CALL {{ WITH t MATCH (t)-[:PART_OF*1..8]->(up:Place) "
    "RETURN collect([up.placeCode, up.name, up.level]) AS path }} "
    "RETURN collect([properties(r), properties(t), path]) AS {slot} }} "
)
PREFILL_RELATED_OUTGOING_TEMPLATE: LiteralString = (
    "CALL {{ WITH e MATCH (e)-[r:{rel}]->(t:{top}) WHERE r.until IS NULL "
)
PREFILL_RELATED_INCOMING_TEMPLATE: LiteralString = (
    "CALL {{ WITH e MATCH (e)<-[r:{rel}]-(t:{top}) WHERE r.until IS NULL "
)
PREFILL_RELATED_CLOSE_TEMPLATE: LiteralString = (
    "CALL {{ WITH t MATCH (t)-[a:ASSERTED_BY]->(o:Submission) "
    "RETURN collect([a.keys, a.at, o.id, o.form]) AS facts }} "
    "RETURN collect([properties(r), properties(t), facts]) AS {slot} }} "
)
PREFILL_RETURN: LiteralString = "RETURN properties(e) AS subject, asserted"
PREFILL_RETURN_SLOT_TEMPLATE: LiteralString = ", {slot}"

# Where a subject is: its current places through the relation an address field writes.
SUBJECT_PLACES_TEMPLATE: LiteralString = (
    "MATCH (e:{top} {{{key}: $key}}) "
    "CALL {{ WITH e MATCH (e)-[r:{rel}]->(p:Place) WHERE r.until IS NULL "
    "RETURN collect(p.placeCode) AS places }} "
    "RETURN places"
)
