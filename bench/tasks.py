"""Task benchmark: dispatch a per-person task to every person over 60 of a generated city, then
time progress of the whole tree (idle and under a stream of transitions), single transitions,
a community worker's first page of items, and the first page of what one street got returned.

    .venv/bin/citykg demo generate --persons 100000 --graph falkordb:///tmp/city100k
    .venv/bin/python bench/tasks.py --graph falkordb:///tmp/city100k [--runs 100] [--rate 200]

Acts as officials resolved from their posts, as the API does: a district department's BM03
creates and dispatches (split: street, community; one item per person aged 60 or over, the
ledger filter ``age:gte:60``); each community's SQ05 worker moves its own items. Prints the
dispatch rate, progress p50/p95 (nearest rank) idle and while a writer process (as another API
process would) sends item transitions at ``--rate`` per second, and transition p50/p95 end to
end (read, policy, guarded write with its transition fact and counters). Then "my items" (the
first 50, as the console's tasks page) of the first community worker, and, once every worker of
that worker's street has returned all its items (无效批量退回), the street office's returned list:
the first page of 50 with the total and the count per reason, as the task page reads it. Each
run creates a new task; nothing is a constant.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from citykg.access import principal, save_principal
from citykg.access.principals import Principal
from citykg.api.warmup import warm_up
from citykg.controls import load_examples
from citykg.graph import GraphStore, open_store
from citykg.ledgers import catalog_for
from citykg.ontology import load_ontology
from citykg.settings import Settings
from citykg.tasks import (
    ItemSelection,
    SplitRule,
    TaskSpec,
    Text,
    act,
    act_many,
    create_task,
    dispatch,
    ensure_tasks_schema,
    mine,
    progress,
    returned_to_me,
)
from citykg.tasks.models import Progress

POST = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:Organization) WHERE h.until IS NULL "
    "AND h.role = $role RETURN p.idNumber AS person, o.creditCode AS org ORDER BY org LIMIT $n"
)
COMMUNITY_WORKERS = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:ResidentsCommittee) WHERE h.until IS NULL "
    "AND h.role = 'SQ05' WITH o, min(p.idNumber) AS person "
    "RETURN person, o.creditCode AS org ORDER BY org"
)
HOLDER = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:Organization {creditCode: $org}) "
    "WHERE h.until IS NULL RETURN p.idNumber AS person ORDER BY h.role LIMIT 1"
)


def spread(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 0.5):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def official(store: GraphStore, person: str, pid: str) -> Principal:
    save_principal(store, id=pid, kind="official", name=pid, person=person)
    return principal(store, pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", required=True)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200.0, help="transitions/s while timing")
    parser.add_argument("--transitions", type=int, default=300)
    args = parser.parse_args()
    settings = Settings(graph=args.graph)
    ontology = load_ontology(settings.ontology_dir)
    catalog = catalog_for(ontology)
    warm_up(settings)  # as the server does at start
    store = open_store(args.graph)
    try:
        ensure_tasks_schema(store)
        store.await_indexes()
        save_principal(store, id="bench-builder", kind="builder", name="bench", roles=["builder"])
        load_examples(store, ontology=ontology, principal=principal(store, "bench-builder"))
        creator = official(store, store.read(POST, {"role": "BM03", "n": 1})[0]["person"],
                           "bench-district")  # fmt: skip
        persons = int(store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"])
        district = creator.scope.roots[0]
        now = datetime.now(UTC)
        spec = TaskSpec(
            title=Text(zh="老年人健康体检报名", en="Elderly health check"),
            form="elderly-health-check", scope=(district,),
            split=SplitRule(levels=("street", "community"), filters=("age:gte:60",)),
            deadline=now + timedelta(days=7),
        )  # fmt: skip
        task = create_task(store, catalog=catalog, principal=creator, spec=spec)
        done = dispatch(store, catalog=catalog, principal=creator, task_id=task.id)
        print(f"city: {persons:,} persons; task {task.id}: {done.parts} parts, "
              f"{done.items_created:,} items dispatched in {done.seconds:.2f} s = "
              f"{done.items_created / done.seconds:,.0f} items/s (one call)")  # fmt: skip

        def whole() -> Progress:
            return progress(store, principal=creator, task_id=task.id)

        idle = timed(whole, args.runs)
        print(f"progress of the whole tree ({len(whole().nodes)} nodes), idle: "
              f"{spread(idle)}")  # fmt: skip
        workers = [official(store, r["person"], f"bench-w{i}")
                   for i, r in enumerate(store.read(COMMUNITY_WORKERS))]  # fmt: skip
        queue: list[tuple[Principal, str]] = []
        for w in workers:  # the first workers' items, enough for the timed moves
            queue += [(w, i.id) for i in mine(store, principal=w, states=["pending"], limit=500)
                      if i.task == task.id]  # fmt: skip
            if len(queue) >= args.transitions:
                break
        moves = timed_moves(store, queue[: args.transitions])
        print(f"one transition end to end (start, {len(moves)} items): "
              f"{spread(moves)}")  # fmt: skip
        spawn = multiprocessing.get_context("spawn")
        stop, sent = spawn.Event(), spawn.Value("i", 0)
        others = [w.id for w in reversed(workers)]  # from the last: not the timed moves' items
        job = (args.graph, task.id, others, args.rate, stop, sent)
        writer = spawn.Process(target=write_moves, args=job)
        writer.start()
        while sent.value == 0 and writer.is_alive():  # the writer has opened the graph
            time.sleep(0.01)
        started = time.perf_counter()
        begun = sent.value
        busy = timed(whole, args.runs)
        stop.set()
        writer.join()
        rate = (sent.value - begun) / (time.perf_counter() - started)
        print(f"progress while {rate:.0f} transitions/s are written: "
              f"{spread(busy)}")  # fmt: skip
        first = workers[0]
        page = timed(lambda: mine(store, principal=first, limit=50), args.runs)
        print(f"my items, the first 50 of a community worker's: {spread(page)}")
        street = first.scope.roots[0][:9]
        returning = [w for w in workers if w.scope.roots and w.scope.roots[0].startswith(street)]
        started = time.perf_counter()
        returned = sum(
            act_many(store, principal=w, task_id=task.id, event="return_invalid",
                     reason="moved_away", selection=ItemSelection(within=w.scope.roots[0])).moved
            for w in returning
        )  # fmt: skip
        took = time.perf_counter() - started
        print(f"batch return by the {len(returning)} workers of street {street}: {returned:,} "
              f"items in {took:.2f} s")  # fmt: skip
        above = mine(store, principal=first, states=["returned"], limit=1)[0].above_organization
        office = official(store, store.read(HOLDER, {"org": above})[0]["person"], "bench-street")
        inbox = returned_to_me(store, principal=office, task_id=task.id, limit=50)
        listed = timed(lambda: returned_to_me(store, principal=office, task_id=task.id,
                                              limit=50), args.runs)  # fmt: skip
        print(f"returned to the street office, the first {len(inbox.items)} of {inbox.total:,} "
              f"with the count per reason: {spread(listed)}")  # fmt: skip
    finally:
        store.close()


def write_moves(url: str, task: str, workers: list[str], rate: float, stop: Any, sent: Any) -> None:
    """Another process's community workers starting their pending items of ``task`` at
    ``rate`` per second (as other API processes would), each reading their own list first, so
    the writes do not share the measuring process's interpreter or its memory."""
    store = open_store(url)
    try:
        gap, due = 1 / rate, time.perf_counter()
        for pid in workers:
            who = principal(store, pid)
            for item in mine(store, principal=who, states=["pending"], limit=500):
                if stop.is_set():
                    return
                if item.task != task:
                    continue
                act(store, principal=who, item_id=item.id, event="start")
                with sent.get_lock():
                    sent.value += 1
                due += gap
                time.sleep(max(0.0, due - time.perf_counter()))
    finally:
        store.close()


def timed_moves(store: GraphStore, queue: list[tuple[Principal, str]]) -> list[float]:
    out = []
    for who, item in queue:
        started = time.perf_counter()
        act(store, principal=who, item_id=item, event="start")
        out.append((time.perf_counter() - started) * 1000)
    return out


if __name__ == "__main__":
    main()
