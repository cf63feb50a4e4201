"""Service channels (服务渠道) for officials: the channels in and around the jurisdiction, a
channel and its statistics, the handlers' queue of resident requests, and a request with the
steps its workflow allows now (accept, start, reply, finish, decline).

Each page calls what its ``/channels`` route calls (:mod:`citykg.channels`), admitted by that
route's rule; a step the workflow refuses comes back at its field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from citykg import channels
from citykg.access import Principal
from citykg.api.deps import Store
from citykg.channels.manage import CHANNEL
from citykg.channels.models import RequestView
from citykg.channels.requests import REQUESTS
from citykg.errors import Conflict, NotFound, ValidationFailed
from citykg.tasks.models import LEVELS, LevelName
from citykg.web import session
from citykg.web.acting import at_field, refused, text_of, unholdable
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
States = Annotated[list[str] | None, Query()]


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
               "waiting": len(waiting)}  # fmt: skip
    return render(request, "channels.html", context)


@router.get("/console/channels/queue")
def handlers_queue(request: Request, store: Store, who: Queuer, state: States = None) -> Response:
    chosen = [s for s in state or OPEN if s in REQUESTS.spec.states]
    rows = channels.queue(store, principal=who, states=chosen or OPEN, limit=PAGE)
    context = {"requests": rows, "chosen": chosen, "flow": REQUESTS.spec,
               "titles": titles(store, who)}  # fmt: skip
    return render(request, "channel_queue.html", context)


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


@router.get("/console/channels/{channel_id}")
def channel_page(request: Request, channel_id: str, store: Store, who: ChannelReader) -> Response:
    found = channels.read_channel(store, principal=who, channel_id=channel_id)
    return render(request, "channel.html", {"c": found, "flow": CHANNEL.spec})


@router.get("/console/channels/{channel_id}/stats")
def stats(
    request: Request, channel_id: str, store: Store, who: Counter, level: str = "community"
) -> Response:
    chosen: LevelName = level if level in LEVELS else "community"  # type: ignore[assignment]
    found = channels.channel_stats(store, principal=who, channel_id=channel_id, level=chosen)
    channel = channels.read_channel(store, principal=who, channel_id=channel_id)
    context = {"s": found, "c": channel, "flow": REQUESTS.spec, "levels": list(LEVELS)}
    return render(request, "channel_stats.html", context)
