"""Moving work items in the graph: the state change and its transition fact, one statement.

Every move is recorded as a ``:Transition`` (item, from, to, event, who: principal and the post
they acted through, when, why) in the same statement that changes the item's state, guarded by
the state the caller read: if two act on the same item, the second finds the state changed and
gets :class:`~citykg.errors.Conflict`; nothing of it is written. Stage times and who-did-what
are then queries over those facts (:func:`stage_times`, :func:`who_did_what`), not logs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, LiteralString

from citykg.errors import Conflict
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with
from citykg.workflow import queries
from citykg.workflow.machine import Step


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: the principal, and the post (organization + role) they act through."""

    principal: str
    organization: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Move:
    """One step of one item: ``set`` lands on the item, ``context`` on the transition fact
    (``within``: the container the stage-time queries group by, e.g. the task)."""

    item: str
    step: Step
    set: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StageTime:
    """Time spent in one state before leaving it, over the items of one group."""

    group: Any
    stage: str
    count: int
    median_ms: int
    p90_ms: int
    longest_ms: int


@dataclass(frozen=True, slots=True)
class Deed:
    """How many times a principal, through a post, sent an event."""

    principal: str
    organization: str | None
    role: str | None
    event: str
    count: int


def move_rows(moves: Sequence[Move], *, actor: Actor, at: datetime) -> list[dict[str, Any]]:
    """The ``$rows`` of :data:`~citykg.workflow.queries.MOVE_TEMPLATE` for ``moves``."""
    at_ms = int(at.timestamp() * 1000)
    return [
        {
            "id": m.item, "tid": uuid.uuid4().hex, "kind": m.step.kind, "event": m.step.event,
            "from": m.step.source, "to": m.step.target, "by": actor.principal,
            "organization": actor.organization, "role": actor.role, "at": at.isoformat(),
            "atMs": at_ms, "reason": m.step.reason, "note": m.step.note, "set": dict(m.set),
            "context": dict(m.context),
        }
        for m in moves
    ]  # fmt: skip


def move_statement(label: str, tail: LiteralString = queries.return_moved) -> LiteralString:
    """The move statement for items labelled ``label``, with ``tail`` as its own effects."""
    return cypher_with(queries.MOVE_TEMPLATE, label=label) + tail


def apply_moves(
    store: GraphStore,
    *,
    label: str,
    moves: Sequence[Move],
    actor: Actor,
    at: datetime,
    tail: LiteralString = queries.return_moved,
    params: Mapping[str, Any] | None = None,
) -> set[str]:
    """Write ``moves`` in one statement; the ids of the items moved (the others had left the
    state their move started from)."""
    if not moves:
        return set()
    rows = move_rows(moves, actor=actor, at=at)
    result = store.write(move_statement(label, tail), {**(params or {}), "rows": rows}).rows
    return {str(i) for i in (result[0]["moved"] if result else [])}


def apply_move(
    store: GraphStore,
    *,
    label: str,
    move: Move,
    actor: Actor,
    at: datetime,
    tail: LiteralString = queries.return_moved,
    params: Mapping[str, Any] | None = None,
) -> None:
    """Write one move; Conflict (409, naming ``state``) when another move got there first."""
    moved = apply_moves(store, label=label, moves=[move], actor=actor, at=at, tail=tail,
                        params=params)  # fmt: skip
    if move.item not in moved:
        raise Conflict(
            f"state: {move.step.kind} {move.item} is no longer {move.step.source!r}; someone "
            "acted on it first: reload it and try again (该事项已被他人处理，请刷新后重试)"
        )


def history(store: GraphStore, *, item: str) -> list[dict[str, Any]]:
    """The transitions of one item, oldest first."""
    return [dict(r["transition"]) for r in store.read(queries.HISTORY, {"id": item})]


def stage_times(
    store: GraphStore, *, kind: str, within: str, group_by: str = "level"
) -> list[StageTime]:
    """Median, p90 and longest time in each state per group, from the recorded transitions."""
    rows = store.read(queries.STAGE_TIMES, {"kind": kind, "within": within, "groupBy": group_by})
    return [
        StageTime(r["grp"], str(r["stage"]), int(r["n"]), int(r["median"]), int(r["p90"]),
                  int(r["longest"]))
        for r in rows
    ]  # fmt: skip


def who_did_what(store: GraphStore, *, kind: str, within: str) -> list[Deed]:
    """How many times each principal, through which post, sent each event."""
    rows = store.read(queries.WHO_DID_WHAT, {"kind": kind, "within": within})
    return [
        Deed(str(r["principal"]), r["organization"], r["role"], str(r["event"]), int(r["n"]))
        for r in rows
    ]
