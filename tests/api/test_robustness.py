"""Hostile input gets a 4xx naming the field and writes nothing; outages and logs leak nothing."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citykg.access import issue_token, save_principal
from citykg.api.app import create_app
from citykg.api.edge import too_deep
from citykg.api.errors import problem
from citykg.controls import load_examples
from citykg.demo.fixture import demo_principals
from citykg.geo import ensure_geo_schema
from citykg.graph import GraphStore
from citykg.graph.falkordb import FalkorDBStore
from citykg.ledgers.refs import seal
from citykg.ontology import compile_graph_schema, load_ontology
from citykg.ontology.checkrules import gb11643_check_char
from citykg.settings import Settings
from tests.controls.scenario import SERVICE, count_nodes, household
from tests.ledgers.city import WANG, City, build_city

PROBLEM = "application/problem+json"
SUBMIT = "/forms/household-registration/submissions"
BATCH = "/forms/household-registration/submissions/batch"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def city(store: GraphStore) -> City:
    """The ledger test city, with the graph schema and the example forms."""
    ontology = load_ontology(Settings().ontology_dir)
    store.apply_schema(compile_graph_schema(ontology))
    ensure_geo_schema(store)
    built = build_city(store)
    load_examples(store, ontology=ontology, principal=SERVICE)
    return built


@pytest.fixture
def client(city: City) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), store=city.store)) as client:
        yield client


@pytest.fixture
def worker(city: City) -> dict[str, str]:
    """The demo's community worker, who may submit the household form at its doors."""
    tokens = demo_principals(city.store)
    return {**JSON, "Authorization": f"Bearer {tokens['worker']}"}


def refused(response: object, status: int = 422) -> list[str]:
    """The fields a problem+json answer names, after checking its status and type."""
    assert hasattr(response, "status_code") and hasattr(response, "json")
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    return [e["field"] for e in response.json().get("errors", [])]


def test_an_entity_ref_passed_as_a_cursor_is_a_422_naming_the_cursor(
    client: TestClient, city: City
) -> None:
    response = client.get(
        "/ledgers/Person", params={"cursor": seal(WANG)}, headers=city.headers("head")
    )
    assert refused(response) == ["cursor"]


