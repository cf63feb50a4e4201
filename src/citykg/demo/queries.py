"""The Cypher the demo fixture writes with."""

from __future__ import annotations

from typing import LiteralString

COUNT_CITY_NODES: LiteralString = (
    "MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:OntologyRelease RETURN count(n) AS n"
)

# {label} and {group} are place classes from the ontology, filled by cypher_with().
MERGE_PLACES: LiteralString = (
    "UNWIND $rows AS row "
    "MERGE (p:Place {{placeCode: row.code}}) "
    "SET p:{label}:{group}, p.name = row.name, p.level = row.level, p.source = $source "
    "WITH p, row MATCH (parent:Place {{placeCode: row.parent}}) "
    "MERGE (p)-[:PART_OF]->(parent) "
    "RETURN count(p) AS places"
)

MERGE_ROOT_PLACE: LiteralString = (
    "MERGE (p:Place:Province:AdministrativeDivision {placeCode: $code}) "
    "SET p.name = $name, p.level = 1, p.source = $source"
)

MERGE_RESIDENTS: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (door:Place {placeCode: row.door}) "
    "MERGE (p:Person {idNumber: row.idNumber}) "
    "SET p:Resident, p.name = row.name, p.gender = row.gender, p.birthDate = row.birthDate, "
    "p.source = $source "
    "MERGE (p)-[r:RESIDES_IN]->(door) "
    "SET r.since = row.since, r.residenceType = row.residenceType "
    "RETURN count(p) AS persons"
)

MERGE_COMMITTEES: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (community:Place {placeCode: row.community}) "
    "MERGE (o:Organization {creditCode: row.creditCode}) "
    "SET o:ResidentsCommittee, o.name = row.name, o.source = $source "
    "MERGE (o)-[:HAS_JURISDICTION_OVER]->(community) "
    "MERGE (o)-[:LOCATED_AT]->(community) "
    "RETURN count(o) AS organizations"
)

MERGE_POSTS: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (p:Person {idNumber: row.person}), (o:Organization {creditCode: row.organization}) "
    "SET p:Official:CommunityWorker "
    "MERGE (p)-[h:HOLDS_POST_IN]->(o) "
    "SET h.role = row.role, h.tags = row.tags, h.since = row.since, h.postTitle = row.title "
    "RETURN count(h) AS posts"
)

FIRST_RESIDENT_PER_COMMITTEE: LiteralString = (
    "MATCH (o:ResidentsCommittee)-[:HAS_JURISDICTION_OVER]->(c:Community) "
    "MATCH (p:Person)-[:RESIDES_IN]->(:Door)-[:PART_OF*1..4]->(c) "
    "WITH o, c, p ORDER BY p.idNumber "
    "WITH o, c, collect(p)[0] AS first "
    "RETURN o.creditCode AS organization, c.name AS community, first.idNumber AS person, "
    "first.name AS name ORDER BY c.placeCode"
)

SOME_RESIDENT: LiteralString = (
    "MATCH (p:Person)-[:RESIDES_IN]->(:Door) WHERE NOT p:Official "
    "RETURN p.idNumber AS person, p.name AS name ORDER BY p.idNumber DESC LIMIT 1"
)
