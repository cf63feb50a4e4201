"""Submissions on the real embedded engine: one atomic, idempotent write with provenance."""

from __future__ import annotations

from typing import Any

import pytest

from citykg.controls import CompiledForm, SubmissionResult, submit
from citykg.errors import ValidationFailed
from citykg.graph import GraphStore
from tests.controls.scenario import (
    COMMUNITY_A,
    COMMUNITY_B,
    DOOR_A,
    DOOR_B,
    NOW,
    SERVICE,
    SHOP,
    WANG,
    ZHAO,
    context,
    count_nodes,
    count_relationships,
    household,
)
from tests.planner import planned

ELDERLY = {
    "id_number": WANG,
    "name": "王秀英",
    "health_status": "3",
    "chronic_diseases": ["2", "3"],
    "has_family_doctor": "是",
    "emergency_contact": {
        "id_number": ZHAO,
        "name": "赵强",
        "phone": "13900139000",
        "relation": "10",
    },
}

CURRENT_COMMUNITY = (
    "MATCH (:Person {idNumber: $id})-[r:RESIDES_IN]->(:Door)-[:PART_OF*1..4]->(c:Community) "
    "WHERE r.until IS NULL RETURN c.placeCode AS community"
)


def send(
    store: GraphStore, form: CompiledForm, answers: dict[str, Any], submission_id: str, **kw: Any
) -> SubmissionResult:
    return submit(
        store, form=form, answers=answers, principal=SERVICE, submission_id=submission_id, **kw
    )


def person(store: GraphStore, key: str = WANG) -> dict[str, Any]:
    rows = store.read("MATCH (p:Person {idNumber: $id}) RETURN p", {"id": key})
    assert len(rows) == 1
    return dict(rows[0]["p"])


