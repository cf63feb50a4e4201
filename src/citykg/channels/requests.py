"""Requests to a service channel (服务诉求): a tracked case from the resident to the handling
post and back.

A request is the ontology's own event class, ``ckg:ResidentRequest``, validated by the same
compiled validators as every other write (with its ``reportedBy`` and ``occurredAt`` relations)
and written in one statement guarded by the channel's state and the resident's limit. Its
answers go through the form write path (:func:`citykg.controls.submit` with
``channel=<channel id>``), so the ledgers update themselves and every fact names the channel
as its provenance; what the policy will not let a resident write alone is held for review there.

It is routed to a post (organization + role), not to a person: the channel's department
answering for the requester's place (or its first department), else the organization
responsible for the place by jurisdiction, and the first of the channel's roles held there.
It then moves as the workflow kind ``channel_request`` (received → accepted → in progress →
done | declined, replies on the way), each move with its transition fact; a channel without
review accepts on arrival.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from citykg.access.household import household_of
from citykg.access.policy import may_handle_request
from citykg.access.principals import Principal
from citykg.audience.units import post_holders, responsible
from citykg.channels import queries
from citykg.channels.manage import ensure_channels_schema, get_channel, invalid
from citykg.channels.models import Reply, RequestIn, RequestView
from citykg.channels.offered import admit
from citykg.controls import get_compiled, submit
from citykg.controls.compile import validators_for
from citykg.errors import Conflict, NotFound, ValidationFailed
from citykg.geo.codes import PlaceCode
from citykg.graph import GraphStore
from citykg.ledgers import Catalog
from citykg.ontology import Ontology
from citykg.ontology.instances import instance_from_graph, relation_from_graph
from citykg.tasks.create import answering
from citykg.workflow import Actor, Move, apply_move, workflow

KIND = "channel_request"
REQUESTS = workflow(KIND)
STATUS = {"received": "00", "accepted": "01", "in_progress": "03", "done": "06", "declined": "91"}
"""The ontology's event status (code:EventStatus) of each state of a request."""
REPLY_EVENTS = ("reply", "finish", "decline")
"""Events whose text the resident reads as a reply."""
REPORT_CHANNEL = "04"
"""code:ReportChannel 04, a government service website or app."""
SOURCE = "99"
"""code:EventSource 99, other: a service channel of the platform."""


def request_service(
    store: GraphStore,
    *,
    ontology: Ontology,
    catalog: Catalog,
    principal: Principal,
    channel_id: str,
    body: RequestIn,
    request_id: str | None = None,
    at: datetime | None = None,
) -> RequestView:
    """File a request to ``channel_id`` for ``principal``'s person: checked (offered where they
    live, conditions, open, limit), its answers written through the form write path, then the
    request itself; a ``request_id`` sent again returns the request already filed."""
    at = at or datetime.now(UTC)
    rid = request_id or uuid.uuid4().hex
    known = store.read(queries.REQUEST, {"id": rid})
    if known:
        return _mine(store, principal, dict(known[0]["request"]))
    channel = get_channel(store, channel_id=channel_id)
    admission = admit(store, catalog=catalog, principal=principal, channel=channel, now=at)
    organization, role = route(store, channel=channel, place=admission.home)
    form = get_compiled(store, ontology=ontology, form_id=channel["form"],
                        version=int(channel["formVersion"]))  # fmt: skip
    props = _request_props(channel, principal, rid, body, admission.home, at,
                           organization, role)  # fmt: skip
    params = _validated(ontology, props, str(principal.person), admission.home, at)
    ensure_channels_schema(store)
    written = submit(store, form=form, answers=body.answers, principal=principal,
                     submission_id=f"request-{rid}", channel=channel_id, at=at)  # fmt: skip
    props.update(submission=written.submission, held=written.held)
    rows = store.write(queries.CREATE_REQUEST, {
        **params, "props": props, "channel": channel_id, "sinceMs": admission.since_ms,
        "allowed": admission.allowed,
    }).rows  # fmt: skip
    if not rows:
        raise Conflict("limit: the channel closed or your limit was reached meanwhile; the "
                       "answers were kept (服务已关闭或已达申请上限)")  # fmt: skip
    if not channel.get("review"):
        step = REQUESTS.step(REQUESTS.initial, "accept")
        apply_move(store, label="ResidentRequest", at=at,
                   move=Move(rid, step, set={"status": STATUS[step.target], "acceptedAt":
                                             at.isoformat()},
                             context={"within": channel_id, "place": admission.home}),
                   actor=Actor(f"channel:{channel_id}"))  # fmt: skip
    return request_view(store, principal=principal, request_id=rid)


