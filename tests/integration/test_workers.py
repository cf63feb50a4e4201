"""Several API processes on one graph (issue 19): ``citykg serve --workers 2`` answers on one
port from two processes that share the embedded engine and one secret, and stops with them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from citykg.access import issue_token, save_principal
from citykg.graph import open_store

START_S = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def environment(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode().split("=", 1) for p in pairs if b"=" in p)


def answering(url: str, server: subprocess.Popen[bytes]) -> None:
    """Poll /health until the server answers (a deadline, not a sleep racing it)."""
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        assert server.poll() is None, "citykg serve exited"
        try:
            if httpx.get(f"{url}/health", timeout=5).is_success:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("citykg serve did not answer in time")


def test_two_workers_share_the_port_the_engine_and_the_secret(tmp_path: Path) -> None:
    graph = f"falkordb://{tmp_path / 'graph'}"
    store = open_store(graph)
    try:
        save_principal(store, id="steward-1", kind="steward", name="steward")
        token = issue_token(store, principal_id="steward-1")
    finally:
        store.close()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYKG_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "citykg", "serve", "--graph", graph, "--port", str(port),
         "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        answering(url, server)
        workers = [
            pid
            for pid in children(server.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 2
        secrets = {environment(pid).get("CITYKG_SECRET") for pid in workers}
        assert len(secrets) == 1 and None not in secrets
        for _ in range(20):  # a new connection each time: both workers answer
            me = httpx.get(f"{url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert me.status_code == 200 and me.json()["id"] == "steward-1"
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=120) is not None
    assert not (tmp_path / "graph" / "falkordb.sock").exists()
