"""``citykg channels …`` as a user runs it: open a channel from a file, list it as an official
and as a resident, file a request, handle it from the queue, statistics, pause and close; bad
input named with nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from citykg.access import save_principal
from tests.backends import Graph
from tests.channels.conftest import residents_of
from tests.controls.scenario import count_nodes
from tests.tasks.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, TaskCity

NAME = "MATCH (p:Person {idNumber: $p}) RETURN p.name AS n"


def citykg(graph: Graph, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "citykg", "channels", *args],
                          capture_output=True, text=True, env=graph.env(),
                          timeout=120)  # fmt: skip


def channel_file(tmp_path: Path, place: str, **extra: str) -> Path:
    spec = tmp_path / "-".join(["channel", place, *extra.values()])
    lines = ["title: {zh: 居住证明, en: Proof of residence}", "form: resident-service",
             f"places: ['{place}']", "roles: [SQ05]"]  # fmt: skip
    lines += [f"{k}: {v}" for k, v in extra.items()]
    spec.write_text("\n".join(lines) + "\n", "utf-8")
    return spec


def as_resident(city: TaskCity, person: str) -> str:
    save_principal(city.store, id=f"r-{person}", kind="resident", name="居民", person=person)
    return f"r-{person}"


def test_open_request_handle_and_close(served: TaskCity, graph: Graph, tmp_path: Path) -> None:
    made = citykg(graph, "create", str(channel_file(tmp_path, COMMUNITY_A1)), "--as", "sa")
    assert made.returncode == 0, made.stderr
    channel = made.stdout.split()[1]
    assert COMMUNITY_A1 in made.stdout
    listed = citykg(graph, "list", "--as", "sa")
    assert listed.returncode == 0 and channel in listed.stdout
    person, _door = residents_of(served, COMMUNITY_A1)[0]
    neighbour = as_resident(served, person)
    offered = citykg(graph, "list", "--as", neighbour)
    assert offered.returncode == 0 and channel in offered.stdout
    elsewhere = as_resident(served, residents_of(served, COMMUNITY_A2)[0][0])
    assert channel not in citykg(graph, "list", "--as", elsewhere).stdout
    name = served.store.read(NAME, {"p": person})[0]["n"]
    answers = json.dumps({"id_number": person, "name": name}, ensure_ascii=False)
    filed = citykg(graph, "request", channel, answers, "--as", neighbour)
    assert filed.returncode == 0, filed.stderr
    request = filed.stdout.split()[1].rstrip(":")
    worker = served.workers[COMMUNITY_A1].id
    assert request in citykg(graph, "queue", "--as", worker).stdout
    for event, text in (("accept", ()), ("reply", ("--text", "材料已收到"))):
        moved = citykg(graph, "handle", request, event, "--as", worker, *text)
        assert moved.returncode == 0, moved.stderr
    stats = citykg(graph, "stats", channel, "--as", "sa")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)[0]["replied"] == 1
    for event, state in (("pause", "paused"), ("close", "closed")):
        done = citykg(graph, "act", channel, event, "--as", "sa")
        assert done.returncode == 0 and done.stdout.split()[-1] == state, done.stderr
    again = citykg(graph, "act", channel, "resume", "--as", "sa")
    assert again.returncode == 6 and "closed" in again.stderr


def test_edit_changes_the_texts_and_keeps_the_places(
    served: TaskCity, graph: Graph, tmp_path: Path
) -> None:
    made = citykg(graph, "create", str(channel_file(tmp_path, STREET_A)), "--as", "sa")
    channel = made.stdout.split()[1]
    edit = tmp_path / "edit.yaml"
    edit.write_text("title: {zh: 居住证明开具}\nreview: false\n", "utf-8")
    edited = citykg(graph, "edit", channel, str(edit), "--as", "sa")
    assert edited.returncode == 0, edited.stderr
    assert "居住证明开具" in edited.stdout
    shown = citykg(graph, "list", "--as", "sa")
    assert "居住证明开具" in shown.stdout and STREET_A in shown.stdout


def test_bad_input_is_named_and_writes_nothing(
    served: TaskCity, graph: Graph, tmp_path: Path
) -> None:
    before = count_nodes(served.store)
    worker = served.workers[COMMUNITY_A1].id
    cases = [
        (("create", str(channel_file(tmp_path, COMMUNITY_A2)), "--as", "sb"), 5, "places"),
        (("create", str(channel_file(tmp_path, COMMUNITY_A1 + "9999")), "--as", "sa"), 1,
         "places"),
        (("create", str(channel_file(tmp_path, STREET_A, form="no-such-form")), "--as", "sa"), 1,
         "form"),
        (("create", str(channel_file(tmp_path, STREET_A, limit="twice")), "--as", "sa"), 1,
         "limit"),
        (("create", str(channel_file(tmp_path, COMMUNITY_A1)), "--as", worker), 5,
         "channel"),
        (("act", "no-such-channel", "pause", "--as", "sa"), 6, "channel"),
        (("request", "no-such-channel", "{not json", "--as", "sa"), 2, "ANSWERS"),
    ]  # fmt: skip
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed\n", "utf-8")
    cases.append((("create", str(broken), "--as", "sa"), 2, "SPEC_FILE"))
    for args, code, named in cases:
        done = citykg(graph, *args)
        assert (done.returncode, named in done.stderr) == (code, True), (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert count_nodes(served.store) == before
