"""The generated demo city: realistic, valid against the ontology, consistent and deterministic."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from citykg.demo import prepare_demo
from citykg.demo.fixture import demo_principals
from citykg.demo.generate import (
    AS_OF,
    City,
    CitySummary,
    build_city,
    district_divisions,
    generate_city,
)
from citykg.demo.validation import as_relation, entity_rows, validate_city
from citykg.errors import NotFound, ValidationFailed
from citykg.graph import GraphStore
from citykg.ontology import (
    EntityInstance,
    Ontology,
    compile_validators,
    load_ontology,
)
from citykg.ontology.checkrules import is_valid_gb11643, is_valid_gb32100
from citykg.ontology.instances import instance_from_graph
from citykg.settings import Settings
from tests.backends import BACKENDS, backend_graph
from tests.ontology.reference import shacl_results

PERSONS = 2_000
DISTRICT = "110105"


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology(Settings().ontology_dir)


@pytest.fixture(scope="module")
def city() -> City:
    return build_city(district_divisions(DISTRICT), persons=PERSONS, seed=1)


@pytest.fixture(scope="module", params=BACKENDS)
def generated(request: pytest.FixtureRequest) -> Iterator[tuple[GraphStore, CitySummary]]:
    """The city generated once per backend."""
    store = backend_graph(request).store
    store.clear()
    seen: dict[str, int] = {}
    summary = generate_city(
        store,
        ontology=load_ontology(Settings().ontology_dir),
        persons=PERSONS,
        seed=1,
        district=DISTRICT,
        progress=lambda kind, n: seen.__setitem__(kind, seen.get(kind, 0) + n),
    )
    assert seen["persons"] == summary.nodes["Person"]
    yield store, summary
    store.clear()


def test_the_city_meets_the_target_and_has_every_kind(city: City) -> None:
    summary = city.summary()
    assert PERSONS <= summary.nodes["Person"] < PERSONS * 1.05
    for kind in ("Compound", "Door", "ResidentsCommittee", "SubdistrictOffice", "Car", "Camera"):
        assert summary.nodes[kind] > 0, kind
    for kind in ("HotlineCase", "Complaint", "Incident", "Shop", "School", "Hospital"):
        assert summary.nodes[kind] > 0, kind
    roles = {r["props"]["role"] for r in city.relations["HOLDS_POST_IN"]}
    assert {"SQ01", "SQ02", "SQ05", "WG02", "JD01", "JD02", "BM01", "BM05"} <= roles


def test_the_same_seed_gives_the_same_city_and_another_seed_another(city: City) -> None:
    again = build_city(district_divisions(DISTRICT), persons=PERSONS, seed=1)
    other = build_city(district_divisions(DISTRICT), persons=PERSONS, seed=2)
    assert again.persons == city.persons
    assert again.relations == city.relations
    assert again.premises == city.premises
    assert [p["props"]["idNumber"] for p in other.persons] != [
        p["props"]["idNumber"] for p in city.persons
    ]


def test_an_unknown_district_is_refused() -> None:
    with pytest.raises(NotFound):
        district_divisions("110199")


def test_id_numbers_agree_with_birth_date_gender_and_a_real_region(city: City) -> None:
    districts = {r.code for r in district_divisions(DISTRICT)} | _real_districts()
    ids = [p["props"]["idNumber"] for p in city.persons]
    assert len(set(ids)) == len(ids)
    for person in city.persons:
        props = person["props"]
        number = props["idNumber"]
        assert is_valid_gb11643(number), number
        assert number[6:14] == props["birthDate"].replace("-", "")
        assert props["gender"] == ("1" if int(number[16]) % 2 else "2")
        assert number[:6] in districts
        age = _age(date.fromisoformat(props["birthDate"]))
        assert person["elderly"] == (age >= 60) and person["minor"] == (age < 18)
        if "mobilePhone" in props:
            assert len(props["mobilePhone"]) == 11 and props["mobilePhone"][1] in "3456789"


def test_credit_codes_are_valid(city: City) -> None:
    codes = [o["props"]["creditCode"] for rows in city.organizations.values() for o in rows]
    assert len(set(codes)) == len(codes)
    assert all(is_valid_gb32100(code) for code in codes)


def test_a_sample_of_every_kind_passes_the_fast_validator(city: City, ontology: Ontology) -> None:
    validators = compile_validators(ontology)
    for instance in _sample_instances(city, ontology, per_kind=40):
        assert validators.validate(instance) == [], instance


def test_every_generated_entity_and_relation_is_validated_before_writing(
    city: City, ontology: Ontology
) -> None:
    validate_city(city, ontology)  # what generate_city runs before it writes anything
    broken = build_city(district_divisions(DISTRICT), persons=200, seed=2)
    broken.persons[7]["props"]["gender"] = "7"
    broken.relations["RESIDES_IN"][3]["props"]["residenceType"] = "nope"
    with pytest.raises(ValidationFailed) as refused:
        validate_city(broken, ontology)
    assert {v.path for v in refused.value.violations} == {"gender", "residesIn.residenceType"}


def test_a_small_sample_conforms_to_the_shacl_shapes(city: City, ontology: Ontology) -> None:
    instances = _sample_instances(city, ontology, per_kind=3)
    assert shacl_results(ontology, instances) == [[] for _ in instances]


def test_every_person_has_exactly_one_current_residence_at_a_door(
    generated: tuple[GraphStore, CitySummary],
) -> None:
    store, summary = generated
    rows = store.read(
        "MATCH (p:Person) OPTIONAL MATCH (p)-[r:RESIDES_IN]->(d:Door) WHERE r.until IS NULL "
        "WITH p, count(d) AS homes RETURN homes, count(p) AS persons"
    )
    assert rows == [{"homes": 1, "persons": summary.nodes["Person"]}]


def test_every_community_has_a_committee_with_jurisdiction(
    generated: tuple[GraphStore, CitySummary],
) -> None:
    store, _ = generated
    rows = store.read(
        "MATCH (c:Community) OPTIONAL MATCH (o:ResidentsCommittee)-[:HAS_JURISDICTION_OVER]->(c) "
        "WITH c, count(o) AS committees RETURN committees, count(c) AS communities"
    )
    assert len(rows) == 1 and rows[0]["committees"] == 1 and rows[0]["communities"] > 700


def test_family_relations_are_consistent(generated: tuple[GraphStore, CitySummary]) -> None:
    store, _ = generated
    (spouses,) = store.read(
        "MATCH (p:Person)-[:SPOUSE_OF]-(q:Person) WITH p, count(q) AS n, collect(q) AS qs "
        "RETURN max(n) AS most, "
        "sum(size([q IN qs WHERE q = p OR q.gender = p.gender])) AS odd"
    )
    assert spouses == {"most": 1, "odd": 0}
    (parents,) = store.read(
        "MATCH (a:Person)-[:PARENT_OF]->(b:Person) "
        "RETURN count(*) AS all, sum(CASE WHEN a.birthDate < b.birthDate THEN 0 ELSE 1 END) AS bad"
    )
    assert parents["all"] > 0 and parents["bad"] == 0
    (households,) = store.read(
        "MATCH (h:Person)-[:HOUSEHOLD_HEAD_OF]->(m:Person), (h)-[:RESIDES_IN]->(d:Door) "
        "OPTIONAL MATCH (m)-[r:RESIDES_IN]->(d) RETURN count(*) AS all, count(r) AS together"
    )
    assert households["all"] > 0 and households["together"] == households["all"]
    (heads,) = store.read(
        "MATCH (:Person)-[r:RESIDES_IN {householdHead: true}]->(d:Door) "
        "WITH d, count(r) AS n RETURN max(n) AS most"
    )
    assert heads == {"most": 1}


def test_officials_hold_posts_in_real_organizations(
    generated: tuple[GraphStore, CitySummary],
) -> None:
    store, _ = generated
    rows = store.read(
        "MATCH (p:Official)-[h:HOLDS_POST_IN]->(o:Organization) "
        "RETURN labels(o) AS labels, h.role AS role, h.tags AS tags"
    )
    assert rows
    for row in rows:
        prefix = row["role"][:2]
        expected = {
            "SQ": "ResidentsCommittee",
            "WG": "ResidentsCommittee",
            "JD": "SubdistrictOffice",
            "BM": "GovernmentDepartment",
        }[prefix]
        assert expected in row["labels"] and row["tags"]


def test_the_demo_principals_work_on_the_generated_city(
    generated: tuple[GraphStore, CitySummary],
) -> None:
    store, _ = generated
    tokens = demo_principals(store)
    assert set(tokens) == {"analyst", "worker", "resident", "builder"}
    (worker,) = store.read(
        "MATCH (pr:Principal {id: 'worker'}) "
        "MATCH (p:Person {idNumber: pr.person})-[:HOLDS_POST_IN]->(o:ResidentsCommittee) "
        "RETURN count(o) AS posts"
    )
    assert worker["posts"] == 1


def test_prepare_demo_generates_a_city_in_an_empty_graph(store: GraphStore) -> None:
    city = prepare_demo(store, settings=Settings())
    assert city.loaded is not None and city.loaded.persons > 1_000
    assert set(city.tokens) == {"analyst", "worker", "resident", "builder", "district"}
    cases = "MATCH (e:Event) WHERE e.state IS NOT NULL RETURN count(e) AS n"
    seeded = store.read(cases)[0]["n"]
    assert seeded > 5  # events in flight, on the workflow
    again = prepare_demo(store, settings=Settings())
    assert again.loaded is None and store.read(cases)[0]["n"] == seeded


# --- helpers ---------------------------------------------------------------------------------


def _real_districts() -> set[str]:
    from citykg.geo.divisions import shipped_divisions

    return {r.code for r in shipped_divisions() if r.level == 3}


def _age(born: date) -> int:
    return AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))


def _sample_instances(city: City, ontology: Ontology, *, per_kind: int) -> list[EntityInstance]:
    """A sample of every kind of generated entity as ontology instances, with the relations
    each sampled entity starts."""
    rng = random.Random(0)
    outgoing: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for graph_type, rows in city.relations.items():
        for row in rows:
            outgoing.setdefault(row["from"], []).append((graph_type, row))
    instances = []
    for cls, rows in entity_rows(city):
        for row in rng.sample(rows, min(per_kind, len(rows))):
            props = row["props"]
            key = next(
                props[k] for k in ("idNumber", "creditCode", "thingCode", "eventCode") if k in props
            )
            instance = instance_from_graph(ontology, cls, props)
            instance.relations.extend(
                as_relation(ontology, graph_type, relation_row)
                for graph_type, relation_row in outgoing.get(key, [])
            )
            instances.append(instance)
    return instances


def test_names_are_names_not_kinship_words(city: City) -> None:
    names = {p["props"]["name"] for p in city.persons}
    assert all(len(name) in (2, 3) for name in names)
    assert not names & {"孙子", "王子", "曾子", "朱子"}
    assert not [n for n in names if len(n) == 2 and n.endswith("子")]
