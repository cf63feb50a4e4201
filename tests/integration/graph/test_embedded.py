"""The embedded FalkorDB server: durability, ownership, crash recovery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citykg.errors import ConfigError
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
    store.server.kill()
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
