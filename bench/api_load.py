"""Issue 19 benchmark: API throughput through real HTTP, next to the same requests in process.

    .venv/bin/python bench/api_load.py [--graph falkordb:///tmp/citykg-api-load]
                     [--persons 5000] [--seconds 10] [--readers 50 (0: none)] [--writers 16]
                     [--workers 1] [--client wrk|httpx]

Prepares the graph as ``citykg demo`` does (the demo city of ``--persons`` generated when the
graph is empty), makes the first holder of each community's residents-committee post an official
principal with an API token, serves the API with ``citykg serve --workers N`` in processes of
its own and sends it a bounded load: every client sends its next request when its last one is
answered, for ``--seconds`` after a warm-up. The HTTP load comes from ``wrk`` (Debian's
package: ``apt-get install wrk``; two threads, a Lua script choosing each request), which costs
the 2 shared cores far less than a Python client; ``--client httpx`` (or no wrk) uses asyncio +
httpx2 clients in this process instead.

(a) ``--readers`` clients read first ledger pages (``GET /ledgers/Person``), client i as the
    official of community i (mod the communities), so the pages differ;
(b) ``--writers`` clients send household registrations (``POST
    /forms/household-registration/submissions``, as bench/submissions.py builds them: a new
    household at a door of the official's community).

Each load also runs in process through the same app (``httpx2.ASGITransport``: no socket, no
HTTP parsing, same routes, same policy, same service calls), so the cost of HTTP shows side by
side. Every read load runs before any write load (``--readers 0`` or ``--writers 0`` leaves one
out): the writes add households at the first doors of each community, which first pages read.
Use a fresh ``--graph`` for each run, for the same reason. Prints req/s, p50/p95/p99 (nearest
rank, ms), errors (non-2xx or refused connections) and, through HTTP, the CPU time each request
cost the API processes and the engines (the city graph's and the analysts' copy's), from their
``/proc`` counters: the figure to size a machine by (req/s on 2 shared cores says little
about 16).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from citykg.access import issue_token, save_principal
from citykg.analysis import opened_analysis
from citykg.api.app import create_app
from citykg.cli.options import build_settings, opened_store
from citykg.demo import generate_city, is_empty, prepare_demo
from citykg.graph import GraphStore, cpu_seconds, engine_pid
from citykg.ontology import load_ontology
from citykg.upgrade import upgrade_graph
from submissions import household

FORM = "/forms/household-registration/submissions"
OFFICIALS = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(:ResidentsCommittee)-[j:HAS_JURISDICTION_OVER]->"
    "(c:Community) WHERE h.until IS NULL AND j.until IS NULL "
    "WITH c, min(p.idNumber) AS person RETURN c.placeCode AS community, person "
    "ORDER BY community"
)
DOORS = (
    "MATCH (d:Door) WHERE d.placeCode STARTS WITH $community RETURN d.placeCode AS code LIMIT 50"
)
SUBMITTED = "MATCH (s:Submission) RETURN count(s) AS n"


@dataclass(frozen=True, slots=True)
class Official:
    """A community's official: their token and the doors of their community."""

    community: str
    token: str
    doors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """What one load measured: requests, errors, and latency percentiles in ms."""

    requests: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float
    cpu: tuple[float, float | None] | None = None
    """CPU ms a request in the API processes and in the engines (through HTTP only; no engine
    figure for a server this machine does not run, such as Neo4j's)."""

    def row(self, label: str) -> str:
        cpu = "–"
        if self.cpu:
            api, engines = self.cpu
            cpu = f"{api:.2f} · {'–' if engines is None else f'{engines:.2f}'} ms"
        return (
            f"| {label} | {self.requests / self.seconds:,.0f} req/s | {self.p50:.1f} ms | "
            f"{self.p95:.1f} ms | {self.p99:.1f} ms | {self.errors} | {cpu} |"
        )


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else math.nan


def officials(store: GraphStore) -> list[Official]:
    """One official principal per community, with a fresh token."""
    found = []
    for row in store.read(OFFICIALS):
        principal_id = f"load-{row['community']}"
        save_principal(store, id=principal_id, kind="official", name=principal_id,
                       person=row["person"])  # fmt: skip
        doors = tuple(str(d["code"]) for d in store.read(DOORS, {"community": row["community"]}))
        token = issue_token(store, principal_id=principal_id, label="bench")
        found.append(Official(row["community"], token, doors))
    if not found:
        raise SystemExit("no community official in the graph: is it the demo city?")
    return found


