"""The Cypher the demo fixture writes with."""

from __future__ import annotations

from typing import LiteralString

COUNT_CITY_NODES: LiteralString = (
    "MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:OntologyRelease AND NOT n:EventTallyState "
    "RETURN count(n) AS n"
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
    "WITH o, c, p ORDER BY p.name, p.idNumber "
    "WITH o, c, collect(p)[0] AS first "
    "RETURN o.creditCode AS organization, c.name AS community, first.idNumber AS person, "
    "first.name AS name ORDER BY c.placeCode"
)

# The demo's community worker: a post holder of the first residents' committee (by place code).
COMMITTEE_WORKER: LiteralString = (
    "MATCH (o:ResidentsCommittee)-[:HAS_JURISDICTION_OVER]->(c:Community) "
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o) WHERE h.until IS NULL "
    "RETURN c.name AS community, p.idNumber AS person, p.name AS name "
    "ORDER BY c.placeCode, h.role, p.name LIMIT 1"
)

SOME_RESIDENT: LiteralString = (
    "MATCH (p:Person)-[:RESIDES_IN]->(:Door) WHERE NOT p:Official "
    "RETURN p.idNumber AS person, p.name AS name ORDER BY p.idNumber DESC LIMIT 1"
)

# --- the generated city (citykg.demo.generate) -------------------------------------------------
# {label} and {group} are place classes; {top}, {a}, {b}, {c} an entity's labels (a class and
# its ancestors, the leaf repeated when the lineage is shorter), all filled by cypher_with().

CREATE_PREMISES: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (parent:Place {{placeCode: row.parent}}) "
    "CREATE (p:Place:{label}:{group} {{placeCode: row.code, name: row.name, level: row.level, "
    "number: row.number, codeHighWater: row.highWater, source: $source}})-[:PART_OF]->(parent)"
)

SET_HIGH_WATER: LiteralString = (
    "UNWIND $rows AS row MATCH (p:Place {placeCode: row.code}) SET p.codeHighWater = row.highWater"
)

CREATE_PERSONS: LiteralString = (
    "UNWIND $rows AS row "
    "CREATE (p:Person:Resident) SET p += row.props, p.source = $source "
    "FOREACH (_ IN CASE WHEN row.elderly THEN [1] ELSE [] END | SET p:ElderlyPerson) "
    "FOREACH (_ IN CASE WHEN row.minor THEN [1] ELSE [] END | SET p:Minor) "
    "FOREACH (_ IN CASE WHEN row.floating THEN [1] ELSE [] END | SET p:FloatingPerson)"
)

CREATE_ENTITIES: LiteralString = (
    "UNWIND $rows AS row CREATE (n:{top}) SET n:{a}:{b}:{c}, n += row.props, n.source = $source"
)

CREATE_RESIDES_IN: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (p:Person {idNumber: row.from}), (d:Place {placeCode: row.to}) "
    "CREATE (p)-[r:RESIDES_IN]->(d) SET r += row.props"
)

CREATE_SPOUSE_OF: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (a:Person {idNumber: row.from}), (b:Person {idNumber: row.to}) "
    "CREATE (a)-[r:SPOUSE_OF]->(b) SET r += row.props"
)

CREATE_PARENT_OF: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (a:Person {idNumber: row.from}), (b:Person {idNumber: row.to}) "
    "CREATE (a)-[r:PARENT_OF]->(b) SET r += row.props"
)

CREATE_HOUSEHOLD_HEAD_OF: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (a:Person {idNumber: row.from}), (b:Person {idNumber: row.to}) "
    "CREATE (a)-[r:HOUSEHOLD_HEAD_OF]->(b) SET r += row.props"
)

CREATE_HAS_JURISDICTION_OVER: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (o:Organization {creditCode: row.from}), (p:Place {placeCode: row.to}) "
    "CREATE (o)-[r:HAS_JURISDICTION_OVER]->(p) SET r += row.props"
)

CREATE_LOCATED_AT: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (o:Organization {creditCode: row.from}), (p:Place {placeCode: row.to}) "
    "CREATE (o)-[r:LOCATED_AT]->(p) SET r += row.props"
)

CREATE_HOLDS_POST_IN: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (p:Person {idNumber: row.from}), (o:Organization {creditCode: row.to}) "
    "SET p:Official "
    "FOREACH (_ IN CASE WHEN row.community THEN [1] ELSE [] END | SET p:CommunityWorker) "
    "FOREACH (_ IN CASE WHEN row.grid THEN [1] ELSE [] END | SET p:GridWorker) "
    "CREATE (p)-[r:HOLDS_POST_IN]->(o) SET r += row.props"
)

CREATE_OWNED_BY_PERSON: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (t:Thing {thingCode: row.from}), (p:Person {idNumber: row.to}) "
    "CREATE (t)-[r:OWNED_BY_PERSON]->(p) SET r += row.props"
)

CREATE_INSTALLED_AT: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (t:Thing {thingCode: row.from}), (p:Place {placeCode: row.to}) "
    "CREATE (t)-[r:INSTALLED_AT]->(p) SET r += row.props"
)

CREATE_MAINTAINED_BY: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (t:Thing {thingCode: row.from}), (o:Organization {creditCode: row.to}) "
    "CREATE (t)-[r:MAINTAINED_BY]->(o) SET r += row.props"
)

CREATE_OCCURRED_AT: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (e:Event {eventCode: row.from}), (p:Place {placeCode: row.to}) "
    "CREATE (e)-[r:OCCURRED_AT]->(p) SET r += row.props"
)

CREATE_REPORTED_BY: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (e:Event {eventCode: row.from}), (p:Person {idNumber: row.to}) "
    "CREATE (e)-[r:REPORTED_BY]->(p) SET r += row.props"
)
