"""``citykg events …`` as a user runs it: report, dispatch, sign, reply, follow the history,
scoped lists, and bad input named with nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from citykg.controls import load_examples
from tests.backends import Graph
from tests.controls.scenario import SERVICE
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


def test_field_work_for_a_case(city: EventCity, cli_graph: Graph, tmp_path: Path) -> None:
    load_examples(city.store, ontology=city.ontology, principal=SERVICE)
    text = own_building_text(city, city.doors[0], "小区围墙有裂缝")
    case = json.loads(citykg(cli_graph, "report", text, "--as", "r1", "--json").stdout)["event"]
    assert citykg(cli_graph, "act", case["id"], "dispatch", "--as", "centre").returncode == 0
    spec = tmp_path / "task.yaml"
    spec.write_text(
        f"title: {{zh: 围墙排查}}\nform: shop-safety-inspection\nscope: ['{case['place'][:9]}']\n"
        "split: {levels: [community], items: unit}\ndeadline: '2030-01-01T00:00:00+08:00'\n",
        "utf-8",
    )
    made = citykg(cli_graph, "task", case["id"], str(spec), "--as", "jd04", "--dispatch")
    assert made.returncode == 0, made.stderr
    task_id = made.stdout.split()[1]
    listed = citykg(cli_graph, "task", case["id"], "--as", "jd04")
    assert listed.returncode == 0 and task_id in listed.stdout
    refused = citykg(cli_graph, "task", case["id"], str(spec), "--as", "jd04b")
    assert refused.returncode == 6  # the other street's office: the case is out of its reach
