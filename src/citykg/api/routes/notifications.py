"""``/notifications`` (the sender's side) and ``/me/messages`` (a recipient's inbox, read,
confirm and a live stream over server-sent events).

Every route runs as the authenticated principal through :mod:`citykg.notifications`; a scope
outside the sender's jurisdiction is a 403 naming ``scope``, with nothing written.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from citykg import notifications
from citykg.api.deps import CatalogDep, CurrentPrincipal, Store
from citykg.api.openapi import EVENT_STREAM
from citykg.notifications import (
    Draft,
    Inbox,
    LogFile,
    NotificationSpec,
    NotificationView,
    OutboxReport,
    ReachPreview,
    ResendResult,
    Rollup,
    SendResult,
    UnreadRecipient,
)
from citykg.notifications.models import FailedRecipient
from citykg.tasks.models import LevelName

router = APIRouter(tags=["notifications"])
Limit = Annotated[int, Query(ge=1, le=500)]
STREAM_MAX_EVENTS = 600
OUTBOUND_LOG = Path(os.environ.get("CITYKG_OUTBOUND_LOG", "outbound.jsonl"))
"""Where the development channel ``log`` writes (one JSON line per message)."""


class ReceiptOut(BaseModel):
    notification: str
    read_at: str
    confirmed_at: str | None


@router.post("/notifications", status_code=201)
def send(spec: NotificationSpec, store: Store, principal: CurrentPrincipal,
         catalog: CatalogDep) -> SendResult:  # fmt: skip
    """Resolve the audience once and deliver to each recipient (same key: nothing new)."""
    return notifications.send(store, catalog=catalog, principal=principal, spec=spec)


@router.post("/notifications/preview")
def preview(draft: Draft, store: Store, principal: CurrentPrincipal,
            catalog: CatalogDep) -> ReachPreview:  # fmt: skip
    """Whom a notice would reach now, in all and under each place of its scope (nothing is
    sent; refused as the send would be)."""
    return notifications.reach_count(store, catalog=catalog, principal=principal,
                                     scope=draft.scope, filters=draft.filters)  # fmt: skip


@router.get("/notifications")
def sent(store: Store, principal: CurrentPrincipal, limit: Limit = 100) -> list[NotificationView]:
    """Notifications sent into the caller's jurisdiction, newest first."""
    return notifications.sent(store, principal=principal, limit=limit)


@router.post("/notifications/outbox/flush")
def flush(store: Store, principal: CurrentPrincipal) -> OutboxReport:
    """Hand due outbox entries to the outbound channels; failures are kept and retried."""
    return notifications.flush(store, outbound=notifications.registry(LogFile(OUTBOUND_LOG)))


@router.get("/notifications/{notification_id}")
def read(notification_id: str, store: Store, principal: CurrentPrincipal) -> NotificationView:
    return notifications.notification_view(store, principal=principal,
                                           notification_id=notification_id)  # fmt: skip


@router.get("/notifications/{notification_id}/rollup")
def rollup(notification_id: str, store: Store, principal: CurrentPrincipal,
           level: LevelName = "building") -> Rollup:  # fmt: skip
    """Delivered, read, unread and confirmed per place of ``level`` in the jurisdiction."""
    return notifications.rollup(store, principal=principal, notification_id=notification_id,
                                level=level)  # fmt: skip


@router.get("/notifications/{notification_id}/unread")
def unread(notification_id: str, store: Store, principal: CurrentPrincipal, after: str = "",
           limit: Limit = 100) -> list[UnreadRecipient]:  # fmt: skip
    """Recipients in the jurisdiction who have not read it, masked (a page after ``after``)."""
    return notifications.unread(store, principal=principal, notification_id=notification_id,
                                after=after, limit=limit)  # fmt: skip


@router.post("/notifications/{notification_id}/resend")
def resend(notification_id: str, store: Store, principal: CurrentPrincipal) -> ResendResult:
    """A new attempt to the unread only."""
    return notifications.resend(store, principal=principal, notification_id=notification_id)


@router.get("/notifications/{notification_id}/failures")
def failures(notification_id: str, store: Store,
             principal: CurrentPrincipal) -> list[FailedRecipient]:  # fmt: skip
    """Recipients whose outbound messages failed (retrying or for good), masked."""
    return notifications.failures(store, principal=principal, notification_id=notification_id)


@router.get("/me/messages")
def messages(store: Store, principal: CurrentPrincipal, since: str = "",
             limit: Limit = 50) -> Inbox:  # fmt: skip
    """The caller's messages after the cursor ``since`` (the ``next`` of the last answer)."""
    return notifications.inbox(store, principal=principal, since=since, limit=limit)


@router.get("/me/messages/stream", responses=EVENT_STREAM)
def stream(
    store: Store,
    principal: CurrentPrincipal,
    since: str = "",
    once: bool = False,
    interval: Annotated[float, Query(ge=0.5, le=60)] = 2.0,
    max_events: Annotated[int, Query(ge=1, le=STREAM_MAX_EVENTS)] = 300,
) -> StreamingResponse:
    """Server-sent events: a ``message`` event per message after ``since`` (its ``id`` the
    cursor to resume from), checked every ``interval`` seconds, ``max_events`` checks at most;
    ``once=true`` checks once and ends."""
    first = notifications.inbox(store, principal=principal, since=since)

    def events() -> Iterator[str]:
        page, cursor = first, since
        for check in range(1 if once else max_events):
            if check:
                time.sleep(interval)
                page = notifications.inbox(store, principal=principal, since=cursor)
            for message in page.messages:
                data = json.dumps(message.model_dump(mode="json"), ensure_ascii=False)
                yield f"id: {message.cursor}\nevent: message\ndata: {data}\n\n"
            cursor = page.next

    return StreamingResponse(events(), media_type="text/event-stream")


@router.post("/me/messages/{notification_id}/read")
def mark_read(notification_id: str, store: Store, principal: CurrentPrincipal) -> ReceiptOut:
    receipt = notifications.mark(store, principal=principal, notification_id=notification_id)
    return ReceiptOut(notification=receipt.notification, read_at=receipt.read_at,
                      confirmed_at=receipt.confirmed_at)  # fmt: skip


@router.post("/me/messages/{notification_id}/confirm")
def confirm(notification_id: str, store: Store, principal: CurrentPrincipal) -> ReceiptOut:
    """Confirm (回执) a notice that asks for it; reading it is recorded too."""
    receipt = notifications.mark(store, principal=principal, notification_id=notification_id,
                                 confirm=True)  # fmt: skip
    return ReceiptOut(notification=receipt.notification, read_at=receipt.read_at,
                      confirmed_at=receipt.confirmed_at)  # fmt: skip
