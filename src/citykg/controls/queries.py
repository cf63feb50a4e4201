"""The fixed Cypher of the form controls: form storage, submissions, places, households.

The statements a form compiles to are assembled per form from :mod:`citykg.controls.fragments`.
"""

from __future__ import annotations

from typing import LiteralString

HOUSEHOLD_LINKS: LiteralString = (
    "MATCH (me:Person {idNumber: $me}), (other:Person {idNumber: $other}) "
    "CALL { WITH me, other MATCH (me)-[h:HOUSEHOLD_HEAD_OF]-(other) RETURN count(h) AS direct } "
    "CALL { WITH me, other "
    "MATCH (me)<-[h1:HOUSEHOLD_HEAD_OF]-(head:Person)-[h2:HOUSEHOLD_HEAD_OF]->(other) "
    "RETURN count(h2) AS shared } "
    "CALL { WITH me, other MATCH (me)-[r1:RESIDES_IN]->(home:Place)<-[r2:RESIDES_IN]-(other) "
    "WHERE r1.until IS NULL AND r2.until IS NULL RETURN count(home) AS homes } "
    "RETURN direct + shared + homes AS links"
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

# Of the entities a submission names ($keys, of one top class; one branch of a UNION ALL per
# class), as the graph holds them before the write: whether each exists, the places it hangs off
# now, and whether it is linked now to the submission's subject (the policy decides from these;
# citykg.access.policy).
WRITE_FACTS_TEMPLATE: LiteralString = (
    "UNWIND $keys AS k OPTIONAL MATCH (x:{top} {{{key}: k}}) "
    "CALL {{ WITH x MATCH (x)-[r]->(pl:Place) WHERE r.until IS NULL "
    "RETURN collect(pl.placeCode) AS places }} "
    "CALL {{ WITH x MATCH (x)-[l]-(s:{subject_top} {{{subject_key}: $subject}}) "
    "WHERE l.until IS NULL RETURN count(l) AS links }} "
    "RETURN k AS key, x IS NOT NULL AS exists, places, links > 0 AS linked"
)

# Held submissions (审核): a request waiting for an official's confirmation, a work item of the
# workflow kind held_submission (citykg.workflow moves it). MERGE on the submission id makes
# holding a replayed submission a no-op.
HOLD_SUBMISSION: LiteralString = (
    "MERGE (h:HeldSubmission {id: $id}) "
    "ON CREATE SET h.form = $form, h.formVersion = $formVersion, h.answers = $answers, "
    "h.author = $author, h.authorPerson = $authorPerson, h.channel = $channel, h.task = $task, "
    "h.at = $at, h.subject = $subject, h.reasonEn = $reasonEn, h.reasonZh = $reasonZh, "
    "h.confirmAt = $confirmAt, h.state = 'pending', h.stateSince = $at, h.stateSinceMs = $atMs "
    "RETURN h.at = $at AS created"
)

HELD_SUBMISSION: LiteralString = (
    "MATCH (h:HeldSubmission {id: $id}) "
    "RETURN h.id AS id, h.form AS form, h.formVersion AS formVersion, h.answers AS answers, "
    "h.author AS author, h.authorPerson AS authorPerson, h.channel AS channel, h.task AS task, "
    "h.at AS at, h.subject AS subject, h.reasonEn AS reasonEn, h.reasonZh AS reasonZh, "
    "h.confirmAt AS confirmAt, h.state AS state, h.decidedBy AS decidedBy, "
    "h.decidedAt AS decidedAt, h.note AS note"
)

# Pending ones an official may confirm (one of confirmAt under their scope roots) or a
# principal's own, newest first.
HELD_SUBMISSIONS: LiteralString = (
    "MATCH (h:HeldSubmission) WHERE ($state IS NULL OR h.state = $state) "
    "AND (h.author = $author OR size([code IN h.confirmAt WHERE "
    "size([root IN $scopeRoots WHERE code STARTS WITH root]) > 0]) > 0) "
    "RETURN h.id AS id, h.form AS form, h.formVersion AS formVersion, h.author AS author, "
    "h.at AS at, h.subject AS subject, h.reasonEn AS reasonEn, h.reasonZh AS reasonZh, "
    "h.confirmAt AS confirmAt, h.state AS state, h.decidedBy AS decidedBy, "
    "h.decidedAt AS decidedAt, h.note AS note ORDER BY h.at DESC LIMIT $limit"
)