def act_on_request(
    store: GraphStore,
    *,
    principal: Principal,
    request_id: str,
    event: str,
    text: str | None = None,
    at: datetime | None = None,
) -> RequestView:
    """Send ``event`` (accept, start, reply, finish, decline) to a request as its handling post;
    replies, finishing and declining carry a ``text`` the resident reads."""
    at = at or datetime.now(UTC)
    request = _request(store, request_id)
    decision = may_handle_request(principal, organization=request.get("organization"),
                                  role=request.get("role"), place=request["place"])  # fmt: skip
    if not decision.allowed:
        raise NotFound(f"request: no request {request_id!r} for your posts (诉求不存在)")
    step = REQUESTS.step(request["state"], event, reason=(text or "").strip() or None)
    changes: dict[str, Any] = {"status": STATUS[step.target]}
    stamp = at.isoformat()
    if event in REPLY_EVENTS:
        changes["repliedAt"] = stamp
    changes.update({"accept": {"acceptedAt": stamp}, "start": {"handlingAt": stamp},
                    "finish": {"closedAt": stamp}}.get(event, {}))  # fmt: skip
    post = decision.post
    actor = Actor(principal.id, *((post.organization, post.role) if post else (None, None)))
    apply_move(
        store,
        label="ResidentRequest",
        at=at,
        actor=actor,
        move=Move(
            request_id,
            step,
            set=changes,
            context={"within": request["channel"], "place": request["place"]},
        ),
    )
    return request_view(store, principal=principal, request_id=request_id)  # fmt: skip


def request_view(store: GraphStore, *, principal: Principal, request_id: str) -> RequestView:
    """One request as its requester (or their household) or its handling post sees it."""
    request = _request(store, request_id)
    return _mine(store, principal, request)


def my_requests(store: GraphStore, *, principal: Principal, limit: int = 100) -> list[RequestView]:
    """The requests ``principal``'s person filed, newest first, with their replies."""
    if principal.person is None:
        return []
    rows = store.read(queries.MINE, {"person": principal.person, "limit": limit})
    return [_view(store, dict(r["request"]), principal) for r in rows]


def queue(
    store: GraphStore,
    *,
    principal: Principal,
    states: Sequence[str] = ("received", "accepted", "in_progress"),
    limit: int = 100,
) -> list[RequestView]:
    """The requests routed to the posts ``principal`` holds now, at places in their
    jurisdiction, oldest first (the handlers' queue)."""
    if principal.kind != "official" or not principal.posts:
        return []
    posts = [{"organization": p.organization, "role": p.role} for p in principal.posts]
    rows = store.read(queries.QUEUE, {"posts": posts, "states": list(states), "limit": limit,
                                      **principal.scope.params()})  # fmt: skip
    return [_view(store, dict(r["request"]), principal) for r in rows]


def route(store: GraphStore, *, channel: dict[str, Any], place: str) -> tuple[str | None, str]:
    """The post a request from ``place`` goes to: (organization, role)."""
    roles = list(channel["roles"])
    departments = list(channel.get("departments") or [])
    if departments:
        covering = answering(store, place)
        organization: str | None = next((d for d in departments if d in covering),
                                        departments[0])  # fmt: skip
    else:
        level = int(PlaceCode(place).level or 0)
        (unit,) = responsible(store, places=[(place, place)], level=level, prefer_role=roles[0])
        organization = unit.organization
    if organization is None:
        return None, roles[0]
    held = {h.role for h in post_holders(store, organizations=[organization], roles=roles)}
    return organization, next((r for r in roles if r in held), roles[0])


