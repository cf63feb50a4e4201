"""``citykg geo …`` as an operator runs it: real processes on a real graph of each backend."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from citykg.demo import load_fixture
from tests.backends import BACKENDS, Graph, backend_graph


def citykg(*args: str, graph: Graph) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citykg", "geo", *args],
        capture_output=True,
        text=True,
        env=graph.env(),
        timeout=180,
    )


@pytest.fixture(scope="module", params=BACKENDS)
def graph(request: pytest.FixtureRequest) -> Iterator[Graph]:
    """Beijing imported through the CLI, then the demo premises and residents; once per
    backend."""
    graph = backend_graph(request)
    graph.store.clear()
    done = citykg("import", "--province", "11", graph=graph)
    assert done.returncode == 0, done.stderr
    assert "7,902 rows" in done.stdout and "7,535 communities" in done.stdout
    load_fixture(graph.store)
    yield graph
    graph.store.clear()


def test_import_again_creates_nothing(graph: Graph) -> None:
    done = citykg("import", "--city", "1101", graph=graph)
    assert done.returncode == 0, done.stderr
    assert "0 places created" in done.stdout


def test_parse_prints_levels(graph: Graph) -> None:
    address = "北京市朝陽區望京街道花家地社區望京西園三區312號樓2單元1102"
    text = citykg("parse", address, graph=graph)
    assert text.returncode == 0, text.stderr
    assert "community  110105026041  花家地社区居委会" in text.stdout
    assert "door       1102" in text.stdout


def test_show_stats_responsible(graph: Graph) -> None:
    show = citykg("show", "110105026041", graph=graph)
    assert "花家地社区居委会" in show.stdout and "朝阳区 110105" in show.stdout
    stats = citykg("stats", "110105001", "--type", "Person", graph=graph)
    assert stats.returncode == 0, stats.stderr
    assert "total Person under 110105001" in stats.stdout
    responsible = citykg("responsible", "1101050010010001001010101", graph=graph)
    assert "* 建外第1社区居民委员会" in responsible.stdout


def test_changes_are_recorded_and_bad_ones_exit_non_zero(graph: Graph) -> None:
    renamed = citykg("rename", "110105026", "望京新街道", "--author", "民政局", graph=graph)
    assert renamed.returncode == 0, renamed.stderr
    assert "rename 110105026 -> 110105026 by 民政局" in renamed.stdout
    moved = citykg("move", "1101050020010001", "--to", "110105002002", "--author", "x", graph=graph)
    assert moved.returncode == 0, moved.stderr
    assert "move 1101050020010001 -> 1101050020020002" in moved.stdout
    shown = citykg("show", "1101050020010001", graph=graph)
    assert "former code of 1101050020020002" in shown.stdout
    bad = citykg("merge", "110105002001", "--into", "110105002", "--author", "x", graph=graph)
    assert bad.returncode == 1
    assert "into" in bad.stderr and "cannot merge" in bad.stderr
