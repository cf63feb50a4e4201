"""``/channels`` and ``/me/channels``: service channels, requests to them, the handlers' queue.

Every route runs as the authenticated principal through :mod:`citykg.channels` (which asks the
policy point); bad input is a problem+json 4xx naming the field, with nothing written.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from citykg import channels
from citykg.api.deps import CatalogDep, CurrentPrincipal, OntologyDep, Store
from citykg.channels import (
    ChannelEdit,
    ChannelSpec,
    ChannelStats,
    ChannelView,
    OfferedChannel,
    RequestIn,
    RequestView,
)
from citykg.tasks.models import LevelName

router = APIRouter(tags=["channels"])
Limit = Annotated[int, Query(ge=1, le=500)]


class ChannelActIn(BaseModel):
    event: Literal["pause", "resume", "close"]


class RequestActIn(BaseModel):
    event: Literal["accept", "start", "reply", "finish", "decline"]
    text: str | None = Field(default=None, max_length=4000, description="Reply text.")


class RequestFileIn(RequestIn):
    request_id: str | None = Field(
        default=None, min_length=1, max_length=100,
        description="Sending the same id again files nothing new.",
    )  # fmt: skip


@router.post("/channels", status_code=201)
def create(spec: ChannelSpec, store: Store, principal: CurrentPrincipal,
           catalog: CatalogDep) -> ChannelView:  # fmt: skip
    """Open a channel inside the caller's jurisdiction."""
    return channels.create_channel(store, catalog=catalog, principal=principal, spec=spec)


@router.get("/channels")
def listing(store: Store, principal: CurrentPrincipal, state: Annotated[list[str] | None,
            Query()] = None, limit: Limit = 100) -> list[ChannelView]:  # fmt: skip
    """Channels offered in, above or below the caller's jurisdiction."""
    return channels.list_channels(store, principal=principal, states=state or [], limit=limit)


@router.get("/channels/queue")
def handlers_queue(store: Store, principal: CurrentPrincipal, state: Annotated[
        list[str] | None, Query()] = None, limit: Limit = 100) -> list[RequestView]:  # fmt: skip
    """Requests routed to the posts the caller holds, in their jurisdiction, oldest first."""
    states = state or ["received", "accepted", "in_progress"]
    return channels.queue(store, principal=principal, states=states, limit=limit)


@router.get("/channels/requests/{request_id}")
def request(request_id: str, store: Store, principal: CurrentPrincipal) -> RequestView:
    """One request, to its requester's household or its handling post."""
    return channels.request_view(store, principal=principal, request_id=request_id)


@router.post("/channels/requests/{request_id}/act")
def act_on_request(request_id: str, body: RequestActIn, store: Store,
                   principal: CurrentPrincipal) -> RequestView:  # fmt: skip
    """Accept, start, reply, finish or decline (409 when the state does not allow it)."""
    return channels.act_on_request(store, principal=principal, request_id=request_id,
                                   event=body.event, text=body.text)  # fmt: skip


@router.get("/channels/{channel_id}")
def read(channel_id: str, store: Store, principal: CurrentPrincipal) -> ChannelView:
    return channels.read_channel(store, principal=principal, channel_id=channel_id)


@router.patch("/channels/{channel_id}")
def edit(channel_id: str, body: ChannelEdit, store: Store, principal: CurrentPrincipal,
         catalog: CatalogDep) -> ChannelView:  # fmt: skip
    """Change a channel's texts, conditions, handling roles, dates or review."""
    return channels.change_channel(store, catalog=catalog, principal=principal,
                                   channel_id=channel_id, event="edit", edit=body)  # fmt: skip


@router.post("/channels/{channel_id}/act")
def act(channel_id: str, body: ChannelActIn, store: Store, principal: CurrentPrincipal,
        catalog: CatalogDep) -> ChannelView:  # fmt: skip
    """Pause, resume or close (a closed channel stays closed: 409)."""
    return channels.change_channel(store, catalog=catalog, principal=principal,
                                   channel_id=channel_id, event=body.event)  # fmt: skip


@router.get("/channels/{channel_id}/stats")
def stats(channel_id: str, store: Store, principal: CurrentPrincipal,
          level: LevelName = "community") -> ChannelStats:  # fmt: skip
    """Requests by state and place, median hours to the first reply and to done."""
    return channels.channel_stats(store, principal=principal, channel_id=channel_id, level=level)


@router.get("/me/channels")
def offered(store: Store, principal: CurrentPrincipal, catalog: CatalogDep) -> list[OfferedChannel]:
    """The channels offered where the caller lives now."""
    return channels.offered(store, catalog=catalog, principal=principal)


@router.get("/me/channels/requests")
def my_requests(store: Store, principal: CurrentPrincipal, limit: Limit = 100) -> list[RequestView]:
    """The caller's requests with their state and replies."""
    return channels.my_requests(store, principal=principal, limit=limit)


@router.post("/me/channels/{channel_id}/requests", status_code=201)
def file_request(channel_id: str, body: RequestFileIn, store: Store, principal: CurrentPrincipal,
                 ontology: OntologyDep, catalog: CatalogDep) -> RequestView:  # fmt: skip
    """Request a service: the answers go through the form write path with the channel."""
    filed = RequestIn(answers=body.answers, title=body.title, description=body.description)
    return channels.request_service(store, ontology=ontology, catalog=catalog,
                                    principal=principal, channel_id=channel_id, body=filed,
                                    request_id=body.request_id)  # fmt: skip
