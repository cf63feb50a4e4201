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

# The tail of a principal read (lower case: a fragment, not a statement): an official's current
# posts, each with its organization's current jurisdiction, in the same statement as the
# principal: one round trip per request.
principal_with_posts: LiteralString = (
    "OPTIONAL MATCH (p:Person {idNumber: pr.person}) WHERE pr.kind = 'official' "
    "OPTIONAL MATCH (p)-[h:HOLDS_POST_IN]->(o:Organization) WHERE h.until IS NULL "
    "OPTIONAL MATCH (o)-[j:HAS_JURISDICTION_OVER]->(pl:Place) WHERE j.until IS NULL "
    "WITH pr, o, h, collect(pl.placeCode) AS places "
    "RETURN pr.id AS id, pr.kind AS kind, pr.name AS name, pr.roles AS roles, "
    "pr.person AS person, "
    "collect(CASE WHEN o IS NULL THEN NULL ELSE [o.creditCode, h.role, h.tags, places] END) "
    "AS posts"
)
"""The tail reading a principal (``pr``) with its current posts. Matches and aggregation, not
pattern comprehensions: FalkorDB 4.x caches a comprehension's plan with the relationship
attributes that existed when it was first planned, so posts read before any post had a role
kept ``role: null`` after posts were written (until the server restarted)."""

PRINCIPAL_BY_TOKEN: LiteralString = (
    "MATCH (t:ApiToken {hash: $hash})-[:AUTHENTICATES]->(pr:Principal) "
    "WHERE t.revoked = false " + principal_with_posts
)

PRINCIPAL_BY_ID: LiteralString = "MATCH (pr:Principal {id: $id}) " + principal_with_posts

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

# --- who can do what (access/explain.py) ------------------------------------------------------
# Every answer is limited to the explainer's place scope, $scopeRoots (``[""]``: everywhere): a
# person is in it by a current residence there or a post in an organization in it; an
# organization by the places it has jurisdiction over, all of them there (or, having none, by
# its location). Out of scope and missing answer alike.


def _in_scope(code: LiteralString) -> LiteralString:
    return "size([root IN $scopeRoots WHERE " + code + " STARTS WITH root]) > 0"


def _organization_in_scope(carried: LiteralString) -> LiteralString:
    """Keep the rows (``o`` and ``carried``) whose organization ``o`` is in scope."""
    return (
        "CALL { WITH o MATCH (o)-[j:HAS_JURISDICTION_OVER]->(jp:Place) WHERE j.until IS NULL "
        "RETURN collect(DISTINCT jp) AS governed } "
        "CALL { WITH o MATCH (o)-[l:LOCATED_AT]->(lp:Place) WHERE l.until IS NULL "
        "RETURN collect(DISTINCT lp.placeCode) AS located } "
        "WITH " + carried + ", o, governed, located "
        "WHERE CASE WHEN size(governed) > 0 "
        "THEN size([g IN governed WHERE NOT " + _in_scope("g.placeCode") + "]) = 0 "
        "ELSE size([c IN located WHERE " + _in_scope("c") + "]) > 0 END "
    )


def _principals_of(person: LiteralString) -> LiteralString:
    """``principals``: the ids of the principals acting as ``person``."""
    return (
        "CALL { WITH " + person + " MATCH (pr:Principal)-[:ACTS_AS]->(" + person + ") "
        "RETURN collect(pr.id) AS principals } "
    )


# A person, the principals acting as them, and how many of their current homes are in scope.
PERSON_SUMMARY: LiteralString = (
    "MATCH (p:Person {idNumber: $person}) "
    "CALL { WITH p MATCH (p)-[r:RESIDES_IN]->(home:Place) WHERE r.until IS NULL AND "
    + _in_scope("home.placeCode")
    + " RETURN count(home) AS homes } "
    + _principals_of("p")
    + "RETURN p.name AS name, homes, principals"
)

# The posts a person holds now in organizations in scope, with their names and jurisdiction.
POSTS_EXPLAINED: LiteralString = (
    "MATCH (:Person {idNumber: $person})-[h:HOLDS_POST_IN]->(o:Organization) "
    "WHERE h.until IS NULL "
    + _organization_in_scope("h")
    + "RETURN o.creditCode AS organization, o.name AS organizationName, h.role AS role, "
    "h.tags AS tags, [g IN governed | {code: g.placeCode, name: g.name}] AS places"
)

ORGANIZATION_EXPLAINED: LiteralString = (
    "MATCH (o:Organization {creditCode: $org}) "
    + _organization_in_scope("o.name AS name")
    + "RETURN name, [g IN governed | {code: g.placeCode, name: g.name}] AS places"
)

