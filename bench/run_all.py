"""Run every benchmark in one go and write ``bench/results/latest.md`` and ``latest.json``.

    .venv/bin/python bench/run_all.py [--persons 100000] [--rows 100000] [--skip-million]
                                      [--only NAME ...] [--smoke] [--out DIR] [--timeout 1800]

    .venv/bin/python bench/run_all.py                      # the full table (includes 1M persons)
    .venv/bin/python bench/run_all.py --skip-million       # all but the ledgers at 1,000,000
    .venv/bin/python bench/run_all.py --only write_overhead --rows 5000 --out /tmp/bench
    .venv/bin/python bench/run_all.py --only ledgers --skip-million    # the ledgers at 100k
    .venv/bin/python bench/run_all.py --smoke --out /tmp/bench         # every one, tiny sizes
    .venv/bin/python bench/run_all.py --only generate --update         # re-run one, keep the rest

The benchmarks, in order: graph_store, write_overhead (platform vs raw client writes),
validate (fast validator vs pySHACL), geo_parse, durability (writes/s with each appendfsync),
submissions, ledgers-100k, geo_rollup, generate (``citykg demo generate``: entities/s,
relations/s) and ledgers-1m. ``--only`` takes
names or the part before a "-" (``ledgers`` is both ledger sizes). ``--smoke`` runs everything
at tiny sizes to check the suite works; its figures say nothing about performance.

Each benchmark runs as a subprocess with its exact command and data size recorded; every printed
line holding a number becomes a figure (``label: value`` split at the first colon, else the
whole line). Peak memory is measured from outside, over the benchmark's whole process tree (see
:data:`MEMORY_NOTE`). A benchmark that is missing is skipped; one that fails is reported with its
exit code and last error line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
CITYKG = str(Path(PYTHON).with_name("citykg"))
NUMBER = re.compile(r"\d")
SAMPLE_S = 0.2
MILLION = 1_000_000
MEMORY_NOTE = (
    "Peak memory is measured from outside each benchmark, over its process tree (the benchmark, "
    "the embedded FalkorDB server it starts, worker processes), sampled every "
    f"{SAMPLE_S} s from /proc. *largest process* is the highest peak resident set (`VmHWM`) of "
    "any one process, exact except for growth in its last sample interval; *process tree* is "
    "the largest sum of the processes' current resident sets at one sample (a shorter peak can "
    "fall between samples, and pages shared between processes count once per process)."
)


@dataclass(frozen=True, slots=True)
class Sizes:
    """The data sizes of one run: the full suite's, or tiny ones for a smoke test."""

    graph_nodes: int = 100_000
    write_rows: int = 100_000
    write_rounds: int = 3
    validate: int = 2_000
    parse_rounds: int = 3
    city: int = 10_000
    submissions: int = 2_000
    clients: int = 8
    ledgers: tuple[int, ...] = (100_000, MILLION)
    ledger_runs: int = 100
    rollup_residents: int = 100_000
    rollup_runs: int = 20
    generate: int = 100_000
    durability_writes: int = 2_000


SMOKE = Sizes(graph_nodes=5_000, write_rows=5_000, write_rounds=1, validate=200, parse_rounds=1,
              city=1_000, submissions=100, clients=2, ledgers=(20_000,), ledger_runs=5,
              rollup_residents=2_000, rollup_runs=1, generate=2_000,
              durability_writes=200)  # fmt: skip


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


@dataclass(slots=True)
class Peaks:
    """Memory seen so far in one benchmark's process tree, in KiB."""

    tree: int = 0
    tree_count: int = 0
    """Processes in the tree at the sample of the largest sum."""
    processes: dict[int, tuple[int, str]] = field(default_factory=dict)  # pid -> (VmHWM, name)

    def largest(self) -> tuple[int, str]:
        return max(self.processes.values(), default=(0, "none"))


@dataclass(frozen=True, slots=True)
class Finished:
    returncode: int | None
    """None when the benchmark ran out of time and was killed."""
    stdout: str
    stderr: str
    seconds: float
    peaks: Peaks


