"""The Cypher the access area owns."""

from __future__ import annotations

from typing import LiteralString

MERGE_PRINCIPAL: LiteralString = (
    "MERGE (pr:Principal {id: $id}) "
    "SET pr.kind = $kind, pr.name = $name, pr.roles = $roles, pr.person = $person, "
    "pr.updatedAt = $now "
    "WITH pr OPTIONAL MATCH (pr)-[old:ACTS_AS]->() DELETE old "
    "WITH DISTINCT pr OPTIONAL MATCH (p:Person {idNumber: $person}) "
    "FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | MERGE (pr)-[:ACTS_AS]->(p)) "
    "RETURN pr.id AS id, p IS NOT NULL AS linked"
)

ADD_TOKEN: LiteralString = (
    "MATCH (pr:Principal {id: $id}) "
    "CREATE (t:ApiToken {hash: $hash, label: $label, createdAt: $now, revoked: false}) "
    "CREATE (t)-[:AUTHENTICATES]->(pr) RETURN t.hash AS hash"
)

REVOKE_TOKENS: LiteralString = (
    "MATCH (t:ApiToken)-[:AUTHENTICATES]->(:Principal {id: $id}) "
    "SET t.revoked = true RETURN count(t) AS revoked"
)

PRINCIPAL_BY_TOKEN: LiteralString = (
    "MATCH (t:ApiToken {hash: $hash})-[:AUTHENTICATES]->(pr:Principal) "
    "WHERE t.revoked = false "
    "RETURN pr.id AS id, pr.kind AS kind, pr.name AS name, pr.roles AS roles, "
    "pr.person AS person"
)

PRINCIPAL_BY_ID: LiteralString = (
    "MATCH (pr:Principal {id: $id}) "
    "RETURN pr.id AS id, pr.kind AS kind, pr.name AS name, pr.roles AS roles, "
    "pr.person AS person"
)

CURRENT_POSTS: LiteralString = (
    "MATCH (p:Person {idNumber: $person})-[h:HOLDS_POST_IN]->(o:Organization) "
    "WHERE h.until IS NULL "
    "OPTIONAL MATCH (o)-[j:HAS_JURISDICTION_OVER]->(pl:Place) "
    "WHERE j.until IS NULL "
    "RETURN o.creditCode AS organization, h.role AS role, h.tags AS tags, "
    "collect(pl.placeCode) AS places"
)

ADD_AUDIT_RECORD: LiteralString = (
    "CREATE (a:AuditRecord {at: $at, principal: $principal, action: $action, target: $target, "
    "fields: $fields, purpose: $purpose, detail: $detail})"
)

RECENT_AUDIT_RECORDS: LiteralString = (
    "MATCH (a:AuditRecord) WHERE $principal IS NULL OR a.principal = $principal "
    "RETURN a.at AS at, a.principal AS principal, a.action AS action, a.target AS target, "
    "a.fields AS fields, a.purpose AS purpose, a.detail AS detail "
    "ORDER BY a.at DESC LIMIT $limit"
)
