"""Reading cases: one with its timeline, a scoped list, a reporter's own; every read asks the
policy point (out of reach and missing answer the same)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from citykg.access import Principal
from citykg.access.policy import EventFacts, event_queue_reach, may_act_on_event, may_read_event
from citykg.errors import NotFound
from citykg.events import queries
from citykg.events.models import CLOSED_STATES, EventView
from citykg.graph import GraphStore
from citykg.workflow import history, workflow

EVENTS = workflow("event")
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Case:
    """A case as stored: its properties, reporters, master (if merged) and duplicates."""

    props: dict[str, Any]
    reporters: tuple[str, ...]
    master: str | None
    duplicates: tuple[str, ...]

    @property
    def id(self) -> str:
        return str(self.props["id"])

    @property
    def facts(self) -> EventFacts:
        p = self.props
        return EventFacts(p.get("placeCode"), p.get("department"), p.get("role"),
                          p.get("dispatcher"), self.reporters)  # fmt: skip


def load(store: GraphStore, event_id: str) -> Case:
    """The case ``event_id``; NotFound naming it."""
    rows = store.read(queries.EVENT, {"id": event_id})
    if not rows:
        raise NotFound(f"event: no event {event_id!r}")
    row = rows[0]
    masters = list(row["masters"])
    return Case(dict(row["event"]), tuple({*row["reporters"], *row["followers"]}),
                masters[0] if masters else None, tuple(sorted(row["duplicates"])))  # fmt: skip


def readable(store: GraphStore, principal: Principal, event_id: str) -> Case:
    """The case if ``principal`` may read it; NotFound (the same as missing) otherwise."""
    case = load(store, event_id)
    if not may_read_event(principal, case.facts):
        raise NotFound(f"event: no event {event_id!r}")
    return case


def view(case: Case, principal: Principal | None, *, now: datetime,
         names: Mapping[str, str] | None = None) -> EventView:  # fmt: skip
    """The case as ``principal`` sees it (None: the public)."""
    p = case.props
    state = str(p["state"])
    actions = []
    if principal is not None:
        facts = case.facts
        actions = [e for e in EVENTS.allowed(state) if may_act_on_event(
            principal, facts, actor=EVENTS.transition(e).actor).allowed]  # fmt: skip
    due = p.get("stageDueMs")
    running_late = (
        due is not None
        and state not in (*CLOSED_STATES, "merged")
        and (int(due) < int(now.timestamp() * 1000))
    )
    return EventView(
        id=case.id, title=str(p.get("title") or ""), description=p.get("description"),
        event_class=str(p.get("eventClass") or "Event"), category=str(p.get("category") or ""),
        category_picked=bool(p.get("categoryPicked")), category_word=p.get("categoryWord"),
        state=state, stage=EVENTS.spec.states[state].zh,
        status="closed" if state in (*CLOSED_STATES, "merged") else "open",
        closure=p.get("closure"), place=p.get("placeCode"), address=p.get("address"),
        lat=p.get("latitude"), long=p.get("longitude"), locate_method=p.get("locateMethod"),
        locate_confidence=p.get("locateConfidence"), alternatives=list(p.get("alternatives") or []),
        department=p.get("department"),
        department_name=(names or {}).get(p.get("department") or ""),
        role=p.get("role"), dispatcher=p.get("dispatcher"), urgency=str(p.get("urgency") or "3"),
        source=p.get("source"), reported_at=str(p.get("reportedAt")), updated_at=p.get("updatedAt"),
        stage_due=p.get("stageDue"), expected_at=p.get("expectedAt"),
        overdue=bool(p.get("isOverdue")) or running_late, reply=p.get("reply"),
        satisfaction=p.get("satisfaction"), reopen_count=int(p.get("reopenCount") or 0),
        send_backs=int(p.get("sendBacks") or 0),
        supervision_count=int(p.get("supervisionCount") or 0),
        duplicate_of=case.master, duplicates=list(case.duplicates), actions=actions,
    )  # fmt: skip


def detail(store: GraphStore, principal: Principal, event_id: str, *,
           now: datetime) -> tuple[EventView, list[dict[str, Any]]]:  # fmt: skip
    """The case and its timeline (every recorded transition: who, which post, when, why)."""
    case = readable(store, principal, event_id)
    timeline = history(store, item=case.id)
    if principal.kind == "resident":  # the public status: stages and times, not who
        timeline = [{k: t.get(k) for k in ("event", "from", "to", "at", "note")} for t in timeline]
    names = names_of(store, [case.props.get("department")])
    return view(case, principal, now=now, names=names), timeline


def queue(store: GraphStore, principal: Principal, *, now: datetime, states: Sequence[str] = (),
          overdue: bool = False, skip: int = 0, limit: int = 100) -> list[EventView]:  # fmt: skip
    """An official's queue: their organizations' cases and those at places they answer for;
    a resident's: the cases they reported (merged ones show the case they follow)."""
    limit = max(1, min(limit, MAX_PAGE))
    if principal.kind == "resident":
        rows = store.read(queries.MINE, {"person": principal.person or "", "skip": skip,
                                         "limit": limit})  # fmt: skip
        cases = [Case(dict(r["event"]), (principal.person or "",),
                      (list(r["masters"]) or [None])[0], ()) for r in rows]  # fmt: skip
    else:
        orgs, reach = event_queue_reach(principal)
        params = {"states": list(states), "orgs": list(orgs), "overdueOnly": overdue,
                  "now": int(now.timestamp() * 1000), "skip": skip, "limit": limit,
                  **reach.scope.params()}  # fmt: skip
        cases = [Case(dict(r["event"]), (), None, ()) for r in _newest(store, params, now)]
    names = names_of(store, [c.props.get("department") for c in cases])
    return [view(c, principal, now=now, names=names) for c in cases]


QUEUE_WINDOWS_DAYS = (2, 14, 90)
"""How far back a queue's page looks first, then next: the newest cases of a queue are near
now, so a page is read from the last days' cases, and only a page those cannot fill reads more."""


def _newest(store: GraphStore, params: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """A queue's page, newest first: from the cases of the last days when they fill it (the
    same rows as reading every case: all the others were reported before them), else all."""
    wanted = int(params["skip"]) + int(params["limit"])
    for days in QUEUE_WINDOWS_DAYS:
        since = int((now - timedelta(days=days)).timestamp() * 1000)
        rows = store.read(queries.LIST_SINCE, {**params, "since": since})
        if len(rows) + int(params["skip"]) >= wanted:
            return rows
    return store.read(queries.LIST, params)


def due_soon(store: GraphStore, principal: Principal, *, now: datetime, within: timedelta,
             states: Sequence[str], limit: int) -> int:  # fmt: skip
    """How many open cases of ``principal``'s queue are overdue or due within ``within`` (at
    most ``limit``: an alert, not a report)."""
    orgs, reach = event_queue_reach(principal)
    params = {"states": list(states), "orgs": list(orgs), "limit": limit,
              "soon": int((now + within).timestamp() * 1000), **reach.scope.params()}  # fmt: skip
    return min(limit, len(store.read(queries.DUE_SOON, params)))


def names_of(store: GraphStore, codes: Sequence[str | None]) -> dict[str, str]:
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    return {str(r["code"]): str(r["name"]) for r in
            store.read(queries.ORGANIZATION_NAMES, {"codes": wanted})}  # fmt: skip
