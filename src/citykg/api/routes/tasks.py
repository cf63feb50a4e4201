"""``/tasks``: the tasks I follow, create, dispatch (and its preview), mine, items and their
transitions, progress, bottlenecks, export and a live progress stream (server-sent events).

Every route runs as the authenticated principal through :mod:`citykg.tasks` (which asks the
policy point); bad input is a problem+json 4xx naming the field, with nothing written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from citykg import tasks
from citykg.api.deps import CatalogDep, CurrentPrincipal, OntologyDep, Store
from citykg.api.openapi import EVENT_STREAM
from citykg.controls import SubmissionResult
from citykg.tasks.models import (
    BatchResult,
    Bottlenecks,
    DispatchPreview,
    DispatchResult,
    ItemSelection,
    ItemView,
    Progress,
    Returned,
    TaskSpec,
    TaskView,
)
from citykg.workflow import history

router = APIRouter(prefix="/tasks", tags=["tasks"])
STREAM_MAX_EVENTS = 600


States = Annotated[list[str], Query(description="Only items in these states.")]
Limit = Annotated[int, Query(ge=1, le=500)]


class ActIn(BaseModel):
    event: str = Field(description="start, approve, request_redo or return_invalid.")
    reason: str | None = Field(default=None, description="Required by some events.")
    note: str | None = None


class BatchIn(ActIn):
    selection: ItemSelection = ItemSelection()


class ExecuteIn(BaseModel):
    answers: dict[str, Any]
    submission_id: str = Field(min_length=1, max_length=100)


class ExecuteOut(BaseModel):
    item: ItemView
    submission: str
    replayed: bool
    held: bool


class TransferIn(BaseModel):
    organization: str
    role: str
    reason: str | None = None


class ReassignIn(BaseModel):
    part: str


class SplitIn(BaseModel):
    level: str
    role: str | None = None


class PartActIn(BaseModel):
    event: Literal["report", "reopen"]
    reason: str | None = None


@router.post("", status_code=201)
def create(spec: TaskSpec, store: Store, principal: CurrentPrincipal,
           catalog: CatalogDep) -> TaskView:  # fmt: skip
    """Create a task (draft) from a form, or from a ledger query (split items: entity)."""
    return tasks.create_task(store, catalog=catalog, principal=principal, spec=spec)


@router.get("")
def followed(
    store: Store, principal: CurrentPrincipal, before: str = "", limit: Limit = 20
) -> list[TaskView]:
    """The tasks the caller follows, newest first: those created through their posts and those
    that reached their jurisdiction (each one whose page they may open). The next page:
    ``before`` = the last task's ``created_at|id``."""
    return tasks.followed(store, principal=principal, before=before, limit=limit)


@router.get("/{task_id}")
def read(task_id: str, store: Store, principal: CurrentPrincipal) -> TaskView:
    tasks.progress(store, principal=principal, task_id=task_id)  # 404 unless a part is visible
    return tasks.task_view(tasks.get_task(store, task_id=task_id))


@router.post("/{task_id}/dispatch")
def dispatch(task_id: str, store: Store, principal: CurrentPrincipal,
             catalog: CatalogDep) -> DispatchResult:  # fmt: skip
    """Split and dispatch the whole tree in one call; repeating it creates nothing twice."""
    return tasks.dispatch(store, catalog=catalog, principal=principal, task_id=task_id)


@router.get("/{task_id}/dispatch/preview")
def dispatch_preview(task_id: str, store: Store, principal: CurrentPrincipal,
                     catalog: CatalogDep) -> DispatchPreview:  # fmt: skip
    """What dispatching would make now, nothing written: parts by level, items, how many of
    each are new, and the units whose post nobody holds; refused as the dispatch is."""
    return tasks.preview_dispatch(store, catalog=catalog, principal=principal, task_id=task_id)


@router.get("/mine/items")
def mine(
    store: Store,
    principal: CurrentPrincipal,
    state: States | None = None,
    after: str = "",
    limit: Limit = 100,
) -> list[ItemView]:
    """Items assigned to a post the caller holds now, or sent to their household."""
    return tasks.mine(store, principal=principal, states=state or [], after=after, limit=limit)


@router.get("/{task_id}/items")
def items(
    task_id: str,
    store: Store,
    principal: CurrentPrincipal,
    within: str | None = None,
    state: States | None = None,
    after: str = "",
    limit: Limit = 100,
) -> list[ItemView]:
    selection = ItemSelection(within=within, states=tuple(state or ()))
    return tasks.list_items(store, principal=principal, task_id=task_id, selection=selection,
                            after=after, limit=limit)  # fmt: skip


@router.get("/items/{item_id}")
def item(item_id: str, store: Store, principal: CurrentPrincipal) -> ItemView:
    return tasks.item_view(store, principal=principal, item_id=item_id)


