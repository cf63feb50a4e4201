"""Tasks (任务): the tasks the viewer follows, create a task, preview and dispatch it down the
tree, the items assigned to the viewer's posts with the steps they may take, a task's live
progress by level, batch actions over its items and the items returned to the viewer's level.

Each page calls what its ``/tasks`` route calls (:mod:`citykg.tasks`), admitted by that route's
rule; what the service refuses comes back at its field.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, get_args

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from citykg import events, tasks
from citykg.access import Principal, allowed
from citykg.access.masking import masker_for
from citykg.access.policy import TASK_CREATE, route_decision
from citykg.access.rules import load_rules
from citykg.api.deps import AppSettings, Store, catalog_of, ontology_of
from citykg.controls import CompiledForm, get_compiled, prefill
from citykg.controls.service import list_forms
from citykg.errors import Conflict, Forbidden, OutOfReach, ValidationFailed
from citykg.events.fieldwork import task_for_event
from citykg.geo.codes import CODE_LENGTHS, Level, PlaceCode
from citykg.tasks.create import ITEMS, visible_task
from citykg.tasks.items import DIRECT_EVENTS
from citykg.tasks.listing import cursor
from citykg.tasks.models import LEVELS, ItemSelection, ItemsRule, ItemView, Progress, TaskSpec
from citykg.web import session
from citykg.web.acting import missing_texts, refused, refused_at, text_of, unholdable
from citykg.web.auth import Viewer, mirrors, officials_only
from citykg.web.forms import as_submitted
from citykg.web.formview import answers_from, form_view, keep_masked
from citykg.web.i18n import language
from citykg.web.render import render
from citykg.web.routing import page_router
from citykg.web.session import Posted
from citykg.workflow import workflow

router = page_router(officials_only)
PAGE = 50
FOLLOWED_PAGE = 20
LEVEL_NUMBERS = {name: int(level) for name, level in LEVELS.items()}
"""A level's number (``t.level_5``: 社区) by its name in the progress."""
TASK_FLOW = workflow("task")
FIELDS = ("title_zh", "title_en", "description_zh", "description_en", "form", "scope", "items",
          "filters", "deadline", "review", "event")  # fmt: skip
SPLIT_LEVELS = ("street", "community", "compound", "building")
"""The levels a task is split down to, offered on the page (the API takes any)."""
TEXTS = ("title", "description")
BATCH_STATES = tuple(s for s in ITEMS.states
                     if any(s in ITEMS.transition(e).sources for e in DIRECT_EVENTS))  # fmt: skip
"""The states a batch may select by: those some batch event leaves, in the workflow's order."""
Creator = Annotated[Principal, Depends(mirrors("POST /tasks"))]
Dispatcher = Annotated[Principal, Depends(mirrors("POST /tasks/{task_id}/dispatch"))]
PREVIEW = "GET /tasks/{task_id}/dispatch/preview"
Previewer = Annotated[Principal, Depends(mirrors(PREVIEW))]
Batcher = Annotated[Principal, Depends(mirrors("POST /tasks/{task_id}/items/batch"))]
RETURNED = "GET /tasks/{task_id}/returned"
Actor = Annotated[Principal, Depends(mirrors("POST /tasks/items/{item_id}/act"))]
Executor = Annotated[Principal, Depends(mirrors("POST /tasks/items/{item_id}/execute"))]
Follower = Annotated[Principal, Depends(mirrors("GET /tasks/{task_id}/progress"))]


@router.get("/console/tasks")
def my_items(request: Request, store: Store, who: Viewer, before: str = "") -> Response:
    return _my_items(request, store, who, before=before)


def _my_items(
    request: Request, store: Store, who: Principal, errors: dict[str, str] | None = None,
    status: int = 200, before: str = "",
) -> Response:  # fmt: skip
    """The tasks the viewer follows (a page, ``before`` the cursor of the last one shown) and
    the items assigned to its posts."""
    items = tasks.mine(store, principal=who, limit=PAGE)
    masker = masker_for(ontology_of(request.app.state.settings))
    labels = tasks.labels_of(store, principal=who, masker=masker, items=items) if items else {}
    titles = {task: tasks.task_view(tasks.get_task(store, task_id=task)).title
              for task in {item.task for item in items}}  # fmt: skip
    followed = tasks.followed(store, principal=who, before=before, limit=FOLLOWED_PAGE)
    more = cursor(followed[-1]) if len(followed) == FOLLOWED_PAGE else None
    context = {"items": items, "titles": titles, "direct": DIRECT_EVENTS, "errors": errors or {},
               "may_create": allowed(principal=who, action=TASK_CREATE), "followed": followed,
               "more": more, "flow": TASK_FLOW.spec, "labels": labels}  # fmt: skip
    return render(request, "tasks.html", context, status=status)


