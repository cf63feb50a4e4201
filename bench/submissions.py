"""Form submission benchmark: compile + validate, and submissions/s end to end into the graph.

    python bench/submissions.py [--submissions 2000] [--clients 8] [--graph URL]

Uses the household registration form (examples/forms/household-registration.yaml): a person,
their door, three family members and one vehicle, so each submission MERGEs five entities and
writes six relations, a :Submission node and provenance in ONE statement. Every submission is a
new household at one of the demo city's doors.

1. compile + validate: ``CompiledForm.plan`` (answers → typed values → SHACL-derived
   validators → write parameters) on one core, no store;
2. end to end, one client: ``submit`` (plan, then the write) one after the other;
3. end to end, N concurrent clients over fresh households: N processes, each with its own
   connection to the same graph (as N API workers would be).

Prints the measured figures; nothing is a constant.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from citykg.access import Principal
from citykg.controls import (
    EXAMPLES_DIR,
    CompiledForm,
    SubmissionContext,
    compile_form,
    ensure_controls_schema,
    load_form,
    submit,
)
from citykg.demo import load_fixture
from citykg.geo import PlaceScope, ensure_geo_schema
from citykg.graph import GraphStore, open_store
from citykg.ontology import compile_graph_schema, load_ontology
from citykg.ontology.checkrules import gb11643_check_char
from citykg.settings import Settings

GRAPH = "bench"
SERVICE = Principal(id="bench", kind="service", name="bench", scope=PlaceScope.everywhere())
DOORS = "MATCH (d:Door) RETURN d.placeCode AS code ORDER BY code"


def person_id(n: int) -> str:
    born = date(1940, 1, 1) + timedelta(days=n // 900)
    first17 = f"110105{born:%Y%m%d}{n % 900 + 100:03d}"
    return first17 + gb11643_check_char(first17)


def household(n: int, door: str) -> dict[str, Any]:
    """Answers for household ``n``: its head, spouse, two children and a car."""
    people = [person_id(4 * n + i) for i in range(4)]
    return {
        "id_number": people[0],
        "name": f"户主{n}",
        "gender": "1",
        "mobile_phone": f"139{n:08d}",
        "marital_status": "20",
        "address": {"place": door, "since": "2015-03-01", "residence_type": "1", "is_head": True},
        "members": [
            {"id_number": people[1], "name": f"配偶{n}", "gender": "2", "relation_to_head": "10"},
            {"id_number": people[2], "name": f"长子{n}", "gender": "1", "relation_to_head": "22"},
            {"id_number": people[3], "name": f"长女{n}", "gender": "2", "relation_to_head": "32"},
        ],
        "vehicles": [{"plate": f"京A{n:05d}", "brand": "比亚迪", "fuel": "C"}],
    }


def rate(count: int, run: Callable[[], object]) -> tuple[float, float]:
    """(items per second, seconds) of ``run``."""
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    return count / seconds, seconds


def compile_rate(form: CompiledForm, answers: Sequence[dict[str, Any]]) -> float:
    now = datetime.now(UTC)
    contexts = [
        SubmissionContext(submission_id=f"c{i}", author="bench", at=now, today=now.date())
        for i in range(len(answers))
    ]
    best = 0.0
    for _ in range(3):  # the best of three passes: the machine may be shared
        per_second, _seconds = rate(
            len(answers), lambda: [form.plan(a, c) for a, c in zip(answers, contexts, strict=True)]
        )
        best = max(best, per_second)
    return best


def send(
    store: GraphStore, form: CompiledForm, batch: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    for submission_id, answers in batch:
        result = submit(
            store, form=form, answers=answers, principal=SERVICE, submission_id=submission_id
        )
        assert not result.replayed


_client: tuple[GraphStore, CompiledForm] | None = None


def _start_client(url: str) -> None:
    """A client process: its own connection to the graph and its own compiled form."""
    global _client
    _client = (open_store(url, graph_name=GRAPH), household_form())


def _client_send(batch: Sequence[tuple[str, dict[str, Any]]]) -> int:
    assert _client is not None
    send(*_client, batch)
    return len(batch)


def concurrent(url: str, batch: Sequence[tuple[str, dict[str, Any]]], clients: int) -> float:
    chunks = [batch[i::clients] for i in range(clients)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(clients, initializer=_start_client, initargs=(url,)) as pool:
        pool.map(_client_send, [[] for _ in range(clients)])  # every client is up
        return rate(len(batch), lambda: pool.map(_client_send, chunks))[0]


def household_form() -> CompiledForm:
    ontology = load_ontology(Settings().ontology_dir)
    return compile_form(ontology, load_form(EXAMPLES_DIR / "household-registration.yaml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--submissions", type=int, default=2000, help="per end-to-end run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--graph", help="graph URL (default: a fresh embedded FalkorDB)")
    args = parser.parse_args()
    n = args.submissions

    ontology = load_ontology(Settings().ontology_dir)
    form = household_form()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.graph or f"falkordb://{Path(scratch) / 'graph'}"
        store = open_store(url, graph_name=GRAPH)
        try:
            store.apply_schema(compile_graph_schema(ontology))
            ensure_geo_schema(store)
            ensure_controls_schema(store)
            load_fixture(store)
            doors = [str(r["code"]) for r in store.read(DOORS)]
            batches = [
                [(f"b{b}-{i}", household(b * n + i, doors[i % len(doors)])) for i in range(n)]
                for b in range(3)
            ]
            planned = compile_rate(form, [answers for _, answers in batches[0]])
            single = rate(n, lambda: send(store, form, batches[1]))[0]
            many = concurrent(url, batches[2], args.clients)
            total = int(store.read("MATCH (s:Submission) RETURN count(s) AS n")[0]["n"])
        finally:
            store.close()
    print(f"household registration form: 5 entities, 6 relations per submission; {n} per run")
    print(f"compile + validate (one core, no store): {planned:,.0f} submissions/s")
    print(f"end to end, 1 client:                   {single:,.0f} submissions/s")
    print(f"end to end, {args.clients} clients:                  {many:,.0f} submissions/s")
    print(f"submissions in the graph afterwards:     {total:,}")


if __name__ == "__main__":
    main()
