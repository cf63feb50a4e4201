"""The resident page (居民侧), mobile first: the services offered where I live (the channels
open at my residence, and the forms about me), my requests and their status and replies, my
messages (read, confirm), a report of a problem (随手拍), me and my household.

Everything is read and written as ``me`` through the functions the API calls: the ledger detail
of my own person, :func:`citykg.channels.offered` and :func:`citykg.channels.request_service`
(``/me/channels``), :func:`citykg.notifications.inbox` and :func:`~citykg.notifications.mark`
(``/me/messages``), :func:`citykg.events.report` and :func:`citykg.events.queue` (``/events``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from citykg import channels, events, notifications
from citykg.access import Principal
from citykg.api.deps import AppSettings, Store, catalog_of, ontology_of
from citykg.api.keys import ME, key_from_url
from citykg.channels import OfferedChannel, RequestIn
from citykg.channels.requests import REQUESTS
from citykg.controls import get_compiled, list_forms
from citykg.controls.review import held_list
from citykg.errors import Conflict, Forbidden, NotFound, OutOfReach, ValidationFailed, Violation
from citykg.events import Action, Report
from citykg.events.classify import categories
from citykg.events.views import EVENTS
from citykg.ledgers import EntityDetail, entity_detail
from citykg.web import session
from citykg.web.acting import refused, text_of, unholdable
from citykg.web.auth import Viewer, mirrors
from citykg.web.forms import as_submitted, known_of
from citykg.web.formview import answers_from, form_view, keep_masked
from citykg.web.i18n import language
from citykg.web.ledgers import entity_context
from citykg.web.render import render
from citykg.web.routing import page_router
from citykg.web.session import Posted

PAGE = 50


def residents_only(who: Viewer) -> Principal:
    if who.kind != "resident":
        raise Forbidden("the resident page is for residents")
    return who


router = page_router(residents_only)
Reader = Annotated[Principal, Depends(mirrors("GET /ledgers/{type}/{key}"))]
Requester = Annotated[Principal, Depends(mirrors("GET /reviews"))]
Offered = Annotated[Principal, Depends(mirrors("GET /me/channels"))]
Filer = Annotated[Principal, Depends(mirrors("POST /me/channels/{channel_id}/requests"))]
Mine = Annotated[Principal, Depends(mirrors("GET /me/channels/requests"))]
Inbox = Annotated[Principal, Depends(mirrors("GET /me/messages"))]
Marker = Annotated[Principal, Depends(mirrors("POST /me/messages/{notification_id}/read"))]
Confirmer = Annotated[Principal, Depends(mirrors("POST /me/messages/{notification_id}/confirm"))]
Reporter = Annotated[Principal, Depends(mirrors("POST /events"))]
Rater = Annotated[Principal, Depends(mirrors("POST /events/{event_id}/rating"))]
Reopener = Annotated[Principal, Depends(mirrors("POST /events/{event_id}/reopen"))]


def me(store: Store, settings: AppSettings, who: Principal) -> EntityDetail:
    key = key_from_url(ME, masked=True, principal=who, path="key")
    return entity_detail(store, catalog=catalog_of(settings), principal=who, type="Person", key=key)


def home_of(detail: EntityDetail) -> tuple[str, str] | None:
    """(place code, words) of where I live now, from my own ledger page."""
    for group in detail.relations:
        if group.type == "RESIDES_IN" and group.direction == "out":
            for item in group.items:
                if item.current and item.key:
                    return item.key, str(item.name or item.key)
    return None


@router.get("/my")
def services(
    request: Request, store: Store, settings: AppSettings, who: Reader, offered: Offered
) -> Response:
    """The channels open where I live, then the forms about a person like me."""
    context = entity_context(
        store, catalog_of(settings), me(store, settings, who), request, subject=ME
    )
    found = channels.offered(store, catalog=catalog_of(settings), principal=who)
    return render(request, "my_services.html", {**context, "offered": found})


def _offered(
    store: Store, settings: AppSettings, who: Principal, channel_id: str
) -> OfferedChannel:
    """The channel if it is offered where I live now (else the not-found page)."""
    for item in channels.offered(store, catalog=catalog_of(settings), principal=who):
        if item.channel.id == channel_id:
            return item
    raise NotFound(
        f"channel: no channel {channel_id!r} offered where you live (您所在地没有该服务)"
    )


def _channel_page(
    request: Request,
    store: Store,
    settings: AppSettings,
    who: Principal,
    item: OfferedChannel,
    *,
    posted: dict[str, Any] | None = None,
    errors: list[Violation] | None = None,
    submission: str = "",
    description: str = "",
    status: int = 200,
) -> Response:
    ontology = ontology_of(settings)
    compiled = get_compiled(store, ontology=ontology, form_id=item.channel.form,
                            version=item.channel.form_version)  # fmt: skip
    known = known_of(store, ontology, compiled, who, ME)
    view = form_view(compiled.bound, ontology, language(request), known=known, posted=posted,
                     errors=errors or [], subject_fixed=True)  # fmt: skip
    context = {"item": item, "form": view, "subject": ME, "description": description,
               "submission": submission or uuid.uuid4().hex}  # fmt: skip
    return render(request, "my_channel.html", context, status=status)


@router.get("/my/channels/{channel_id}")
def channel(
    request: Request, channel_id: str, store: Store, settings: AppSettings, who: Offered
) -> Response:
    """A service's form, prefilled with what the city knows of me."""
    item = _offered(store, settings, who, channel_id)
    return _channel_page(request, store, settings, who, item)