Send = Callable[[httpx2.AsyncClient, int], Awaitable[httpx2.Response]]


async def run_load(client: httpx2.AsyncClient, clients: int, seconds: float, send: Send) -> Summary:
    """``clients`` closed loops of ``send`` for ``seconds``, after one warm-up call each."""
    await asyncio.gather(*(send(client, i) for i in range(clients)))
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def loop(i: int) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = (await send(client, i)).is_success
            except httpx2.TransportError:
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(loop(i) for i in range(clients)))
    seconds = time.perf_counter() - started
    p50, p95, p99 = (nearest_rank(latencies, share) for share in (0.50, 0.95, 0.99))
    return Summary(len(latencies), errors, seconds, p50, p95, p99)


def reader(people: list[Official]) -> Send:
    async def send(client: httpx2.AsyncClient, i: int) -> httpx2.Response:
        official = people[i % len(people)]
        headers = {"Authorization": f"Bearer {official.token}"}
        return await client.get("/ledgers/Person", params={"limit": 50}, headers=headers)

    return send


def writer(people: list[Official], first: int) -> Send:
    """Each call a new household (numbered from ``first``, past those already in the graph)."""
    sent = iter(range(first, first + 10_000_000))

    async def send(client: httpx2.AsyncClient, i: int) -> httpx2.Response:
        official = people[i % len(people)]
        n = next(sent)
        body: dict[str, Any] = {"answers": household(n, official.doors[n % len(official.doors)])}
        headers = {"Authorization": f"Bearer {official.token}"}
        return await client.post(FORM, json=body, headers=headers)

    return send


class TimedApp:
    """The app, timed from the request's arrival to its last byte sent: the test client's own
    work is left out of what a request costs."""

    def __init__(self, app: Any) -> None:
        self.app, self.spent = app, 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.spent += time.perf_counter() - started