ROLES_HELD: LiteralString = (
    "MATCH (:Person)-[h:HOLDS_POST_IN]->(:Organization) WHERE h.until IS NULL "
    "RETURN DISTINCT h.role AS role"
)

# Current post holders in organizations in scope: in $org, or holding one of $roles, or
# carrying $tag.
POST_HOLDERS: LiteralString = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:Organization) WHERE h.until IS NULL "
    "AND (o.creditCode = $org OR h.role IN $roles OR $tag IN coalesce(h.tags, [])) "
    + _organization_in_scope("p, h")
    + _principals_of("p")
    + "RETURN p.idNumber AS person, p.name AS name, o.creditCode AS organization, "
    "o.name AS organizationName, h.role AS role, h.tags AS tags, principals "
    "ORDER BY organization, role, person"
)

PRINCIPALS_WITH_ROLES: LiteralString = (
    "MATCH (pr:Principal) WHERE size([r IN coalesce(pr.roles, []) WHERE r IN $roles]) > 0 "
    "RETURN pr.id AS id, pr.kind AS kind, pr.name AS name ORDER BY id"
)

# Officials whose posts' jurisdiction covers one of $places (a place or an ancestor of it):
# listed when that jurisdiction lies in scope, else counted only (``person`` null).
JURISDICTION_HOLDERS: LiteralString = (
    "UNWIND $places AS code "
    "MATCH (pl:Place {placeCode: code})-[:PART_OF*0..12]->(a:Place)"
    "<-[j:HAS_JURISDICTION_OVER]-(o:Organization)<-[h:HOLDS_POST_IN]-(p:Person) "
    "WHERE j.until IS NULL AND h.until IS NULL "
    "WITH DISTINCT p, o, a, h, " + _in_scope("a.placeCode") + " AS listed "
    "CALL { WITH p, listed MATCH (pr:Principal)-[:ACTS_AS]->(p) WHERE listed "
    "RETURN collect(DISTINCT pr.id) AS principals } "
    "RETURN CASE WHEN listed THEN p.idNumber END AS person, "
    "CASE WHEN listed THEN p.name END AS name, o.creditCode AS organization, "
    "o.name AS organizationName, a.placeCode AS place, a.name AS placeName, h.role AS role, "
    "h.tags AS tags, principals ORDER BY place, organization, person"
)

# The resident principals of $persons (a household) who live in scope now.
RESIDENT_PRINCIPALS: LiteralString = (
    "MATCH (pr:Principal)-[:ACTS_AS]->(p:Person)-[r:RESIDES_IN]->(home:Place) "
    "WHERE pr.kind = 'resident' AND p.idNumber IN $persons AND r.until IS NULL AND "
    + _in_scope("home.placeCode")
    + " RETURN DISTINCT pr.id AS id, p.idNumber AS person, p.name AS name ORDER BY id"
)

# The identity keys of a person's household: the person, those linked by household headship
# (either way, or under the same head) and those living at the same place now.
HOUSEHOLD: LiteralString = (
    "MATCH (me:Person {idNumber: $person}) "
    "CALL { WITH me MATCH (me)-[h:HOUSEHOLD_HEAD_OF]-(d:Person) WHERE h.until IS NULL "
    "RETURN collect(d.idNumber) AS direct } "
    "CALL { WITH me "
    "MATCH (me)<-[h1:HOUSEHOLD_HEAD_OF]-(:Person)-[h2:HOUSEHOLD_HEAD_OF]->(m:Person) "
    "WHERE h1.until IS NULL AND h2.until IS NULL RETURN collect(m.idNumber) AS mates } "
    "CALL { WITH me MATCH (me)-[r1:RESIDES_IN]->(:Place)<-[r2:RESIDES_IN]-(hm:Person) "
    "WHERE r1.until IS NULL AND r2.until IS NULL RETURN collect(hm.idNumber) AS housemates } "
    "RETURN [me.idNumber] + direct + mates + housemates AS household"
)

# --- web console passwords (argon2 hashes, see access/tokens.py) --------------------------------

SET_PASSWORD: LiteralString = (
    "MATCH (pr:Principal {id: $id}) SET pr.passwordHash = $hash, pr.passwordSetAt = $now "
    "RETURN pr.id AS id"
)

SIGN_IN_STANDS: LiteralString = (
    "MATCH (pr:Principal {id: $id}) "
    "OPTIONAL MATCH (t:ApiToken {hash: $hash})-[:AUTHENTICATES]->(pr) WHERE t.revoked = false "
    "RETURN pr.passwordSetAt AS passwordSetAt, count(t) AS tokens"
)

PASSWORD_HASH: LiteralString = (
    "MATCH (pr:Principal {id: $id}) WHERE pr.passwordHash IS NOT NULL "
    "RETURN pr.passwordHash AS hash"
)
