"""F9 benchmark: officials' ledger pages and edits while analysts run long Cypher queries.

    .venv/bin/python bench/analyst_isolation.py [--persons 10000] [--runs 60] [--rounds 6]
                     [--clients 1 4] [--analysts 1 4] [--before-runs 5] [--timeout-ms 5000]

Generates the demo city of ``--persons`` into a fresh embedded graph, builds the analysts' copy
(its own engine), then times, as the demo community worker, the person ledger's first page
(50 rows) and a ledger edit (one write statement) over ``--runs`` runs each, made by
``--clients`` officials at once (4 keep both CPUs of a small machine busy), interleaved in
``--rounds`` rounds (a machine shared with other work weighs on every scenario alike):

* with no analyst query running;
* while ``--analysts`` long analyst queries (a cartesian product, cut off by ``--timeout-ms``,
  restarted as soon as one ends) run through the analysts' runner, i.e. on the copy;
* for comparison, the same long queries sent to the city graph's own engine, as analysts' Cypher
  ran before the copy (``--before-runs`` runs: each write there waits for a query to end).

Prints p50/p95 (nearest rank) and the slowdown of the p50 against no analyst load. Issue 19's
goal: at most 20% slower ledger pages under analysts' load.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from citykg.access import principal
from citykg.analysis import Analysis, opened_analysis, run_query
from citykg.demo import generate_city
from citykg.demo.fixture import demo_principals
from citykg.errors import QueryError
from citykg.graph import GraphStore, open_store
from citykg.ledgers import LedgerQuery, catalog_for, edit_entity, ledger_page
from citykg.ontology import load_ontology
from citykg.settings import Settings
from citykg.upgrade import upgrade_graph

LONG = "MATCH (a), (b), (c) RETURN count(*) AS n"
"""Every triple of nodes: far longer than any timeout on a city of thousands."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--before-runs", type=int, default=5)
    parser.add_argument("--analysts", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--timeout-ms", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="citykg-bench-") as tmp:
        settings = Settings(graph=f"falkordb://{Path(tmp) / 'graph'}",
                            analyst_graph=f"falkordb://{Path(tmp) / 'analyst'}")  # fmt: skip
        store = open_store(settings.graph, graph_name=settings.graph_name)
        try:
            with opened_analysis(settings, store) as analysis:
                bench(store, analysis, settings, args)
        finally:
            store.close()


def bench(
    store: GraphStore, analysis: Analysis, settings: Settings, args: argparse.Namespace
) -> None:
    ontology = load_ontology(settings.ontology_dir)
    upgrade_graph(store, settings=settings)
    started = time.perf_counter()
    city = generate_city(store, ontology=ontology, persons=args.persons)
    demo_principals(store)
    print(f"city: {city.entities:,} entities, {city.relation_count:,} relations "
          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
    copied = analysis.refresh()
    print(f"analysts' copy: {copied.entities:,} entities, {copied.relationships:,} relationships "
          f"({copied.seconds:.1f} s, its own engine)")  # fmt: skip
    catalog = catalog_for(ontology)
    worker, analyst = principal(store, "worker"), principal(store, "analyst")
    first = LedgerQuery(type="Person", limit=50)
    people = [
        r.ref for r in ledger_page(store, catalog=catalog, principal=worker, query=first).items
    ]
    names = iter(  # a name holds no digits
        "测试" + "".join("零一二三四五六七八九"[int(d)] for d in str(n)) for n in range(10**9)
    )

    def page(_client: int) -> object:
        return ledger_page(store, catalog=catalog, principal=worker, query=first)

    def edit(client: int) -> object:  # each client edits a person of its own
        return edit_entity(store, catalog=catalog, principal=worker, type="Person",
                           key=people[client], values={"name": next(names)})  # fmt: skip

    def on_copy() -> None:
        run_query(store, analysis.copy, principal=analyst, query=LONG, timeout_ms=args.timeout_ms)

    def on_city_engine() -> None:
        store.read_untrusted(LONG, timeout_ms=args.timeout_ms)

    print(f"\nmachine load (1, 5, 15 min): {_load()}, {os.cpu_count()} CPUs")
    print(f"{'':58}{'ledger page p50/p95':>22}{'slowdown':>10}{'edit p50/p95':>22}")
    for clients in args.clients:
        officials = f"{clients} official{'s' if clients > 1 else ''} at once"
        scenarios: list[tuple[str, Callable[[], None] | None, int]] = [
            (f"{officials}, no analyst query", None, 0)
        ]
        scenarios += [(f"{officials}, {n} long analyst quer{'y' if n == 1 else 'ies'} on the copy",
                       on_copy, n) for n in args.analysts]  # fmt: skip
        times: dict[str, tuple[list[float], list[float]]] = {s[0]: ([], []) for s in scenarios}
        for _ in range(args.rounds):  # interleaved: a busy machine weighs on each scenario alike
            for label, query, analysts in scenarios:
                with loaded(query, analysts):
                    times[label][0].extend(timed(page, args.runs // args.rounds, clients))
                    times[label][1].extend(timed(edit, args.runs // args.rounds, clients))
        base = statistics.median(times[scenarios[0][0]][0])
        for label, (pages, edits) in times.items():
            print(line(label, pages, edits, base))
        if clients == args.clients[0]:
            for n in args.analysts:
                with loaded(on_city_engine, n):
                    pages = timed(page, args.before_runs, clients)
                    edits = timed(edit, args.before_runs, clients)
                label = f"{officials}, {n} on the city graph's engine (before)"
                print(line(label, pages, edits, base))
    print(f"machine load (1, 5, 15 min): {_load()}")


@contextmanager
def loaded(query: Callable[[], None] | None, analysts: int) -> Iterator[None]:
    """``analysts`` threads running ``query`` again and again until the block ends."""
    if query is None:
        yield
        return
    stop = threading.Event()
    running = threading.Barrier(analysts + 1)

    def analyst() -> None:
        running.wait()
        while not stop.is_set():
            with contextlib.suppress(QueryError):  # timed out, as intended
                query()

    threads = [threading.Thread(target=analyst, daemon=True) for _ in range(analysts)]
    for thread in threads:
        thread.start()
    running.wait()
    time.sleep(0.5)  # let the queries reach the engine
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def line(label: str, pages: list[float], edits: list[float], base: float) -> str:
    slowdown = f"{(statistics.median(pages) / base - 1) * 100:+.0f}%"
    return f"{label:<58}{_pair(pages):>22}{slowdown:>10}{_pair(edits):>22}"


def timed(call: Callable[[int], object], runs: int, clients: int) -> list[float]:
    """Milliseconds of ``runs`` calls, made by ``clients`` threads at once (a call each first,
    untimed: plans cached)."""
    times: list[float] = []

    def client(n: int) -> None:
        call(n)
        for _ in range(max(1, runs // clients)):
            started = time.perf_counter()
            call(n)
            times.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _pair(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return f"{statistics.median(ordered):,.1f} / {p95:,.1f} ms"


if __name__ == "__main__":
    main()
