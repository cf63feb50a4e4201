"""A draft definition and the builder's edits: nothing changes that was not edited, fields move
where they are put, a picked term becomes the field its kind calls for, and each problem is
placed at its field whichever check found it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from citykg.builder import check
from citykg.builder import draft as drafts
from citykg.controls import EXAMPLES_DIR
from citykg.errors import NotFound, ValidationFailed
from citykg.ontology import Ontology, load_ontology
from citykg.settings import Settings

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology(Settings().ontology_dir)


def names(fields: list[dict[str, Any]]) -> list[str]:
    return [str(f["name"]) for f in fields]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_form_opened_and_left_as_it_is_is_the_same_form(ontology: Ontology, path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    assert drafts.edited(ontology, data, {}) == data
    shown = {":title.zh": data["title"]["zh"], ":id": data["id"]}
    for at in drafts.positions(data):  # every input as the page draws it, untouched
        field = drafts.field_at(data, at)
        label = field.get("label")
        shown[f"{at}:name"] = field["name"]
        shown[f"{at}:label.zh"] = label if isinstance(label, str) else (label or {}).get("zh", "")
        required = field.get("required")  # a box, or the expression's text
        shown[f"{at}:required"] = (
            required if isinstance(required, str) else "true" if required else "false"
        )
        shown[f"{at}:relevant"] = field.get("relevant") or ""
        shown[f"{at}:constraint"] = field.get("constraint") or ""
    assert drafts.edited(ontology, data, shown) == data


def test_edits_change_only_what_they_name(ontology: Ontology) -> None:
    data = yaml.safe_load((EXAMPLES_DIR / "household-registration.yaml").read_text())
    inputs = {"0:label.en": "Identity number", "1:required": "true", "7:ends_previous": "false",
              "8:max_count": "10"}  # fmt: skip
    edited = drafts.edited(ontology, data, inputs)
    assert edited["fields"][0]["label"] == {"zh": "公民身份号码", "en": "Identity number"}
    assert edited["fields"][1]["required"] is True
    assert edited["fields"][7]["ends_previous"] is False
    assert edited["fields"][8]["max_count"] == 10
    untouched = copy.deepcopy(edited)
    for at in ("0", "1", "7", "8"):
        untouched["fields"][int(at)] = data["fields"][int(at)]
    assert untouched == data


def test_fields_move_where_they_are_put(ontology: Ontology) -> None:
    data = yaml.safe_load((EXAMPLES_DIR / "household-registration.yaml").read_text())
    moved, at = drafts.move(data, "1", "0")
    assert names(moved["fields"])[:2] == ["name", "id_number"] and at == "0"
    moved, at = drafts.shifted(data, "0", 1)
    assert names(moved["fields"])[:2] == ["name", "id_number"] and at == "1"
    moved, at = drafts.move(data, "0", "8.0")  # into the members group, which moves up one
    assert names(moved["fields"][7]["fields"])[:2] == ["id_number", "id_number"] and at == "7.0"
    moved, at = drafts.move(data, "8.1", "2")  # out of the group
    assert names(moved["fields"])[:3] == ["id_number", "name", "name"] and at == "2"
    assert names(data["fields"])[:2] == ["id_number", "name"]  # the original is left alone
    with pytest.raises(ValidationFailed):
        drafts.move(data, "8", "9.0")  # a group into a group
    with pytest.raises(NotFound):
        drafts.move(data, "0", "x")


def test_a_picked_term_becomes_the_field_its_kind_calls_for(ontology: Ontology) -> None:
    draft = drafts.blank("Resident")
    assert drafts.field_for(ontology, draft, "attribute", "gender") == {
        "name": "gender", "term": "gender", "kind": "choice"}  # fmt: skip
    assert drafts.field_for(ontology, draft, "relation", "residesIn") == {
        "name": "resides_in", "kind": "address", "relation": "residesIn"}  # fmt: skip
    assert drafts.field_for(ontology, draft, "relation", "householdHeadOf") == {
        "name": "household_head_of", "kind": "relation", "relation": "householdHeadOf",
        "target": "Person", "fields": [{"name": "id_number", "term": "idNumber"}]}  # fmt: skip
    draft, _ = drafts.add(draft, drafts.field_for(ontology, draft, "attribute", "gender"))
    assert drafts.field_for(ontology, draft, "attribute", "gender")["name"] == "gender_2"


def test_each_problem_is_placed_at_its_field(ontology: Ontology) -> None:
    draft = drafts.blank("Resident")
    draft["fields"] = [
        {"name": "id_number", "term": "idNumber"},
        {"name": "name", "term": "personName"},
        {"name": "born", "term": "birthDate", "constraint": ". > 3"},
        {"name": "members", "kind": "repeat", "relation": "householdHeadOf", "target": "Person",
         "fields": [{"name": "id_number", "term": "idNumber"}, {"name": "x", "term": "nope"}]},
    ]  # fmt: skip
    placed = {(p.at, p.prop) for p in check(None, ontology, draft).problems}
    assert ("2", "constraint") in placed and ("3.1", "") in placed
    draft["fields"][1]["name"] = "a b"  # a shape problem: found by position
    assert {(p.at, p.prop) for p in check(None, ontology, draft).problems} == {("1", "name")}


def test_a_yes_no_or_number_left_as_shown_is_not_changed(ontology: Ontology) -> None:
    draft = drafts.blank("Resident")
    draft["fields"] = [
        {"name": "permanent", "term": "isPermanentResident", "default": True},
        {"name": "members", "kind": "repeat", "relation": "householdHeadOf", "target": "Person",
         "max_count": 10, "fields": []},
    ]  # fmt: skip
    shown = {"0:default": "True", "1:max_count": "10", "1:required": "false"}  # as the page does
    assert drafts.edited(ontology, draft, shown) == draft
    assert drafts.edited(ontology, draft, {"0:default": "true"}) == draft
    edited = drafts.edited(ontology, draft, {"0:default": "", "1:max_count": "12"})
    assert "default" not in edited["fields"][0] and edited["fields"][1]["max_count"] == 12


def test_a_shape_problem_names_a_property_called_like_a_field_kind(ontology: Ontology) -> None:
    draft = drafts.blank("Resident")
    draft["fields"] = [
        {"name": "id_number", "term": "idNumber"},
        {"name": "name", "term": "personName"},
        {"name": "head", "kind": "relation", "relation": 5, "target": "Person", "fields": []},
        {"name": "home", "kind": "address", "relation": ["residesIn"]},
        {"name": "members", "kind": "repeat", "relation": "householdHeadOf", "target": "Person",
         "fields": [{"name": "x", "term": "idNumber", "label": {"zh": 5}}]},
    ]  # fmt: skip
    placed = {(p.at, p.prop) for p in check(None, ontology, draft).problems}
    assert placed == {("2", "relation"), ("3", "relation"), ("4.0", "label.zh")}
