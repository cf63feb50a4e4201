"""Held submissions (审核): writes the policy will not let a principal make alone.

A resident's move, a new household member, or an official's move-in of someone registered
elsewhere is not written when submitted: it is held as a ``:HeldSubmission`` (a work item of
the workflow kind ``held_submission``: pending → confirmed | declined, each move recorded as a
transition fact by :mod:`citykg.workflow`) with the answers,
the author and the places whose responsible officials may confirm it
(:func:`citykg.access.policy.decide_write`). An official responsible for one of those places,
other than the author, confirms it, and only then is it written, through the same form write
path with the author's provenance; or declines it with a note. Confirming is idempotent: the
submission keeps its id, so a confirmation interrupted after the write replays nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from citykg.access import Principal
from citykg.access.policy import WriteDecision, may_confirm
from citykg.controls import queries
from citykg.controls.compile import CompiledForm, SubmissionContext, SubmissionPlan
from citykg.errors import Conflict, Forbidden, NotFound
from citykg.graph import GraphStore
from citykg.workflow import Actor, Move, apply_move, workflow

KIND = "held_submission"

Status = Literal["pending", "confirmed", "declined"]


@dataclass(frozen=True, slots=True)
class HeldSubmission:
    """A submission waiting for (or past) an official's confirmation."""

    id: str
    form: str
    form_version: int
    author: str
    at: str
    subject: str
    reason_en: str
    reason_zh: str
    confirm_at: tuple[str, ...]
    status: Status
    decided_by: str | None = None
    decided_at: str | None = None
    note: str | None = None


def hold(
    store: GraphStore,
    *,
    form: CompiledForm,
    plan: SubmissionPlan,
    context: SubmissionContext,
    answers: dict[str, Any],
    decision: WriteDecision,
) -> bool:
    """Keep ``plan``'s submission for confirmation; False when it was held before (a replay)."""
    row = store.write(
        queries.HOLD_SUBMISSION,
        {
            "id": context.submission_id,
            "form": form.form.id,
            "formVersion": form.form.version,
            "answers": json.dumps(answers, ensure_ascii=False, default=str),
            "author": context.author,
            "authorPerson": context.author_person,
            "channel": context.channel,
            "task": context.task,
            "at": context.at.isoformat(),
            "atMs": int(context.at.timestamp() * 1000),
            "subject": plan.touched[0].key,
            "reasonEn": decision.reason_en,
            "reasonZh": decision.reason_zh,
            "confirmAt": list(decision.confirm_at),
        },
    ).rows[0]
    return bool(row["created"])


def held(store: GraphStore, *, principal: Principal, held_id: str) -> dict[str, Any]:
    """The held submission ``held_id`` if ``principal`` authored it or may confirm it; else
    NotFound (a request elsewhere is not told apart from none)."""
    rows = store.read(queries.HELD_SUBMISSION, {"id": held_id})
    if not rows or not _sees(principal, rows[0]):
        raise NotFound(f"no held submission {held_id!r} that you may see")
    return rows[0]


def held_submission(store: GraphStore, *, principal: Principal, held_id: str) -> HeldSubmission:
    """:func:`held`, as a :class:`HeldSubmission`."""
    return _held(held(store, principal=principal, held_id=held_id))


def held_list(
    store: GraphStore, *, principal: Principal, status: Status | None = "pending", limit: int = 100
) -> list[HeldSubmission]:
    """Held submissions ``principal`` authored or may confirm, newest first."""
    scope = principal.scope if principal.kind == "official" else None
    params = {
        "state": status,
        "author": principal.id,
        "scopeRoots": scope.params()["scopeRoots"] if scope else [],
        "limit": limit,
    }
    return [_held(row) for row in store.read(queries.HELD_SUBMISSIONS, params)]


def decide_held(
    store: GraphStore,
    *,
    principal: Principal,
    held_id: str,
    confirm: bool,
    note: str = "",
) -> HeldSubmission:
    """Record the confirmation or decline of a pending held submission; the caller writes a
    confirmed one (:func:`citykg.controls.service.confirm_held`) before calling this."""
    row = held(store, principal=principal, held_id=held_id)
    ensure_may_decide(principal, row)
    step = workflow(KIND).step(str(row["state"]), "confirm" if confirm else "decline",
                               reason=note.strip() or None)  # fmt: skip
    at = datetime.now(UTC)
    decided = {"decidedBy": principal.id, "decidedAt": at.isoformat(), "note": note}
    post = principal.posts[0] if principal.posts else None
    actor = Actor(principal.id, post.organization if post else None, post.role if post else None)
    apply_move(store, label="HeldSubmission", move=Move(held_id, step, set=decided), actor=actor,
               at=at)  # fmt: skip
    return _held({**row, "state": step.target, **decided})


def ensure_may_decide(principal: Principal, row: dict[str, Any]) -> None:
    """Forbidden unless ``principal`` may confirm ``row``; Conflict once it is decided."""
    if row["state"] != "pending":
        raise Conflict(f"held submission {row['id']!r} is {row['state']} already")
    verdict = may_confirm(principal, author=str(row["author"]), places=row["confirmAt"] or [])
    if not verdict.allowed:
        raise Forbidden(f"{verdict.reason_en} ({verdict.reason_zh})")


def _sees(principal: Principal, row: dict[str, Any]) -> bool:
    if row["author"] == principal.id:
        return True
    return principal.kind == "official" and any(
        principal.scope.contains(str(code)) for code in row["confirmAt"] or []
    )


def _held(row: dict[str, Any]) -> HeldSubmission:
    return HeldSubmission(
        id=str(row["id"]),
        form=str(row["form"]),
        form_version=int(row["formVersion"]),
        author=str(row["author"]),
        at=str(row["at"]),
        subject=str(row["subject"]),
        reason_en=str(row["reasonEn"] or ""),
        reason_zh=str(row["reasonZh"] or ""),
        confirm_at=tuple(str(c) for c in row["confirmAt"] or []),
        status=row["state"],
        decided_by=row["decidedBy"],
        decided_at=row["decidedAt"],
        note=row["note"],
    )