@router.post("/my/channels/{channel_id}")
def file_request(
    request: Request,
    channel_id: str,
    store: Store,
    settings: AppSettings,
    who: Filer,
    posted: Posted,
) -> Response:
    """File the request: its answers through the form write path, the request routed to the
    handling post; refused answers come back at their fields (422)."""
    item = _offered(store, settings, who, channel_id)
    ontology = ontology_of(settings)
    compiled = get_compiled(store, ontology=ontology, form_id=item.channel.form,
                            version=item.channel.form_version)  # fmt: skip
    submission = text_of(posted, "submission") or uuid.uuid4().hex
    description = text_of(posted, "description").replace("\x00", "")
    known = known_of(store, ontology, compiled, who, ME)
    answers = answers_from(compiled.bound, {k: [str(v) for v in posted.getlist(k)] for k in posted})
    keep_masked(compiled.bound, answers, known)
    try:
        body = RequestIn(answers=as_submitted(ontology, compiled, answers, known, who, ME),
                         description=description or None)  # fmt: skip
        channels.request_service(store, ontology=ontology, catalog=catalog_of(settings),
                                 principal=who, channel_id=channel_id, body=body,
                                 request_id=submission[:100])  # fmt: skip
    except (ValidationFailed, OutOfReach, ValidationError, Conflict) as problem:
        if isinstance(problem, ValidationFailed | OutOfReach):
            violations = list(problem.violations)
        else:
            texts = refused(problem, language(request))
            violations = [Violation(path, text, text) for path, text in texts.items()]
        return _channel_page(request, store, settings, who, item, posted=answers,
                             errors=violations, submission=uuid.uuid4().hex,
                             description=description, status=422)  # fmt: skip
    session.flash(request, "request_sent")
    return RedirectResponse("/my/requests", status_code=303)


@router.get("/my/requests")
def requests(request: Request, store: Store, who: Requester, mine: Mine) -> Response:
    """My requests to services (state and replies), my reports, my held submissions."""
    return _requests_page(request, store, who)


