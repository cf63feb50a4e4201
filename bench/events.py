"""Events benchmark, part one: locating hotline sentences (community and building right, speed).

    .venv/bin/python bench/events.py [--set tests/data/events/sentences.jsonl] [--persons 10000]
                                     [--seed 1] [--rounds 3] [--show-errors 10]

The set comes from ``tests/data/events/generate.py`` (doors of the demo city said in hotline
phrasings); the locator is built in memory from the same city (``build_city`` of the shipped
Chaoyang slice with ``--persons``/``--seed``, the city ``citykg demo`` writes), exactly as
intake builds it from the graph. Speed: locating the whole set ``--rounds`` times, one thread.
Targets (issue 15): community ≥ 97 %, building ≥ 95 %, ≥ 5,000 sentences/s.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from citykg.demo.generate import build_city, district_divisions
from citykg.events.locate import Locator, PremisesIndex
from citykg.geo.address import Gazetteer

SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "events" / "sentences.jsonl"
LEVELS = ("community", "compound", "building")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--show-errors", type=int, default=10)
    args = parser.parse_args()
    divisions = district_divisions("110105")
    city = build_city(divisions, persons=args.persons, seed=args.seed)
    rows = [r for label in ("Compound", "Building", "BuildingUnit", "Door")
            for r in city.premises.get(label, [])]  # fmt: skip
    locator = Locator(Gazetteer.from_divisions(divisions), PremisesIndex.from_rows(rows))
    records = [json.loads(line) for line in args.set.read_text("utf-8").splitlines() if line]
    found = [locator.in_text(r["text"]) for r in records]
    for level in LEVELS:
        right = sum(
            getattr(f, level) == r["truth"][level] for f, r in zip(found, records, strict=True)
        )
        print(f"{level:10s} {right / len(records):.2%} ({right}/{len(records)})")
    shown = 0
    for f, r in zip(found, records, strict=True):
        if f.building != r["truth"]["building"] and shown < args.show_errors:
            shown += 1
            print(f"  miss [{r['format']}] {r['text']} -> {f.place} {f.alternatives}")
    start = time.perf_counter()
    for _ in range(args.rounds):
        for r in records:
            locator.in_text(r["text"])
    elapsed = time.perf_counter() - start
    print(f"speed      {args.rounds * len(records) / elapsed:,.0f} sentences/s (one thread)")


if __name__ == "__main__":
    main()
