"""Saving a form checks it against the ontology: each problem is an error naming its field."""

from __future__ import annotations

from typing import Any

import pytest

from citykg.controls import bind_form, parse_form
from citykg.errors import ValidationFailed
from citykg.ontology import Ontology

PERSON_FIELDS: list[dict[str, Any]] = [
    {"name": "id_number", "term": "idNumber"},
    {"name": "name", "term": "personName"},
]


def problems(
    ontology: Ontology, fields: list[dict[str, Any]], subject: str = "Person"
) -> dict[str, str]:
    """Path → English messages (`` | ``-joined) of every binding problem of a form."""
    form = parse_form({"id": "t", "title": "t", "subject": subject, "fields": fields})
    try:
        bind_form(ontology, form)
    except ValidationFailed as exc:
        assert all(v.message_zh for v in exc.violations)
        found: dict[str, str] = {}
        for v in exc.violations:
            found[v.path] = f"{found[v.path]} | {v.message}" if v.path in found else v.message
        return found
    return {}


def test_a_fitting_form_binds(ontology: Ontology) -> None:
    assert problems(ontology, PERSON_FIELDS) == {}


def test_a_field_may_name_its_attribute_by_property_key(ontology: Ontology) -> None:
    assert problems(ontology, [*PERSON_FIELDS, {"name": "mobilePhone"}]) == {}


def test_an_unknown_term_is_an_error_on_its_field(ontology: Ontology) -> None:
    found = problems(ontology, [*PERSON_FIELDS, {"name": "shoe_size", "term": "shoeSize"}])
    assert found == {"shoe_size": "unknown term 'shoeSize'"}


def test_an_attribute_of_another_class_is_an_error(ontology: Ontology) -> None:
    found = problems(ontology, [*PERSON_FIELDS, {"name": "plate", "term": "vehiclePlateNumber"}])
    assert "not an attribute of Person" in found["plate"]


def test_a_type_that_does_not_match_the_datatype_is_an_error(ontology: Ontology) -> None:
    found = problems(
        ontology, [*PERSON_FIELDS, {"name": "born", "term": "birthDate", "type": "integer"}]
    )
    assert "does not match the datatype of birthDate (date)" in found["born"]


def test_coded_attributes_need_choice_fields_with_known_codes(ontology: Ontology) -> None:
    found = problems(
        ontology,
        [
            *PERSON_FIELDS,
            {"name": "gender", "term": "gender"},
            {"name": "ethnicity", "kind": "choice", "choices": [{"value": "01"}, {"value": "99x"}]},
            {"name": "marital", "kind": "choice", "term": "maritalStatus", "multiple": True},
            {"name": "phone", "kind": "choice", "term": "mobilePhone"},
        ],
    )
    assert "use a choice field" in found["gender"]
    assert "['99x'] are not in the code list" in found["ethnicity"]
    assert "'multiple' is not allowed" in found["marital"]
    assert "not coded" in found["phone"]


def test_a_missing_identity_key_or_required_attribute_is_an_error(ontology: Ontology) -> None:
    found = problems(ontology, [{"name": "phone", "term": "mobilePhone"}])
    assert "identity key idNumber" in found["fields"]
    assert problems(ontology, [{"name": "id_number", "term": "idNumber"}]) == {
        "fields": "Person requires personName; the form has no field for it"
    }


def test_a_relation_to_the_wrong_class_is_an_error(ontology: Ontology) -> None:
    spouse = {
        "name": "spouse",
        "kind": "relation",
        "relation": "spouseOf",
        "target": "Car",
        "fields": [{"name": "code", "term": "thingCode"}, {"name": "title", "term": "thingName"}],
    }
    found = problems(ontology, [*PERSON_FIELDS, spouse])
    assert "it cannot join Person to Car" in found["spouse"]


def test_a_relation_in_the_wrong_direction_is_an_error(ontology: Ontology) -> None:
    car = {
        "name": "car",
        "kind": "relation",
        "relation": "ownedByPerson",
        "target": "Car",
        "fields": [{"name": "code", "term": "thingCode"}, {"name": "title", "term": "thingName"}],
    }
    assert "cannot join Person to Car" in problems(ontology, [*PERSON_FIELDS, car])["car"]
    assert problems(ontology, [*PERSON_FIELDS, {**car, "direction": "incoming"}]) == {}


