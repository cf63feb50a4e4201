"""Run every benchmark at modest sizes and write ``bench/results/latest.md`` and ``latest.json``.

    .venv/bin/python bench/run_all.py [--persons 100000] [--only NAME ...] [--timeout 1800]

Each benchmark runs as a subprocess with the exact command recorded; every printed line holding
a number becomes a figure (``label: value`` split at the first colon, else the whole line). The
generator's own rate is ``citykg generate --persons N`` into a fresh temporary graph. A benchmark
that is missing is skipped; one that fails is reported with its exit code and last error line.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
CITYKG = str(Path(PYTHON).with_name("citykg"))
NUMBER = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Bench:
    name: str
    args: tuple[str, ...]
    size: str


@dataclass(frozen=True, slots=True)
class Figure:
    bench: str
    figure: str
    value: str
    size: str
    command: str
    date: str


def benches(persons: int, graph_dir: Path) -> list[Bench]:
    """The benchmarks and the modest sizes they run at (scripts that are absent are skipped)."""
    script = [PYTHON]
    return [
        Bench("graph_store", (*script, "bench/graph_store.py", "--nodes", "100000"),
              "100,000 persons + 25,000 doors"),
        Bench("validate", (*script, "bench/validate.py", "--count", "2000"),
              "2,000 generated instances"),
        Bench("geo_parse", (*script, "bench/geo_parse.py", "--rounds", "3"),
              "tests/data/addresses set, 3 rounds"),
        Bench("submissions", (*script, "bench/submissions.py", "--submissions", "500",
                              "--clients", "4"), "500 submissions, 4 clients"),
        Bench("ledgers", (*script, "bench/ledgers.py", "--persons", "100000", "--runs", "20"),
              "100,000 persons, 20 runs"),
        Bench("geo_rollup", (*script, "bench/geo_rollup.py", "--residents", "50000", "--runs",
                             "3"), "shipped slice + 50,000 residents, 3 runs"),
        Bench("generate", (CITYKG, "generate", "--persons", str(persons), "--graph",
                           f"falkordb://{graph_dir / 'generate'}"),
              f"{persons:,} persons (district 110105)"),
    ]  # fmt: skip


def run(bench: Bench, *, timeout: int) -> list[Figure]:
    command = shlex.join(bench.args)
    date = datetime.now(UTC).isoformat(timespec="seconds")
    if bench.args[0] == PYTHON and not (ROOT / bench.args[1]).is_file():
        return [Figure(bench.name, "skipped", f"{bench.args[1]} not present", "", command, date)]
    print(f"== {bench.name}: {command}", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            bench.args, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return [Figure(bench.name, "failed", f"timed out after {timeout} s", bench.size,
                       command, date)]  # fmt: skip
    seconds = time.perf_counter() - started
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return [Figure(bench.name, "failed", f"exit {done.returncode}: {last}", bench.size,
                       command, date)]  # fmt: skip
    figures = [
        Figure(bench.name, *_split(line), bench.size, command, date)
        for line in done.stdout.splitlines()
        if NUMBER.search(line)
    ]
    figures.append(Figure(bench.name, "wall time", f"{seconds:.1f} s", bench.size, command, date))
    return figures


def _split(line: str) -> tuple[str, str]:
    label, sep, value = line.strip().partition(":")
    return (label.strip(), value.strip()) if sep and value.strip() else ("", line.strip())


def markdown(figures: list[Figure]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Python {sys.version.split()[0]} on {sys.platform}; written by `bench/run_all.py`.",
        "",
        "| bench | figure | value | data size | command | date |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        cells = (f.bench, f.figure, f.value, f.size, f"`{f.command}`", f.date)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000, help="generator size")
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per benchmark")
    args = parser.parse_args()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        for bench in benches(args.persons, Path(tmp)):
            if args.only is None or bench.name in args.only:
                figures.extend(run(bench, timeout=args.timeout))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(markdown(figures), encoding="utf-8")
    payload = [asdict(f) for f in figures]
    (RESULTS / "latest.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {RESULTS / 'latest.md'} and latest.json ({len(figures)} figures)")


if __name__ == "__main__":
    main()
