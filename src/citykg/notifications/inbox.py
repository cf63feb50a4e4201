"""A recipient's side: the inbox (since a cursor), mark read, confirm (回执).

The inbox is every delivery to the caller's person, oldest first after the cursor
``lastMs.ref`` (a re-send moves a message's ``lastMs``, so a client asking since its last
cursor sees it again); expired notices are left out. Reading and confirming are recorded with
their time, once: the building's counters move in the same statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from citykg.access.principals import Principal
from citykg.errors import NotFound, ValidationFailed, Violation
from citykg.graph import GraphStore
from citykg.notifications import queries
from citykg.notifications.models import Inbox, Message, Text
from citykg.notifications.send import COUNTER_WIDTH
from citykg.notifications.view import links_of


@dataclass(frozen=True, slots=True)
class Receipt:
    """When the caller read (and confirmed) a notification."""

    notification: str
    read_at: str
    confirmed_at: str | None


def inbox(
    store: GraphStore,
    *,
    principal: Principal,
    since: str = "",
    limit: int = 50,
    now: datetime | None = None,
) -> Inbox:
    """The caller's messages after the cursor ``since`` (empty: from the first)."""
    now = now or datetime.now(UTC)
    after_ms, after_ref = _cursor(since)
    if principal.person is None:
        return Inbox(messages=[], next=since)
    rows = store.read(queries.INBOX, {"person": principal.person, "afterMs": after_ms,
                                      "afterRef": after_ref, "limit": limit,
                                      "now": now.astimezone(UTC).isoformat()})  # fmt: skip
    messages = [_message(dict(r["delivery"]), dict(r["n"])) for r in rows]
    return Inbox(messages=messages, next=messages[-1].cursor if messages else since)


def mark(
    store: GraphStore,
    *,
    principal: Principal,
    notification_id: str,
    confirm: bool = False,
    at: datetime | None = None,
) -> Receipt:
    """Record that the caller read (and with ``confirm``, confirmed) a notification; again,
    it keeps the first times. Confirming a notice that asks for none is refused."""
    at = at or datetime.now(UTC)
    if principal.person is None:
        raise NotFound(f"notification: no message {notification_id!r} for you (无此消息)")
    if confirm:
        found = store.read(queries.NOTIFICATION, {"id": notification_id})
        if found and not found[0]["n"].get("mustConfirm"):
            raise ValidationFailed(
                [
                    Violation(
                        "confirm",
                        "this notice asks for no confirmation",
                        "该通知无需回执",
                        value=notification_id,
                    )
                ]
            )
    rows = store.write(queries.MARK, {
        "id": f"{notification_id}:{principal.person}", "confirm": confirm, "at": at.isoformat(),
        "atMs": int(at.timestamp() * 1000), "width": COUNTER_WIDTH,
    }).rows  # fmt: skip
    if not rows:
        raise NotFound(f"notification: no message {notification_id!r} for you (无此消息)")
    return Receipt(notification_id, str(rows[0]["readAt"]), rows[0]["confirmedAt"])


def _message(delivery: dict[str, Any], n: dict[str, Any]) -> Message:
    return Message(
        notification=n["id"], ref=delivery["ref"],
        title=Text(zh=n.get("title") or "", en=n.get("titleEn") or ""),
        body=Text(zh=n.get("body") or "", en=n.get("bodyEn") or ""), links=links_of(n),
        priority=n["priority"], must_confirm=bool(n.get("mustConfirm")),
        expires_at=n.get("expiresAt"), delivered_at=delivery["deliveredAt"],
        attempt=int(delivery.get("attempt") or 1), read_at=delivery.get("readAt"),
        confirmed_at=delivery.get("confirmedAt"),
        cursor=f"{delivery['lastMs']}.{delivery['ref']}",
    )  # fmt: skip


def _cursor(since: str) -> tuple[int, str]:
    if not since:
        return -1, ""
    ms, _, ref = since.partition(".")
    if not ms.isdigit():
        raise ValidationFailed([Violation("since", "a cursor is the next value of an inbox",
                                          "游标格式错误", value=since)])  # fmt: skip
    return int(ms), ref