def test_a_related_entity_needs_its_identity_key(ontology: Ontology) -> None:
    spouse = {
        "name": "spouse",
        "kind": "relation",
        "relation": "spouseOf",
        "target": "Person",
        "fields": [{"name": "name", "term": "personName"}],
    }
    found = problems(ontology, [*PERSON_FIELDS, spouse])
    assert found == {"spouse": "no field gives the identity key idNumber of Person"}


def test_relation_fields_take_relation_attributes_and_the_targets_attributes(
    ontology: Ontology,
) -> None:
    spouse = {
        "name": "spouse",
        "kind": "relation",
        "relation": "spouseOf",
        "target": "Person",
        "fields": [
            *PERSON_FIELDS,
            {"name": "married_on", "term": "marriageDate"},
            {"name": "since", "term": "residenceSince"},
        ],
    }
    found = problems(ontology, [*PERSON_FIELDS, spouse])
    assert list(found) == ["spouse.since"]


def test_an_ambiguous_property_key_must_be_written_as_the_local_name(ontology: Ontology) -> None:
    spouse = {
        "name": "ward",
        "kind": "relation",
        "relation": "guardianOf",
        "target": "Person",
        "fields": [*PERSON_FIELDS, {"name": "remark"}],
    }
    found = problems(ontology, [*PERSON_FIELDS, spouse])
    assert "ambiguous" in found["ward.remark"] and "guardianshipRemark" in found["ward.remark"]


def test_an_address_must_lead_to_a_place_and_be_endable(ontology: Ontology) -> None:
    found = problems(
        ontology,
        [
            *PERSON_FIELDS,
            {"name": "work", "kind": "address", "relation": "employedBy"},
            {"name": "owns", "kind": "address", "relation": "ownsPropertyAt"},
        ],
    )
    assert "does not lead to a place" in found["work"]
    assert "no 'until'" in found["owns"]


def test_expressions_must_parse_and_read_fields_in_scope(ontology: Ontology) -> None:
    found = problems(
        ontology,
        [
            *PERSON_FIELDS,
            {"name": "phone", "term": "mobilePhone", "constraint": "regex(., "},
            {"name": "email", "term": "personEmail", "relevant": "${nope} = 1"},
        ],
    )
    assert found["phone"].startswith("invalid expression")
    assert "unknown fields ['nope']" in found["email"]


def test_a_default_must_fit_the_datatype(ontology: Ontology) -> None:
    found = problems(
        ontology, [*PERSON_FIELDS, {"name": "kids", "term": "childrenCount", "default": "many"}]
    )
    assert found == {"kids": "default: must be a whole number"}


def test_a_constraint_comparing_with_a_literal_of_another_type_is_an_error(
    ontology: Ontology,
) -> None:
    def constraint(term: str, text: str) -> dict[str, str]:
        return problems(ontology, [*PERSON_FIELDS, {"name": "v", "term": term, "constraint": text}])

    assert "not a date" in constraint("birthDate", ". > 3")["v.constraint"]
    assert "not a decimal" in constraint("monthlyIncome", "'many' < .")["v.constraint"]
    for fits in (
        (("birthDate", ". >= '1900-01-01' and . <= today()")),
        ("monthlyIncome", ". >= 0 and . < 2.5 or . = '100'"),
        ("personName", "string-length(.) > 1 and . != 3"),
    ):  # text compares anything
        assert constraint(*fits) == {}, fits


def test_field_names_are_unique(ontology: Ontology) -> None:
    assert "used 2 times" in problems(ontology, [*PERSON_FIELDS, PERSON_FIELDS[1]])["name"]


def test_an_unknown_subject_class_is_an_error(ontology: Ontology) -> None:
    assert problems(ontology, PERSON_FIELDS, subject="Dragon") == {
        "subject": "unknown entity class 'Dragon'"
    }


def test_more_relations_than_the_ontology_allows_is_an_error(ontology: Ontology) -> None:
    shop = [{"name": "code", "term": "creditCode"}, {"name": "name", "term": "orgName"}]
    registered = {
        "name": "registered",
        "kind": "repeat",
        "relation": "registeredAt",
        "target": "Door",
        "fields": [{"name": "code", "term": "placeCode"}],
    }
    found = problems(ontology, [*shop, registered], subject="Shop")
    assert "at most 1 registeredAt" in found["registered"]


@pytest.mark.parametrize(
    "form",
    [
        "household-registration",
        "elderly-health-check",
        "shop-safety-inspection",
        "epidemic-screening",
    ],
)
def test_every_example_form_binds(form: str, forms: dict[str, Any]) -> None:
    assert forms[form].bound.identity is not None
