"""``citykg notify …`` as a user runs it: preview a notice, send it from a file (again with its
key: nothing new), read and confirm it in an inbox, follow the roll-up and the unread, re-send
to the unread, flush the outbox; bad input named with nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from citykg.access import save_principal
from tests.backends import Graph
from tests.controls.scenario import count_nodes
from tests.notifications.conftest import fullest_building, living_under
from tests.tasks.conftest import COMMUNITY_A1, COMMUNITY_A2, TaskCity


def citykg(graph: Graph, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "citykg", "notify", *args],
                          capture_output=True, text=True, env=graph.env(),
                          timeout=120)  # fmt: skip


def notice_file(tmp_path: Path, scope: str, *extra: str) -> Path:
    spec = tmp_path / f"notice-{scope}-{len(extra)}.yaml"
    lines = ["title: {zh: 停水通知, en: Water cut}", "body: {zh: 明日9时至12时停水。}",
             f"scope: ['{scope}']", *extra]  # fmt: skip
    spec.write_text("\n".join(lines) + "\n", "utf-8")
    return spec


def test_preview_send_read_follow_and_resend(
    notified: TaskCity, graph: Graph, tmp_path: Path
) -> None:
    worker = notified.workers[COMMUNITY_A1].id
    building = fullest_building(notified, COMMUNITY_A1)
    people = living_under(notified, building)
    preview = citykg(graph, "preview", building, "--as", worker)
    assert preview.returncode == 0, preview.stderr
    assert f"total: {len(people)} residents" in preview.stdout and building in preview.stdout
    spec = notice_file(tmp_path, building, "must_confirm: true", "idempotency_key: water-1",
                       "outbound: [log]")  # fmt: skip
    sent = citykg(graph, "send", str(spec), "--as", worker)
    assert sent.returncode == 0, sent.stderr
    notice = sent.stdout.split()[1].rstrip(":")
    assert f"{len(people)} delivered" in sent.stdout
    again = citykg(graph, "send", str(spec), "--as", worker)
    assert again.returncode == 0 and "replayed, nothing new" in again.stdout
    assert again.stdout.split()[1].rstrip(":") == notice
    save_principal(notified.store, id="reader", kind="resident", name="居民", person=people[0])
    inbox = citykg(graph, "inbox", "--as", "reader")
    assert inbox.returncode == 0 and notice in inbox.stdout
    confirmed = citykg(graph, "read", notice, "--confirm", "--as", "reader")
    assert confirmed.returncode == 0 and "confirmed" in confirmed.stdout, confirmed.stderr
    rollup = citykg(graph, "rollup", notice, "--as", worker, "--level", "building")
    assert rollup.returncode == 0, rollup.stderr
    assert f"{len(people)} delivered, 1 read, {len(people) - 1} unread, 1 confirmed" in (
        rollup.stdout
    )
    unread = citykg(graph, "unread", notice, "--as", worker)
    assert unread.returncode == 0 and len(unread.stdout.splitlines()) == 2 + len(people) - 1
    assert people[1] not in unread.stdout  # masked
    resent = citykg(graph, "resend", notice, "--as", worker)
    assert resent.returncode == 0 and f"attempt 2: {len(people) - 1} unread" in resent.stdout
    log = tmp_path / "outbound.jsonl"
    flushed = citykg(graph, "flush", "--log", str(log))
    assert flushed.returncode == 0 and flushed.stdout.startswith(f"{2 * len(people) - 1} sent")
    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert {line["person"] for line in lines if line["attempt"] == 2} == set(people[1:])


def test_bad_input_is_named_and_writes_nothing(
    notified: TaskCity, graph: Graph, tmp_path: Path
) -> None:
    worker = notified.workers[COMMUNITY_A1].id
    save_principal(notified.store, id="resident", kind="resident", name="居民",
                   person=living_under(notified, COMMUNITY_A1)[0])  # fmt: skip
    before = count_nodes(notified.store)
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed\n", "utf-8")
    cases = [
        (("send", str(notice_file(tmp_path, COMMUNITY_A2)), "--as", worker), 5, "scope"),
        (("send", str(notice_file(tmp_path, COMMUNITY_A1 + "9999")), "--as", worker), 1, "scope"),
        (("send", str(notice_file(tmp_path, COMMUNITY_A1, "priority: whenever")), "--as",
          worker), 1, "priority"),
        (("send", str(notice_file(tmp_path, COMMUNITY_A1)), "--as", "resident"), 5,
         "notification"),
        (("send", str(broken), "--as", worker), 2, "SPEC_FILE"),
        (("send", str(tmp_path / "absent.yaml"), "--as", worker), 2, "SPEC_FILE"),
        (("preview", COMMUNITY_A1, "--filter", "age:often:2", "--as", worker), 1, "filters"),
        (("preview", COMMUNITY_A2, "--as", worker), 5, "scope"),
        (("rollup", "no-such-notice", "--as", worker), 6, "notification"),
        (("read", "no-such-notice", "--as", "resident"), 6, "notification"),
    ]  # fmt: skip
    for args, code, named in cases:
        done = citykg(graph, *args)
        assert (done.returncode, named in done.stderr) == (code, True), (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert count_nodes(notified.store) == before
