"""F9 (issue 11): a long analyst query does not hold up the engine officials and writers use."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from citykg.access import Principal
from citykg.analysis import Analysis, run_query
from citykg.analysis.copy import SLOTS, AnalystCopy
from citykg.errors import QueryError
from citykg.ledgers import Catalog, catalog_for, edit_entity
from citykg.ontology import Ontology
from tests.ledgers.city import WANG

LONG = "MATCH (a), (b), (c), (d) RETURN count(*) AS n"
"""A cartesian product of the copy with itself, far longer than its timeout."""


def test_a_write_completes_while_a_long_analyst_query_runs(
    analysis: Analysis, ontology: Ontology, who: dict[str, Principal]
) -> None:
    catalog: Catalog = catalog_for(ontology)
    started, finished = threading.Event(), threading.Event()
    outcome: list[BaseException] = []

    def analyst() -> None:
        started.set()
        try:
            run_query(analysis.main, analysis.copy, principal=who["analyst"], query=LONG,
                      timeout_ms=4_000)  # fmt: skip
        except QueryError as exc:
            outcome.append(exc)
        finally:
            finished.set()

    thread = threading.Thread(target=analyst)
    thread.start()
    assert started.wait(10)
    names = [f"王伟{'〇一二三四五六七八九'[serial % 10]}" for serial in range(20)]
    for name in names:  # ledger edits, each one statement on the city graph
        edit_entity(analysis.main, catalog=catalog, principal=who["worker1"], type="Person",
                    key=WANG, values={"name": name})  # fmt: skip
    written_while_running = not finished.is_set()
    thread.join()
    assert written_while_running, "the writes waited for the analyst's query"
    assert len(outcome) == 1 and "timed out" in str(outcome[0])
    assert analysis.main.read("MATCH (p:Person {idNumber: $id}) RETURN p.name AS n",
                              {"id": WANG}) == [{"n": names[-1]}]  # fmt: skip


def test_the_copys_engine_takes_only_idle_time_on_the_upper_half_of_the_cpus(
    copy_engine: AnalystCopy,
) -> None:
    """Officials' work preempts analysts' at once (``SCHED_IDLE``), and the lower half of the
    CPUs never runs an analyst's query, so their caches stay the officials'."""
    server = copy_engine.store(SLOTS[0]).server  # type: ignore[attr-defined]
    cpus = sorted(os.sched_getaffinity(0))
    for task in Path(f"/proc/{server.pid}/task").iterdir():
        assert os.sched_getscheduler(int(task.name)) == os.SCHED_IDLE
        assert os.sched_getaffinity(int(task.name)) == set(cpus[len(cpus) // 2 :])