@router.get("/items/{item_id}/transitions")
def transitions(item_id: str, store: Store, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    """The item's recorded transitions: from, to, event, who (principal and post), when, why."""
    tasks.item_view(store, principal=principal, item_id=item_id, allowed=False)
    return history(store, item=item_id)


@router.post("/items/{item_id}/act")
def act(item_id: str, body: ActIn, store: Store, principal: CurrentPrincipal) -> ItemView:
    """Send an event; 409 when the state does not allow it or someone acted first."""
    return tasks.act(store, principal=principal, item_id=item_id, event=body.event,
                     reason=body.reason, note=body.note)  # fmt: skip


@router.post("/items/{item_id}/execute")
def execute(item_id: str, body: ExecuteIn, store: Store, principal: CurrentPrincipal,
            ontology: OntologyDep) -> ExecuteOut:  # fmt: skip
    """Fill the item through the form write path (the submission carries the item)."""
    done = tasks.execute(store, ontology=ontology, principal=principal, item_id=item_id,
                         answers=body.answers, submission_id=body.submission_id)  # fmt: skip
    result: SubmissionResult = done.submission
    return ExecuteOut(item=done.item, submission=result.submission, replayed=result.replayed,
                      held=result.held)  # fmt: skip


@router.post("/items/{item_id}/transfer")
def transfer(item_id: str, body: TransferIn, store: Store,
             principal: CurrentPrincipal) -> ItemView:  # fmt: skip
    return tasks.transfer(store, principal=principal, item_id=item_id,
                          organization=body.organization, role=body.role,
                          reason=body.reason or "")  # fmt: skip


@router.post("/items/{item_id}/reassign")
def reassign(item_id: str, body: ReassignIn, store: Store,
             principal: CurrentPrincipal) -> ItemView:  # fmt: skip
    return tasks.reassign(store, principal=principal, item_id=item_id, part_id=body.part)


@router.post("/{task_id}/items/batch")
def batch(task_id: str, body: BatchIn, store: Store, principal: CurrentPrincipal) -> BatchResult:
    """Send one event to every item the selection covers (e.g. 无效批量退回)."""
    return tasks.act_many(store, principal=principal, task_id=task_id, selection=body.selection,
                          event=body.event, reason=body.reason, note=body.note)  # fmt: skip


@router.get("/{task_id}/returned")
def returned(
    task_id: str, store: Store, principal: CurrentPrincipal, after: str = "", limit: Limit = 100
) -> Returned:
    """Items returned to the caller's level, a page at a time (``after`` = the last ``next``),
    with their total and the count per reason."""
    return tasks.returned_to_me(store, principal=principal, task_id=task_id, after=after,
                                limit=limit)  # fmt: skip


@router.post("/parts/{part_id}/split")
def split(part_id: str, body: SplitIn, store: Store, principal: CurrentPrincipal) -> DispatchResult:
    return tasks.split_part(store, principal=principal, part_id=part_id, level=body.level,
                            role=body.role)  # fmt: skip


@router.post("/parts/{part_id}/act")
def act_on_part(part_id: str, body: PartActIn, store: Store,
                principal: CurrentPrincipal) -> dict[str, str]:  # fmt: skip
    """Report a part up (一键上报) or reopen it (the level above, with a reason)."""
    state = tasks.act_on_part(store, principal=principal, part_id=part_id, event=body.event,
                              reason=body.reason)  # fmt: skip
    return {"part": part_id, "state": state}


@router.get("/{task_id}/progress")
def progress(task_id: str, store: Store, principal: CurrentPrincipal) -> Progress:
    """Live progress at every node the caller may see, and totals by level."""
    return tasks.progress(store, principal=principal, task_id=task_id)


@router.get("/{task_id}/bottlenecks")
def bottlenecks(task_id: str, store: Store, principal: CurrentPrincipal) -> Bottlenecks:
    return tasks.bottlenecks(store, principal=principal, task_id=task_id)


@router.get("/{task_id}/export")
def export(task_id: str, store: Store, principal: CurrentPrincipal,
           format: Literal["csv", "xlsx"] = "csv") -> Response:  # fmt: skip
    out = tasks.export_progress(store, principal=principal, task_id=task_id, format=format)
    headers = {"Content-Disposition": f'attachment; filename="{out.filename}"'}
    return Response(out.content, media_type=out.media_type, headers=headers)


@router.get("/{task_id}/stream", responses=EVENT_STREAM)
def stream(
    task_id: str,
    store: Store,
    principal: CurrentPrincipal,
    once: bool = False,
    interval: Annotated[float, Query(ge=0.5, le=60)] = 2.0,
    max_events: Annotated[int, Query(ge=1, le=STREAM_MAX_EVENTS)] = 300,
) -> StreamingResponse:
    """Server-sent events: one ``progress`` event now, then one every ``interval`` seconds
    (bounded by ``max_events``; ``once=true`` sends one and ends)."""
    first = tasks.progress(store, principal=principal, task_id=task_id)  # 404 before streaming

    def events() -> Iterator[str]:
        view = first
        for sent in range(1 if once else max_events):
            if sent:
                time.sleep(interval)
                view = tasks.progress(store, principal=principal, task_id=task_id)
            yield f"event: progress\ndata: {json.dumps(view.model_dump(), ensure_ascii=False)}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")
