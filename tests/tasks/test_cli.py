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
    listed = citykg(graph, "list", "--as", worker, "--json")
    assert listed.returncode == 0 and task_id in listed.stdout and "老年人走访" in listed.stdout
    mine = citykg(graph, "mine", "--as", worker)
    assert mine.returncode == 0 and COMMUNITY_A1 in mine.stdout
    progress = citykg(graph, "progress", task_id, "--as", "d", "--level", "community")
    assert progress.returncode == 0 and COMMUNITY_A1 in progress.stdout
    returned = citykg(graph, "return", task_id, "--as", worker, "--reason", "lost")
    assert returned.returncode == 1 and "reason" in returned.stderr
    verified = citykg(graph, "verify", task_id, "--as", "d")
    assert verified.returncode == 0, verified.stderr


def test_dispatch_preview_writes_nothing_and_tells_what_the_dispatch_makes(
    city: TaskCity, graph: Graph, tmp_path: Path
) -> None:
    spec = tmp_path / "task.yaml"
    spec.write_text(
        "title: {zh: 社区巡查, en: Community rounds}\nform: epidemic-screening\n"
        f"scope: ['{DISTRICT}']\nsplit: to-communities\ndeadline: '2026-11-30T18:00:00+08:00'\n",
        "utf-8",
    )
    task_id = citykg(graph, "create", str(spec), "--as", "d").stdout.split()[1]
    preview = citykg(graph, "dispatch", task_id, "--as", "d", "--preview")
    assert preview.returncode == 0, preview.stderr
    assert "district 1, street 2, community 4; 7 new" in preview.stdout
    assert "4 items (4 new); nothing written" in preview.stdout
    assert city.store.read("MATCH (p:TaskPart) RETURN count(p) AS n")[0]["n"] == 0
    refused = citykg(graph, "dispatch", task_id, "--as", "sa", "--preview")
    assert refused.returncode != 0
    done = citykg(graph, "dispatch", task_id, "--as", "d")
    assert done.stdout.startswith("7 parts (7 new), 4 items (4 new)"), done.stdout