@router.get("/console/tasks/new")
def new_task(request: Request, store: Store, who: Creator, event: str = "") -> Response:
    """The new-task form over the jurisdiction; for a case's field work (``?event=``), over
    the case's street split to its communities, titled after it (narrowed as needed)."""
    due = (datetime.now().astimezone() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    root = who.scope.roots[0] if who.scope.roots else ""
    values = {"scope": root, "items": "unit", "deadline": due}
    if event:
        case, _ = events.detail(store, who, event, now=datetime.now(UTC))
        root = (case.place or root)[: CODE_LENGTHS[Level.STREET - 1]]
        values |= {"scope": root, "event": case.id, "title_zh": f"现场核查：{case.title}",
                   "title_en": f"Field check: {case.title}"}  # fmt: skip
    top = PlaceCode(root).level or 0
    below = [name for name in SPLIT_LEVELS if top < LEVELS[name] <= Level.COMMUNITY]
    return _task_form(request, store, values, levels=below)


@router.post("/console/tasks")
def create_task(
    request: Request, store: Store, settings: AppSettings, who: Creator, posted: Posted
) -> Response:
    """Create the task the form describes (what the service refuses shown at its field)."""
    values = {name: text_of(posted, name) for name in FIELDS}
    levels = [name for name in posted.getlist("levels") if isinstance(name, str)]
    lang = language(request)
    if errors := unholdable(values, lang) or missing_texts(values, ("title",), lang):
        return _task_form(request, store, values, errors, levels=levels, status=422)
    try:
        spec = TaskSpec.model_validate(_spec(values, levels))
        catalog = catalog_of(settings)
        if values["event"]:  # a case's field work, linked to it (POST /events/{id}/tasks)
            made = task_for_event(store, catalog=catalog, principal=who, spec=spec,
                                  event_id=values["event"], at=datetime.now(UTC))  # fmt: skip
        else:
            made = tasks.create_task(store, catalog=catalog, principal=who, spec=spec)
    except (ValidationFailed, ValidationError, Forbidden) as problem:
        found = refused_at(problem, lang, outside="scope", texts=TEXTS)
        errors = {k.removeprefix("split."): v for k, v in found.items()}
        return _task_form(request, store, values, errors, levels=levels, status=422)
    session.flash(request, "task_created")
    return RedirectResponse(f"/console/tasks/{made.id}", status_code=303)


@router.post("/console/tasks/{task_id}/dispatch")
def dispatch_task(
    request: Request, task_id: str, store: Store, settings: AppSettings, who: Dispatcher,
    posted: Posted,
) -> Response:  # fmt: skip
    """One click splits the task down its levels and creates its items (一键下派)."""
    try:
        done = tasks.dispatch(store, catalog=catalog_of(settings), principal=who,
                              task_id=task_id)  # fmt: skip
    except (ValidationFailed, Conflict, Forbidden) as problem:
        errors = refused(problem, language(request)) or {"dispatch": str(problem)}
        return _progress_page(request, store, who, task_id, errors, status=409)
    request.session["dispatched"] = [done.parts_created, done.items_created]
    return RedirectResponse(f"/console/tasks/{task_id}", status_code=303)


@router.get("/console/tasks/{task_id}/dispatch/preview")
def dispatch_preview(
    request: Request, task_id: str, store: Store, settings: AppSettings, who: Previewer
) -> Response:
    """What 一键下派 would make (an htmx fragment beside the button), nothing written; a
    refusal (not the creating post, a scope out of reach) is said in the fragment."""
    try:
        seen = tasks.preview_dispatch(store, catalog=catalog_of(settings),
                                      principal=who, task_id=task_id)  # fmt: skip
    except (ValidationFailed, Forbidden) as problem:
        errors = refused(problem, language(request)) or {"dispatch": str(problem)}
        return render(request, "_dispatch_preview.html", {"preview": None, "errors": errors})
    levels = [(name, LEVEL_NUMBERS.get(name, 0), n) for name, n in seen.parts_by_level.items()]
    context = {"preview": seen, "levels": levels, "errors": {}}
    return render(request, "_dispatch_preview.html", context)


@router.post("/console/tasks/{task_id}/batch")
def batch_items(
    request: Request, task_id: str, store: Store, who: Batcher, posted: Posted
) -> Response:
    """Send one event to every item the filter selects (as ``POST /tasks/{id}/items/batch``);
    the counts come back as a status, a refusal at its field."""
    values = {name: text_of(posted, name) for name in ("event", "within", "reason_code", "reason")}
    states = [s for s in posted.getlist("states") if isinstance(s, str)]
    coded = values["event"] == "return_invalid"  # a reason code; the text is then a note
    reason, note = (values["reason_code"], values["reason"]) if coded else (values["reason"], "")
    lang = language(request)
    if errors := unholdable(values, lang):
        return _progress_page(request, store, who, task_id, batch=(values, states, errors),
                              status=422)  # fmt: skip
    try:
        selection = ItemSelection(within=values["within"] or None, states=tuple(states))
        done = tasks.act_many(store, principal=who, task_id=task_id, selection=selection,
                              event=values["event"], reason=reason or None,
                              note=note or None)  # fmt: skip
    except (ValidationFailed, ValidationError, Conflict) as problem:
        found = refused(problem, lang)
        if coded and "reason" in found:
            found["reason_code"] = found.pop("reason")
        status = 409 if isinstance(problem, Conflict) else 422
        return _progress_page(request, store, who, task_id, batch=(values, states, found),
                              status=status)  # fmt: skip
    request.session["batch"] = [done.event, done.selected, done.moved, done.conflicts,
                                done.refused]  # fmt: skip
    return RedirectResponse(f"/console/tasks/{task_id}", status_code=303)


@router.post("/console/tasks/items/{item_id}/act")
def act_on_item(
    request: Request, item_id: str, store: Store, who: Actor, posted: Posted
) -> Response:
    """A step the item's workflow allows the viewer now (start, approve, send back …)."""
    event, reason = text_of(posted, "event"), text_of(posted, "reason")
    lang = language(request)
    if errors := unholdable({"reason": reason}, lang):
        return _my_items(request, store, who, errors, status=422)
    try:
        tasks.act(store, principal=who, item_id=item_id, event=event, reason=reason or None)
    except (ValidationFailed, ValidationError, Conflict) as problem:
        status = 409 if isinstance(problem, Conflict) else 422
        return _my_items(request, store, who, refused(problem, lang), status=status)
    session.flash(request, "decided")
    return RedirectResponse("/console/tasks", status_code=303)


@router.get("/console/tasks/items/{item_id}/fill")
def item_form(
    request: Request, item_id: str, store: Store, settings: AppSettings, who: Executor
) -> Response:
    """The task's form for this item, prefilled with what the city knows of its subject."""
    view, compiled, known = _item_form(store, settings, who, item_id)
    drawn = form_view(compiled.bound, ontology_of(settings), language(request), known=known,
                      subject_fixed=view.subject_type != "Place")  # fmt: skip
    return _fill_page(request, view, drawn, uuid.uuid4().hex)


@router.post("/console/tasks/items/{item_id}/fill")
def execute_item(
    request: Request, item_id: str, store: Store, settings: AppSettings, who: Executor,
    posted: Posted,
) -> Response:  # fmt: skip
    """Fill the item through the form write path and mark it submitted (refusals at their
    fields, the page drawn again with what was typed)."""
    view, compiled, known = _item_form(store, settings, who, item_id)
    ontology = ontology_of(settings)
    submission = text_of(posted, "submission") or uuid.uuid4().hex
    answers = answers_from(compiled.bound, {k: [str(v) for v in posted.getlist(k)] for k in posted})
    keep_masked(compiled.bound, answers, known)
    try:
        tasks.execute(store, ontology=ontology, principal=who, item_id=item_id,
                      answers=as_submitted(ontology, compiled, answers, known, who, ""),
                      submission_id=submission)  # fmt: skip
    except (ValidationFailed, OutOfReach) as problem:
        lang = language(request)
        drawn = form_view(compiled.bound, ontology, lang, known=known, posted=answers,
                          errors=problem.violations,
                          subject_fixed=view.subject_type != "Place")  # fmt: skip
        return _fill_page(request, view, drawn, submission, status=422)
    except Conflict as problem:
        return _my_items(request, store, who, refused(problem, language(request)), status=409)
    session.flash(request, "saved")
    return RedirectResponse("/console/tasks", status_code=303)


def _item_form(
    store: Store, settings: AppSettings, who: Principal, item_id: str
) -> tuple[ItemView, CompiledForm, dict[str, Any]]:
    view, form_id, version, subject = tasks.item_to_fill(store, principal=who, item_id=item_id)
    ontology = ontology_of(settings)
    compiled = get_compiled(store, ontology=ontology, form_id=form_id, version=version)
    if subject is None:
        return view, compiled, {}
    found = prefill(store, form=compiled, subject=subject, principal=who,
                    masker=masker_for(ontology))  # fmt: skip
    return view, compiled, found.values


def _fill_page(
    request: Request, item: ItemView, form: Any, submission: str, status: int = 200
) -> Response:
    context = {"form": form, "subject": "", "submission": submission,
               "action": f"/console/tasks/items/{item.id}/fill"}  # fmt: skip
    return render(request, "fill.html", context, status=status)


@router.get("/console/tasks/{task_id}")
def task_progress(request: Request, task_id: str, store: Store, who: Follower) -> Response:
    return _progress_page(request, store, who, task_id)


@router.get("/console/tasks/{task_id}/levels")
def task_levels(request: Request, task_id: str, store: Store, who: Follower) -> Response:
    """The progress table alone: the page polls it (htmx) so it moves as items are done."""
    view = tasks.progress(store, principal=who, task_id=task_id)
    return render(request, "_task_levels.html", {"progress": view, "numbers": LEVEL_NUMBERS})


def _progress_page(
    request: Request, store: Store, who: Principal, task_id: str,
    errors: dict[str, str] | None = None, status: int = 200,
    batch: tuple[dict[str, str], list[str], dict[str, str]] | None = None,
) -> Response:  # fmt: skip
    """The task's page: its progress; before dispatch the button and its preview; after, the
    batch form (``batch``: what was posted and its refusals) and what was returned to the
    viewer's level (if they may dispatch)."""
    task = tasks.task_view(visible_task(store, principal=who, task_id=task_id))
    view = tasks.progress(store, principal=who, task_id=task_id)
    dispatched = request.session.pop("dispatched", None)
    values, states, batch_errors = batch or ({}, [], {})
    returned = (tasks.returned_to_me(store, principal=who, task_id=task_id, limit=PAGE)
                if view.nodes and _admitted(who, RETURNED) else None)  # fmt: skip
    context = {"task": task, "progress": view, "errors": errors or {}, "dispatched": dispatched,
               "may_dispatch": not view.nodes, "may_preview": _admitted(who, PREVIEW),
               "batch_done": request.session.pop("batch", None), "b": values,
               "b_states": states, "batch_errors": batch_errors, "batch_events": DIRECT_EVENTS,
               "batch_states": BATCH_STATES, "places": _places(view),
               "reasons": ITEMS.spec.reason_codes, "returned": returned,
               "shown_returned": PAGE, "numbers": LEVEL_NUMBERS}  # fmt: skip
    return render(request, "progress.html", context, status=status)


def _admitted(who: Principal, route: str) -> bool:
    """Whether the API route admits ``who`` (a page shows what its route would answer)."""
    return route_decision(who, load_rules().file.routes[route]).admitted


def _places(view: Progress) -> list[tuple[str, str]]:
    """The places of the parts the viewer sees (a batch may keep to one), top down."""
    return [(n.place, n.name) for n in sorted(view.nodes, key=lambda n: (len(n.place), n.place))]


def _task_form(
    request: Request, store: Store, values: dict[str, str],
    errors: dict[str, str] | None = None, *, levels: list[str], status: int = 200,
) -> Response:  # fmt: skip
    context = {"v": values, "errors": errors or {}, "shown": (*TEXTS, *FIELDS, "levels"),
               "forms": list_forms(store), "levels": SPLIT_LEVELS, "chosen": levels,
               "item_rules": get_args(ItemsRule)}  # fmt: skip
    return render(request, "task_form.html", context, status=status)


def _spec(values: dict[str, str], levels: list[str]) -> dict[str, Any]:
    """The route's body the form describes (pydantic checks it as it checks the route's); a
    deadline typed without a zone is the server's local time, as the input shows it."""
    data: dict[str, Any] = {
        "title": {"zh": values["title_zh"], "en": values["title_en"]},
        "description": {"zh": values["description_zh"], "en": values["description_en"]},
        "form": values["form"], "scope": values["scope"].split(),
        "split": {"levels": levels, "items": values["items"] or "unit",
                  "filters": values["filters"].split()},
        "review": values["review"] == "true", "deadline": values["deadline"],
    }  # fmt: skip
    with contextlib.suppress(ValueError):  # else the model names the field
        data["deadline"] = datetime.fromisoformat(values["deadline"]).astimezone()
    return data
