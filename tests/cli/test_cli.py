"""The ``citykg`` command as a user runs it: a real process on a real embedded graph."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citykg.graph import GraphStore, open_store


def citykg(*args: str, graph: Path | str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CITYKG_GRAPH": graph if isinstance(graph, str) else f"falkordb://{graph}"}
    return subprocess.run(
        [sys.executable, "-m", "citykg", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def city(tmp_path: Path) -> Path:
    """An embedded graph with three residents, closed again so the CLI starts its own server."""
    data = tmp_path / "graph"
    store: GraphStore = open_store(f"falkordb://{data}")
    store.write(
        "UNWIND $rows AS row CREATE (:Person:Resident {idNumber: row.id, name: row.name})",
        {
            "rows": [
                {"id": "1", "name": "王伟"},
                {"id": "2", "name": "李娜"},
                {"id": "3", "name": "张敏"},
            ]
        },
    )
    store.close()
    return data


def test_status_reports_the_embedded_engine_and_counts(city: Path) -> None:
    result = citykg("status", graph=city)
    assert result.returncode == 0, result.stderr
    assert "falkordb (embedded)" in result.stdout
    assert str(city) in result.stdout
    assert "nodes:          3" in result.stdout


def test_cypher_prints_a_table_json_and_csv(city: Path) -> None:
    query = "MATCH (p:Person) RETURN p.idNumber AS id, p.name AS name ORDER BY id"
    table = citykg("cypher", query, graph=city)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["id", "|", "name"]
    assert "李娜" in table.stdout
    as_json = json.loads(citykg("cypher", query, "--json", graph=city).stdout)
    assert as_json[0] == {"id": "1", "name": "王伟"}
    rows = list(csv.DictReader(io.StringIO(citykg("cypher", query, "--csv", graph=city).stdout)))
    assert [r["name"] for r in rows] == ["王伟", "李娜", "张敏"]


def test_cypher_takes_text_and_typed_parameters(city: Path) -> None:
    query = "MATCH (p:Person {idNumber: $id}) RETURN p.name AS name"
    result = citykg("cypher", query, "-p", "id=2", "--json", graph=city)
    assert json.loads(result.stdout) == [{"name": "李娜"}]
    typed = "MATCH (p:Person) WHERE p.idNumber IN $ids RETURN count(p) AS n"
    result = citykg("cypher", typed, "--params", '{"ids": ["1", "3"]}', "--json", graph=city)
    assert json.loads(result.stdout) == [{"n": 2}]


def test_cypher_refuses_writes_and_changes_nothing(city: Path) -> None:
    result = citykg("cypher", "MATCH (p:Person) DETACH DELETE p", graph=city)
    assert result.returncode == 5
    assert "only read queries" in result.stderr
    count = citykg("cypher", "MATCH (p:Person) RETURN count(p) AS n", "--json", graph=city)
    assert json.loads(count.stdout) == [{"n": 3}]


def test_a_bad_query_is_one_clear_line(city: Path) -> None:
    result = citykg("cypher", "MATCH (n RETURN n", graph=city)
    assert result.returncode == 4
    assert result.stderr.startswith("error: the graph rejected the query")
    assert "Traceback" not in result.stderr


def test_a_bad_graph_url_is_a_configuration_error(tmp_path: Path) -> None:
    result = citykg("status", graph="mysql://nope")
    assert result.returncode == 2
    assert "unknown graph URL" in result.stderr