def test_a_submission_writes_entities_relations_and_provenance(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    nodes = count_nodes(city)
    result = send(
        city,
        forms["household-registration"],
        household(),
        "hh-1",
        channel="door",
        task="census-2026",
        at=NOW,
    )
    assert not result.replayed
    assert count_nodes(city) == nodes + 5  # submission, 王, 赵 ×2, car
    wang = person(city)
    assert wang["labels"] == ["Person", "Resident"]
    assert wang["properties"]["mobilePhone"] == "13800138000"
    assert wang["properties"]["birthDate"] == "1949-12-31"
    sub = city.read("MATCH (s:Submission {id: 'hh-1'})-[:USED_FORM]->(f:Form) RETURN s, f.id AS f")
    assert sub[0]["f"] == "household-registration"
    assert {k: sub[0]["s"]["properties"][k] for k in ("author", "channel", "task", "at")} == {
        "author": "svc",
        "channel": "door",
        "task": "census-2026",
        "at": NOW.isoformat(),
    }
    asserted = city.read(
        "MATCH (e)-[a:ASSERTED_BY]->(:Submission {id: 'hh-1'}) RETURN count(a) AS n"
    )
    assert asserted[0]["n"] == 4
    links = city.read(
        "MATCH (w:Person {idNumber: $w})-[h:HOUSEHOLD_HEAD_OF]->(m:Person {idNumber: $z}) "
        "MATCH (c:Thing:Car)-[o:OWNED_BY_PERSON]->(w) "
        "RETURN h.relationToHead AS rel, c.thingCode AS car, o.assertedBy AS by",
        {"w": WANG, "z": ZHAO},
    )
    assert links == [{"rel": "10", "car": "VEH-京A12345", "by": "hh-1"}]


def test_the_same_person_through_two_forms_is_one_node_with_facts_from_both(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    send(city, forms["household-registration"], household(), "hh-1")
    send(city, forms["elderly-health-check"], ELDERLY, "eh-1")
    wang = person(city)
    assert set(wang["labels"]) == {"Person", "Resident", "ElderlyPerson"}
    facts = wang["properties"]
    assert facts["mobilePhone"] == "13800138000"  # from the household registration
    assert facts["healthStatus"] == "3" and facts["chronicDisease"] == ["2", "3"]  # elderly form
    assert facts["hasFamilyDoctorContract"] is True
    forms_used = city.read(
        "MATCH (:Person {idNumber: $id})-[:ASSERTED_BY]->(s:Submission) "
        "RETURN collect(s.form) AS forms",
        {"id": WANG},
    )[0]["forms"]
    assert sorted(forms_used) == ["elderly-health-check", "household-registration"]
    contact = city.read(
        "MATCH (:Person {idNumber: $z})-[e:EMERGENCY_CONTACT_OF]->(:Person {idNumber: $w}) "
        "RETURN e.phone AS phone",
        {"z": ZHAO, "w": WANG},
    )
    assert contact == [{"phone": "13900139000"}]
    assert city.read("MATCH (p:Person {idNumber: $z}) RETURN count(p) AS n", {"z": ZHAO}) == [
        {"n": 1}
    ]


def test_a_move_changes_the_residents_community_with_history_kept(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    form = forms["household-registration"]
    send(city, form, household(), "hh-1")
    assert city.read(CURRENT_COMMUNITY, {"id": WANG}) == [{"community": COMMUNITY_A}]
    send(city, form, household(address={"place": DOOR_B, "since": "2026-11-20"}), "hh-2", at=NOW)
    assert city.read(CURRENT_COMMUNITY, {"id": WANG}) == [{"community": COMMUNITY_B}]
    stays = city.read(
        "MATCH (:Person {idNumber: $id})-[r:RESIDES_IN]->(d:Door) "
        "RETURN d.placeCode AS door, r.since AS since, r.until AS until, r.endedBy AS endedBy "
        "ORDER BY since",
        {"id": WANG},
    )
    assert stays == [
        {
            "door": DOOR_A,
            "since": "2001-05-01",
            "until": NOW.astimezone().date().isoformat(),
            "endedBy": "hh-2",
        },
        {"door": DOOR_B, "since": "2026-11-20", "until": None, "endedBy": None},
    ]


def test_a_changed_fact_keeps_the_previous_value_with_its_time_and_source(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    form = forms["household-registration"]
    first = NOW.replace(hour=8)
    send(city, form, household(), "hh-1", at=first)
    send(city, form, household(mobile_phone="13700137000"), "hh-2", at=NOW)
    send(city, form, household(mobile_phone="13700137000"), "hh-3")  # unchanged: no history
    history = city.read(
        "MATCH (:Person {idNumber: $id})-[:HAD_VALUE]->(v:PastValue) RETURN v", {"id": WANG}
    )
    assert [h["v"]["properties"] for h in history] == [
        {
            "key": "mobilePhone",
            "value": "13800138000",
            "source": "hh-1",
            "since": first.isoformat(),
            "until": NOW.isoformat(),
            "replacedBy": "hh-2",
        }
    ]
    assert person(city)["properties"]["mobilePhone"] == "13700137000"


def test_resending_a_submission_id_writes_nothing_new(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    form = forms["household-registration"]
    send(city, form, household(), "hh-1")
    nodes, relationships = count_nodes(city), count_relationships(city)
    again = send(city, form, household(mobile_phone="13700137000"), "hh-1")
    assert again.replayed
    assert (count_nodes(city), count_relationships(city)) == (nodes, relationships)
    assert person(city)["properties"]["mobilePhone"] == "13800138000"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": WANG[:-1] + ("1" if WANG[-1] == "0" else "0")}, "id_number"),
        ({"gender": "7"}, "gender"),
        ({"name": None}, "name"),
        (
            {"members": [{"id_number": ZHAO, "name": "赵强", "relation_to_head": 10.5}]},
            "members[0].relation_to_head",
        ),
        ({"vehicles": [{"plate": "ABC", "brand": "大众"}]}, "vehicles[0].plate"),
    ],
    ids=["bad-id-check-digit", "unknown-code", "missing-required", "wrong-type", "bad-plate"],
)
def test_invalid_input_is_rejected_field_by_field_and_nothing_is_written(
    city: GraphStore, forms: dict[str, CompiledForm], change: dict[str, Any], field: str
) -> None:
    nodes, relationships = count_nodes(city), count_relationships(city)
    with pytest.raises(ValidationFailed) as raised:
        send(city, forms["household-registration"], household(**change), "bad-1")
    assert [v.path for v in raised.value.violations] == [field]
    assert all(v.message and v.message_zh for v in raised.value.violations)
    assert (count_nodes(city), count_relationships(city)) == (nodes, relationships)


def test_an_unknown_place_is_rejected_on_the_address_field_and_nothing_is_written(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    nodes = count_nodes(city)
    nowhere = DOOR_A[:-4] + "0999"
    with pytest.raises(ValidationFailed) as raised:
        send(city, forms["household-registration"], household(address=nowhere), "hh-x")
    assert [(v.path, v.value) for v in raised.value.violations] == [("address", nowhere)]
    assert count_nodes(city) == nodes


def test_a_free_text_address_is_resolved_through_the_place_tree(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    text = "北京市朝阳区建外街道建外第2社区建外2号院1号楼1单元101室"
    send(city, forms["household-registration"], household(address=text), "hh-1")
    assert city.read(CURRENT_COMMUNITY, {"id": WANG}) == [{"community": COMMUNITY_B}]
    with pytest.raises(ValidationFailed, match="not door 909"):
        send(city, forms["household-registration"], household(address=text[:-4] + "909室"), "x")


def test_a_shop_inspection_updates_the_shop_ledger(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    shop = {
        "credit_code": SHOP,
        "name": "小杨餐馆",
        "category": "01",
        "address": {"place": DOOR_A[:19], "floor_area": 45.5},
        "contact": {"id_number": ZHAO, "name": "赵强", "phone": "13900139000"},
        "uses_gas": True,
        "has_gas_alarm": True,
        "extinguishers": 2,
    }
    send(city, forms["shop-safety-inspection"], shop, "shop-1", at=NOW)
    rows = city.read(
        "MATCH (o:Organization:Shop {creditCode: $shop})-[l:LOCATED_AT]->(b:Building) "
        "MATCH (o)-[c:HAS_CONTACT_PERSON]->(p:Person) "
        "RETURN o.lastFireInspectionDate AS inspected, o.fireSafetyLevel AS level, "
        "l.floorArea AS area, c.role AS role, p.idNumber AS contact",
        {"shop": SHOP},
    )
    assert rows == [
        {
            "inspected": NOW.astimezone().date().isoformat(),
            "level": "4",
            "area": 45.5,
            "role": "消防安全责任人",
            "contact": ZHAO,
        }
    ]


def test_every_statement_passes_the_planner(
    store: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    """Each form's write and prefill statements; the household form's write with a batch as the
    writer sends it, planned from real answers."""
    household_form = forms["household-registration"]
    batch = {"submissions": [household_form.plan(household(), context()).write.params]}
    for form in forms.values():
        assert planned(store, form.statement, batch if form is household_form else None)
        assert planned(store, form.prefill_query, {"key": WANG})


def test_a_new_residence_without_a_date_starts_on_the_day_of_the_submission(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    answers = {
        "id_number": WANG,
        "name": "王秀英",
        "mobile_phone": "13800138000",
        "health_status": "1",
        "address": DOOR_B,
    }
    send(city, forms["epidemic-screening"], answers, "ep-1", at=NOW)
    since = city.read(
        "MATCH (:Person {idNumber: $id})-[r:RESIDES_IN]->() RETURN r.since AS since", {"id": WANG}
    )
    assert since == [{"since": NOW.astimezone().date().isoformat()}]
