"""The form builder's API: term search and checking a draft, for those who build forms only;
every problem placed at its field; no input, however odd, gets a 500."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from citykg.controls import EXAMPLES_DIR
from tests.controls.conftest import Tokens

RESIDENT_FORM: dict[str, Any] = {
    "id": "family",
    "title": "家庭",
    "subject": "Resident",
    "fields": [
        {"name": "id_number", "term": "idNumber"},
        {"name": "name", "term": "personName"},
    ],
}


def nested(depth: int) -> dict[str, Any]:
    """Groups in groups, ``depth`` deep (a group holds no group): within what the edge lets in."""
    field: dict[str, Any] = {"name": "name", "term": "personName"}
    for _ in range(depth):
        field = {"name": "members", "kind": "repeat", "relation": "householdHeadOf",
                 "target": "Person", "fields": [field]}  # fmt: skip
    return field


def test_terms_are_found_by_synonym_for_builders_only(client: TestClient, auth: Tokens) -> None:
    found = client.get("/terms", params={"q": "身份证", "subject": "Resident"},
                       headers=auth["builder"])  # fmt: skip
    assert found.status_code == 200
    assert found.json()[0] | {"label": None} == {
        "kind": "attribute", "name": "idNumber", "label": None,
        "domain": "https://w3id.org/citykg/ontology#Person",
        "range": "http://www.w3.org/2001/XMLSchema#string", "code_list": None,
        "matched": "身份证",
    }  # fmt: skip
    for who in ("worker", "resident", "analyst"):
        assert client.get("/terms", params={"q": "x"}, headers=auth[who]).status_code == 403
        assert client.post("/forms/check", json=RESIDENT_FORM, headers=auth[who]).status_code == 403


def test_a_relation_to_the_wrong_class_is_placed_at_its_field(
    client: TestClient, auth: Tokens
) -> None:
    car = {"name": "car", "kind": "relation", "relation": "householdHeadOf", "target": "Vehicle",
           "fields": [{"name": "plate", "term": "vehiclePlateNumber"}]}  # fmt: skip
    draft = {**RESIDENT_FORM, "fields": [*RESIDENT_FORM["fields"], car]}
    answer = client.post("/forms/check", json=draft, headers=auth["builder"]).json()
    assert not answer["ok"] and answer["writes"] == []
    assert {p["at"] for p in answer["problems"]} == {"2"}
    assert any("cannot join Resident to Vehicle" in p["message"] for p in answer["problems"])


def test_a_good_form_lists_the_terms_it_writes_and_who_else_writes_them(
    client: TestClient, auth: Tokens
) -> None:
    draft = yaml.safe_load((EXAMPLES_DIR / "household-registration.yaml").read_text())
    answer = client.post("/forms/check", json=draft, headers=auth["builder"]).json()
    assert answer["ok"] and answer["problems"] == []
    writes = {w["term"]: w for w in answer["writes"]}
    assert writes["idNumber"]["fields"][0] == "id_number"
    assert "household-registration" not in {f["form"] for f in writes["idNumber"]["elsewhere"]}


@pytest.mark.parametrize(
    "body",
    [
        {**RESIDENT_FORM, "fields": 5},
        {**RESIDENT_FORM, "fields": [1, "x", None, {"kind": "repeat"}]},
        {"fields": [{"name": "x", "fields": [{"fields": [{"name": "y"}]}]}]},
        {**RESIDENT_FORM, "fields": [{"name": "n", "term": "personName", "default": 1e300}]},
        {"id": "é" * 100, "title": {"zh": 5}, "subject": ["Resident"]},
        {**RESIDENT_FORM, "fields": [*RESIDENT_FORM["fields"], nested(20)]},
    ],
)
def test_odd_drafts_get_their_problems_never_a_500(
    client: TestClient, auth: Tokens, body: dict[str, Any]
) -> None:
    answer = client.post("/forms/check", json=body, headers=auth["builder"])
    assert answer.status_code == 200 and not answer.json()["ok"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"id": "x", "title": "\\ud800", "subject": "Resident", "fields": []}', "title"),
        (
            '{"id": "x", "title": "x", "subject": "Resident", "fields": [{"name": "\\udc00a", '
            '"term": "personName"}]}',
            "fields.0.name",
        ),
        (
            '{"id": "x", "title": "x", "subject": "Resident", "fields": [{"name": "n", '
            '"term": "personName", "default": NaN}]}',
            "fields.0.default",
        ),
        (
            '{"id": "x", "title": "x", "subject": "Resident", "fields": [], "version": Infinity}',
            "version",
        ),
    ],
)
def test_unholdable_drafts_are_refused_naming_where(
    client: TestClient, auth: Tokens, text: str, where: str
) -> None:
    answer = client.post("/forms/check", content=text, headers={
        **auth["builder"], "Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 422
    assert where in {e["field"] for e in answer.json()["errors"]}


def test_a_body_nested_too_deep_is_refused(client: TestClient, auth: Tokens) -> None:
    deep = "[" * 10_000 + "]" * 10_000
    answer = client.post("/forms/check", content=deep, headers={
        **auth["builder"], "Content-Type": "application/json"})  # fmt: skip
    assert 400 <= answer.status_code < 500
