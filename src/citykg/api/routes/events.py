"""``/events``: report, the scoped list (a handler's queue, a resident's own reports), one case
with its timeline, steps (transitions, merge, reopen, rate), KPIs and deadline suggestions.

Every route runs as the authenticated principal through :mod:`citykg.events` (which asks the
policy point); bad input is a problem+json 4xx naming the field, with nothing written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from citykg import events
from citykg.api.deps import CatalogDep, CurrentPrincipal, OntologyDep, Store
from citykg.events import Action, EventView, IntakeView, Report
from citykg.events.fieldwork import task_for_event, tasks_of_event
from citykg.events.kpi import By, departments, kpis, suggestions
from citykg.events.models import DeadlineSuggestion, DepartmentKpi
from citykg.tasks.models import TaskSpec, TaskView

router = APIRouter(prefix="/events", tags=["events"])


class Detail(BaseModel):
    event: EventView
    timeline: list[dict[str, Any]]


def now() -> datetime:
    return datetime.now(UTC)


@router.post("", status_code=201)
def report(body: Report, store: Store, principal: CurrentPrincipal,
           ontology: OntologyDep) -> IntakeView:  # fmt: skip
    """Take a report: located, classified, routed, with duplicate candidates (never merged)."""
    return events.report(store, ontology=ontology, principal=principal, report=body, at=now())


@router.get("")
def listing(
    store: Store,
    principal: CurrentPrincipal,
    state: Annotated[list[str] | None, Query()] = None,
    overdue: bool = False,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[EventView]:
    """A handler's queue (their posts' cases and those under their jurisdiction); a
    resident's own reports with their public status."""
    return events.queue(store, principal, now=now(), states=state or [], overdue=overdue,
                        skip=skip, limit=limit)  # fmt: skip


@router.get("/kpis")
def kpi_table(
    store: Store,
    principal: CurrentPrincipal,
    start: datetime,
    end: datetime,
    district: str | None = None,
    group: Annotated[list[str] | None, Query()] = None,
    by: By = "department",
) -> list[DepartmentKpi]:
    """The KPI table: every department of ``district``, or the groups named."""
    groups = group or (departments(store, district) if district else [])
    return kpis(store, principal=principal, groups=groups, start=start, end=end, now=now(), by=by)


@router.get("/kpis/deadlines")
def deadline_advice(
    store: Store,
    principal: CurrentPrincipal,
    start: datetime,
    end: datetime,
    group: Annotated[list[str], Query()],
    by: By = "department",
) -> list[DeadlineSuggestion]:
    """Per stage, the share of cases done within N days (the "5 days → 3 days" question)."""
    return suggestions(store, principal=principal, groups=group, start=start, end=end, by=by)


@router.get("/{event_id}")
def detail(event_id: str, store: Store, principal: CurrentPrincipal) -> Detail:
    """One case and its timeline (a resident sees stages and times, not who)."""
    event, timeline = events.detail(store, principal, event_id, now=now())
    return Detail(event=event, timeline=timeline)


@router.post("/{event_id}/transitions")
def transition(event_id: str, body: Action, store: Store, principal: CurrentPrincipal) -> EventView:
    """Send a step (dispatch, sign, reply, close, supervise …); 409 when the stage does not
    allow it or someone acted first."""
    return events.act(store, principal=principal, event_id=event_id, action=body, at=now())


class MergeIn(BaseModel):
    master: str


@router.post("/{event_id}/merge")
def merge(event_id: str, body: MergeIn, store: Store, principal: CurrentPrincipal) -> EventView:
    """Confirm that this case duplicates ``master``: it hangs under it, its reporters follow."""
    action = Action(event="merge", master=body.master)
    return events.act(store, principal=principal, event_id=event_id, action=action, at=now())


class ReopenIn(BaseModel):
    reason: str


@router.post("/{event_id}/reopen")
def reopen(event_id: str, body: ReopenIn, store: Store, principal: CurrentPrincipal) -> EventView:
    """The reporter reopens a closed case within the allowed days."""
    action = Action(event="reopen", reason=body.reason)
    return events.act(store, principal=principal, event_id=event_id, action=action, at=now())


class RateIn(BaseModel):
    satisfaction: Literal["1", "2", "3"]
    feedback: str | None = None
    resolved: bool | None = None


@router.post("/{event_id}/rating")
def rate(event_id: str, body: RateIn, store: Store, principal: CurrentPrincipal) -> EventView:
    """The reporter rates a closed case (满意 1, 基本满意 2, 不满意 3)."""
    action = Action(
        event="rate", satisfaction=body.satisfaction, note=body.feedback, resolved=body.resolved
    )
    return events.act(store, principal=principal, event_id=event_id, action=action, at=now())


class FieldTaskIn(TaskSpec):
    dispatch: bool = False
    """Dispatch the whole tree at once."""


@router.post("/{event_id}/tasks", status_code=201)
def create_task(event_id: str, body: FieldTaskIn, store: Store, principal: CurrentPrincipal,
                catalog: CatalogDep) -> TaskView:  # fmt: skip
    """A task doing the case's field work (its handler or the command centre, with
    ``task.create`` over the scope), linked to the case; dispatched at once if asked."""
    spec = TaskSpec.model_validate(body.model_dump(exclude={"dispatch"}))
    return task_for_event(store, catalog=catalog, principal=principal, event_id=event_id,
                          spec=spec, at=now(), dispatched=body.dispatch)  # fmt: skip


@router.get("/{event_id}/tasks")
def event_tasks(event_id: str, store: Store, principal: CurrentPrincipal) -> list[TaskView]:
    """The case's tasks the caller may see (follow their progress under ``/tasks``)."""
    return tasks_of_event(store, principal=principal, event_id=event_id)
