"""Service channels (服务渠道) for officials: the channels in and around the jurisdiction, a
channel and its statistics; open, edit, pause, resume and close a channel (``channel.manage``,
inside the jurisdiction); the handlers' queue of resident requests, and a request with the
steps its workflow allows now (accept, start, reply, finish, decline).

Each page calls what its ``/channels`` route calls (:mod:`citykg.channels`), admitted by that
route's rule; what the service or the workflow refuses comes back at its field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, get_args

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from citykg import channels
from citykg.access import Principal, allowed
from citykg.access.policy import CHANNEL_MANAGE, may_manage_channel
from citykg.api.deps import AppSettings, Store, catalog_of
from citykg.api.routes.channels import ChannelActIn
from citykg.channels import ChannelEdit, ChannelSpec, ChannelView
from citykg.channels.manage import CHANNEL
from citykg.channels.models import Limit, RequestView
from citykg.channels.requests import REQUESTS
from citykg.controls import list_forms
from citykg.errors import Conflict, Forbidden, NotFound, ValidationFailed
from citykg.tasks.models import LEVELS, LevelName
from citykg.web import session
from citykg.web.acting import (
    at_field,
    missing_texts,
    refused,
    refused_at,
    text_of,
    unholdable,
)
from citykg.web.auth import mirrors, officials_only
from citykg.web.i18n import language
from citykg.web.render import render
from citykg.web.routing import page_router
from citykg.web.session import Posted

router = page_router(officials_only)
PAGE = 100
OPEN = ("received", "accepted", "in_progress")
Lister = Annotated[Principal, Depends(mirrors("GET /channels"))]
Queuer = Annotated[Principal, Depends(mirrors("GET /channels/queue"))]
Reader = Annotated[Principal, Depends(mirrors("GET /channels/requests/{request_id}"))]
Actor = Annotated[Principal, Depends(mirrors("POST /channels/requests/{request_id}/act"))]
ChannelReader = Annotated[Principal, Depends(mirrors("GET /channels/{channel_id}"))]
Counter = Annotated[Principal, Depends(mirrors("GET /channels/{channel_id}/stats"))]
Opener = Annotated[Principal, Depends(mirrors("POST /channels"))]
Editor = Annotated[Principal, Depends(mirrors("PATCH /channels/{channel_id}"))]
Manager = Annotated[Principal, Depends(mirrors("POST /channels/{channel_id}/act"))]
States = Annotated[list[str] | None, Query()]
TEXTS = ("title", "description")
EDITABLE = ("title_zh", "title_en", "description_zh", "description_en", "category", "roles",
            "conditions", "review", "opens_at", "expires_at")  # fmt: skip
FIELDS = (*EDITABLE, "form", "places", "departments", "limit", "period_days")


def titles(store: Store, who: Principal) -> dict[str, object]:
    """Channel ids to their titles, for the channels the viewer may list."""
    return {c.id: c.title for c in channels.list_channels(store, principal=who, limit=500)}


def unanswered(store: Store, who: Principal) -> list[RequestView]:
    """The open requests of the viewer's queue nobody has replied to yet (the home alert)."""
    return [r for r in channels.queue(store, principal=who, states=OPEN, limit=500)
            if not r.replies]  # fmt: skip


@router.get("/console/channels")
def listing(request: Request, store: Store, who: Lister, state: States = None) -> Response:
    found = channels.list_channels(store, principal=who, states=state or [], limit=PAGE)
    waiting = channels.queue(store, principal=who, states=OPEN, limit=500)
    context = {"channels": found, "chosen": state or [], "flow": CHANNEL.spec,
               "waiting": len(waiting),
               "may_open": allowed(principal=who, action=CHANNEL_MANAGE)}  # fmt: skip
    return render(request, "channels.html", context)


@router.get("/console/channels/queue")
def handlers_queue(request: Request, store: Store, who: Queuer, state: States = None) -> Response:
    chosen = [s for s in state or OPEN if s in REQUESTS.spec.states]
    rows = channels.queue(store, principal=who, states=chosen or OPEN, limit=PAGE)
    context = {"requests": rows, "chosen": chosen, "flow": REQUESTS.spec,
               "titles": titles(store, who)}  # fmt: skip
    return render(request, "channel_queue.html", context)


# --- open, edit, pause, resume, close (the POST /channels, PATCH and act routes) -------------