def benches(sizes: Sizes, graph_dir: Path) -> list[Bench]:
    """The benchmarks and the sizes they run at (scripts that are absent are skipped)."""
    py, s = PYTHON, sizes
    runs = [
        Bench("graph_store", (py, "bench/graph_store.py", "--nodes", str(s.graph_nodes)),
              f"{s.graph_nodes:,} persons + {s.graph_nodes // 4:,} doors"),
        Bench("write_overhead", (py, "bench/write_overhead.py", "--rows", str(s.write_rows),
                                 "--rounds", str(s.write_rounds)),
              f"{s.write_rows:,} generated persons + {s.write_rows:,} RESIDES_IN, best of "
              f"{s.write_rounds} rounds"),
        Bench("validate", (py, "bench/validate.py", "--count", str(s.validate)),
              f"{s.validate:,} generated instances"),
        Bench("geo_parse", (py, "bench/geo_parse.py", "--rounds", str(s.parse_rounds)),
              f"tests/data/addresses set, {s.parse_rounds} rounds"),
        Bench("durability", (py, "bench/durability.py", "--writes", str(s.durability_writes)),
              f"{s.durability_writes:,} single-statement writes per appendfsync setting, "
              "1 and 8 clients"),
        Bench("submissions", (py, "bench/submissions.py", "--persons", str(s.city),
                              "--submissions", str(s.submissions), "--clients", str(s.clients)),
              f"{s.city:,}-person demo city, {s.submissions:,} submissions a run, "
              f"{s.clients} clients"),
    ]  # fmt: skip
    runs += [_ledgers(n, s.ledger_runs) for n in s.ledgers if n < MILLION]
    runs += [
        Bench("geo_rollup", (py, "bench/geo_rollup.py", "--residents", str(s.rollup_residents),
                             "--runs", str(s.rollup_runs)),
              f"shipped slice + {s.rollup_residents:,} residents, {s.rollup_runs} runs"),
        Bench("generate", (CITYKG, "demo", "generate", "--persons", str(s.generate), "--graph",
                           f"falkordb://{graph_dir / 'generate'}"),
              f"{s.generate:,} persons (district 110105)"),
    ]  # fmt: skip
    return runs + [_ledgers(n, s.ledger_runs) for n in s.ledgers if n >= MILLION]  # the longest


def _ledgers(persons: int, runs: int) -> Bench:
    args = (PYTHON, "bench/ledgers.py", "--persons", str(persons), "--runs", str(runs))
    return Bench(f"ledgers-{_short(persons)}", args, f"{persons:,} persons, {runs} runs each")


def _short(n: int) -> str:
    """100000 -> 100k, 1000000 -> 1m: a size as a benchmark's name carries it."""
    if n % MILLION == 0:
        return f"{n // MILLION}m"
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def selected(bench: Bench, only: list[str] | None) -> bool:
    return only is None or bench.name in only or bench.name.split("-")[0] in only


def run(bench: Bench, *, timeout: int) -> list[Figure]:
    command = shlex.join(bench.args)
    date = datetime.now(UTC).isoformat(timespec="seconds")

    def figure(label: str, value: str) -> Figure:
        return Figure(bench.name, label, value, bench.size, command, date)

    if bench.args[0] == PYTHON and not (ROOT / bench.args[1]).is_file():
        return [Figure(bench.name, "skipped", f"{bench.args[1]} not present", "", command, date)]
    print(f"== {bench.name}: {command}", flush=True)
    done = execute(bench.args, timeout=timeout)
    print(done.stdout, end="", flush=True)
    if done.returncode is None:
        return [figure("failed", f"timed out after {timeout} s")]
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return [figure("failed", f"exit {done.returncode}: {last}")]
    figures = [figure(*_split(line)) for line in done.stdout.splitlines() if NUMBER.search(line)]
    size, name = done.peaks.largest()
    tree, count = _mib(done.peaks.tree), done.peaks.tree_count
    figures += [
        figure("wall time", f"{done.seconds:.1f} s"),
        figure("peak memory, largest process", f"{_mib(size)} ({name})"),
        figure("peak memory, process tree", f"{tree} ({count} process(es) at that sample)"),
    ]
    return figures


