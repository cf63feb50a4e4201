"""The pure compile step: answers → validated entities and one write plan, with no store."""

from __future__ import annotations

from typing import Any

import pytest

from citykg.controls import CompiledForm, ResolvedPlace
from citykg.errors import ValidationFailed
from tests.controls.scenario import CHILD, DOOR_A, SHOP, WANG, ZHAO, context, household


def rejected(form: CompiledForm, answers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Path → violation of a rejected submission (it must be rejected)."""
    with pytest.raises(ValidationFailed) as raised:
        form.plan(answers, context(**changes))
    return {v.path: v for v in raised.value.violations}


@pytest.fixture
def household_form(forms: dict[str, CompiledForm]) -> CompiledForm:
    return forms["household-registration"]


def test_a_submission_compiles_to_validated_entities(household_form: CompiledForm) -> None:
    plan = household_form.plan(household(), context())
    subject, spouse, child, car = plan.entities
    assert subject.cls == "Resident" and subject.attributes["idNumber"] == WANG
    assert [(r.relation, r.target_key) for r in subject.relations] == [
        ("residesIn", DOOR_A),
        ("householdHeadOf", ZHAO),
        ("householdHeadOf", CHILD),
    ]
    assert spouse.attributes["personName"] == "赵强" and child.cls == "Resident"
    assert car.cls == "Car" and car.relations[0].relation == "ownedByPerson"
    assert car.relations[0].target_key == WANG
    assert next((e.cls, e.key) for e in plan.touched) == ("Resident", WANG)


def test_calculations_defaults_and_read_only_fields(household_form: CompiledForm) -> None:
    plan = household_form.plan(household(birth_date="2000-01-01"), context())
    props = plan.write.params["subject"]["props"]
    assert props["birthDate"] == "1949-12-31"  # from the ID number; the answer is ignored
    assert props["ethnicity"] == "01"  # the default
    vehicle = plan.write.params["groups"]["g2"][0]
    assert vehicle["key"] == "VEH-京A12345" and vehicle["props"]["name"] == "大众 京A12345"


def test_the_statement_depends_on_the_form_only(household_form: CompiledForm) -> None:
    first = household_form.plan(household(), context("a"))
    second = household_form.plan(household(name="王二", members=[], vehicles=[]), context("b"))
    assert first.write.query is second.write.query
    assert "王" not in first.write.query and WANG not in first.write.query
    assert "OPTIONAL MATCH (old:`Person` {`idNumber`: row.key})" in first.write.query
    assert "CREATE (:`Person`:`Resident` {`idNumber`: row.key, " in first.write.query
    assert "SET o += row.props, o:`Resident`)" in first.write.query
    assert second.write.params["groups"]["g1"] == []


def test_values_go_to_the_graph_as_stored_there(household_form: CompiledForm) -> None:
    params = household_form.plan(household(), context("s-9")).write.params
    assert params["submissionId"] == "s-9" and params["placeCodes"] == [DOOR_A]
    address = params["groups"]["g0"]
    assert address["code"] == DOOR_A
    assert address["props"] == {"since": "2001-05-01", "residenceType": "1", "householdHead": True}
    assert address["start"] == {"since": "2026-11-23"} and address["end"] == {"until": "2026-11-23"}
    assert params["formId"] == "household-registration" and params["author"] == "svc"
    member = params["groups"]["g1"][0]
    assert member["rel"] == {"relationToHead": "10"}


def test_invalid_input_is_rejected_field_by_field(household_form: CompiledForm) -> None:
    answers = household(
        id_number=WANG[:-1] + ("0" if WANG[-1] != "0" else "1"),  # a wrong check digit
        gender="7",  # not a code of the list
        name="",  # required
        mobile_phone="12345",  # breaks the constraint
        members=[{"id_number": ZHAO, "name": "赵强", "relation_to_head": "10", "gender": 1.5}],
    )
    problems = rejected(household_form, answers)
    assert set(problems) == {"id_number", "gender", "name", "mobile_phone", "members[0].gender"}
    assert "GB 11643" in problems["id_number"].message
    assert problems["gender"].message == "gender: '7' is not one of the allowed codes"
    assert problems["gender"].message_zh == "性别：'7' 不在可选代码中"
    assert problems["name"].message_zh == "姓名：必填"
    assert problems["mobile_phone"].message == "Enter an 11-digit mobile number"
    assert problems["members[0].gender"].message.endswith("must be a code")
    for problem in problems.values():
        assert "https://" not in problem.message + problem.message_zh
        assert "{?value}" not in problem.message


def test_a_wrong_type_is_an_error_on_its_field(forms: dict[str, CompiledForm]) -> None:
    answers = {
        "id_number": WANG,
        "name": "王",
        "mobile_phone": "13800138000",
        "health_status": "1",
        "vaccine_doses": "two",
        "address": DOOR_A,
    }
    problems = rejected(forms["epidemic-screening"], answers)
    assert list(problems) == ["vaccine_doses"]
    assert problems["vaccine_doses"].message_zh.endswith("须为整数")


def test_ontology_ranges_are_checked_after_the_form_rules(forms: dict[str, CompiledForm]) -> None:
    answers = {
        "id_number": WANG,
        "name": "王",
        "mobile_phone": "13800138000",
        "health_status": "1",
        "vaccine_doses": 42,
        "address": DOOR_A,
    }
    problems = rejected(forms["epidemic-screening"], answers)
    assert "0 至 10" in problems["vaccine_doses"].message_zh


def test_fields_that_are_not_relevant_are_not_written(forms: dict[str, CompiledForm]) -> None:
    answers = {
        "id_number": WANG,
        "name": "王",
        "mobile_phone": "13800138000",
        "health_status": "1",
        "vaccine_doses": 0,
        "last_vaccination": "2021-01-01",
        "address": DOOR_A,
    }
    props = forms["epidemic-screening"].plan(answers, context()).write.params["subject"]["props"]
    assert "lastVaccinationDate" not in props and props["covid19VaccineDoses"] == 0


def test_required_can_be_an_expression(forms: dict[str, CompiledForm]) -> None:
    shop = {
        "credit_code": SHOP,
        "name": "小杨餐馆",
        "category": "01",
        "address": DOOR_A,
        "uses_gas": True,
        "has_gas_alarm": False,
        "extinguishers": 2,
    }
    problems = rejected(forms["shop-safety-inspection"], shop)
    assert "risk_level" in problems and problems["risk_level"].message.endswith("required")


def test_repeat_rows_are_named_by_index_and_checked_for_duplicates(
    household_form: CompiledForm,
) -> None:
    members = [
        {"id_number": ZHAO, "name": "赵强", "relation_to_head": "10"},
        {"id_number": CHILD, "name": "赵明"},
        {"id_number": ZHAO, "name": "赵强", "relation_to_head": "10"},
    ]
    problems = rejected(household_form, household(members=members))
    assert set(problems) == {"members[1].relation_to_head", "members[2]"}
    assert problems["members[2]"].message.endswith("this entity is given twice")


def test_unknown_answers_and_malformed_groups_are_errors(household_form: CompiledForm) -> None:
    problems = rejected(household_form, household(shoe_size=42, vehicles={"plate": "京A1"}))
    assert problems["shoe_size"].message == "this form has no such field"
    assert problems["vehicles"].message.endswith("must be a list of objects")


def test_a_missing_required_group_is_an_error(household_form: CompiledForm) -> None:
    answers = household()
    del answers["address"]
    assert rejected(household_form, answers)["address"].message_zh == "现住址：必填"


def test_addresses_are_resolved_through_the_context(household_form: CompiledForm) -> None:
    def lookup(text: str) -> ResolvedPlace | None:
        places = {
            "建外1号院1号楼1单元101室": ResolvedPlace(DOOR_A, "Door", 9, "101室"),
            "建外1号院": ResolvedPlace(DOOR_A[:16], "Compound", 6, "建外1号院"),
            "建外1号院9号楼": ResolvedPlace(
                DOOR_A[:16], "Compound", 6, "建外1号院", ("building 9",)
            ),
        }
        return places.get(text)

    plan = household_form.plan(
        household(address="建外1号院1号楼1单元101室"), context(places=lookup)
    )
    assert plan.write.params["placeCodes"] == [DOOR_A]
    for text, message in [
        ("火星", "no such place was found"),
        ("建外1号院", "the address must name a door"),
        ("建外1号院9号楼", "found down to 建外1号院, but not building 9"),
    ]:
        problem = rejected(household_form, household(address=text), places=lookup)["address"]
        assert problem.message == f"Current address: {message}"


def test_every_example_form_compiles_a_statement(forms: dict[str, CompiledForm]) -> None:
    for form in forms.values():
        assert form.statement.startswith(
            "UNWIND $submissions AS sub "
            "CALL { WITH sub MATCH (prev:Submission {id: sub.submissionId})"
        )
        assert form.statement.endswith("RETURN s.id AS submission")
        assert form.prefill_query.startswith("MATCH (e:")