def _channel_form(
    request: Request,
    store: Store,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    channel: ChannelView | None = None,
    status: int = 200,
) -> Response:
    context = {"v": values, "errors": errors or {}, "c": channel,
               "shown": (*TEXTS, *(EDITABLE if channel else FIELDS)), "limits": get_args(Limit),
               "forms": [] if channel else list_forms(store)}  # fmt: skip
    return render(request, "channel_form.html", context, status=status)


@router.get("/console/channels/new")
def new_channel(request: Request, store: Store, who: Opener) -> Response:
    values = {"places": " ".join(who.scope.roots[:1]), "limit": "unlimited", "review": "true"}
    return _channel_form(request, store, values)


@router.post("/console/channels")
def open_channel(
    request: Request, store: Store, settings: AppSettings, who: Opener, posted: Posted
) -> Response:
    """Open the channel the form describes (what the service refuses shown at its field)."""
    values = {name: text_of(posted, name) for name in FIELDS}
    lang = language(request)
    if errors := unholdable(values, lang) or missing_texts(values, ("title",), lang):
        return _channel_form(request, store, values, errors, status=422)
    try:
        spec = ChannelSpec.model_validate(_spec(values))
        made = channels.create_channel(store, catalog=catalog_of(settings), principal=who,
                                       spec=spec)  # fmt: skip
    except (ValidationFailed, ValidationError, Forbidden) as problem:
        errors = refused_at(problem, lang, outside="places", texts=TEXTS)
        return _channel_form(request, store, values, errors, status=422)
    session.flash(request, "channel_opened")
    return RedirectResponse(f"/console/channels/{made.id}", status_code=303)


@router.get("/console/channels/{channel_id}/edit")
def edit_channel(request: Request, channel_id: str, store: Store, who: Editor) -> Response:
    found = channels.read_channel(store, principal=who, channel_id=channel_id)
    values = {
        "title_zh": found.title.zh, "title_en": found.title.en,
        "description_zh": found.description.zh, "description_en": found.description.en,
        "category": found.category, "roles": " ".join(found.roles),
        "conditions": "\n".join(found.conditions), "review": "true" if found.review else "",
        "opens_at": _local(found.opens_at), "expires_at": _local(found.expires_at),
    }  # fmt: skip
    return _channel_form(request, store, values, channel=found)


@router.post("/console/channels/{channel_id}/edit")
def change_channel(
    request: Request,
    channel_id: str,
    store: Store,
    settings: AppSettings,
    who: Editor,
    posted: Posted,
) -> Response:
    """Save the texts, posts, conditions, review and dates (places, form and limit stay)."""
    found = channels.read_channel(store, principal=who, channel_id=channel_id)
    values = {name: text_of(posted, name) for name in EDITABLE}
    lang = language(request)
    if errors := unholdable(values, lang) or missing_texts(values, ("title",), lang):
        return _channel_form(request, store, values, errors, channel=found, status=422)
    data = {k: v for k, v in _spec(values).items() if k in ChannelEdit.model_fields}
    try:
        channels.change_channel(store, catalog=catalog_of(settings), principal=who,
                                channel_id=channel_id, event="edit",
                                edit=ChannelEdit.model_validate(data))  # fmt: skip
    except (ValidationFailed, ValidationError, Conflict) as problem:
        errors = refused_at(problem, lang, outside="places", texts=TEXTS)
        return _channel_form(request, store, values, errors, channel=found,
                             status=409 if isinstance(problem, Conflict) else 422)  # fmt: skip
    session.flash(request, "saved")
    return RedirectResponse(f"/console/channels/{channel_id}", status_code=303)


@router.post("/console/channels/{channel_id}/act")
def act_on_channel(
    request: Request,
    channel_id: str,
    store: Store,
    settings: AppSettings,
    who: Manager,
    posted: Posted,
) -> Response:
    """Pause, resume or close (a closed channel stays closed: refused at the buttons)."""
    try:
        step = ChannelActIn.model_validate({"event": text_of(posted, "event")})
        channels.change_channel(store, catalog=catalog_of(settings), principal=who,
                                channel_id=channel_id, event=step.event)  # fmt: skip
    except (ValidationFailed, ValidationError, Conflict) as problem:
        status = 409 if isinstance(problem, Conflict) else 422
        return _channel_page(request, store, who, channel_id, status=status,
                             errors=refused(problem, language(request)))  # fmt: skip
    session.flash(request, "decided")
    return RedirectResponse(f"/console/channels/{channel_id}", status_code=303)


