"""Graph store benchmark: batched write rate and indexed lookup latency on the embedded engine.

    python bench/graph_store.py [--nodes 200000] [--batch 5000] [--lookups 2000] [--graph URL]

Loads N person nodes and N RESIDES_IN relationships (each person to one of N/4 door nodes)
through ``GraphStore.write`` with ``UNWIND … MERGE`` batches, then times single indexed lookups
by identity key and a community-sized subtree query. Prints the measured figures; nothing is a
constant.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import LiteralString

from citykg.graph import Constraint, GraphSchema, GraphStore, Index, open_store
from citykg.graph.store import Params

SCHEMA = GraphSchema(
    constraints=(Constraint("Person", "idNumber"), Constraint("Place", "placeCode")),
    indexes=(Index("Door", "building"),),
)

MERGE_DOORS: LiteralString = (
    "UNWIND $rows AS row MERGE (d:Place {placeCode: row.code}) "
    "SET d:Door, d.building = row.building"
)
MERGE_PERSONS: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (d:Place {placeCode: row.door}) "
    "MERGE (p:Person {idNumber: row.id}) SET p.name = row.name, p.age = row.age "
    "MERGE (p)-[r:RESIDES_IN]->(d) SET r.since = row.since"
)
LOOKUP: LiteralString = "MATCH (p:Person {idNumber: $id}) RETURN p.name AS name"
BUILDING_RESIDENTS: LiteralString = (
    "MATCH (d:Door {building: $building})<-[r:RESIDES_IN]-(p:Person) RETURN count(r) AS n"
)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load(store: GraphStore, nodes: int, batch: int) -> tuple[float, float]:
    doors = nodes // 4
    started = time.perf_counter()
    for offset in range(0, doors, batch):
        rows = [
            {"code": f"D{i:09d}", "building": f"B{i // 200:06d}"}
            for i in range(offset, min(doors, offset + batch))
        ]
        store.write(MERGE_DOORS, {"rows": rows})
    door_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for offset in range(0, nodes, batch):
        people: list[dict[str, object]] = [
            {"id": f"P{i:012d}", "name": f"居民{i}", "age": i % 100, "door": f"D{i % doors:09d}",
             "since": "2020-01-01"}
            for i in range(offset, min(nodes, offset + batch))
        ]  # fmt: skip
        store.write(MERGE_PERSONS, {"rows": people})
    return door_seconds, time.perf_counter() - started


def timed(store: GraphStore, query: LiteralString, params: Sequence[Params]) -> list[float]:
    samples = []
    for p in params:
        started = time.perf_counter()
        store.read(query, p)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description="Graph store benchmark")
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument(
        "--graph", default=None, help="graph URL (default: a temporary embedded one)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(args.graph or f"falkordb://{Path(tmp) / 'graph'}", graph_name="bench")
        try:
            store.clear()
            store.apply_schema(SCHEMA)
            store.await_indexes()
            door_s, person_s = load(store, args.nodes, args.batch)
            step = max(1, args.nodes // args.lookups)
            lookups = timed(
                store, LOOKUP, [{"id": f"P{i:012d}"} for i in range(0, args.nodes, step)]
            )
            buildings = [{"building": f"B{i:06d}"} for i in range(0, max(1, args.nodes // 800), 3)]
            subtree = timed(store, BUILDING_RESIDENTS, buildings[:300])
            health = store.health()
        finally:
            store.close()
    doors = args.nodes // 4
    print(f"backend: {health.backend} {health.version} ({health.detail})")
    print(
        f"write  doors:   {doors:>9,} nodes in {door_s:6.2f} s = {doors / door_s:>10,.0f} nodes/s"
    )
    print(
        f"write  persons: {args.nodes:>9,} nodes + {args.nodes:,} relationships "
        f"in {person_s:6.2f} s"
        f" = {args.nodes / person_s:>10,.0f} (node+relationship)/s, batch {args.batch}"
    )
    print(
        f"lookup by identity key ({len(lookups)}x): p50 {percentile(lookups, 0.5):.3f} ms, "
        f"p95 {percentile(lookups, 0.95):.3f} ms, p99 {percentile(lookups, 0.99):.3f} ms"
    )
    print(
        f"residents of one building ({len(subtree)}x, ~800 per building): "
        f"p50 {percentile(subtree, 0.5):.3f} ms, p95 {percentile(subtree, 0.95):.3f} ms, "
        f"mean {statistics.fmean(subtree):.3f} ms"
    )


if __name__ == "__main__":
    main()
