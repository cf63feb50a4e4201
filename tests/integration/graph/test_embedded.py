"""The embedded FalkorDB server: durability, ownership, crash recovery."""

from __future__ import annotations

import json
import logging
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from citykg.errors import ConfigError, GraphUnavailable
from citykg.graph import Constraint, GraphSchema, open_store
from citykg.graph.embedded import EmbeddedServer
from citykg.graph.falkordb import FalkorDBStore


def count(store: FalkorDBStore) -> int:
    return int(store.read("MATCH (n:Person) RETURN count(n) AS c")[0]["c"])


def server_pid(data_dir: Path) -> int:
    return int(json.loads((data_dir / "server.json").read_text())["pid"])


def alive(pid: int) -> bool:
    """A process that exited but is not yet reaped (a zombie) counts as gone."""
    try:
        os.kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except (ProcessLookupError, FileNotFoundError):
        return False
    return state != "Z"


def exits_within(pid: int, timeout_s: float) -> bool:
    """Poll until ``pid`` is gone or the deadline passes: exit is asynchronous to any signal."""
    deadline = time.monotonic() + timeout_s
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_data_survives_a_clean_restart(data_dir: Path) -> None:
    store = FalkorDBStore(graph_name="g", data_dir=data_dir)
    store.write("UNWIND range(1, 10) AS i CREATE (:Person {idNumber: toString(i)})")
    store.close()
    reopened = FalkorDBStore(graph_name="g", data_dir=data_dir)
    try:
        assert count(reopened) == 10
    finally:
        reopened.close()


def test_every_acknowledged_write_survives_kill_9_of_the_server(data_dir: Path) -> None:
    store = FalkorDBStore(graph_name="g", data_dir=data_dir)
    for i in range(1001):
        store.write("CREATE (:Person {idNumber: $id})", {"id": str(i)})
    assert store.server is not None
    store.server.kill(restart=False)
    store.close()
    reopened = FalkorDBStore(graph_name="g", data_dir=data_dir)
    try:
        assert count(reopened) == 1001
    finally:
        reopened.close()


