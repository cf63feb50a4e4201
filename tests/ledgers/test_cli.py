"""``citykg ledgers …`` as a user runs it, acting as a principal of the graph."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import BACKENDS, Graph, backend_graph
from tests.ledgers.city import C1, WANG, build_city


@pytest.fixture(scope="module", params=BACKENDS)
def graph(request: pytest.FixtureRequest) -> Iterator[Graph]:
    """The named city, built once per backend for the commands of this module."""
    graph = backend_graph(request)
    graph.store.clear()
    build_city(graph.store)
    yield graph
    graph.store.clear()


def citykg(graph: Graph, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citykg", "ledgers", *args],
        capture_output=True,
        text=True,
        env=graph.env(),
        timeout=120,
    )


def test_list_show_and_stats_as_a_worker(graph: Graph) -> None:
    listed = citykg(graph, "list", "Person", "--as", "worker1", "--q", "王")
    assert listed.returncode == 0, listed.stderr
    assert "王伟" in listed.stdout and "11****************" in listed.stdout
    assert WANG not in listed.stdout
    shown = citykg(graph, "show", "Person", WANG, "--as", "worker1")
    assert shown.returncode == 0, shown.stderr
    assert "常住于" in shown.stdout and "建外街道" in shown.stdout
    stats = citykg(graph, "stats", "Person", "--as", "head", "--by", "gender")
    assert stats.returncode == 0, stats.stderr
    assert C1 in stats.stdout and "男性" in stats.stdout


def test_export_and_refusals_map_to_exit_codes(graph: Graph, tmp_path: Path) -> None:
    out = tmp_path / "persons.xlsx"
    exported = citykg(graph, "export", "Person", "--as", "head", "--format", "xlsx",
                      "--out", str(out))  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert out.read_bytes()[:2] == b"PK"
    refused = citykg(graph, "export", "Person", "--as", "worker1", "--out", str(out))
    assert refused.returncode == 5 and "may not" in refused.stderr
    unseen = citykg(graph, "show", "Person", WANG, "--as", "worker2")
    assert unseen.returncode == 6
    bad = citykg(graph, "list", "Person", "--as", "worker1", "--filter", "shoeSize:eq:1")
    assert bad.returncode == 1 and "shoeSize" in bad.stderr
