"""Handling (闭环处置): every step of a case is a move of the shared workflow (kind ``event`` in
``workflow/workflows.yaml``), written with its transition fact and the case's own effects in
one guarded statement (a second actor on the same case gets 409).

Who may send each step is the policy's :func:`~citykg.access.policy.may_act_on_event`; the
stage deadlines come from ``rules.yaml``: entering a stage sets its due time, leaving it late
marks the stage overdue (拖延), for the KPIs. Closure kinds stay apart: resolved, transferred
(not ours), unresolvable (with a reason), and duplicate (a merge, which a handler confirms).
A reporter rates a closed case and may reopen it within ``reopen_days``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal, LiteralString

from pydantic import BaseModel, ConfigDict, Field

from citykg.access import Principal
from citykg.access.policy import may_act_on_event, may_read_event
from citykg.errors import NotFound, ValidationFailed, Violation
from citykg.events import duplicates, queries
from citykg.events.config import load_rules
from citykg.events.models import STATUS_CODES, EventView
from citykg.events.views import EVENTS, Case, load, names_of, readable, view
from citykg.graph import GraphStore
from citykg.workflow import Actor, Move, apply_move

Closure = Literal["resolved", "transferred", "unresolvable"]
STAMPS = {"dispatched": "dispatchedAt", "handling": "handlingAt", "replied": "repliedAt",
          "closed": "closedAt", "visited": "followedUpAt", "rated": "evaluatedAt"}  # fmt: skip


class Action(BaseModel):
    """One step on a case: the workflow event and what it needs."""

    model_config = ConfigDict(extra="forbid")

    event: str = Field(description="dispatch, redispatch, return_order, sign, reply, "
                       "send_back, close, visit, rate, reopen, supervise or merge")  # fmt: skip
    reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=2000)
    department: str | None = Field(default=None, description="redispatch: the organization.")
    role: str | None = Field(default=None, description="redispatch: the post role.")
    reply: str | None = Field(default=None, max_length=4000, description="reply: to the reporter.")
    closure: Closure | None = Field(default=None, description="close: how it ended.")
    satisfaction: Literal["1", "2", "3"] | None = Field(
        default=None, description="rate: 满意/基本满意/不满意"
    )
    resolved: bool | None = None
    master: str | None = Field(default=None, description="merge: the case it duplicates.")


def act(store: GraphStore, *, principal: Principal, event_id: str, action: Action,
        at: datetime) -> EventView:  # fmt: skip
    """Send ``action`` to the case; 409 when its stage does not allow it or someone acted
    first, 403 when the caller is not the actor, 422 naming the field for missing input."""
    case = readable(store, principal, event_id)
    state = str(case.props["state"])
    reason = action.reason
    if action.event == "close":
        reason = _required(action.closure, "closure")
    step = EVENTS.step(state, action.event, reason=reason, note=action.note)
    post = may_act_on_event(principal, case.facts, actor=step.actor).ensure()
    rules = load_rules()
    p = case.props
    at_ms = _ms(at)
    sets: dict[str, Any] = {"updatedAt": at.isoformat()}
    params: dict[str, Any] = {"supervised": 0, "sentBack": 0, "reopened": 0, "returned": 0}
    tail: LiteralString = queries.tail_plain
    department = p.get("department")
    if action.event == "redispatch":
        department = _required(action.department, "department")
        sets |= {"department": department, "role": action.role}
        tail = queries.tail_assign
    elif action.event in ("dispatch", "reopen"):
        if not department:
            raise ValidationFailed([Violation(
                "department", "the case is not routed: redispatch it to a department",
                "该事件尚未确定承办单位，请改派")])  # fmt: skip
        tail = queries.tail_assign
    if action.event == "reply":
        sets["reply"] = _required(action.reply, "reply")
        sets["repliedAtMs"] = at_ms
    elif action.event == "close":
        if action.closure == "unresolvable":
            _required(action.note, "note")
        sets |= {"closure": action.closure, "closedAtMs": at_ms,
                 "resolved": action.closure == "resolved"}  # fmt: skip
    elif action.event == "sign" and p.get("signedAtMs") is None:
        sets["signedAtMs"] = at_ms
    elif action.event == "send_back":
        params["sentBack"] = 1
    elif action.event == "supervise":
        params["supervised"] = 1
        tail = queries.tail_supervise
    elif action.event == "return_order":
        params["returned"] = 1
        sets["returnReason"] = action.reason
    elif action.event == "rate":
        sets |= {"satisfaction": _required(action.satisfaction, "satisfaction"),
                 "feedback": action.note}  # fmt: skip
        params |= {"person": principal.person, "satisfaction": action.satisfaction,
                   "resolved": action.resolved}  # fmt: skip
        tail = queries.tail_rate
    elif action.event == "reopen":
        closed_at = int(p.get("closedAtMs") or 0)
        if at_ms - closed_at > rules.reopen_days * 86_400_000:
            raise ValidationFailed([Violation(
                "event", f"a case may be reopened within {rules.reopen_days} days of closure",
                f"办结 {rules.reopen_days} 天内方可重新打开")])  # fmt: skip
        params["reopened"] = 1
        sets |= {"closure": None, "closedAtMs": None}
    elif action.event == "merge":
        master = _master(store, principal, case, action.master)
        params |= {"master": master.id, "similarity": duplicates.similarity(
            f"{p.get('title')} {p.get('description')}",
            f"{master.props.get('title')} {master.props.get('description')}")}  # fmt: skip
        sets |= {"closure": "duplicate", "isDuplicate": True}
        tail = queries.tail_merge
    if step.moves_state:
        sets |= _entering(step.target, at, p, rules)
    due = p.get("stageDueMs")
    late = bool(step.moves_state and due is not None and at_ms > int(due))
    context = {
        "within": f"{department or p.get('dispatcher') or ''}|{str(p['reportedAt'])[:7]}",
        "department": department or "", "month": str(p["reportedAt"])[:7],
        "place": p.get("placeCode") or "", "late": late, "dueMs": due,
    }  # fmt: skip
    if action.event == "supervise":
        context["dueMs"] = None
    actor = Actor(principal.id, post.organization if post else None, post.role if post else None)
    apply_move(store, label="Event", move=Move(case.id, step, sets, context), actor=actor, at=at,
               tail=tail, params=params)  # fmt: skip
    fresh = load(store, case.id)
    return view(fresh, principal, now=at, names=names_of(store, [fresh.props.get("department")]))


def _entering(stage: str, at: datetime, p: dict[str, Any], rules: Any) -> dict[str, Any]:
    """The stage's status code, its due time, and the time stamps it records."""
    hours = rules.deadlines.hours(stage=stage, urgency=str(p.get("urgency") or "3"),
                                  category=str(p.get("category") or ""))  # fmt: skip
    due = None if hours is None else at + timedelta(hours=hours)
    sets: dict[str, Any] = {
        "status": STATUS_CODES[stage],
        "stageDue": None if due is None else due.isoformat(),
        "stageDueMs": None if due is None else _ms(due),
    }
    stamp = STAMPS.get(stage)
    if stamp:
        sets[stamp] = at.isoformat()
    if stage == "dispatched":
        sets |= {"dispatchDue": p.get("stageDue"), "signDueMs": sets["stageDueMs"]}
        if p.get("signDueMs") is not None:  # a re-dispatch keeps the first sign deadline
            sets["signDueMs"] = p["signDueMs"]
    if stage == "handling":
        sets["handleDue"] = sets["stageDue"]
    if stage == "replied":
        sets["replyDue"] = sets["stageDue"]
    return sets


def _master(store: GraphStore, principal: Principal, case: Case, master_id: str | None) -> Case:
    wanted = _required(master_id, "master")
    if wanted == case.id:
        raise ValidationFailed([Violation("master", "a case cannot duplicate itself",
                                          "不能与自身合并", value=wanted)])  # fmt: skip
    try:
        master = load(store, wanted)
    except NotFound:
        raise ValidationFailed([Violation("master", f"no case {wanted!r}", "主件不存在",
                                          value=wanted)]) from None  # fmt: skip
    if not may_read_event(principal, master.facts):
        raise ValidationFailed([Violation("master", "the case is outside the cases you may "
                                          "reach (another jurisdiction)", "主件不在您的管辖范围内",
                                          value=wanted)])  # fmt: skip
    if master.props.get("state") == "merged":
        raise ValidationFailed([Violation("master", f"{wanted} is itself merged into another "
                                          "case: merge into that one", "主件已并入其他事件",
                                          value=wanted)])  # fmt: skip
    return master


def _required(value: Any, field: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed([Violation(field, f"{field} is required for this step",
                                          f"此操作须填写 {field}")])  # fmt: skip
    return value


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)
