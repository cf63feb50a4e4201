"""``citykg tasks …`` as a user runs it: create and dispatch from a file, follow, verify."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.backends import Graph
from tests.tasks.conftest import COMMUNITY_A1, DISTRICT, TaskCity


def citykg(graph: Graph, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "citykg", "tasks", *args], capture_output=True,
                          text=True, env=graph.env(), timeout=120)  # fmt: skip


def test_create_dispatch_follow_and_verify(city: TaskCity, graph: Graph, tmp_path: Path) -> None:
    spec = tmp_path / "task.yaml"
    spec.write_text(
        "title: {zh: 老年人走访, en: Elderly visits}\nform: epidemic-screening\n"
        f"scope: ['{DISTRICT}']\nsplit: elderly\ndeadline: '2026-11-30T18:00:00+08:00'\n",
        "utf-8",
    )
    created = citykg(graph, "create", str(spec), "--as", "d", "--dispatch")
    assert created.returncode == 0, created.stderr
    task_id = created.stdout.split()[1]
    assert "dispatched:" in created.stdout
    worker = city.workers[COMMUNITY_A1].id
    mine = citykg(graph, "mine", "--as", worker)
    assert mine.returncode == 0 and COMMUNITY_A1 in mine.stdout
    progress = citykg(graph, "progress", task_id, "--as", "d", "--level", "community")
    assert progress.returncode == 0 and COMMUNITY_A1 in progress.stdout
    returned = citykg(graph, "return", task_id, "--as", worker, "--reason", "lost")
    assert returned.returncode == 1 and "reason" in returned.stderr
    verified = citykg(graph, "verify", task_id, "--as", "d")
    assert verified.returncode == 0, verified.stderr
