"""The analysts' Cypher: only analysts, on the copy only, read-only, limited, audited, dated."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from citykg.access import Principal
from citykg.access.audit import recent
from citykg.analysis import Analysis, run_query
from citykg.analysis.runner import refused_clause
from citykg.api.app import create_app
from citykg.errors import Forbidden, GraphUnavailable, ValidationFailed
from citykg.settings import Settings
from tests.ledgers.city import City


def test_every_query_is_audited_before_it_runs(
    analysis: Analysis, who: dict[str, Principal]
) -> None:
    query = "MATCH (p:Person {name: '王伟'}) RETURN p.birthDate AS born"
    result = run_query(analysis.main, analysis.copy, principal=who["analyst"], query=query,
                       purpose="年龄结构研究")  # fmt: skip
    assert result.rows == [{"born": "1950-01-01"}] and result.columns == ["born"]
    with pytest.raises(Forbidden, match="LOAD CSV"):
        run_query(analysis.main, analysis.copy, principal=who["analyst"],
                  query="LOAD CSV FROM 'https://example.com/x.csv' AS r RETURN r")  # fmt: skip
    records = recent(analysis.main, principal_id="analyst")
    assert [r["action"] for r in records] == ["cypher.run", "cypher.run"]
    assert str(records[0]["detail"]).startswith("LOAD CSV")
    assert records[1]["purpose"] == "年龄结构研究"


def test_the_copy_server_refuses_writes_too(analysis: Analysis) -> None:
    state = analysis.state()
    assert state is not None
    with pytest.raises(Forbidden, match="only read queries"):
        analysis.copy.store(state.slot).read_untrusted("MATCH (p:Person) DETACH DELETE p")


def test_rows_are_limited_and_only_analysts_may_run_queries(
    analysis: Analysis, who: dict[str, Principal]
) -> None:
    main, copy = analysis.main, analysis.copy
    query = "MATCH (p:Place) RETURN p.placeCode AS code"
    result = run_query(main, copy, principal=who["analyst"], max_rows=3, query=query)
    assert len(result.rows) == 3 and result.truncated
    for name in ("worker1", "head", "resident"):
        with pytest.raises(Forbidden):
            run_query(main, copy, principal=who[name], query="RETURN 1")
    for asked, field in (({"max_rows": 0}, "max_rows"), ({"timeout_ms": 10**6}, "timeout_ms")):
        with pytest.raises(ValidationFailed) as info:
            run_query(main, copy, principal=who["analyst"], query="RETURN 1", **asked)  # type: ignore[arg-type]
        assert info.value.violations[0].path == field


def test_answers_say_how_fresh_the_copy_is(client: TestClient, city: City) -> None:
    response = client.post("/cypher", json={"query": "MATCH (n:Person) RETURN count(n) AS n"},
                           headers=city.headers("analyst"))  # fmt: skip
    body = response.json()
    assert body["rows"] == city.store.read("MATCH (n:Person) RETURN count(n) AS n")
    assert body["rebuilt_at"] <= body["as_of"] and body["as_of"].endswith("+00:00")


@pytest.mark.parametrize("params", [{"": 1}, {"a`b": 1}, {"m": {"x`": 1}}, {"m": [{"": 2}]}])
def test_parameter_names_the_engine_cannot_quote_are_a_422(
    client: TestClient, city: City, params: dict[str, object]
) -> None:
    """FalkorDB's client quotes names and map keys in backticks: one holding a backtick, or an
    empty one, is refused at ``params`` (it was a 500 from the client)."""
    response = client.post("/cypher", json={"query": "RETURN 1 AS one", "params": params},
                           headers=city.headers("analyst"))  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "params"


def test_without_a_copy_the_endpoint_is_unavailable(city: City) -> None:
    with TestClient(create_app(Settings(), store=city.store)) as client:
        response = client.post(
            "/cypher", json={"query": "RETURN 1"}, headers=city.headers("analyst")
        )
    assert response.status_code == 503


def test_a_copy_not_built_yet_is_unavailable(analysis: Analysis, who: dict[str, Principal]) -> None:
    analysis.main.write("MATCH (c:AnalystCopy) DETACH DELETE c")
    with pytest.raises(GraphUnavailable, match="citykg analysis refresh"):
        run_query(analysis.main, analysis.copy, principal=who["analyst"], query="RETURN 1")


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ("MATCH (n) RETURN n.set AS set, n.create AS c", None),
        ("MATCH (n:`CREATE`) RETURN 'DELETE' // REMOVE n\n", None),
        ("MATCH (n) CALL { WITH n RETURN count(*) AS c } RETURN c", None),
        ("CALL db.relationshipTypes()", None),
        ("MATCH (n) MERGE (n)-[:X]->(n)", "MERGE"),
        ("MATCH (n) REMOVE n.name", "REMOVE"),
        ("MATCH (n) FOREACH (x IN [1] | SET n.a = x)", "FOREACH"),
        ("call `db`.`labels`()", "CALL `db`.`labels`"),
        ("CALL dbms.security.listUsers()", "CALL dbms.security.listUsers"),
        ("SHOW DATABASES", "SHOW"),
    ],
)  # fmt: skip
def test_refused_clauses_are_named(query: str, refused: str | None) -> None:
    assert refused_clause(query) == refused