def test_a_stale_socket_and_state_file_do_not_block_a_start(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    server = EmbeddedServer(data_dir.resolve())
    server.socket_path.write_text("stale")
    (data_dir / "server.json").write_text(json.dumps({"pid": dead.pid, "owner": dead.pid}))
    store = FalkorDBStore(graph_name="g", data_dir=data_dir)
    try:
        assert store.health().ok
    finally:
        store.close()


def test_a_second_opener_is_a_guest_and_never_stops_the_server(data_dir: Path) -> None:
    owner = FalkorDBStore(graph_name="g", data_dir=data_dir)
    guest = FalkorDBStore(graph_name="g", data_dir=data_dir)
    assert owner.server is not None and guest.server is not None
    assert owner.server.owner and not guest.server.owner
    assert guest.server.pid == owner.server.pid
    guest.write("CREATE (:Person {idNumber: '1'})")
    guest.close()
    assert count(owner) == 1
    pid = server_pid(data_dir)
    owner.close()
    assert exits_within(pid, 30), "the owner's close() left the server running"


OWNER_SCRIPT = """
import sys, time
from citykg.graph.falkordb import FalkorDBStore
store = FalkorDBStore(graph_name="g", data_dir=__import__("pathlib").Path(sys.argv[1]))
store.write("UNWIND range(1, 25) AS i CREATE (:Person {idNumber: toString(i)})")
print("ready", flush=True)
time.sleep(600)
"""


def test_a_killed_owner_leaves_no_orphan_and_no_lost_data(data_dir: Path) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, str(data_dir)], stdout=subprocess.PIPE, text=True
    )
    assert owner.stdout is not None and owner.stdout.readline().strip() == "ready"
    pid = server_pid(data_dir)
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    assert exits_within(pid, 30), "the server outlived its owner"
    store = FalkorDBStore(graph_name="g", data_dir=data_dir)
    try:
        assert count(store) == 25
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("falkordb://localhost:port", "bad port"),
        ("falkordb:relative", "absolute"),
        ("neo4j://host:7687/db", "user and password"),
        ("postgres://x", "unknown graph URL"),
    ],
)
def test_bad_graph_urls_get_a_one_line_reason(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        open_store(url)
    assert "\n" not in str(info.value)


def test_a_cleared_and_rebuilt_graph_with_constraints_reopens(data_dir: Path) -> None:
    """Clearing keeps the graph and its schema: a rebuilt graph replays from the AOF."""
    schema = GraphSchema(
        constraints=(Constraint("Person", "idNumber"), Constraint("Place", "code"))
    )
    store = FalkorDBStore(graph_name="g", data_dir=data_dir)
    store.apply_schema(schema)
    store.write("UNWIND range(1, 3000) AS i CREATE (:Person {idNumber: toString(i)})")
    store.clear()
    store.apply_schema(schema)
    store.write("UNWIND range(1, 20) AS i CREATE (:Person {idNumber: toString(i)})")
    store.close()
    reopened = FalkorDBStore(graph_name="g", data_dir=data_dir)
    try:
        assert count(reopened) == 20
    finally:
        reopened.close()


PAIR = """
CREATE (p:Person {idNumber: $id, name: $name})-[:RESIDES_IN {since: $id}]->(:Place {placeCode: $id})
"""
WHOLE = """
MATCH (p:Person)-[r:RESIDES_IN]->(d:Place)
WHERE p.name = 'p' + p.idNumber AND r.since = p.idNumber AND d.placeCode = p.idNumber
RETURN p.idNumber AS id
"""


def test_a_killed_server_is_restarted_within_5_s_and_loses_no_acknowledged_write(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Writers keep writing through a ``kill -9``: the supervisor reaps the server, logs why it
    died and starts it again from its AOF; every acknowledged write is there whole."""
    caplog.set_level(logging.WARNING, logger="citykg.graph.embedded")
    store = FalkorDBStore(graph_name="g", data_dir=data_dir)
    server = store.server
    assert server is not None
    acked: list[str] = []
    failed = 0
    progress = threading.Condition()
    stop = threading.Event()

    def writer(number: int) -> None:
        nonlocal failed
        for n in range(1_000_000):
            if stop.is_set():
                return
            key = f"{number}-{n}"
            try:
                store.write(PAIR, {"id": key, "name": f"p{key}"})
            except GraphUnavailable:
                with progress:
                    failed += 1
                continue
            with progress:
                acked.append(key)
                progress.notify_all()

    threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(4)]
    try:
        for thread in threads:
            thread.start()
        with progress:
            assert progress.wait_for(lambda: len(acked) >= 200, 60)
        dead = server.pid
        killed_at = time.monotonic()
        server.kill()
        assert server.wait_serving(5.0), server.trouble
        assert store.health().ok
        back = time.monotonic() - killed_at
        with progress:
            before = len(acked)
            assert progress.wait_for(lambda: len(acked) >= before + 200, 30)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    try:
        assert back < 5.0
        assert server.restarts == 1 and server.pid != dead
        assert not alive(dead) and not Path(f"/proc/{dead}").exists(), "left unreaped"
        assert "killed by SIGKILL" in server.last_exit and "killed by SIGKILL" in caplog.text
        whole = {row["id"] for row in store.read(WHOLE)}
        assert set(acked) <= whole, f"{len(set(acked) - whole)} acknowledged writes lost"
        nodes = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
        assert nodes == 2 * len(whole), "a write is there by halves"
    finally:
        store.close()


def test_a_graph_down_is_reported_while_it_restarts_and_after_it_gives_up(data_dir: Path) -> None:
    store = FalkorDBStore(graph_name="g", data_dir=data_dir)
    server = store.server
    assert server is not None
    try:
        server.kill(restart=False)
        health = store.health()
        assert not health.ok and "is down (killed by SIGKILL" in health.detail
        with pytest.raises(GraphUnavailable):
            store.read("RETURN 1 AS one")
    finally:
        store.close()


def test_a_server_that_keeps_dying_is_restarted_after_growing_pauses(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="citykg.graph.embedded")
    store = FalkorDBStore(graph_name="g", data_dir=data_dir)
    server = store.server
    assert server is not None
    try:
        for _ in range(3):
            server.kill()
            assert server.wait_serving(10.0), server.trouble
        pauses = [r.args[-1] for r in caplog.records if "restarting it from its AOF" in r.msg]
        assert pauses == [0.0, 0.5, 1.0]
        assert store.read("RETURN 1 AS one") == [{"one": 1}]
    finally:
        store.close()


@pytest.mark.parametrize("durability", ["everysec", "always"])
def test_the_durability_setting_reaches_the_server(data_dir: Path, durability: str) -> None:
    store = open_store(f"falkordb://{data_dir}", graph_name="g", durability=durability)  # type: ignore[arg-type]
    try:
        assert store.health().detail == f"embedded, appendfsync {durability}"
    finally:
        store.close()


def test_a_scheduled_aof_rewrite_happens_only_when_asked(data_dir: Path) -> None:
    """``CITYKG_AOF_REWRITE=scheduled``: redis never forks to rewrite on its own (a 1M-person
    city stalls ~0.6 s when it does); ``citykg compact`` rewrites, and the history goes."""
    store = open_store(f"falkordb://{data_dir}", graph_name="g", aof_rewrite="scheduled")
    try:
        assert isinstance(store, FalkorDBStore) and store.server is not None
        connection = store._db.connection
        assert connection.config_get("auto-aof-rewrite-percentage") == {
            "auto-aof-rewrite-percentage": "0"
        }
        for i in range(20):
            store.write("MERGE (n:N {k: 1}) SET n.v = $v", {"v": f"history-{i:04d}"})
        store.write("MATCH (n:N) SET n.v = 'now'")
        before = connection.info("persistence")["aof_rewrites"]
        store.compact()
        assert connection.info("persistence")["aof_rewrites"] == before + 1
        assert store.read("MATCH (n:N) RETURN count(n) AS n") == [{"n": 1}]
    finally:
        store.close()
    files = b"".join(p.read_bytes() for p in (data_dir / "appendonlydir").iterdir())
    assert b"history-00" not in files  # the overwritten values left the disk


def test_the_graph_files_are_readable_by_their_owner_only(data_dir: Path) -> None:
    """The data directory holds the city's personal data: 0700, and every file in it 0600,
    including a file left readable by an older version, tightened at the next start."""
    data_dir.mkdir(mode=0o755)
    old = data_dir / "left-by-an-older-version.aof"
    old.write_text("x")
    old.chmod(0o644)
    store = FalkorDBStore(graph_name="g", data_dir=data_dir)
    try:
        store.write("CREATE (:Person {idNumber: '110105199001010011'})")
        paths = [data_dir, *data_dir.rglob("*")]
        assert len(paths) > 3  # the AOF directory and its files, the log, the state file
        for path in paths:
            if path.is_socket():
                continue  # the socket is 0700 by the server's own setting
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode & 0o077 == 0, f"{path.relative_to(data_dir)} is {oct(mode)}"
    finally:
        store.close()
