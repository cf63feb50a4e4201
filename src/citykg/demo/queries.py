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
    "MATCH (door:Door {placeCode: row.door}) "
    "MERGE (p:Person {idNumber: row.idNumber}) "
    "SET p:Resident, p.name = row.name, p.gender = row.gender, p.birthDate = row.birthDate, "
    "p.source = $source "
    "MERGE (p)-[r:RESIDES_IN]->(door) "
    "SET r.since = row.since, r.residenceType = row.residenceType "
    "RETURN count(p) AS persons"
)

MERGE_COMMITTEES: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (community:Community {placeCode: row.community}) "
    "MERGE (o:Organization {creditCode: row.creditCode}) "
    "SET o:ResidentsCommittee, o.name = row.name, o.source = $source "
    "MERGE (o)-[:HAS_JURISDICTION_OVER]->(community) "
    "MERGE (o)-[:LOCATED_AT]->(community) "
    "RETURN count(o) AS organizations"
)