async def overhead(
    client: httpx2.AsyncClient, app: TimedApp, store: GraphStore, people: list[Official], path: str
) -> str:
    """What a request costs besides its statements: ``OVERHEAD_RUNS`` sequential requests, each
    timed inside the app and inside the store's ``read`` and ``write``, after one request of each
    caller (a caller's first request reads who they are; the ones after it read the stamp)."""
    spent = [0.0]
    originals = {name: getattr(store, name) for name in ("read", "write")}

    def timed(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return originals[name](*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return call

    params = {"limit": 50} if "ledgers" in path else {}
    for official in people[:OVERHEAD_RUNS]:  # each caller known to the app once, as in a day's use
        await client.get(path, params=params, headers={"Authorization": f"Bearer {official.token}"})
    walls, in_app, inside = [], [], []
    for name in originals:
        setattr(store, name, timed(name))
    try:
        for i in range(OVERHEAD_RUNS):
            headers = {"Authorization": f"Bearer {people[i % len(people)].token}"}
            spent[0], app.spent, started = 0.0, 0.0, time.perf_counter()
            answer = await client.get(path, params=params, headers=headers)
            assert answer.is_success, answer.text
            walls.append((time.perf_counter() - started) * 1000)
            in_app.append(app.spent * 1000)
            inside.append(spent[0] * 1000)
    finally:
        for name in originals:
            delattr(store, name)
    rest = [a - i for a, i in zip(in_app, inside, strict=True)]
    return (
        f"| GET {path} | {nearest_rank(walls, 0.5):.2f} ms | {nearest_rank(in_app, 0.5):.2f} ms "
        f"| {nearest_rank(inside, 0.5):.2f} ms | {nearest_rank(rest, 0.5):.2f} ms |"
    )


OVERHEAD_RUNS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def served(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``citykg serve`` on ``port`` in its own processes, once /health answers."""
    citykg = Path(sys.executable).with_name("citykg")
    server = subprocess.Popen(
        [str(citykg), "serve", "--graph", url, "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(600):
            if server.poll() is not None:
                raise SystemExit(f"citykg serve exited ({server.returncode})")
            try:
                if (await client.get("/health")).is_success:
                    return server
            except httpx2.TransportError:
                await asyncio.sleep(0.1)  # polling a server that is still binding its port
    server.terminate()
    raise SystemExit("citykg serve did not answer /health within a minute")


WRK_SCRIPT = """
local requests, n = {}, 0
function setup(thread)
  thread:set("id", #threads_seen + 1); table.insert(threads_seen, thread)
end
threads_seen = {}
function init(args)
  local lines = {}
  for line in io.lines(args[1]) do table.insert(lines, line) end
  local threads, id = tonumber(args[2]), tonumber(wrk.thread:get("id"))
  for i, line in ipairs(lines) do
    if i % threads == id - 1 then
      local method, path, token, body = line:match("^(%S+)\\t(%S+)\\t(%S+)\\t?(.*)$")
      local headers = {["Authorization"] = "Bearer " .. token}
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
  end
end
function request()
  n = n + 1
  return requests[(n - 1) % #requests + 1]
end
function done(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %f, "errors": %d, '
    .. '"p50": %f, "p95": %f, "p99": %f}\\n', summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""
WRK_THREADS = 2


def wrk_load(port: int, clients: int, seconds: float, lines: list[str]) -> Summary:
    """``clients`` connections of wrk sending ``lines`` (method, path, token, body; tab
    separated) in turn for ``seconds``; each request line is sent at most once per pass."""
    with tempfile.TemporaryDirectory() as scratch:
        script, requests = Path(scratch) / "load.lua", Path(scratch) / "requests.tsv"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        requests.write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = subprocess.run(
            ["wrk", f"-t{WRK_THREADS}", f"-c{clients}", f"-d{math.ceil(seconds)}s",
             "--timeout", "60s", "-s", str(script), f"http://127.0.0.1:{port}", "--", str(requests),
             str(WRK_THREADS)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return Summary(report["requests"], report["errors"], report["seconds"],
                   report["p50"], report["p95"], report["p99"])  # fmt: skip


def warm_up(port: int, people: list[Official], *, clients: int) -> None:
    """Every official's first pages, from as many clients as a load has: each API process then
    knows most callers. As many clients as officials (768 at 1M) left a backlog of requests the
    server was still answering when the measured load began (its p95 read 1.5 s at 1M)."""
    wrk_load(port, clients, 2 + len(people) / 100, read_lines(people, len(people)))


def read_lines(people: list[Official], count: int) -> list[str]:
    return [f"GET\t/ledgers/Person?limit=50\t{people[i % len(people)].token}"
            for i in range(count)]  # fmt: skip


def write_lines(people: list[Official], first: int, count: int) -> list[str]:
    """``count`` new households, numbered from ``first`` (each sent once: enough for the run)."""
    lines = []
    for n in range(first, first + count):
        official = people[n % len(people)]
        body = {"answers": household(n, official.doors[n % len(official.doors)])}
        lines.append(f"POST\t{FORM}\t{official.token}\t{json.dumps(body, ensure_ascii=False)}")
    return lines


def server_processes(
    store: GraphStore, server: subprocess.Popen[bytes]
) -> tuple[list[int], list[int]]:
    """The API's processes (``citykg serve`` and its workers) and the engines' (the city
    graph's, and the analysts' copy's that ``citykg serve`` started)."""
    tree = [server.pid]
    for pid in tree:
        with contextlib.suppress(OSError):
            tree += map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    engines = [pid for pid in tree if _executable(pid).endswith("redis-server")]
    main_engine = engine_pid(store)
    return [p for p in tree if p not in engines], engines + ([main_engine] if main_engine else [])


def _executable(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:  # gone meanwhile
        return ""


def used(pids: Iterable[int]) -> float:
    """CPU seconds the processes ``pids`` have used so far."""
    return sum(cpu_seconds(pid) for pid in pids)


async def http_load(
    args: argparse.Namespace,
    store: GraphStore,
    server: subprocess.Popen[bytes],
    port: int,
    people: list[Official],
    *,
    reads: bool,
) -> Summary:
    """The read load (or the write load) through HTTP, with the CPU each request cost the API
    processes and the engines."""
    api, engines = server_processes(store, server)
    before = used(api), used(engines)
    summary = await sent_load(args, store, port, people, reads=reads)
    api_ms, engines_ms = [(used(pids) - was) * 1000 / max(summary.requests, 1)
                          for pids, was in zip((api, engines), before, strict=True)]  # fmt: skip
    return dataclasses.replace(summary, cpu=(api_ms, engines_ms if engines else None))


async def sent_load(
    args: argparse.Namespace, store: GraphStore, port: int, people: list[Official], *, reads: bool
) -> Summary:
    """The read load (or the write load) through HTTP, from wrk or from httpx clients."""
    first = int(store.read(SUBMITTED)[0]["n"]) + 1_000
    if args.client == "wrk":
        if reads:
            return wrk_load(port, args.readers, args.seconds, read_lines(people, 1_000))
        count = int(args.writers * args.seconds * 400)  # more than any run sends
        return wrk_load(port, args.writers, args.seconds, write_lines(people, first, count))
    limits = httpx2.Limits(max_connections=max(args.readers, args.writers))
    async with httpx2.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=httpx2.Timeout(60)
    ) as client:
        if reads:
            return await run_load(client, args.readers, args.seconds, reader(people))
        return await run_load(client, args.writers, args.seconds, writer(people, first))


async def in_process(
    args: argparse.Namespace, store: GraphStore, people: list[Official], *, reads: bool
) -> tuple[Summary, list[str]]:
    """The same load through the ASGI app in this process; with the reads, the single
    requests' table."""
    app = create_app(build_settings(args.graph), store=store)
    timed = TimedApp(app)
    async with app.router.lifespan_context(app):
        transport = httpx2.ASGITransport(app=timed)
        async with httpx2.AsyncClient(
            transport=transport, base_url="http://app", timeout=httpx2.Timeout(60)
        ) as client:
            if not reads:
                first = int(store.read(SUBMITTED)[0]["n"]) + 1_000
                return await run_load(client, args.writers, args.seconds, writer(people, first)), []
            summary = await run_load(client, args.readers, args.seconds, reader(people))
            paths = ("/me", "/ledgers/Person")
            return summary, [await overhead(client, timed, store, people, p) for p in paths]


async def measure(args: argparse.Namespace, store: GraphStore, people: list[Official]) -> None:
    """Every read load before any write load, through HTTP then in process: the writes add
    households at the first doors of each community, which the first pages then read."""
    port = free_port()
    server = await served(args.graph, port, args.workers)
    http_reads = local_reads = http_writes = local_writes = None
    overheads: list[str] = []
    try:
        if args.client == "wrk":
            warm_up(port, people, clients=args.readers or args.writers)
        if args.readers:
            http_reads = await http_load(args, store, server, port, people, reads=True)
            local_reads, overheads = await in_process(args, store, people, reads=True)
        if args.writers:
            http_writes = await http_load(args, store, server, port, people, reads=False)
    finally:
        server.terminate()
        server.wait()
    if args.writers:
        local_writes, _ = await in_process(args, store, people, reads=False)
    load = os.getloadavg()
    print(f"command: .venv/bin/python {' '.join(sys.argv)}")
    print(f"city: {args.graph}, {len(people)} community officials; {args.workers} API "
          f"process(es); HTTP load from {args.client}; load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores shared)")  # fmt: skip
    print("| load | throughput | p50 | p95 | p99 | errors | CPU a request: API · engines |")
    print("|---|---|---|---|---|---|---|")
    if http_reads and local_reads:
        print(http_reads.row(f"{args.readers} clients, ledger first pages, HTTP"))
        print(local_reads.row(f"{args.readers} clients, ledger first pages, in process"))
    if http_writes and local_writes:
        print(http_writes.row(f"{args.writers} clients, household registrations, HTTP"))
        print(local_writes.row(f"{args.writers} clients, household registrations, in process"))
    print()
    print(
        "| one request at a time, in process | p50 wall (test client included) | p50 in the app "
        "| p50 in the graph store | the app's own (in the app less in the store) |"
    )
    print("|---|---|---|---|---|")
    for line in overheads:
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--graph", default="falkordb:///tmp/citykg-api-load")
    parser.add_argument("--persons", type=int, default=5000, help="residents of a new city")
    parser.add_argument("--seconds", type=float, default=10, help="per load")
    parser.add_argument("--readers", type=int, default=50, help="0: no read loads")
    parser.add_argument("--writers", type=int, default=16, help="0: no write loads")
    parser.add_argument("--workers", type=int, default=1, help="API processes (citykg serve)")
    parser.add_argument("--client", choices=("wrk", "httpx"),
                        default="wrk" if shutil.which("wrk") else "httpx")  # fmt: skip
    args = parser.parse_args()
    settings = build_settings(args.graph)
    with opened_store(settings) as store:
        upgrade_graph(store, settings=settings)
        if is_empty(store):
            generate_city(store, ontology=load_ontology(settings.ontology_dir),
                          persons=args.persons)  # fmt: skip
        prepare_demo(store, settings=settings)
        with opened_analysis(settings, store) as analysis:  # as citykg demo does: the servers'
            analysis.refresh()  # first sync then catches up instead of rebuilding under load
        asyncio.run(measure(args, store, officials(store)))


if __name__ == "__main__":
    main()
