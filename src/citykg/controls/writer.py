"""Writing planned submissions: many per statement, and group commit for concurrent callers.

Why batch: FalkorDB 4.x spends time that grows with the size of the graph on every statement
that sets values on nodes it has just created or merged (about 1 ms per 100,000 nodes, once per
statement, whatever the statement writes); a statement writing 64 submissions costs little more
than one writing a single one. The write statement of a form therefore takes a list of
submissions (:mod:`citykg.controls.statement`).

Why group commit: callers that arrive while the graph is busy queue their plans; whoever gets
the write turn next writes everything queued, so concurrent API requests share statements
instead of waiting for one each.

Why the writer gathers: most of a statement's engine time is fixed (about 5 ms at 40,000 nodes
for the household form, whether it writes 1 submission or 8: each CREATE step commits on its
own), so under load the engine spends itself on statements, not on submissions, unless each
carries several. Before writing, the writer waits for callers that are planning a submission
now (:meth:`GroupCommit.planning`) and for as many callers as its last batch had, for at most
as long as its last statement took (:func:`gather_seconds`): the write lock is then free about
half the time and each statement carries about twice as many submissions. A lone caller never
waits.

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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from citykg.controls.compile import SubmissionPlan
from citykg.errors import CityKGError
from citykg.graph import GraphStore

MAX_BATCH = 64
"""Submissions per statement: past this the statement's own work dominates (bench/submissions)."""
COMMIT_DELAY_S = 0.002
"""The least time the writer waits for callers to queue, when any are expected."""
MAX_GATHER_S = 0.02
"""The most: the last statement's time, up to this."""


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
        lock = threading.Lock()
        self._queued = threading.Condition(lock)
        """Signalled when a caller queues or stops planning: only a gathering writer waits."""
        self._settled = threading.Condition(lock)
        """Signalled when a write turn ends; callers wait here for their plans, apart from
        :attr:`_queued`, so that a caller queueing does not wake every caller waiting."""
        self._writing = False
        self._last_batch = 0
        self._last_statement_s = 0.0
        self._planning = 0
        self.gathering = False
        """True while the writer waits for callers to queue (tests wait for it)."""

    @property
    def last_batch(self) -> int:
        """How many submissions the last write turn took (tests read it)."""
        return self._last_batch

    @contextmanager
    def planning(self) -> Iterator[Callable[[Sequence[SubmissionPlan]], list[QueuedWrite]]]:
        """A caller about to plan submissions: until it queues them (through the function this
        yields, which then writes them as :meth:`write` does) or leaves, a writer gathering
        waits for it. Queueing ends its planning under the same lock, so no writer leaves in
        between."""
        queued = False

        def write(plans: Sequence[SubmissionPlan]) -> list[QueuedWrite]:
            nonlocal queued
            queued = True
            return self._write(plans, planned=True)

        with self._queued:
            self._planning += 1
        try:
            yield write
        finally:
            if not queued:
                with self._queued:
                    self._planning -= 1
                    self._queued.notify()

    def write(self, plans: Sequence[SubmissionPlan]) -> list[QueuedWrite]:
        """Write ``plans`` (with whatever else is queued); each result says if it was written.

        Callers queue their plans and wait; when nobody is writing, one of them takes the
        whole queue and writes it. A caller returns as soon as its own plans are settled,
        whoever wrote them.
        """
        return self._write(plans, planned=False)

    def _write(self, plans: Sequence[SubmissionPlan], *, planned: bool) -> list[QueuedWrite]:
        mine = [QueuedWrite(plan) for plan in plans]
        with self._queued:
            if planned:
                self._planning -= 1
            self._queue.extend(mine)
            self._queued.notify()
            while self._writing and not all(item.settled for item in mine):
                self._settled.wait()
            if all(item.settled for item in mine):
                return mine
            self._writing = self.gathering = True
            self._gather()
            self.gathering = False
            taken = list(self._queue)
            self._queue.clear()
            self._last_batch = len(taken)
        try:
            for batch in batches(taken):
                started = time.monotonic()
                write_batch(self._store, batch)
                self._last_statement_s = time.monotonic() - started
        finally:
            with self._settled:
                for item in taken:
                    item.settled = True
                self._writing = False
                self._settled.notify_all()
        return mine

    def _gather(self) -> None:
        """Wait for callers planning now and for as many as the last batch had, for at most
        :func:`gather_seconds` (a lone caller never waits)."""
        deadline = time.monotonic() + gather_seconds(self._last_statement_s)
        while len(self._queue) < MAX_BATCH and (
            self._planning or len(self._queue) < self._last_batch
        ):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._queued.wait(left)


def gather_seconds(last_statement_s: float) -> float:
    """How long a writer may wait for callers: as long as its last statement took, within
    :data:`COMMIT_DELAY_S` and :data:`MAX_GATHER_S`."""
    return min(max(COMMIT_DELAY_S, last_statement_s), MAX_GATHER_S)


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
