"""Events benchmark, part two: intake, duplicate candidates and the KPI table with many past cases.

    .venv/bin/citykg demo generate --persons 100000 --graph falkordb:///tmp/city100k
    .venv/bin/python bench/events_scale.py --graph falkordb:///tmp/city100k --past 100000
                                           [--moved 5000] [--batch 200] [--live 4000] [--runs 50]

On a generated city: ``--past`` hotline reports (``我家住在<小区><n>号楼，<problem>``, about real
buildings, spread over the last 90 days) taken by the real intake (``report_many`` as ``POST
/events`` batches it: locate from the sentence, route, duplicate candidates) in batches of
``--batch``, timed: intake throughput (each batch's duplicate candidates are the cases reported
before it). ``--moved`` of them are then moved along the loop by the
holders of the posts they were routed to (dispatch, sign, reply, close, visit, rate, as the demo
cases are), so the stage times and KPIs have history. Then, with those cases in the graph:

* ``--live`` reports more, all at the present (every case in the graph is earlier), in batches of
  ``--batch``, timed: intake throughput in the steady state, the window full of cases;
* single reports through the same intake (``--runs``), each about a building with cases already:
  p50/p95 of intake including its duplicate candidates (target: candidates p95 < 50 ms, so the
  whole intake is an upper bound);
* the KPI table for every department of the district over the last quarter (target p95 < 300 ms),
  after the KPI tallies are there (built from the cases once, timed, on a graph from before them),
  then by street and by community (every one of the district), and the deadline suggestions.

Targets (issue 15): intake ≥ 500 reports/s, candidates p95 < 50 ms, KPI table p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from citykg.events import Report, act
from citykg.events.demo import GATEWAY, PROBLEMS, STEPS, step_actor
from citykg.events.intake import report, report_many
from citykg.events.kpi import By, departments, ensure_tallies, kpis, suggestions
from citykg.graph import GraphStore, cpu_seconds, engine_pid, open_store
from citykg.ontology import load_ontology
from citykg.settings import Settings

BUILDINGS = (
    "MATCH (b:Building)-[:PART_OF]->(c:Compound) WHERE c.name IS NOT NULL "
    "RETURN b.placeCode AS code, c.name AS compound, b.number AS number ORDER BY code"
)
CASES = "MATCH (e:Event) WHERE e.state IS NOT NULL RETURN count(e) AS n"
PLACES = (
    "MATCH (p:Place) WHERE p.placeCode STARTS WITH $district AND size(p.placeCode) = $length "
    "RETURN p.placeCode AS code ORDER BY code"
)
DISTRICT = "110105"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def line(name: str, samples: list[float], target: float) -> str:
    p95 = percentile(samples, 0.95)
    verdict = "met" if p95 < target else "NOT met"
    return (f"{name}: p50 {percentile(samples, 0.5):.1f} ms, p95 {p95:.1f} ms "
            f"(target p95 < {target:.0f} ms: {verdict}; {len(samples)} runs; "
            f"{load()})")  # fmt: skip


def sentence(rng: random.Random, building: dict[str, Any]) -> str:
    return f"我家住在{building['compound']}{building['number']}号楼，{rng.choice(PROBLEMS)}"


def load() -> str:
    """The load average, printed beside the figures (the CPUs are shared)."""
    with open("/proc/loadavg") as f:
        return "load average " + ", ".join(f.read().split()[:3])


def cpu(store: GraphStore) -> float:
    """CPU seconds used so far by this process and the embedded server (0 for the server
    when it is not embedded): the work, apart from the other jobs sharing the CPUs."""
    pid = engine_pid(store)
    return time.process_time() + (cpu_seconds(pid) if pid is not None else 0.0)


def intake_line(name: str, taken: int, seconds: float, spent: float, batch: int) -> str:
    return (f"{name}: {taken:,} reports in {seconds:.1f} s = {taken / seconds:,.0f} reports/s "
            f"(batches of {batch}; target >= 500; {load()}); CPU of bench and server "
            f"{spent / taken * 1000:.2f} ms a report")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", required=True)
    parser.add_argument("--past", type=int, default=100_000)
    parser.add_argument("--moved", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--live", type=int, default=4_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    ontology = load_ontology(Settings(graph=args.graph).ontology_dir)
    store = open_store(args.graph)
    try:
        buildings = store.read(BUILDINGS)
        now = datetime.now(UTC)
        print(f"{len(buildings):,} buildings; {store.read(CASES)[0]['n']:,} cases before")
        taken, seconds, spent, ids = 0, 0.0, 0.0, []
        while taken < args.past:
            size = min(args.batch, args.past - taken)
            at = now - timedelta(days=90 * (1 - taken / args.past), hours=rng.random())
            calls = [Report(description=sentence(rng, rng.choice(buildings)), source="hotline")
                     for _ in range(size)]  # fmt: skip
            started, used = time.perf_counter(), cpu(store)
            done = report_many(store, ontology=ontology, principal=GATEWAY, reports=calls, at=at)
            seconds += time.perf_counter() - started
            spent += cpu(store) - used
            taken += size
            ids += [(view.event, at) for view in done]
        if taken:
            print(intake_line("intake", taken, seconds, spent, args.batch))
        moved, started = 0, time.perf_counter()
        for case, at in rng.sample(ids, min(args.moved, len(ids))):
            for step, action in enumerate(rng.choice(STEPS[1:]), start=1):
                case = act(store, principal=step_actor(store, case, action.event),
                           event_id=case.id, action=action,
                           at=at + timedelta(hours=6 * step))  # fmt: skip
                moved += 1
        if moved:
            spent = time.perf_counter() - started
            print(f"moved: {moved:,} steps in {spent:.1f} s ({moved / spent:,.0f} steps/s)")
        print(f"{store.read(CASES)[0]['n']:,} cases in the graph")
        live, seconds, spent = 0, 0.0, 0.0
        while live < args.live:
            size = min(args.batch, args.live - live)
            calls = [Report(description=sentence(rng, rng.choice(buildings)), source="hotline")
                     for _ in range(size)]  # fmt: skip
            at = datetime.now(UTC)
            started, used = time.perf_counter(), cpu(store)
            report_many(store, ontology=ontology, principal=GATEWAY, reports=calls, at=at)
            seconds += time.perf_counter() - started
            spent += cpu(store) - used
            live += size
        if live:
            print(intake_line("intake at the present", live, seconds, spent, args.batch))
        singles = []
        for _ in range(args.runs):
            call = Report(description=sentence(rng, rng.choice(buildings)), source="hotline")
            started = time.perf_counter()
            at = datetime.now(UTC)
            last = report(store, ontology=ontology, principal=GATEWAY, report=call, at=at).event
            singles.append((time.perf_counter() - started) * 1000)
        print(line("one report: locate, route, duplicate candidates, write", singles, 50))
        centre = step_actor(store, last, "dispatch")  # the command centre: the KPI table's reader
        groups = departments(store, DISTRICT)
        started = time.perf_counter()
        ensure_tallies(store)  # built from the cases once on a graph from before the tallies
        print(f"KPI tallies ready in {time.perf_counter() - started:.1f} s")
        tables = []
        for _ in range(args.runs):
            started = time.perf_counter()
            kpis(store, principal=centre, groups=groups, start=now - timedelta(days=91),
                 end=now, now=now)  # fmt: skip
            tables.append((time.perf_counter() - started) * 1000)
        print(line(f"KPI table, {len(groups)} departments, a quarter", tables, 300))
        views: tuple[tuple[By, int], ...] = (("street", 9), ("community", 12))
        for by, length in views:
            codes = [str(r["code"]) for r in
                     store.read(PLACES, {"district": DISTRICT, "length": length})]  # fmt: skip
            tables = []
            for _ in range(args.runs):
                started = time.perf_counter()
                kpis(store, principal=centre, groups=codes, start=now - timedelta(days=91),
                     end=now, now=now, by=by)  # fmt: skip
                tables.append((time.perf_counter() - started) * 1000)
            kind = "streets" if by == "street" else "communities"
            print(line(f"KPI table, {len(codes)} {kind}, a quarter", tables, 300))
        advice = []
        for _ in range(args.runs):
            started = time.perf_counter()
            suggestions(store, principal=centre, groups=groups, start=now - timedelta(days=91),
                        end=now)  # fmt: skip
            advice.append((time.perf_counter() - started) * 1000)
        print(line(f"deadline suggestions, {len(groups)} departments, a quarter", advice, 300))
    finally:
        store.close()


if __name__ == "__main__":
    main()
