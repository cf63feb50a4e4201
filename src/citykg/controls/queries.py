"""The fixed Cypher of the form controls: form storage, submissions, places, households.

The statements a form compiles to are assembled per form from :mod:`citykg.controls.fragments`.
"""

from __future__ import annotations

from typing import LiteralString

HOUSEHOLD_LINKS: LiteralString = (
    "MATCH (me:Person {idNumber: $me}), (other:Person {idNumber: $other}) "
    "OPTIONAL MATCH (me)-[h:HOUSEHOLD_HEAD_OF]-(other) "
    "OPTIONAL MATCH (me)<-[h1:HOUSEHOLD_HEAD_OF]-(head:Person)-[h2:HOUSEHOLD_HEAD_OF]->(other) "
    "OPTIONAL MATCH (me)-[r1:RESIDES_IN]->(home:Place)<-[r2:RESIDES_IN]-(other) "
    "WHERE r1.until IS NULL AND r2.until IS NULL "
    "RETURN count(h) + count(h2) + count(home) AS links"
)

SUBMISSION: LiteralString = (
    "MATCH (s:Submission {id: $id}) "
    "RETURN s.form AS form, s.formVersion AS formVersion, s.at AS at, s.author AS author"
)

PLACES_PRESENT: LiteralString = (
    "MATCH (p:Place) WHERE p.placeCode IN $codes RETURN collect(p.placeCode) AS codes"
)

SAVE_FORM: LiteralString = (
    "OPTIONAL MATCH (f:Form {id: $id}) "
    "WITH f ORDER BY f.version DESC LIMIT 1 "
    "WITH CASE WHEN f.digest = $digest THEN f.version END AS unchanged, "
    "coalesce(f.version, 0) + 1 AS next "
    "FOREACH (once IN CASE WHEN unchanged IS NULL THEN [1] ELSE [] END | "
    "CREATE (:Form {id: $id, version: next, digest: $digest, subject: $subject, title: $title, "
    "titleEn: $titleEn, definition: $definition, terms: $terms, savedAt: $at, savedBy: $author})) "
    "RETURN coalesce(unchanged, next) AS version, unchanged IS NULL AS created"
)

FORM: LiteralString = (
    "MATCH (f:Form {id: $id}) WHERE $version IS NULL OR f.version = $version "
    "RETURN f.version AS version, f.digest AS digest, f.definition AS definition "
    "ORDER BY f.version DESC LIMIT 1"
)

LATEST_FORMS: LiteralString = (
    "MATCH (f:Form) WITH f.id AS id, max(f.version) AS version "
    "MATCH (f:Form {id: id, version: version}) "
    "RETURN f.id AS id, f.version AS version, f.title AS title, f.titleEn AS titleEn, "
    "f.subject AS subject, f.savedAt AS savedAt, f.savedBy AS savedBy ORDER BY id"
)

FORMS_WRITING: LiteralString = (
    "MATCH (f:Form) WITH f.id AS id, max(f.version) AS version "
    "MATCH (f:Form {id: id, version: version}) WHERE $term IN f.terms "
    "RETURN f.version AS version, f.definition AS definition ORDER BY f.id"
)

# Of the entities a submission names ($keys, of one top class), those already in the graph, and
# whether the writer reaches each: hanging off a place in their scope now, linked now to the
# submission's subject, or of their household.
REACH_TEMPLATE: LiteralString = (
    "UNWIND $keys AS k MATCH (x:{top} {{{key}: k}}) "
    "OPTIONAL MATCH (x)-[r]->(pl:Place) WHERE r.until IS NULL "
    "AND size([root IN $scopeRoots WHERE pl.placeCode STARTS WITH root]) > 0 "
    "WITH x, k, count(pl) AS placed "
    "OPTIONAL MATCH (x)-[l]-(s:{subject_top} {{{subject_key}: $subject}}) WHERE l.until IS NULL "
    "WITH k, placed, count(l) AS linked "
    "RETURN k AS key, placed > 0 OR linked > 0 OR k IN $household AS reachable"
)
