"""Field work for a case (事件 → 任务): when a case needs a survey or an inspection on the
ground, its handler or the command centre creates a task through the tasks service, linked to
the case, and the case shows its tasks and their progress. Closing the loop stays the case's."""

from __future__ import annotations

from datetime import datetime
from typing import LiteralString

from citykg.access import Principal
from citykg.access.policy import may_act_on_event
from citykg.events.views import readable
from citykg.graph import GraphStore
from citykg.ledgers import Catalog
from citykg.tasks import dispatch, task_view
from citykg.tasks.create import create_task, may_see_task
from citykg.tasks.models import TaskSpec, TaskView

TASKS_OF_EVENT: LiteralString = (
    "MATCH (t:Task {event: $event}) RETURN properties(t) AS task ORDER BY t.createdAt"
)


def task_for_event(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    event_id: str,
    spec: TaskSpec,
    at: datetime,
    dispatched: bool = False,
) -> TaskView:
    """A task doing the field work of ``event_id``, created (and dispatched, if asked) by one
    who may handle or dispatch the case and create tasks over ``spec.scope``; the case out of
    reach answers like a missing one, before anything is checked or written."""
    case = readable(store, principal, event_id)
    handles = may_act_on_event(principal, case.facts, actor="handler")
    if not handles.allowed:
        may_act_on_event(principal, case.facts, actor="dispatcher").ensure()
    task = create_task(store, catalog=catalog, principal=principal, spec=spec, at=at,
                       event=case.id)  # fmt: skip
    if dispatched:
        dispatch(store, catalog=catalog, principal=principal, task_id=task.id, at=at)
    return task


def tasks_of_event(store: GraphStore, *, principal: Principal, event_id: str) -> list[TaskView]:
    """The case's tasks that ``principal`` may see (a part of it in reach, or its creator's
    post); the case itself out of reach answers like a missing one."""
    case = readable(store, principal, event_id)
    tasks = [dict(row["task"]) for row in store.read(TASKS_OF_EVENT, {"event": case.id})]
    return [task_view(t) for t in tasks if may_see_task(store, principal, t)]
