"""The forms API with real tokens: save, list, submit, prefill, lineage; errors per field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from citykg.graph import GraphStore
from tests.controls.conftest import Tokens
from tests.controls.scenario import DOOR_A, DOOR_B, WANG, count_nodes, household

DOOR_OUTSIDE = DOOR_B
"""A door of 建外第2社区: outside the demo community worker's jurisdiction."""


def small_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "id": "phone-check",
        "title": {"zh": "电话核实", "en": "Phone check"},
        "subject": "Person",
        "fields": [
            {"name": "id_number", "term": "idNumber"},
            {"name": "name", "term": "personName"},
            {"name": "phone", "term": "mobilePhone"},
        ],
    }
    form.update(changes)
    return form


def test_every_endpoint_needs_a_token(client: TestClient) -> None:
    for path in ("/forms", "/forms/household-registration", "/terms/personName/forms"):
        assert client.get(path).status_code == 401


def test_a_builder_saves_a_form_and_everyone_reads_it(client: TestClient, auth: Tokens) -> None:
    saved = client.post("/forms", json=small_form(), headers=auth["builder"])
    assert saved.status_code == 201
    assert saved.json() == {
        "id": "phone-check",
        "version": 1,
        "created": True,
        "terms": ["Person", "idNumber", "personName", "personMobilePhone"],
    }
    same = client.post("/forms", json=small_form(), headers=auth["builder"])
    assert same.status_code == 200 and same.json()["version"] == 1
    changed = client.post("/forms", json=small_form(title="电话"), headers=auth["builder"])
    assert changed.json()["version"] == 2
    listed = {f["id"]: f for f in client.get("/forms", headers=auth["resident"]).json()}
    assert listed["phone-check"]["version"] == 2 and "household-registration" in listed
    first = client.get("/forms/phone-check?version=1", headers=auth["worker"]).json()
    assert first["title"] == {"zh": "电话核实", "en": "Phone check"} and first["version"] == 1


def test_a_form_that_does_not_fit_the_ontology_is_refused_field_by_field(
    client: TestClient, auth: Tokens
) -> None:
    bad = small_form(
        fields=[
            {"name": "id_number", "term": "idNumber"},
            {"name": "phone", "term": "mobilePhone", "type": "date"},
            {"name": "shoe", "term": "shoeSize"},
        ]
    )
    response = client.post("/forms", json=bad, headers={**auth["builder"], "Accept-Language": "zh"})
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"phone", "shoe", "fields"}
    assert errors["shoe"] == "本体中没有术语 'shoeSize'"


def test_residents_may_not_save_forms(client: TestClient, auth: Tokens) -> None:
    assert client.post("/forms", json=small_form(), headers=auth["resident"]).status_code == 403


def test_a_submission_is_written_once_and_errors_come_back_per_field(
    client: TestClient, auth: Tokens, city: GraphStore
) -> None:
    url = "/forms/household-registration/submissions"
    body = {"submission_id": "api-1", "answers": household(), "channel": "console"}
    created = client.post(url, json=body, headers=auth["worker"])
    assert created.status_code == 201, created.text
    assert created.json()["touched"][0] == {"cls": "Resident", "key": WANG}
    again = client.post(url, json=body, headers=auth["worker"])
    assert again.status_code == 200 and again.json()["replayed"] is True
    nodes = count_nodes(city)
    bad = {"submission_id": "api-2", "answers": household(gender="7", mobile_phone="1")}
    rejected = client.post(url, json=bad, headers={**auth["worker"], "Accept-Language": "zh-CN"})
    assert rejected.status_code == 422
    assert rejected.headers["content-type"] == "application/problem+json"
    errors = {e["field"]: e["message"] for e in rejected.json()["errors"]}
    assert errors == {"gender": "性别：'7' 不在可选代码中", "mobile_phone": "请填写 11 位手机号码"}
    assert count_nodes(city) == nodes
    author = city.read("MATCH (s:Submission {id: 'api-1'}) RETURN s.author AS a, s.channel AS c")
    assert author == [{"a": "worker", "c": "console"}]


def test_a_device_uploads_a_batch_and_gets_one_outcome_each(
    client: TestClient, auth: Tokens, city: GraphStore
) -> None:
    url = "/forms/household-registration/submissions/batch"
    outside = household(address=DOOR_OUTSIDE, members=[], vehicles=[])
    body = {
        "submissions": [
            {"submission_id": "dev-1", "answers": household()},
            {"submission_id": "dev-2", "answers": household(gender="7")},
            {"submission_id": "dev-1", "answers": household()},
            {"submission_id": "dev-3", "answers": outside},
        ]
    }
    outcomes = client.post(url, json=body, headers={**auth["worker"], "Accept-Language": "zh"})
    assert outcomes.status_code == 200, outcomes.text
    got = [
        (o["submission"], o["status"], [e["field"] for e in o["errors"]]) for o in outcomes.json()
    ]
    assert got == [
        ("dev-1", "written", []),
        ("dev-2", "rejected", ["gender"]),
        ("dev-1", "replayed", []),
        ("dev-3", "forbidden", ["address"]),
    ]
    assert outcomes.json()[3]["errors"][0]["message"].endswith("该地址不在您的管辖范围内")
    written = city.read("MATCH (s:Submission) WHERE s.id STARTS WITH 'dev-' RETURN s.id AS id")
    assert written == [{"id": "dev-1"}]
    empty = client.post(url, json={"submissions": []}, headers=auth["worker"])
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "submissions"
    bad_id = {"submissions": [{"submission_id": "no spaces", "answers": {}}]}
    refused = client.post(url, json=bad_id, headers=auth["worker"])
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "submissions.0.submission_id"


def test_prefill_is_scoped_to_the_principal(client: TestClient, auth: Tokens) -> None:
    client.post(
        "/forms/household-registration/submissions",
        json={"answers": household()},
        headers=auth["worker"],
    )
    url = "/forms/elderly-health-check/prefill"
    in_url = client.get(f"{url}?subject={WANG}", headers=auth["worker"])
    assert in_url.status_code == 422 and in_url.json()["errors"][0]["field"] == "subject"
    filled = client.post(url, json={"subject": WANG}, headers=auth["worker"])
    assert filled.status_code == 200
    body = filled.json()
    assert body["subject"].startswith("ref_") and WANG not in filled.text
    values = body["values"]
    assert values["name"]["value"] == "王秀英" and values["address"]["value"] == DOOR_A
    assert values["name"]["source"]["form"] == "household-registration"
    by_ref = client.get(f"{url}?subject={body['subject']}", headers=auth["worker"]).json()
    assert by_ref["values"] == values
    stranger = client.post(url, json={"subject": WANG}, headers=auth["resident"])
    assert stranger.status_code == 200 and stranger.json()["found"] is False


def test_lineage_both_ways(client: TestClient, auth: Tokens) -> None:
    lineage = client.get("/forms/household-registration/lineage", headers=auth["analyst"]).json()
    terms = {t["term"]: t for t in lineage["terms"]}
    assert terms["residesIn"]["kind"] == "relation" and terms["residesIn"]["fields"] == ["address"]
    assert terms["idNumber"]["fields"] == ["id_number", "members.id_number"]
    users = client.get("/terms/ckg:personMobilePhone/forms", headers=auth["analyst"]).json()
    assert {u["form"] for u in users} >= {
        "household-registration",
        "elderly-health-check",
        "epidemic-screening",
    }
    assert client.get("/forms/nope/lineage", headers=auth["analyst"]).status_code == 404
