"""``citykg events …`` as a user runs it: report, dispatch, sign, reply, follow the history,
scoped lists, and bad input named with nothing written."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.backends import Graph
from tests.events.conftest import EventCity
from tests.events.test_loop import COUNT, own_building_text


@pytest.fixture
def cli_graph(city: EventCity, request: pytest.FixtureRequest) -> Graph:
    """The session graph the module's city lives in, for a ``citykg`` process."""
    graph: Graph = request.getfixturevalue(f"{request.node.callspec.params['city']}_graph")
    return graph


def citykg(graph: Graph, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "citykg", "events", *args], capture_output=True,
                          text=True, env=graph.env(), timeout=120)  # fmt: skip


def test_report_handle_and_follow(city: EventCity, cli_graph: Graph) -> None:
    text = own_building_text(city, city.doors[0], "楼道灯坏了一周")
    reported = citykg(cli_graph, "report", text, "--as", "r1", "--json")
    assert reported.returncode == 0, reported.stderr
    case = json.loads(reported.stdout)["event"]["id"]
    for who, step, extra in (("centre", "dispatch", ()), ("jd04", "sign", ()),
                             ("jd04", "reply", ("--reply", "已修好"))):  # fmt: skip
        moved = citykg(cli_graph, "act", case, step, "--as", who, *extra)
        assert moved.returncode == 0, moved.stderr
    shown = citykg(cli_graph, "show", case, "--as", "r1", "--json")
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)
    assert detail["event"]["state"] == "replied"
    assert [s["event"] for s in detail["timeline"]][:4] == ["report", "dispatch", "sign", "reply"]
    mine = citykg(cli_graph, "list", "--as", "jd04")
    assert mine.returncode == 0 and case in mine.stdout
    other = citykg(cli_graph, "list", "--as", "jd04b")  # the other street's office
    assert other.returncode == 0 and case not in other.stdout
    hidden = citykg(cli_graph, "show", case, "--as", "r2")  # another resident
    assert hidden.returncode == 6 and case in hidden.stderr


def test_bad_input_is_named_and_writes_nothing(city: EventCity, cli_graph: Graph) -> None:
    before = city.store.read(COUNT)[0]["n"]
    short = citykg(cli_graph, "report", "x", "--as", "r1")
    assert short.returncode == 1 and "description" in short.stderr
    assert "Traceback" not in short.stderr
    urgency = citykg(cli_graph, "report", "路灯不亮了很久", "--urgency", "9", "--as", "r1")
    assert urgency.returncode == 1 and "urgency" in urgency.stderr
    assert city.store.read(COUNT)[0]["n"] == before
