"""Events (事件, 一网统管) for officials: the queue with filters, a case with its stage history
and the steps its stage allows the viewer now (dispatch, sign, reply, close, supervise …),
merging a duplicate into its case, and the KPI table (考核问效).

Each page calls what its ``/events`` route calls (:mod:`citykg.events`), admitted by that
route's rule; the steps offered are the case's ``actions`` (the workflow's transitions from its
stage that the policy lets the viewer send), and what a step refuses comes back at its field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from citykg import events
from citykg.access import Principal, allowed
from citykg.access.policy import TASK_CREATE
from citykg.api.deps import AppSettings, Store, ontology_of
from citykg.audience.units import places_at
from citykg.errors import Conflict, Forbidden, ValidationFailed, Violation
from citykg.events import Action
from citykg.events.classify import categories
from citykg.events.fieldwork import tasks_of_event
from citykg.events.kpi import CANDIDATE_DAYS, By, departments, kpis, suggestions
from citykg.events.models import CLOSED_STATES
from citykg.events.views import EVENTS
from citykg.geo.codes import Level
from citykg.web import session
from citykg.web.acting import refused, text_of, unholdable
from citykg.web.auth import mirrors, officials_only
from citykg.web.i18n import language
from citykg.web.render import render
from citykg.web.routing import page_router
from citykg.web.session import Posted

router = page_router(officials_only)
PAGE = 50
DUE_SOON = timedelta(hours=24)
"""A case whose stage is due within this is "near its deadline" (the home alert)."""
OPEN_STATES = tuple(s for s in EVENTS.spec.states if s not in (*CLOSED_STATES, "merged"))
FIELDS = {
    "dispatch": ("note",),
    "redispatch": ("department", "role", "reason"),
    "return_order": ("reason",),
    "sign": (),
    "reply": ("reply",),
    "send_back": ("reason",),
    "close": ("closure", "note"),
    "visit": ("note",),
    "supervise": ("reason",),
    "merge": ("master",),
}
"""What each step asks for on the page (the fields of :class:`~citykg.events.Action`)."""
Lister = Annotated[Principal, Depends(mirrors("GET /events"))]
Reader = Annotated[Principal, Depends(mirrors("GET /events/{event_id}"))]
Stepper = Annotated[Principal, Depends(mirrors("POST /events/{event_id}/transitions"))]
Merger = Annotated[Principal, Depends(mirrors("POST /events/{event_id}/merge"))]
Measurer = Annotated[Principal, Depends(mirrors("GET /events/kpis"))]
States = Annotated[list[str] | None, Query()]
NOT_YOURS = ("您的岗位不能进行此操作", "Your post may not take this step")


def now() -> datetime:
    return datetime.now(UTC)


def near_deadline(store: Store, who: Principal, *, limit: int) -> int:
    """Open cases in the viewer's queue overdue or due within a day (the home alert, at most
    ``limit``); none for an official who does not handle events."""
    try:
        return events.due_soon(store, who, now=now(), within=DUE_SOON, states=OPEN_STATES,
                               limit=limit)  # fmt: skip
    except Forbidden:
        return 0


def category_names(settings: AppSettings, lang: str) -> dict[str, str]:
    """Event category codes to their names in ``lang``."""
    found = categories(ontology_of(settings))
    return {code: (c.en if lang == "en" else c.zh) for code, c in found.items()}


@router.get("/console/events")
def listing(
    request: Request,
    store: Store,
    settings: AppSettings,
    who: Lister,
    state: States = None,
    overdue: bool = False,
    skip: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    chosen = [s for s in state or [] if s in EVENTS.spec.states]
    found = events.queue(store, who, now=now(), states=chosen, overdue=overdue, skip=skip,
                         limit=PAGE)  # fmt: skip
    context = {
        "events": found, "chosen": chosen, "overdue": overdue, "skip": skip, "page": PAGE,
        "flow": EVENTS.spec, "categories": category_names(settings, language(request)),
    }  # fmt: skip
    return render(request, "events.html", context)


@router.get("/console/events/kpis")
def kpi_page(
    request: Request,
    store: Store,
    who: Measurer,
    start: str = "",
    end: str = "",
    by: str = "department",
    district: str = "",
) -> Response:
    """The KPI table over a period: the departments of a district, or the streets or
    communities of the jurisdiction; and, per stage, the share of cases those groups finished
    within N days beside the time allowed now (deadlines tightened from history, as
    ``GET /events/kpis/deadlines``)."""
    today = now().date()
    errors: dict[str, str] = {}
    first = _day(start, today - timedelta(days=90), "start", errors)
    last = _day(end, today, "end", errors)
    grouping: By = by if by in ("department", "street", "community") else "department"  # type: ignore[assignment]
    district = district.strip() or next((r[:6] for r in who.scope.roots if len(r) >= 6), "")
    if grouping == "department":
        groups = departments(store, district) if district.isdigit() else []
    else:
        level = Level.STREET if grouping == "street" else Level.COMMUNITY
        groups = [code for code, _ in places_at(store, scope=who.scope, level=level)][:200]
    rows, advice = [], []
    if not errors:
        start_at, end_at = _moment(first), _moment(last + timedelta(days=1))
        rows = kpis(store, principal=who, groups=groups, start=start_at, end=end_at, now=now(),
                    by=grouping)  # fmt: skip
        if groups:
            advice = suggestions(store, principal=who, groups=groups, start=start_at,
                                 end=end_at, by=grouping)  # fmt: skip
    context = {"rows": rows, "advice": advice, "days": CANDIDATE_DAYS, "flow": EVENTS.spec,
               "start": first.isoformat(), "end": last.isoformat(), "by": grouping,
               "district": district, "errors": errors}  # fmt: skip
    return render(request, "event_kpis.html", context, status=422 if errors else 200)


def _day(text: str, default: date, field: str, errors: dict[str, str]) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = "日期格式应为 YYYY-MM-DD"
        return default


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _event_page(
    request: Request,
    store: Store,
    settings: AppSettings,
    who: Principal,
    event_id: str,
    *,
    failed: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    case, timeline = events.detail(store, who, event_id, now=now())
    lang = language(request)
    context = {
        "e": case, "timeline": timeline, "flow": EVENTS.spec, "fields": FIELDS,
        "failed": failed, "v": values or {}, "errors": errors or {},
        "category": category_names(settings, lang).get(case.category, case.category),
        "closures": EVENTS.spec.reason_codes,
        "field_tasks": tasks_of_event(store, principal=who, event_id=case.id),
        "may_task": allowed(principal=who, action=TASK_CREATE),
    }  # fmt: skip
    return render(request, "event.html", context, status=status)


@router.get("/console/events/{event_id}")
def event_page(
    request: Request, event_id: str, store: Store, settings: AppSettings, who: Reader
) -> Response:
    return _event_page(request, store, settings, who, event_id)


def _values(posted: Any) -> dict[str, str]:
    names = ("event", "reason", "note", "department", "role", "reply", "closure", "master")
    return {name: text_of(posted, name) for name in names}


def _act(request: Request, store: Store, settings: AppSettings, who: Principal, event_id: str,
         values: dict[str, str], action: dict[str, Any]) -> Response:  # fmt: skip
    lang = language(request)
    if errors := unholdable(values, lang):
        return _event_page(request, store, settings, who, event_id, failed=values["event"],
                           values=values, errors=errors, status=422)  # fmt: skip
    try:
        events.act(store, principal=who, event_id=event_id,
                   action=Action.model_validate(action), at=now())  # fmt: skip
    except (ValidationFailed, ValidationError, Conflict) as problem:
        status = 409 if isinstance(problem, Conflict) else 422
        errors = refused(problem, lang)
    except Forbidden:  # the step is not the viewer's (the page offers only theirs): say so there
        status = 403
        errors = {"event": NOT_YOURS[1] if lang == "en" else NOT_YOURS[0]}
    else:
        session.flash(request, "decided")
        return RedirectResponse(f"/console/events/{event_id}", status_code=303)
    return _event_page(request, store, settings, who, event_id, failed=values["event"],
                       values=values, errors=errors, status=status)  # fmt: skip


@router.post("/console/events/{event_id}/transitions")
def transition(
    request: Request,
    event_id: str,
    store: Store,
    settings: AppSettings,
    who: Stepper,
    posted: Posted,
) -> Response:
    values = _values(posted)
    event = values["event"]
    if event == "merge" or event not in EVENTS.spec.transitions:
        raise ValidationFailed([Violation("event", f"unknown step {event!r}", "未知的操作")])
    action: dict[str, Any] = {"event": event}
    for name in FIELDS.get(event, ()):
        if values[name]:
            action[name] = values[name]
    return _act(request, store, settings, who, event_id, values, action)


@router.post("/console/events/{event_id}/merge")
def merge(
    request: Request,
    event_id: str,
    store: Store,
    settings: AppSettings,
    who: Merger,
    posted: Posted,
) -> Response:
    values = {**_values(posted), "event": "merge"}
    action = {"event": "merge", "master": values["master"] or None}
    return _act(request, store, settings, who, event_id, values, action)