def _request(store: GraphStore, request_id: str) -> dict[str, Any]:
    rows = store.read(queries.REQUEST, {"id": request_id})
    if not rows or rows[0]["request"].get("channel") is None:
        raise NotFound(f"request: no request {request_id!r} (诉求不存在)")
    return dict(rows[0]["request"])


def _mine(store: GraphStore, principal: Principal, request: dict[str, Any]) -> RequestView:
    """The request if ``principal`` filed it (or lives with who did) or handles it."""
    own = principal.person is not None and (
        request["requester"] == principal.person
        or request["requester"] in household_of(store, person=principal.person)
    )
    handles = may_handle_request(principal, organization=request.get("organization"),
                                 role=request.get("role"), place=request["place"])  # fmt: skip
    if not own and not handles.allowed:
        raise NotFound(f"request: no request {request['id']!r} (诉求不存在)")
    return _view(store, request, principal)


def _view(store: GraphStore, request: dict[str, Any], principal: Principal) -> RequestView:
    replies = [
        Reply(at=str(r["at"]), event=str(r["event"]), text=str(r["text"]),
              organization=r["organization"], role=r["role"])
        for r in store.read(queries.REPLIES, {"id": request["id"]})
    ]  # fmt: skip
    handles = may_handle_request(principal, organization=request.get("organization"),
                                 role=request.get("role"), place=request["place"])  # fmt: skip
    return RequestView(
        id=request["id"], channel=request["channel"], title=request.get("title") or "",
        state=request["state"], status=request.get("status") or "", place=request["place"],
        received_at=request["receivedAt"], organization=request.get("organization"),
        role=request.get("role"), submission=request.get("submission"),
        held=bool(request.get("held")), replies=replies,
        allowed=REQUESTS.allowed(request["state"]) if handles.allowed else [],
    )  # fmt: skip


def _request_props(
    channel: dict[str, Any],
    principal: Principal,
    rid: str,
    body: RequestIn,
    home: str,
    at: datetime,
    organization: str | None,
    role: str,
) -> dict[str, Any]:
    return {
        "id": rid, "eventCode": rid, "title": (body.title or channel["title"]).strip(),
        "description": body.description or "", "source": SOURCE,
        "status": STATUS[REQUESTS.initial], "reportedAt": at.isoformat(),
        "state": REQUESTS.initial, "stateSince": at.isoformat(),
        "stateSinceMs": int(at.timestamp() * 1000), "version": 0, "channel": channel["id"],
        "requester": principal.person, "author": principal.id, "place": home,
        "receivedAt": at.isoformat(), "receivedMs": int(at.timestamp() * 1000),
        "organization": organization, "role": role,
    }  # fmt: skip


ONTOLOGY_KEYS = ("eventCode", "title", "description", "source", "status", "reportedAt")


def _validated(
    ontology: Ontology, props: dict[str, Any], person: str, home: str, at: datetime
) -> dict[str, Any]:
    """The request as an ontology instance, checked by the compiled validators (a title too
    long, say, is refused naming ``title``); the relations' parameters."""
    report = {"channel": REPORT_CHANNEL, "reportedAt": at.isoformat(), "wantsReply": True}
    instance = instance_from_graph(
        ontology,
        "ResidentRequest",
        {k: props[k] for k in ONTOLOGY_KEYS if props[k] not in (None, "")},
    )
    instance.relations.extend([
        relation_from_graph(ontology, "reportedBy", "Person", person, report),
        relation_from_graph(ontology, "occurredAt", "Place", home, {}),
    ])  # fmt: skip
    problems = validators_for(ontology).validate(instance)
    if problems:
        raise ValidationFailed(problems)
    if not props["title"]:
        raise invalid("title", "a title is required", "须填写标题", props["title"])
    return {"person": person, "place": home, "at": at.isoformat(),
            "reportChannel": REPORT_CHANNEL}  # fmt: skip
