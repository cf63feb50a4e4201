"""The sender's view: delivered, read and confirmed at each level, and who has not read.

Everything is limited to where the viewer may follow deliveries
(:func:`citykg.access.policy.notification_reach`): roll-ups add up the building counters under
their jurisdiction, grouped by the prefix of the level asked (a place code starts with its
parent's); the unread recipients are listed with their ID numbers masked.
"""

from __future__ import annotations

import json
from typing import Any

from citykg.access.masking import mask
from citykg.access.policy import notification_reach
from citykg.access.principals import Principal
from citykg.geo.codes import CODE_LENGTHS
from citykg.graph import GraphStore
from citykg.notifications import queries
from citykg.notifications.models import (
    Link,
    NotificationView,
    PlaceTally,
    Rollup,
    Text,
    UnreadRecipient,
)
from citykg.notifications.send import sent_notification
from citykg.tasks.models import LEVELS, LevelName


def notification_view(
    store: GraphStore, *, principal: Principal, notification_id: str
) -> NotificationView:
    """The notification with its totals within the viewer's reach."""
    props = sent_notification(store, principal=principal, notification_id=notification_id)
    totals = rollup(store, principal=principal, notification_id=notification_id, level="city")
    return view_of(props, totals.delivered, totals.read, totals.confirmed)


def sent(store: GraphStore, *, principal: Principal, limit: int = 100) -> list[NotificationView]:
    """Notifications sent into the viewer's area, newest first (totals: open one for them)."""
    reach = notification_reach(principal)
    if not reach.all_places and not reach.roots:
        return []
    rows = store.read(queries.SENT, {**reach.params(), "limit": limit})
    return [view_of(dict(r["n"]), int(r["n"].get("recipients") or 0), 0, 0) for r in rows]


def rollup(
    store: GraphStore, *, principal: Principal, notification_id: str, level: LevelName
) -> Rollup:
    """Delivered, read, unread and confirmed per place of ``level`` within the viewer's reach;
    recipients at a place above that level are counted at that place."""
    sent_notification(store, principal=principal, notification_id=notification_id)
    reach = notification_reach(principal)
    width = CODE_LENGTHS[int(LEVELS[level]) - 1]
    buckets: dict[str, list[int]] = {}
    for row in store.read(queries.COUNTERS, {"id": notification_id, **reach.params()}):
        tally = buckets.setdefault(str(row["place"])[:width], [0, 0, 0])
        tally[0] += int(row["delivered"])
        tally[1] += int(row["read"])
        tally[2] += int(row["confirmed"])
    names = {
        str(r["code"]): str(r["name"])
        for r in store.read(queries.PLACE_NAMES, {"codes": list(buckets)})
    }
    places = [
        PlaceTally(place=code, name=names.get(code, code), delivered=d, read=r, unread=d - r,
                   confirmed=c)
        for code, (d, r, c) in sorted(buckets.items())
    ]  # fmt: skip
    delivered = sum(p.delivered for p in places)
    read = sum(p.read for p in places)
    return Rollup(notification=notification_id, level=level, places=places, delivered=delivered,
                  read=read, unread=delivered - read,
                  confirmed=sum(p.confirmed for p in places))  # fmt: skip


def unread(
    store: GraphStore,
    *,
    principal: Principal,
    notification_id: str,
    after: str = "",
    limit: int = 100,
) -> list[UnreadRecipient]:
    """The recipients within the viewer's reach who have not read it, masked, a page by ref."""
    sent_notification(store, principal=principal, notification_id=notification_id)
    reach = notification_reach(principal)
    rows = store.read(queries.UNREAD, {"id": notification_id, "after": after, "limit": limit,
                                       **reach.params()})  # fmt: skip
    return [
        UnreadRecipient(ref=str(r["ref"]), person=str(mask(r["person"])), name=str(r["name"]),
                        place=str(r["place"]), attempt=int(r["attempt"]))
        for r in rows
    ]  # fmt: skip


def view_of(props: dict[str, Any], delivered: int, read: int, confirmed: int) -> NotificationView:
    return NotificationView(
        id=props["id"], title=_text(props, "title"), body=_text(props, "body"),
        links=links_of(props), priority=props["priority"],
        must_confirm=bool(props.get("mustConfirm")), expires_at=props.get("expiresAt"),
        scope=list(props["scope"]), filters=list(props.get("filters") or []),
        sender=props["sender"], sent_at=props.get("sentAt"),
        attempts=int(props.get("attempts") or 1), delivered=delivered, read=read,
        confirmed=confirmed,
    )  # fmt: skip


def links_of(props: dict[str, Any]) -> list[Link]:
    return [Link.model_validate(json.loads(text)) for text in props.get("links") or []]


def _text(props: dict[str, Any], key: str) -> Text:
    return Text(zh=props.get(key) or "", en=props.get(f"{key}En") or "")
