"""F4 (issue 11): every way the probe read clear values through ``POST /cypher`` now finds none.

The city graph is the oracle: every clear ID number, phone and other long masked value in it
(on persons, relationships, principals and audit records) is collected, and none may appear
anywhere in an answer, whatever the Cypher text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from citykg.access import Principal, audit
from citykg.geo import PlaceScope
from tests.analysis.conftest import clear_values
from tests.ledgers.city import WANG, City

SERVICE = Principal(id="svc", kind="service", name="test", scope=PlaceScope.everywhere())
PROBES: list[tuple[str, dict[str, Any]]] = [
    ("MATCH (p:Person) RETURN p[$k] AS v", {"k": "idNumber"}),
    ("MATCH (p:Person) RETURN p[$k] AS v", {"k": "mobilePhone"}),
    ('MATCH (p:Person) RETURN p["id" + "Number"] AS v, p["mobile" + "Phone"] AS m', {}),
    ("MATCH (p) RETURN [k IN keys(p) | p[k]] AS v", {}),
    ("MATCH ()-[r]->() RETURN [k IN keys(r) | r[k]] AS v, properties(r) AS props", {}),
    ("MATCH (n) RETURN n, properties(n) AS props, labels(n) AS labels", {}),
    ("MATCH p = (:Person)-[*1..2]-() RETURN p LIMIT 500", {}),
    ("MATCH (a:AuditRecord) RETURN a.target AS target, properties(a) AS props", {}),
    ("MATCH (p:Principal) RETURN p, p.person AS person", {}),
    ("MATCH (t:ApiToken) RETURN t.hash AS hash", {}),
    ("MATCH (s:Submission) RETURN s.author AS author, properties(s) AS props", {}),
    ("MATCH (x:PastValue) RETURN x.value AS value", {}),
    ("MATCH (n) WHERE n:AuditRecord OR n:Principal OR n:ApiToken RETURN count(n) AS n", {}),
]


def analyst(client: TestClient, city: City, query: str, **body: Any) -> Any:
    return client.post("/cypher", json={"query": query, **body}, headers=city.headers("analyst"))


@pytest.fixture
def clear(city: City, masked_keys: frozenset[str]) -> set[str]:
    """The clear values of the city graph, with an audit record naming a person in clear (as
    the probe found them) and a principal acting as an official."""
    audit.record(city.store, principal=SERVICE, action="sensitive.reveal", target=WANG,
                 fields=["idNumber"], detail="planted")  # fmt: skip
    found = clear_values(city.store, masked_keys)
    assert WANG in found and "13812345678" in found and len(found) > 100
    return found


@pytest.mark.parametrize(("query", "params"), PROBES)
def test_no_probe_finds_a_clear_value(
    client: TestClient, city: City, clear: set[str], query: str, params: dict[str, Any]
) -> None:
    response = analyst(client, city, query, params=params, max_rows=10_000)
    assert response.status_code == 200, response.text
    text = json.dumps(response.json(), ensure_ascii=False)
    assert not [value for value in clear if value in text]


def test_platform_bookkeeping_is_not_in_the_copy(client: TestClient, city: City) -> None:
    rows = analyst(client, city, "MATCH (n) UNWIND labels(n) AS l RETURN DISTINCT l").json()["rows"]
    labels = {row["l"] for row in rows}
    assert {"Person", "Door", "Organization", "Thing", "Event"} <= labels
    assert not labels & {"AuditRecord", "Principal", "ApiToken", "Submission", "AnalystCopy"}
    assert city.store.read("MATCH (n:ApiToken) RETURN count(n) AS n")[0]["n"] == 6


def test_a_masked_identity_key_is_a_keyed_hash_that_still_joins(
    client: TestClient, city: City
) -> None:
    households = analyst(
        client,
        city,
        "MATCH (h:Person)-[:HOUSEHOLD_HEAD_OF]->(m:Person) "
        "RETURN h.idNumber AS head, count(DISTINCT m.idNumber) AS members, h.name AS name",
    ).json()["rows"]
    assert households == [{"head": households[0]["head"], "members": 2, "name": "王伟"}]
    assert len(households[0]["head"]) == 64 and households[0]["head"] != WANG
    same = analyst(client, city, "MATCH (p:Person {idNumber: $h}) RETURN p.name AS name",
                   params={"h": households[0]["head"]})  # fmt: skip
    assert same.json()["rows"] == [{"name": "王伟"}]


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        ("LOAD CSV FROM 'https://example.com/ids.csv' AS row RETURN row", "LOAD CSV"),
        ("load csv with headers from 'file:///etc/passwd' AS row RETURN row", "LOAD CSV"),
        ("CALL apoc.load.json('https://x.example') YIELD value RETURN 1", "CALL apoc.load.json"),
        ("CALL dbms.procedures()", "CALL dbms.procedures"),
        ("CALL db.indexes()", "CALL db.indexes"),
        ("MATCH (p:Person) SET p.name = 'x'", "SET"),
        ("MATCH (p:Person) /* comment */ DETACH DELETE p", "DETACH DELETE"),
        ("CREATE (:Person {idNumber: '1'})", "CREATE"),
        ("USE system SHOW USERS", "USE"),
    ],
)  # fmt: skip
def test_network_disk_procedures_and_writes_are_refused_by_name(
    client: TestClient, city: City, query: str, clause: str
) -> None:
    english = analyst(client, city, query)
    assert english.status_code == 403
    assert english.json()["errors"] == [{"field": "query", "value": clause, "message": (
        f"{clause} is not allowed: analysts run only read queries on the de-identified copy "
        "(no writes, LOAD CSV, procedures or other databases)")}]  # fmt: skip
    chinese = client.post("/cypher", json={"query": query},
                          headers={**city.headers("analyst"), "Accept-Language": "zh"})  # fmt: skip
    assert chinese.json()["errors"][0]["message"].startswith(f"不允许使用 {clause}")
    assert city.store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"] > 100


def test_words_that_are_not_clauses_pass(client: TestClient, city: City) -> None:
    query = (
        "MATCH (p:Person) WHERE p.name <> 'CREATE' AND p.name <> $set "  # set: a parameter
        "WITH {load: 1, use: 2} AS m, p "  # map keys
        "CALL db.labels() YIELD label RETURN count(DISTINCT label) AS labels, m.use AS u"
    )
    response = analyst(client, city, query, params={"set": "x"})
    assert response.status_code == 200, response.text
    assert response.json()["rows"][0]["u"] == 2
