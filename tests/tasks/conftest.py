"""Tasks fixtures: the demo fixture city with a district department, street offices and
community workers holding posts, the example forms, and principals acting through them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from citykg.access import Principal, principal, save_principal
from citykg.controls import load_examples
from citykg.demo import load_fixture
from citykg.demo import queries as demo_queries
from citykg.geo import ensure_geo_schema
from citykg.graph import GraphStore
from citykg.ledgers import Catalog, catalog_for
from citykg.ontology import Ontology, compile_graph_schema, load_ontology
from citykg.ontology.checkrules import gb32100_check_char
from citykg.settings import Settings
from citykg.tasks import ensure_tasks_schema
from tests.controls.scenario import SERVICE, person_id

DISTRICT = "110105"
STREET_A, STREET_B = "110105001", "110105002"
COMMUNITY_A1, COMMUNITY_A2 = "110105001001", "110105001002"

ADD_OFFICES = (
    "UNWIND $rows AS row MATCH (pl:Place {placeCode: row.place}) "
    "CREATE (o:Organization {creditCode: row.org, name: row.name}) SET o:SubdistrictOffice "
    "CREATE (o)-[:HAS_JURISDICTION_OVER {since: '2000-01-01'}]->(pl)"
)
ADD_OFFICIALS = (
    "UNWIND $rows AS row MATCH (o:Organization {creditCode: row.org}) "
    "CREATE (p:Person {idNumber: row.person, name: row.name}) "
    "CREATE (p)-[:HOLDS_POST_IN {role: row.role, since: '2024-01-01', tags: []}]->(o)"
)
WORKERS = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:ResidentsCommittee)-[:HAS_JURISDICTION_OVER]->"
    "(c:Community) RETURN c.placeCode AS community, o.creditCode AS org, p.idNumber AS person "
    "ORDER BY community"
)


@dataclass(frozen=True)
class TaskCity:
    """The graph, the catalog, and who acts: the district creator, street and community posts."""

    store: GraphStore
    catalog: Catalog
    ontology: Ontology
    district: Principal
    street_a: Principal
    street_b: Principal
    workers: dict[str, Principal]
    committees: dict[str, str]
    offices: dict[str, str]

    def reload(self, who: Principal) -> Principal:
        return principal(self.store, who.id)


def credit(serial: int) -> str:
    first17 = f"11110105MB{serial:07d}"
    return first17 + gb32100_check_char(first17)


@pytest.fixture(scope="session")
def ontology() -> Ontology:
    return load_ontology(Settings().ontology_dir)


@pytest.fixture
def city(store: GraphStore, ontology: Ontology) -> TaskCity:
    store.apply_schema(compile_graph_schema(ontology))
    ensure_geo_schema(store)
    ensure_tasks_schema(store)
    load_fixture(store)
    load_examples(store, ontology=ontology, principal=SERVICE)
    offices = {DISTRICT: credit(1), STREET_A: credit(2), STREET_B: credit(3)}
    store.write(ADD_OFFICES, {"rows": [
        {"place": DISTRICT, "org": offices[DISTRICT], "name": "朝阳区民政局"},
        {"place": STREET_A, "org": offices[STREET_A], "name": "建外街道办事处"},
        {"place": STREET_B, "org": offices[STREET_B], "name": "朝外街道办事处"},
    ]})  # fmt: skip
    officials = [("d", DISTRICT, "BM03", "19700101"), ("sa", STREET_A, "JD04", "19750202"),
                 ("sb", STREET_B, "JD04", "19760303")]  # fmt: skip
    store.write(ADD_OFFICIALS, {"rows": [
        {"org": offices[place], "person": person_id(born, 901), "name": f"官员{pid}", "role": role}
        for pid, place, role, born in officials
    ]})  # fmt: skip
    for pid, _place, _role, born in officials:
        save_principal(store, id=pid, kind="official", name=pid, person=person_id(born, 901))
    workers, committees = {}, {}
    for row in store.read(WORKERS):
        committees[row["community"]] = row["org"]
        wid = f"w{row['community']}"
        save_principal(store, id=wid, kind="official", name=wid, person=row["person"])
        workers[row["community"]] = principal(store, wid)
    assert store.read(demo_queries.COUNT_CITY_NODES)[0]["n"] > 0
    return TaskCity(store, catalog_for(ontology), ontology, principal(store, "d"),
                    principal(store, "sa"), principal(store, "sb"), workers, committees,
                    offices)  # fmt: skip