def _requests_page(
    request: Request,
    store: Store,
    who: Principal,
    *,
    failed: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The page; a refused rating or reopening (of the report ``failed``) at its field."""
    held = held_list(store, principal=who, status=None, limit=PAGE)
    titles = {f.id: f.title for f in list_forms(store)}
    filed = channels.my_requests(store, principal=who, limit=PAGE)
    reported = events.queue(store, who, now=datetime.now(UTC), limit=PAGE)
    context = {"held": held, "titles": titles, "filed": filed, "reported": reported,
               "flow": REQUESTS.spec, "stages": EVENTS.spec, "failed": failed,
               "errors": errors or {}}  # fmt: skip
    return render(request, "my_requests.html", context, status=status)


@router.post("/my/reports/{event_id}/rating")
def rate_report(
    request: Request, event_id: str, store: Store, who: Rater, posted: Posted
) -> Response:
    """Rate my closed report (满意, 基本满意, 不满意), and say whether it was really fixed,
    as ``POST /events/{id}/rating`` does."""
    values = {name: text_of(posted, name) for name in ("satisfaction", "resolved", "feedback")}
    resolved = {"yes": True, "no": False}.get(values["resolved"])
    return _reporter_acts(request, store, who, event_id, values, {
        "event": "rate", "satisfaction": values["satisfaction"] or None,
        "note": values["feedback"] or None, "resolved": resolved})  # fmt: skip


@router.post("/my/reports/{event_id}/reopen")
def reopen_report(
    request: Request, event_id: str, store: Store, who: Reopener, posted: Posted
) -> Response:
    """Reopen my closed report, saying why (within the days the rules allow), as ``POST
    /events/{id}/reopen`` does."""
    values = {"reason": text_of(posted, "reason")}
    return _reporter_acts(request, store, who, event_id, values,
                          {"event": "reopen", "reason": values["reason"] or None})  # fmt: skip


def _reporter_acts(
    request: Request,
    store: Store,
    who: Principal,
    event_id: str,
    values: dict[str, str],
    action: dict[str, Any],
) -> Response:
    lang = language(request)
    errors = unholdable(values, lang)
    if not errors:
        try:
            events.act(store, principal=who, event_id=event_id,
                       action=Action.model_validate(action), at=datetime.now(UTC))  # fmt: skip
        except (ValidationFailed, ValidationError, Conflict) as problem:
            errors = refused(problem, lang)
            if "note" in errors:
                errors.setdefault("feedback", errors.pop("note"))
    if errors:
        return _requests_page(request, store, who, failed=event_id, errors=errors, status=422)
    session.flash(request, "rated" if action["event"] == "rate" else "report_reopened")
    return RedirectResponse("/my/requests", status_code=303)


@router.get("/my/messages")
def messages(request: Request, store: Store, who: Inbox) -> Response:
    """My messages, newest first."""
    box = notifications.inbox(store, principal=who, limit=500)
    return render(request, "my_messages.html", {"messages": list(reversed(box.messages))})


@router.post("/my/messages/{notification_id}/read")
def mark_read(
    request: Request, notification_id: str, store: Store, who: Marker, posted: Posted
) -> Response:
    notifications.mark(store, principal=who, notification_id=notification_id)
    session.flash(request, "marked_read")
    return RedirectResponse("/my/messages", status_code=303)


@router.post("/my/messages/{notification_id}/confirm")
def confirm(
    request: Request, notification_id: str, store: Store, who: Confirmer, posted: Posted
) -> Response:
    notifications.mark(store, principal=who, notification_id=notification_id, confirm=True)
    session.flash(request, "marked_confirmed")
    return RedirectResponse("/my/messages", status_code=303)


def _report_page(
    request: Request,
    store: Store,
    settings: AppSettings,
    who: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = language(request)
    found = categories(ontology_of(settings))
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, c in sorted(found.items()):
        groups.setdefault(c.group, []).append((code, c.en if lang == "en" else c.zh))
    home = home_of(me(store, settings, who))
    context = {"groups": groups, "home": home, "v": values or {"where": "home"},
               "errors": errors or {}}  # fmt: skip
    return render(request, "my_report.html", context, status=status)


@router.get("/my/report")
def report_form(request: Request, store: Store, settings: AppSettings, who: Reporter) -> Response:
    return _report_page(request, store, settings, who)


@router.post("/my/report")
def report(
    request: Request, store: Store, settings: AppSettings, who: Reporter, posted: Posted
) -> Response:
    """File a report (随手拍): at my home, or where I typed."""
    values = {name: text_of(posted, name) for name in ("category", "description", "where",
                                                       "address")}  # fmt: skip
    lang = language(request)
    data: dict[str, Any] = {"description": values["description"], "source": "photo",
                            "category": values["category"] or None}  # fmt: skip
    errors = unholdable(values, lang)
    if values["where"] == "typed":
        data["address"] = values["address"]
        if not values["address"]:
            errors["address"] = "请填写地点" if lang == "zh" else "Say where it is"
    elif home := home_of(me(store, settings, who)):
        data["place"] = home[0]
    else:
        errors["address"] = (
            "未找到您的住址，请填写地点" if lang == "zh" else "No home found: say where"
        )
    try:
        checked = Report.model_validate(data)
        if not errors:
            events.report(store, ontology=ontology_of(settings), principal=who, report=checked,
                          at=datetime.now(UTC))  # fmt: skip
    except (ValidationFailed, ValidationError) as problem:
        found = refused(problem, lang)
        if "place" in found:
            found.setdefault("address", found.pop("place"))
        errors = {**found, **errors}
    if errors:
        return _report_page(request, store, settings, who, values=values, errors=errors,
                            status=422)  # fmt: skip
    session.flash(request, "report_filed")
    return RedirectResponse("/my/requests", status_code=303)


@router.get("/my/me")
def household(request: Request, store: Store, settings: AppSettings, who: Reader) -> Response:
    context = entity_context(
        store, catalog_of(settings), me(store, settings, who), request, subject=ME
    )
    return render(request, "entity.html", {**context, "mine": True})
