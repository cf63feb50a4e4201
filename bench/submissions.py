"""Form submission benchmark: compile + validate, and submissions/s end to end into the graph.

    python bench/submissions.py [--persons 10000] [--submissions 2000] [--clients 8]

On a generated demo city (``generate_city``, ``--persons`` residents), with the household
registration form (examples/forms/household-registration.yaml): a person, their door, three
family members and one vehicle, so each submission MERGEs five entities and writes six
relations, a :Submission node and provenance. Every submission is a new household at one of
the city's doors.

1. compile + validate: ``CompiledForm.plan`` (answers → typed values → SHACL-derived
   validators → write parameters) on one core, no store;
2. one client, one submission per call (``submit``): each waits for its own statement;
3. one client uploading 100 submissions per call (``submit_many``: an offline device syncing);
4. N and 4N concurrent threads in one process calling ``submit`` (an API worker's request
   threads): group commit writes whatever is queued in one statement, so more concurrent
   clients share more statements;
5. N processes calling ``submit``, each with its own connection (N API workers).

Also the time of one statement of one submission and of a full batch, at the city's size.
Prints the measured figures; nothing is a constant.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from citykg.access import Principal
from citykg.controls import (
    EXAMPLES_DIR,
    CompiledForm,
    SubmissionContext,
    SubmissionRequest,
    SubmissionResult,
    compile_form,
    load_form,
    submit,
    submit_many,
)
from citykg.controls.writer import MAX_BATCH
from citykg.demo import generate_city
from citykg.geo import PlaceScope
from citykg.graph import GraphStore, open_store
from citykg.ontology import load_ontology
from citykg.ontology.checkrules import gb11643_check_char
from citykg.settings import Settings
from citykg.upgrade import upgrade_graph

GRAPH = "bench"
SERVICE = Principal(id="bench", kind="service", name="bench", scope=PlaceScope.everywhere())
DOORS = "MATCH (d:Door) RETURN d.placeCode AS code ORDER BY code LIMIT 5000"
UPLOAD = 100
"""Submissions per ``submit_many`` call in the upload run."""

Batch = Sequence[tuple[str, dict[str, Any]]]


def person_id(n: int) -> str:
    """ID numbers from another district (110108) than the generated city's residents."""
    born = date(1940, 1, 1) + timedelta(days=n // 900)
    first17 = f"110108{born:%Y%m%d}{n % 900 + 100:03d}"
    return first17 + gb11643_check_char(first17)


def numeral(n: int) -> str:
    """``n`` in Chinese digits: a person's name holds no Arabic digits (ontology 0.3.0)."""
    return "".join("〇一二三四五六七八九"[int(digit)] for digit in str(n))


def household(n: int, door: str) -> dict[str, Any]:
    """Answers for household ``n``: its head, spouse, two children and a car."""
    people, x = [person_id(4 * n + i) for i in range(4)], numeral(n)
    return {
        "id_number": people[0],
        "name": f"户主{x}",
        "gender": "1",
        "mobile_phone": f"139{n:08d}",
        "marital_status": "20",
        "address": {"place": door, "since": "2015-03-01", "residence_type": "1", "is_head": True},
        "members": [
            {"id_number": people[1], "name": f"配偶{x}", "gender": "2", "relation_to_head": "10"},
            {"id_number": people[2], "name": f"长子{x}", "gender": "1", "relation_to_head": "22"},
            {"id_number": people[3], "name": f"长女{x}", "gender": "2", "relation_to_head": "32"},
        ],
        "vehicles": [{"plate": f"京A{n:05d}", "brand": "比亚迪", "fuel": "C"}],
    }


def rate(count: int, run: Callable[[], object]) -> float:
    """Items per second of ``run``."""
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


def compile_rate(form: CompiledForm, answers: Sequence[dict[str, Any]]) -> float:
    now = datetime.now(UTC)
    contexts = [
        SubmissionContext(submission_id=f"c{i}", author="bench", at=now, today=now.date())
        for i in range(len(answers))
    ]
    best = 0.0
    for _ in range(3):  # the best of three passes: the machine may be shared
        best = max(
            best,
            rate(
                len(answers),
                lambda: [form.plan(a, c) for a, c in zip(answers, contexts, strict=True)],
            ),
        )
    return best


def send(store: GraphStore, form: CompiledForm, batch: Batch) -> None:
    for submission_id, answers in batch:
        result = submit(
            store, form=form, answers=answers, principal=SERVICE, submission_id=submission_id
        )
        assert not result.replayed


def upload(store: GraphStore, form: CompiledForm, batch: Batch) -> None:
    for start in range(0, len(batch), UPLOAD):
        requests = [SubmissionRequest(a, i) for i, a in batch[start : start + UPLOAD]]
        outcomes = submit_many(store, form=form, requests=requests, principal=SERVICE)
        assert all(isinstance(o, SubmissionResult) and not o.replayed for o in outcomes)


def threads(store: GraphStore, form: CompiledForm, batch: Batch, clients: int) -> float:
    with ThreadPoolExecutor(clients) as pool:
        return rate(len(batch), lambda: list(pool.map(lambda s: send(store, form, [s]), batch)))


_client: tuple[GraphStore, CompiledForm] | None = None


def _start_client(url: str) -> None:
    """A client process: its own connection to the graph and its own compiled form."""
    global _client
    _client = (open_store(url, graph_name=GRAPH), household_form())


def _client_send(batch: Batch) -> int:
    assert _client is not None
    send(*_client, batch)
    return len(batch)


def processes(url: str, batch: Batch, clients: int) -> float:
    chunks = [batch[i::clients] for i in range(clients)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(clients, initializer=_start_client, initargs=(url,)) as pool:
        pool.map(_client_send, [[] for _ in range(clients)])  # every client is up
        return rate(len(batch), lambda: pool.map(_client_send, chunks))


def statement_ms(store: GraphStore, form: CompiledForm, batch: Batch) -> float:
    """Milliseconds of one statement writing all of ``batch`` (planned beforehand)."""
    now = datetime.now(UTC)
    params = [
        form.plan(a, SubmissionContext(i, "bench", now, now.date())).write.params for i, a in batch
    ]
    started = time.perf_counter()
    written = store.write(form.statement, {"submissions": params}).rows
    assert len(written) == len(batch)
    return (time.perf_counter() - started) * 1000


def household_form() -> CompiledForm:
    ontology = load_ontology(Settings().ontology_dir)
    return compile_form(ontology, load_form(EXAMPLES_DIR / "household-registration.yaml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--persons", type=int, default=10_000, help="residents of the city")
    parser.add_argument("--submissions", type=int, default=2000, help="per end-to-end run")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    n, clients = args.submissions, args.clients
    form = household_form()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"falkordb://{Path(scratch) / 'graph'}"
        store = open_store(url, graph_name=GRAPH)
        try:
            upgrade_graph(store, settings=Settings())
            ontology = load_ontology(Settings().ontology_dir)
            generate_city(store, ontology=ontology, persons=args.persons)
            doors = [str(r["code"]) for r in store.read(DOORS)]
            runs = [
                [(f"b{b}-{i}", household(b * n + i, doors[i % len(doors)])) for i in range(n)]
                for b in range(7)
            ]
            planned = compile_rate(form, [answers for _, answers in runs[0]])
            single = rate(n, lambda: send(store, form, runs[1]))
            one_ms = statement_ms(store, form, runs[5][:1])  # the plan is cached by now
            batch_ms = statement_ms(store, form, runs[5][1 : 1 + MAX_BATCH])
            uploaded = rate(n, lambda: upload(store, form, runs[2]))
            threaded = threads(store, form, runs[3], clients)
            crowded = threads(store, form, runs[6], 4 * clients)
            many = processes(url, runs[4], clients)
            total = int(store.read("MATCH (s:Submission) RETURN count(s) AS n")[0]["n"])
            nodes = int(store.read("MATCH (x) RETURN count(x) AS n")[0]["n"])
        finally:
            store.close()
    print(f"household registration form: 5 entities, 6 relations per submission; {n} per run")
    print(f"demo city: {args.persons:,} residents generated; {nodes:,} nodes at the end")
    print(f"compile + validate (one core, no store): {planned:,.0f} submissions/s")
    print(f"one statement, 1 submission: {one_ms:.1f} ms")
    print(f"one statement, {MAX_BATCH} submissions: {batch_ms:.1f} ms")
    print(f"end to end, 1 client, 1 per call: {single:,.0f} submissions/s")
    print(f"end to end, 1 client, {UPLOAD} per call: {uploaded:,.0f} submissions/s")
    print(f"end to end, {clients} threads, 1 per call: {threaded:,.0f} submissions/s")
    print(f"end to end, {4 * clients} threads, 1 per call: {crowded:,.0f} submissions/s")
    print(f"end to end, {clients} processes, 1 per call: {many:,.0f} submissions/s")
    print(f"submissions in the graph afterwards: {total:,}")


if __name__ == "__main__":
    main()