def test_a_nul_in_a_query_parameter_is_a_422_naming_it(client: TestClient, city: City) -> None:
    response = client.get("/ledgers/Person", params={"q": "王\x00"}, headers=city.headers("head"))
    assert refused(response) == ["q"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_a_422_naming_the_field(
    client: TestClient, city: City, worker: dict[str, str], literal: str
) -> None:
    before = count_nodes(city.store)
    body = json.dumps({"submission_id": "nan-1", "answers": household(gender="__")})
    body = body.replace('"__"', literal)
    assert refused(client.post(SUBMIT, content=body, headers=worker)) == ["answers.gender"]
    assert count_nodes(city.store) == before


@pytest.mark.parametrize(("name", "message"), [("王\ud800", "surrogate"), ("王\x00秀英", "NUL")])
def test_text_unicode_cannot_hold_is_a_422_naming_the_field(
    client: TestClient, city: City, worker: dict[str, str], name: str, message: str
) -> None:
    before = count_nodes(city.store)
    body = {"submission_id": "txt-1", "answers": household(name=name)}
    response = client.post(SUBMIT, content=json.dumps(body), headers=worker)
    assert refused(response) == ["answers.name"]
    assert message in response.json()["errors"][0]["message"]
    assert count_nodes(city.store) == before


@pytest.mark.parametrize(("name", "message"), [("王\ud800", "surrogate"), ("王\x00秀英", "NUL")])
def test_in_a_batch_only_the_row_holding_it_is_refused(
    client: TestClient, city: City, worker: dict[str, str], name: str, message: str
) -> None:
    """An offline device's batch: the good rows are written, the bad one refused by name."""
    bad = {"submission_id": f"bad-{message}", "answers": household(name=name)}
    rows = {"submissions": [{"submission_id": f"ok-{message}", "answers": household()}, bad]}
    response = client.post(BATCH, content=json.dumps(rows), headers=worker)
    assert response.status_code == 200, response.text
    good, refused_row = response.json()
    assert good["status"] in ("written", "replayed"), good
    assert refused_row["status"] == "rejected"
    assert [e["field"] for e in refused_row["errors"]] == ["name"]
    assert message in refused_row["errors"][0]["message"]
    names = "MATCH (p:Person {idNumber: $id}) RETURN p.name AS name"  # both rows are 王's
    assert [r["name"] for r in city.store.read(names, {"id": household()["id_number"]})] == [
        "王秀英"
    ]


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_a_deeply_nested_body_is_a_400_saying_so(
    client: TestClient, city: City, worker: dict[str, str], depth: int
) -> None:
    before = count_nodes(city.store)
    body = '{"submission_id": "deep", "answers": ' + "[" * depth + "]" * depth + "}"
    response = client.post(SUBMIT, content=body, headers=worker)
    refused(response, 400)
    assert "too deeply nested" in response.json()["detail"]
    assert count_nodes(city.store) == before


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert not too_deep(b'{"name": "' + b"[{" * 100 + b'\\" ["}')
    assert too_deep(b'{"a": ' + b"[" * 65 + b"]" * 65 + b"}")
    assert not too_deep(b'{"a": ' + b"[" * 63 + b"]" * 63 + b"}")


def test_a_problem_renders_whatever_input_it_echoes() -> None:
    echoed = [float("nan"), float("inf"), "\ud800", b"\x00", {"k": float("-inf")}]
    rendered = json.loads(problem(422, "validation-failed", "\udfff", "/x", errors=echoed).body)
    assert rendered["errors"] == ["nan", "inf", "\\ud800", "b'\\x00'", {"k": "-inf"}]


def test_a_graph_outage_says_graph_unavailable_and_nothing_of_where(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FalkorDBStore(graph_name="g", data_dir=tmp_path / "graph")
    save_principal(store, id="w", kind="analyst", name="分析员")
    headers = {"Authorization": f"Bearer {issue_token(store, principal_id='w')}"}
    try:
        with TestClient(create_app(Settings(), store=store)) as client:
            assert client.get("/health").status_code == 200
            assert store.server is not None
            store.server.kill(restart=False)
            answers = [
                client.get("/health"),
                client.get("/health", headers={"Accept-Language": "zh-CN"}),
                client.get("/ledgers/Person", headers=headers),
            ]
    finally:
        store.close()
    details = [a.json()["detail"] for a in answers]
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert details == ["graph unavailable", "图数据库不可用 (graph unavailable)", details[0]]
    for answer in answers:
        assert str(tmp_path) not in answer.text and "sock" not in answer.text
    assert str(tmp_path) in caplog.text  # the cause is kept for the operator


def test_log_lines_carry_no_identity_or_mobile_numbers(
    client: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    # a uvicorn server started by an earlier test configures its access logger (level
    # warning, no propagation): this test owns it while it runs, whatever ran before
    uvicorn_access = logging.getLogger("uvicorn.access")
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    monkeypatch.setattr(uvicorn_access, "propagate", True)
    monkeypatch.setattr(uvicorn_access, "disabled", False)
    path = f"/ledgers/Person/{WANG}?q=13800138000"
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", path, "1.1", 200
    )
    logging.getLogger("citykg.analysis.sync").warning("refused %s", "11010519491231002X")
    try:
        raise ValueError(f"no person {WANG}")
    except ValueError:
        logging.getLogger("citykg").exception("lookup failed")
    access = caplog.records[0]
    assert isinstance(access.args, tuple) and len(access.args) == 5  # uvicorn's formatter unpacks
    assert WANG not in caplog.text and "13800138000" not in caplog.text
    assert "11010519491231002X" not in caplog.text
    assert "/ledgers/Person/******************?q=1**********" in caplog.text


def test_a_body_of_another_type_is_not_read_as_json(
    client: TestClient, worker: dict[str, str]
) -> None:
    headers = {**worker, "Content-Type": "application/octet-stream"}
    response = client.post(SUBMIT, content=b"[" * 100, headers=headers)
    assert response.status_code == 422 and "nested" not in response.text
    untyped = {"Authorization": worker["Authorization"]}
    assert refused(client.post(SUBMIT, content=b"[" * 100, headers=untyped), 400) == []


@pytest.mark.parametrize(
    ("answers", "field"),
    [({"name": 12345}, "name"), ({"id_number": 110105194912310020}, "id_number")],
)
def test_text_sent_as_a_number_is_a_422_naming_the_field(
    client: TestClient, city: City, worker: dict[str, str], answers: dict[str, int], field: str
) -> None:
    before = count_nodes(city.store)
    body = {"submission_id": "num-1", "answers": household(**answers)}
    response = client.post(SUBMIT, json=body, headers=worker)
    assert field in refused(response)
    assert "must be text" in response.text
    assert count_nodes(city.store) == before


@pytest.mark.parametrize("version", [True, 1.0, "1"])
def test_a_version_that_is_not_a_json_integer_is_a_422_naming_it(
    client: TestClient, city: City, worker: dict[str, str], version: object
) -> None:
    before = count_nodes(city.store)
    body = {"submission_id": "ver-1", "answers": household(), "version": version}
    assert refused(client.post(SUBMIT, json=body, headers=worker)) == ["version"]
    assert count_nodes(city.store) == before


@pytest.mark.parametrize(
    "name", ["王\u202e秀英", "王\u200b秀英", "王秀英😀", "王秀英$", "<b>王</b>", "王秀英2"]
)
def test_a_person_name_with_invisible_or_symbol_characters_is_refused(
    client: TestClient, city: City, worker: dict[str, str], name: str
) -> None:
    before = count_nodes(city.store)
    body = {"submission_id": "bad-name", "answers": household(name=name)}
    assert refused(client.post(SUBMIT, json=body, headers=worker)) == ["name"]
    rows = {"submissions": [body]}
    outcome = client.post(BATCH, json=rows, headers=worker).json()[0]
    assert outcome["status"] == "rejected" and [e["field"] for e in outcome["errors"]] == ["name"]
    assert count_nodes(city.store) == before


@pytest.mark.parametrize("name", ["买买提·艾力", "John Smith", "Jean-Luc O'Brien", "𠀀秀英"])
def test_names_of_every_people_stay_valid(
    client: TestClient, worker: dict[str, str], name: str
) -> None:
    body = {"submission_id": f"ok-{ord(name[0])}", "answers": household(name=name)}
    response = client.post(SUBMIT, json=body, headers=worker)
    assert response.status_code == 201, response.text


def test_an_id_number_of_region_000000_is_refused(
    client: TestClient, city: City, worker: dict[str, str]
) -> None:
    first17 = "00000019491231002"
    key = first17 + gb11643_check_char(first17)  # a valid check character: only the region fails
    body = {"submission_id": "region", "answers": household(id_number=key)}
    before = count_nodes(city.store)
    response = client.post(SUBMIT, json=body, headers=worker)
    assert refused(response) == ["id_number"]
    assert "division code" in response.text
    assert count_nodes(city.store) == before


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE"])
def test_an_unsupported_method_is_a_405_naming_the_allowed_ones(
    client: TestClient, method: str
) -> None:
    response = client.request(method, "/health")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET"}


def test_no_credential_reaches_a_log_line_even_from_a_logger_made_later(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    late = logging.getLogger("citykg.made.after.the.app")
    late.warning("headers: %s", {"authorization": "Bearer ckg_secret-token_123"})
    late.info("person %s, phone %s", WANG, 13800138000)
    assert "ckg_secret" not in caplog.text and "secret-token" not in caplog.text
    assert WANG not in caplog.text and "13800138000" not in caplog.text