def _spec(values: dict[str, str]) -> dict[str, Any]:
    """The route's body the form describes (pydantic checks it as it checks the route's)."""
    data: dict[str, Any] = {
        "title": {"zh": values["title_zh"], "en": values["title_en"]},
        "description": {"zh": values["description_zh"], "en": values["description_en"]},
        "category": values["category"], "roles": values["roles"].split(),
        "conditions": [line.strip() for line in values["conditions"].splitlines()
                       if line.strip()],
        "review": values["review"] == "true",
        "form": values.get("form", ""), "places": values.get("places", "").split(),
        "departments": values.get("departments", "").split(),
        "limit": values.get("limit") or "unlimited",
    }  # fmt: skip
    for name in ("opens_at", "expires_at", "period_days"):
        if values.get(name):
            data[name] = values[name]
    return data


def _local(moment: str | None) -> str:
    """A stored time as a ``datetime-local`` input shows it (the server's local time, as a
    posted one is read)."""
    return datetime.fromisoformat(moment).astimezone().strftime("%Y-%m-%dT%H:%M") if moment else ""


def _request_page(
    request: Request,
    store: Store,
    who: Principal,
    request_id: str,
    *,
    errors: dict[str, str] | None = None,
    text: str = "",
    status: int = 200,
) -> Response:
    found = channels.request_view(store, principal=who, request_id=request_id)
    try:
        channel = channels.read_channel(store, principal=who, channel_id=found.channel)
    except NotFound:  # a channel offered above the viewer's area: its id is enough
        channel = None
    errors = errors or {}
    context = {
        "r": found, "channel": channel, "flow": REQUESTS.spec, "text": text,
        "error_event": at_field(errors, "event"),
        "error_text": at_field(errors, "reason", "text", "form"),
    }  # fmt: skip
    return render(request, "channel_request.html", context, status=status)


@router.get("/console/channels/requests/{request_id}")
def request_page(request: Request, request_id: str, store: Store, who: Reader) -> Response:
    return _request_page(request, store, who, request_id)


@router.post("/console/channels/requests/{request_id}/act")
def act(request: Request, request_id: str, store: Store, who: Actor, posted: Posted) -> Response:
    """Send the step clicked, with the text typed (a reply's words, a decline's reason)."""
    event = text_of(posted, "event")
    text = text_of(posted, "text")
    if errors := unholdable({"text": text}, language(request)):
        return _request_page(request, store, who, request_id, errors=errors, status=422)
    if len(text) > 4000:  # the route's model allows 4,000 characters
        errors = {"text": "内容过长（至多 4000 字）" if language(request) == "zh"
                  else "Too long (4,000 characters at most)"}  # fmt: skip
        return _request_page(request, store, who, request_id, errors=errors, text=text,
                             status=422)  # fmt: skip
    try:
        channels.act_on_request(store, principal=who, request_id=request_id, event=event,
                                text=text or None)  # fmt: skip
    except (ValidationFailed, Conflict) as problem:
        status = 409 if isinstance(problem, Conflict) else 422
        return _request_page(request, store, who, request_id, text=text, status=status,
                             errors=refused(problem, language(request)))  # fmt: skip
    session.flash(request, "decided")
    return RedirectResponse(f"/console/channels/requests/{request_id}", status_code=303)


def _channel_page(
    request: Request,
    store: Store,
    who: Principal,
    channel_id: str,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    found = channels.read_channel(store, principal=who, channel_id=channel_id)
    manages = may_manage_channel(who, places=found.places).allowed
    steps = [e for e in CHANNEL.allowed(found.status) if e != "edit"] if manages else []
    context = {"c": found, "flow": CHANNEL.spec, "steps": steps,
               "error_event": at_field(errors or {}, "event")}  # fmt: skip
    return render(request, "channel.html", context, status=status)


@router.get("/console/channels/{channel_id}")
def channel_page(request: Request, channel_id: str, store: Store, who: ChannelReader) -> Response:
    return _channel_page(request, store, who, channel_id)


@router.get("/console/channels/{channel_id}/stats")
def stats(
    request: Request, channel_id: str, store: Store, who: Counter, level: str = "community"
) -> Response:
    chosen: LevelName = level if level in LEVELS else "community"  # type: ignore[assignment]
    found = channels.channel_stats(store, principal=who, channel_id=channel_id, level=chosen)
    channel = channels.read_channel(store, principal=who, channel_id=channel_id)
    context = {"s": found, "c": channel, "flow": REQUESTS.spec, "levels": list(LEVELS)}
    return render(request, "channel_stats.html", context)
