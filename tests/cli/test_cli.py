"""The ``citykg`` command as a user runs it: a real process on a real graph of each backend."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from citykg.access import save_principal
from tests.backends import Graph

HEALTH = {"falkordb": "falkordb (embedded, appendfsync everysec)", "neo4j": "neo4j (server)"}


def citykg(*args: str, graph: Graph | str) -> subprocess.CompletedProcess[str]:
    """``citykg args`` on a graph under test, or on the graph a URL names."""
    env = graph.env() if isinstance(graph, Graph) else {**os.environ, "CITYKG_GRAPH": graph}
    return subprocess.run(
        [sys.executable, "-m", "citykg", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def city(graph: Graph) -> Graph:
    """Three residents and two principals."""
    store = graph.store
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
    save_principal(store, id="analyst", kind="analyst", name="分析员")
    save_principal(store, id="clerk", kind="builder", name="表单员")
    return graph


def test_status_reports_the_engine_and_counts(city: Graph) -> None:
    result = citykg("status", graph=city)
    assert result.returncode == 0, result.stderr
    assert HEALTH[city.store.backend] in result.stdout
    assert f"location:       {city.store.health().location}\n" in result.stdout
    assert "nodes:          6" in result.stdout  # three persons, two principals, a stamp
    assert re.search(r"^  Person +3$", result.stdout, re.MULTILINE)


def analyst_cypher(query: str, *args: str, city: Graph) -> subprocess.CompletedProcess[str]:
    return citykg("cypher", query, "--as", "analyst", *args, graph=city)


def test_cypher_prints_a_table_json_and_csv(city: Graph) -> None:
    query = "MATCH (p:Person) RETURN p.name AS name ORDER BY name"
    table = analyst_cypher(query, city=city)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["name"]
    assert "李娜" in table.stdout
    as_json = json.loads(analyst_cypher(query, "--json", city=city).stdout)
    assert {"name": "王伟"} in as_json
    rows = list(csv.DictReader(io.StringIO(analyst_cypher(query, "--csv", city=city).stdout)))
    assert sorted(r["name"] for r in rows) == sorted(["王伟", "李娜", "张敏"])


def test_cypher_masks_nodes_and_audits_every_query(city: Graph) -> None:
    result = analyst_cypher("MATCH (p:Person {name: '王伟'}) RETURN p", "--json", city=city)
    [row] = json.loads(result.stdout)
    assert row["p"]["properties"]["idNumber"] != "1"  # masked
    audit = citykg("access", "audit", graph=city)
    assert "cypher.run" in audit.stdout and "analyst" in audit.stdout


def test_cypher_takes_text_and_typed_parameters(city: Graph) -> None:
    query = "MATCH (p:Person {name: $name}) RETURN count(p) AS n"
    result = analyst_cypher(query, "-p", "name=李娜", "--json", city=city)
    assert json.loads(result.stdout) == [{"n": 1}]
    typed = "MATCH (p:Person) WHERE p.name IN $names RETURN count(p) AS n"
    result = analyst_cypher(typed, "--params", '{"names": ["王伟", "张敏"]}', "--json", city=city)
    assert json.loads(result.stdout) == [{"n": 2}]


def test_cypher_is_for_analysts_only(city: Graph) -> None:
    result = citykg("cypher", "RETURN 1 AS one", "--as", "clerk", graph=city)
    assert result.returncode == 5
    assert "run read-only graph queries" in result.stderr


def test_cypher_refuses_writes_and_changes_nothing(city: Graph) -> None:
    result = analyst_cypher("MATCH (p:Person) DETACH DELETE p", city=city)
    assert result.returncode == 5
    assert "only read queries" in result.stderr
    count = analyst_cypher("MATCH (p:Person) RETURN count(p) AS n", "--json", city=city)
    assert json.loads(count.stdout) == [{"n": 3}]


def test_a_bad_query_is_one_clear_line(city: Graph) -> None:
    result = analyst_cypher("MATCH (n RETURN n", city=city)
    assert result.returncode == 4
    assert result.stderr.startswith("error: the graph rejected the query")
    assert "Traceback" not in result.stderr


def test_a_form_with_problems_fails_the_process(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text('{"id": "bad", "title": "坏", "subject": "Person", "fields": [{"name": "x", '
                    '"term": "nope"}]}', encoding="utf-8")  # fmt: skip
    graph = f"falkordb://{tmp_path}"
    validated = citykg("controls", "validate", str(path), graph=graph)
    assert validated.returncode == 1, validated.stdout  # click hands back Exit(1), not raises
    assert "x: unknown term 'nope'" in validated.stderr
    checked = citykg("controls", "check", str(path), graph=graph)
    assert checked.returncode == 1 and "unknown term 'nope'" in checked.stdout
    path.write_text("- not a form\n", encoding="utf-8")
    checked = citykg("controls", "check", str(path), graph=graph)
    assert checked.returncode == 1 and "no form (a mapping)" in checked.stderr
    assert "Traceback" not in checked.stderr


def test_a_bad_graph_url_is_a_configuration_error(tmp_path: Path) -> None:
    result = citykg("status", graph="mysql://nope")
    assert result.returncode == 2
    assert "unknown graph URL" in result.stderr


@pytest.mark.slow
def test_demo_generate_writes_a_small_city_and_reports_its_rates(graph: Graph) -> None:
    result = citykg("demo", "generate", "--persons", "300", graph=graph)
    assert result.returncode == 0, result.stderr
    summary = r"^district 110105: [\d,]+ persons, [\d,]+ entities, [\d,]+ relations in [\d.]+ s$"
    assert re.search(summary, result.stdout, re.MULTILINE)
    for label in ("entities/s", "relations/s", "peak memory", "peak memory, graph server"):
        assert re.search(rf"^{label}: +\d[\d,]*( |$)", result.stdout, re.MULTILINE), label
    again = citykg("generate", "--persons", "300", graph=graph)  # the same command, top level
    assert again.returncode == 6
    assert "already holds a city" in again.stderr
    demo = citykg("demo", "--no-serve", graph=graph)  # no subcommand: prepares, as `make demo` does
    assert demo.returncode == 0, demo.stderr
    assert "graph already holds a city" in demo.stdout
    assert re.search(r"^token for analyst +\S+$", demo.stdout, re.MULTILINE)
    assert re.search(r"^password  builder +\S+$", demo.stdout, re.MULTILINE)  # the form builder


def test_demo_options_go_after_its_subcommand(tmp_path: Path) -> None:
    result = citykg("demo", "--no-serve", "generate", graph=f"falkordb://{tmp_path}")
    assert result.returncode == 2
    assert "options go after the subcommand" in result.stderr