def execute(args: tuple[str, ...], *, timeout: int) -> Finished:
    """Run ``args``, sampling its process tree's memory until it ends (or is killed)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=err, text=True,
                                   start_new_session=True)  # fmt: skip
        peaks = Peaks()
        returncode: int | None = None
        deadline = time.monotonic() + timeout
        while returncode is None and time.monotonic() < deadline:
            sample(process.pid, peaks)
            try:
                returncode = process.wait(timeout=SAMPLE_S)
            except subprocess.TimeoutExpired:
                continue
        if returncode is None:  # its own process group; an embedded server dies with its owner
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Finished(returncode, out.read(), err.read(), seconds, peaks)


def sample(root: int, peaks: Peaks) -> None:
    """Add one reading of ``root`` and its descendants to ``peaks``."""
    total = count = 0
    for pid in tree(root):
        status = _status(pid)
        if status is None:
            continue
        name, rss, high = status
        total, count = total + rss, count + 1
        peaks.processes[pid] = (max(high, peaks.processes.get(pid, (0, ""))[0]), name)
    if total > peaks.tree:
        peaks.tree, peaks.tree_count = total, count


def tree(root: int) -> Iterator[int]:
    """``root`` and every process descended from it, from the parent ids in /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    pending = [root]
    while pending:
        pid = pending.pop()
        yield pid
        pending.extend(children.get(pid, []))


def _status(pid: int) -> tuple[str, int, int] | None:
    """Name, VmRSS and VmHWM (KiB) of ``pid``; None once it has gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in lines if ":" in line)

    def kib(key: str) -> int:  # absent for a zombie
        return int(fields.get(key, "0 kB").split()[0])

    return fields.get("Name", "?").strip(), kib("VmRSS"), kib("VmHWM")


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def _split(line: str) -> tuple[str, str]:
    label, sep, value = line.strip().partition(":")
    return (label.strip(), value.strip()) if sep and value.strip() else ("", line.strip())


def kept_figures(path: Path, rerun: set[str]) -> list[Figure]:
    """The figures of the last results whose benchmarks were not run again."""
    if not path.is_file():
        return []
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [Figure(**row) for row in rows if row["bench"] not in rerun]


def markdown(figures: list[Figure], command: str) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} cores; written by "
        f"`{command}`. Every figure is a measurement; each row gives its data size, the exact "
        "command that measured it and when (with `--update`, rows not re-run keep their date).",
        "",
        MEMORY_NOTE,
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
    parser.add_argument("--persons", type=int, help="generator size (default 100,000)")
    parser.add_argument("--rows", type=int, help="write_overhead rows (default 100,000)")
    parser.add_argument("--skip-million", action="store_true", help="leave out 1,000,000 persons")
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does everything run?")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the results")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per benchmark")
    parser.add_argument(
        "--update", action="store_true",
        help="keep the other benchmarks' figures from the last results (each row keeps its date)",
    )  # fmt: skip
    args = parser.parse_args()
    sizes = SMOKE if args.smoke else Sizes()
    sizes = replace(sizes, generate=args.persons or sizes.generate,
                    write_rows=args.rows or sizes.write_rows)  # fmt: skip
    if args.skip_million:
        sizes = replace(sizes, ledgers=tuple(n for n in sizes.ledgers if n < MILLION))
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        for bench in benches(sizes, Path(tmp)):
            if selected(bench, args.only):
                figures.extend(run(bench, timeout=args.timeout))
    command = shlex.join([PYTHON, *sys.argv])
    if args.update:
        figures = kept_figures(args.out / "latest.json", {f.bench for f in figures}) + figures
        order = {b.name: i for i, b in enumerate(benches(sizes, Path(".")))}
        figures.sort(key=lambda f: order.get(f.bench, len(order)))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.md").write_text(markdown(figures, command), encoding="utf-8")
    payload = [asdict(f) for f in figures]
    (args.out / "latest.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {args.out / 'latest.md'} and latest.json ({len(figures)} figures)")


if __name__ == "__main__":
    main()
