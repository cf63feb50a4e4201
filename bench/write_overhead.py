"""Write overhead: the platform's bulk path against raw FalkorDB client writes of the same rows.

    .venv/bin/python bench/write_overhead.py [--rows 100000] [--rounds 3] [--seed 1]

Takes ``--rows`` persons and their RESIDES_IN relations from the demo generator (``build_city``:
the properties and labels ``citykg demo generate`` writes) and writes them, in the generator's
batch size, into fresh embedded graphs that have the same schema (``upgrade_graph`` plus the
generator's identity keys) and the same doors already in place:

- raw: the ``falkordb`` client on the embedded server's socket, ``graph.query`` with the same
  ``UNWIND … CREATE`` text and parameters;
- platform: ``write_city``, the generator's bulk path through ``GraphStore.write``. It applies no
  validation on the way (the generator's rows are checked against the ontology by its tests), so
  there is none to time.

The two alternate over ``--rounds`` rounds, each round in a fresh graph of its own; the fastest
round of each counts (the machine may be shared). Prints measured figures; nothing is a constant.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString

import falkordb

from citykg.demo import queries
from citykg.demo.generate import (
    BATCH_SIZE,
    CITY_SCHEMA,
    SOURCE,
    City,
    Row,
    build_city,
    district_divisions,
    write_city,
)
from citykg.graph import GraphStore, open_store
from citykg.graph.falkordb import FalkorDBStore
from citykg.settings import Settings
from citykg.upgrade import upgrade_graph

GRAPH = "bench-overhead"
DISTRICT = "110105"
CREATE_DOORS: LiteralString = (
    "UNWIND $rows AS row "
    "CREATE (:Place:Door:Premises {placeCode: row.code, name: row.name, level: row.level, "
    "number: row.number, source: $source})"
)
COUNT_WRITTEN: LiteralString = (
    "MATCH (p:Person)-[r:RESIDES_IN]->(:Door) RETURN count(DISTINCT p) AS persons, "
    "count(r) AS relations"
)


@dataclass(frozen=True, slots=True)
class Rows:
    """The same rows for both sides: persons, their RESIDES_IN, and the doors those point at."""

    persons: list[Row]
    resides: list[Row]
    doors: list[Row]


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds of one side's round: the person statements, then the relation statements."""

    persons: float
    relations: float

    @property
    def total(self) -> float:
        return self.persons + self.relations


Writer = Callable[[FalkorDBStore, Rows], Timing]


def generated_rows(count: int, seed: int) -> Rows:
    """The first ``count`` persons the generator makes, with their residences and doors."""
    city = build_city(district_divisions(DISTRICT), persons=count, seed=seed)
    persons = city.persons[:count]
    ids = {p["props"]["idNumber"] for p in persons}
    resides = [r for r in city.relations["RESIDES_IN"] if r["from"] in ids]
    used = {r["to"] for r in resides}
    doors = [d for d in city.premises["Door"] if d["code"] in used]
    return Rows(persons, resides, doors)


def raw(store: FalkorDBStore, rows: Rows) -> Timing:
    """The generator's statements sent by the ``falkordb`` client itself, batch by batch."""
    assert store.server is not None
    db = falkordb.FalkorDB(unix_socket_path=str(store.server.socket_path))
    graph = db.select_graph(GRAPH)
    try:
        started = time.perf_counter()
        _raw_batches(graph, queries.CREATE_PERSONS, rows.persons)
        middle = time.perf_counter()
        _raw_batches(graph, queries.CREATE_RESIDES_IN, rows.resides)
        return Timing(middle - started, time.perf_counter() - middle)
    finally:
        db.connection.close()


def _raw_batches(graph: Any, query: str, rows: list[Row]) -> None:
    for offset in range(0, len(rows), BATCH_SIZE):
        graph.query(query, {"rows": rows[offset : offset + BATCH_SIZE], "source": SOURCE})


def platform(store: FalkorDBStore, rows: Rows) -> Timing:
    """``write_city`` of a city holding only these rows; its progress marks the persons' end."""
    city = City(divisions=[], persons=rows.persons, relations={"RESIDES_IN": rows.resides})
    marks: dict[str, float] = {}
    started = time.perf_counter()
    write_city(store, city, progress=lambda kind, _: marks.__setitem__(kind, time.perf_counter()))
    ended = time.perf_counter()
    return Timing(marks["persons"] - started, ended - marks["persons"])


def one_round(directory: Path, writer: Writer, rows: Rows) -> Timing:
    """A fresh embedded graph with the schema and the doors, then ``writer``'s timed writes."""
    store = open_store(f"falkordb://{directory}", graph_name=GRAPH)
    try:
        assert isinstance(store, FalkorDBStore)
        prepare(store, rows)
        timing = writer(store, rows)
        check(store, rows)
        return timing
    finally:
        store.close()
        shutil.rmtree(directory, ignore_errors=True)


def prepare(store: GraphStore, rows: Rows) -> None:
    """What ``citykg demo generate`` does before its writes: the schema; then the doors."""
    upgrade_graph(store, settings=Settings())
    store.apply_schema(CITY_SCHEMA)
    for offset in range(0, len(rows.doors), BATCH_SIZE):
        store.write(CREATE_DOORS, {"rows": rows.doors[offset : offset + BATCH_SIZE],
                                   "source": SOURCE})  # fmt: skip


def check(store: GraphStore, rows: Rows) -> None:
    """Both sides must have written every row, each person at its door."""
    (written,) = store.read(COUNT_WRITTEN)
    expected = {"persons": len(rows.persons), "relations": len(rows.resides)}
    assert written == expected, (written, expected)


def report(label: str, rows: Rows, best: Timing, rounds: list[Timing]) -> None:
    print(f"{label}, rounds (s): " + ", ".join(f"{t.total:.2f}" for t in rounds))
    print(f"{label}, rows/s: {len(rows.persons) / best.total:,.0f} ({best.total:.2f} s)")
    print(f"{label}, entities/s: {len(rows.persons) / best.persons:,.0f} "
          f"({len(rows.persons):,} persons in {best.persons:.2f} s)")  # fmt: skip
    print(f"{label}, relations/s: {len(rows.resides) / best.relations:,.0f} "
          f"({len(rows.resides):,} RESIDES_IN in {best.relations:.2f} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="persons, each with a residence")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side; the best counts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = generated_rows(args.rows, args.seed)
    writers: dict[str, Writer] = {"raw falkordb client": raw, "platform (write_city)": platform}
    timings: dict[str, list[Timing]] = {name: [] for name in writers}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            order = list(writers) if n % 2 == 0 else list(reversed(writers))
            for i, name in enumerate(order):
                timings[name].append(one_round(Path(tmp) / f"{n}-{i}", writers[name], rows))
    print(f"rows: {len(rows.persons):,} persons + {len(rows.resides):,} RESIDES_IN to "
          f"{len(rows.doors):,} doors (generator seed {args.seed}; a row is a person and its "
          f"residence), batch {BATCH_SIZE:,}, best of {args.rounds} rounds")  # fmt: skip
    best = {name: min(runs, key=lambda t: t.total) for name, runs in timings.items()}
    for name, runs in timings.items():
        report(name, rows, best[name], runs)
    raw_best, platform_best = best["raw falkordb client"], best["platform (write_city)"]
    print(f"platform / raw, rows/s: {raw_best.total / platform_best.total:.3f}")
    print(f"platform overhead over raw, time: "
          f"{100 * (platform_best.total / raw_best.total - 1):+.1f} %")  # fmt: skip


if __name__ == "__main__":
    main()
