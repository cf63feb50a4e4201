"""Writing planned submissions: many per statement, and group commit for concurrent callers.

Why batch: FalkorDB 4.x spends time that grows with the size of the graph on every statement
that sets values on nodes it has just created or merged (about 1 ms per 100,000 nodes, once per
statement, whatever the statement writes); a statement writing 64 submissions costs little more
than one writing a single one. The write statement of a form therefore takes a list of
submissions (:mod:`citykg.controls.statement`).

Why group commit: callers that arrive while the graph is busy queue their plans; whoever gets
the write turn next writes everything queued, so concurrent API requests share statements
instead of waiting for one each. The writer waits up to :data:`COMMIT_DELAY_S` for as many
callers as its last batch had (those it just released are planning their next submission); a
lone caller never waits.

Rules that keep each submission atomic and ordered:

* a batch holds submissions of one form whose entities (identity keys) and ids differ; a plan
  that touches an entity already in the batch starts the next batch, so it is written after;
* a batch that fails is sent again one submission at a time, so the error belongs to the one
  submission that caused it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from citykg.controls.compile import SubmissionPlan
from citykg.errors import CityKGError
from citykg.graph import GraphStore

MAX_BATCH = 64
"""Submissions per statement: past this the statement's own work dominates (bench/submissions)."""
COMMIT_DELAY_S = 0.002
"""How long the writer waits for the callers of the last batch to queue again."""


@dataclass(eq=False, slots=True)
class QueuedWrite:
    """One planned submission waiting for, then holding, the outcome of its write."""

    plan: SubmissionPlan
    settled: bool = False
    written: bool = False
    error: CityKGError | None = None

    @property
    def submission_id(self) -> str:
        return str(self.plan.write.params["submissionId"])

    @property
    def keys(self) -> set[str]:
        return {f"submission {self.submission_id}", *(ref.key for ref in self.plan.touched)}


class GroupCommit:
    """The write turn for one store: whoever takes it writes every queued submission."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._queue: deque[QueuedWrite] = deque()
        self._changed = threading.Condition()
        self._writing = False
        self._last_batch = 0

    def write(self, plans: Sequence[SubmissionPlan]) -> list[QueuedWrite]:
        """Write ``plans`` (with whatever else is queued); each result says if it was written.

        Callers queue their plans and wait; when nobody is writing, one of them takes the
        whole queue and writes it. A caller returns as soon as its own plans are settled,
        whoever wrote them.
        """
        mine = [QueuedWrite(plan) for plan in plans]
        with self._changed:
            self._queue.extend(mine)
            self._changed.notify_all()
            while self._writing and not all(item.settled for item in mine):
                self._changed.wait()
            if all(item.settled for item in mine):
                return mine
            self._writing = True
            self._gather()
            taken = list(self._queue)
            self._queue.clear()
            self._last_batch = len(taken)
        try:
            for batch in batches(taken):
                write_batch(self._store, batch)
        finally:
            with self._changed:
                for item in taken:
                    item.settled = True
                self._writing = False
                self._changed.notify_all()
        return mine

    def _gather(self) -> None:
        """Wait up to :data:`COMMIT_DELAY_S` for as many callers as the last batch had: the
        callers it released are planning their next submissions and would otherwise miss
        this statement (the delay adapts: a lone caller never waits)."""
        deadline = time.monotonic() + COMMIT_DELAY_S
        while len(self._queue) < self._last_batch:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._changed.wait(left)


_COMMITS: WeakKeyDictionary[GraphStore, GroupCommit] = WeakKeyDictionary()
_COMMITS_LOCK = threading.Lock()


def group_commit(store: GraphStore) -> GroupCommit:
    """The one write turn shared by every caller writing submissions to ``store``."""
    with _COMMITS_LOCK:
        commit = _COMMITS.get(store)
        if commit is None:
            commit = _COMMITS[store] = GroupCommit(store)
        return commit


def batches(queued: Sequence[QueuedWrite]) -> Iterator[list[QueuedWrite]]:
    """``queued`` in order, cut into batches of one statement text and disjoint keys."""
    by_statement: dict[str, list[QueuedWrite]] = {}
    for item in queued:
        by_statement.setdefault(item.plan.write.query, []).append(item)
    for items in by_statement.values():
        batch: list[QueuedWrite] = []
        keys: set[str] = set()
        for item in items:
            if len(batch) == MAX_BATCH or not keys.isdisjoint(item.keys):
                yield batch
                batch, keys = [], set()
            batch.append(item)
            keys |= item.keys
        if batch:
            yield batch


def write_batch(store: GraphStore, batch: Sequence[QueuedWrite]) -> None:
    """One statement for ``batch``; if it fails, each submission alone."""
    try:
        summary = store.write(
            batch[0].plan.write.query, {"submissions": [q.plan.write.params for q in batch]}
        )
    except CityKGError as exc:
        if len(batch) == 1:
            batch[0].error = exc
            return
        for item in batch:
            write_batch(store, [item])
        return
    written = {str(row["submission"]) for row in summary.rows}
    for item in batch:
        item.written = item.submission_id in written
