"""What ``CITYKG_DURABILITY`` costs: write rate of the embedded engine with each ``appendfsync``.

    python bench/durability.py [--writes 2000] [--clients 1 8] [--dir /tmp/durability]

For ``everysec`` (the default) and ``always``, starts an embedded FalkorDB in a fresh directory
and times acknowledged writes of one statement each (a person, a door and the relationship
between them, as one logical write is), one client at a time and several at once. With
``always`` redis fsyncs the AOF before it answers, once per round of its event loop, so
concurrent writers share an fsync. Figures depend on the disk: run it on the deployment's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import LiteralString, get_args

from citykg.graph import open_store
from citykg.graph.embedded import Durability
from citykg.graph.store import GraphStore

WRITE: LiteralString = (
    "CREATE (p:Person {idNumber: $id, name: $name})-[:RESIDES_IN {since: '2020-01-01'}]->"
    "(:Place {placeCode: $door})"
)


def timed_writes(store: GraphStore, writes: int, clients: int) -> tuple[float, list[float]]:
    """Writes per second over ``writes`` writes shared by ``clients`` threads, and each
    write's latency in ms."""
    latencies: list[list[float]] = [[] for _ in range(clients)]

    def client(number: int) -> None:
        for n in range(number, writes, clients):
            began = time.perf_counter()
            store.write(WRITE, {"id": f"{number}-{n}", "name": "测试", "door": f"D{n}"})
            latencies[number].append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return writes / seconds, [ms for each in latencies for ms in each]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--dir", type=Path, default=None, help="a directory on the disk to test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="citykg-durability-", dir=args.dir) as root:
        rates = measure(Path(root), args.writes, args.clients)
    for clients in args.clients:
        ratio = rates["always", clients] / rates["everysec", clients]
        print(f"always / everysec, {clients} client(s): {ratio:.2f}")


def measure(root: Path, writes: int, clients_runs: list[int]) -> dict[tuple[str, int], float]:
    rates: dict[tuple[str, int], float] = {}
    for durability in get_args(Durability):
        for clients in clients_runs:
            data = root / f"{durability}-{clients}"
            store = open_store(f"falkordb://{data}", graph_name="bench", durability=durability)
            try:
                timed_writes(store, min(200, writes), clients)  # warm up
                rate, ms = timed_writes(store, writes, clients)
            finally:
                store.close()
            rates[durability, clients] = rate
            print(
                f"appendfsync {durability}, {clients} client(s): {rate:,.0f} writes/s "
                f"(p50 {statistics.median(ms):.2f} ms, p95 {percentile(ms, 0.95):.2f} ms)"
            )
    return rates


if __name__ == "__main__":
    main()
