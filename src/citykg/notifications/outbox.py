"""Outbound channels (SMS, e-mail, WeChat template messages …) behind one small interface.

The in-app inbox is always there (the delivery itself). A notification may also name outbound
channels; sending or re-sending queues one ``(:OutboxEntry)`` per recipient and channel, and
:func:`flush` hands the due entries to the registered :class:`Outbound` adapters. An adapter
that fails loses nothing: the entry stays queued with the error, is retried later (a longer
wait after each try) and, after ``max_tries``, is kept as failed, naming the recipient (masked)
and the channel in :func:`failures`. Shipped adapters: :class:`InApp` (always succeeds) and
:class:`LogFile` (one JSON line per message, for development; no network).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from citykg.access.masking import mask
from citykg.access.policy import notification_reach
from citykg.access.principals import Principal
from citykg.graph import GraphStore
from citykg.notifications import queries
from citykg.notifications.models import FailedRecipient, OutboxReport
from citykg.notifications.send import sent_notification

BACKOFF_MS = 60_000
"""The wait after a failed try, times the number of tries so far."""
MAX_TRIES = 5


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One message for one recipient over one channel."""

    entry: str
    notification: str
    person: str
    channel: str
    attempt: int
    title: str
    body: str
    priority: str


class Outbound(Protocol):
    """An outbound channel: ``send`` delivers one message or raises (any error) on failure."""

    name: str

    def send(self, message: OutboundMessage) -> None: ...


class InApp:
    """The in-app inbox: the delivery is the message, so sending always succeeds."""

    name = "inapp"

    def send(self, message: OutboundMessage) -> None:
        """Nothing to do: the recipient reads it at ``GET /me/messages``."""


class LogFile:
    """A development channel: each message appended to a file as one JSON line."""

    name = "log"

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, message: OutboundMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")


def registry(*adapters: Outbound) -> dict[str, Outbound]:
    """Adapters by name, the in-app inbox always among them."""
    return {adapter.name: adapter for adapter in (InApp(), *adapters)}


def flush(
    store: GraphStore,
    *,
    outbound: Mapping[str, Outbound],
    limit: int = 1_000,
    max_tries: int = MAX_TRIES,
    at: datetime | None = None,
) -> OutboxReport:
    """Hand up to ``limit`` due entries to their adapters; record what was sent and what
    failed (retried later, or failed for good after ``max_tries``)."""
    at = at or datetime.now(UTC)
    now_ms = int(at.timestamp() * 1000)
    due = store.read(queries.DUE, {"nowMs": now_ms, "limit": limit})
    sent: list[str] = []
    errors: list[dict[str, str]] = []
    for row in due:
        message = OutboundMessage(
            entry=row["id"], notification=row["notification"], person=row["person"],
            channel=row["channel"], attempt=int(row["attempt"]), title=row["title"] or "",
            body=row["body"] or "", priority=row["priority"],
        )  # fmt: skip
        adapter = outbound.get(message.channel)
        if adapter is None:
            errors.append({"id": message.entry, "error": f"no outbound channel "
                           f"{message.channel!r} is registered"})  # fmt: skip
            continue
        try:
            adapter.send(message)
        except Exception as exc:
            errors.append({"id": message.entry, "error": f"{type(exc).__name__}: {exc}"})
            continue
        sent.append(message.entry)
    if sent:
        store.write(queries.OUTBOX_SENT, {"ids": sent, "at": at.isoformat()})
    rows = []
    if errors:
        rows = store.write(queries.OUTBOX_FAILED, {
            "rows": errors, "at": at.isoformat(), "nowMs": now_ms, "backoffMs": BACKOFF_MS,
            "maxTries": max_tries,
        }).rows  # fmt: skip
    by_id = {str(r["id"]): r for r in rows}
    people = {str(r["id"]): r for r in due}
    failures = [
        FailedRecipient(notification=str(people[e["id"]]["notification"]),
                        person=str(mask(people[e["id"]]["person"])),
                        channel=str(people[e["id"]]["channel"]), tries=int(by_id[e["id"]]["tries"]),
                        error=e["error"], final=by_id[e["id"]]["state"] == "failed")
        for e in errors
    ]  # fmt: skip
    final = sum(1 for f in failures if f.final)
    return OutboxReport(sent=len(sent), retrying=len(failures) - final, failed=final,
                        failures=failures)  # fmt: skip


def failures(
    store: GraphStore, *, principal: Principal, notification_id: str
) -> list[FailedRecipient]:
    """The recipients (within the viewer's reach, masked) whose outbound messages of this
    notification failed, still retrying or for good."""
    sent_notification(store, principal=principal, notification_id=notification_id)
    reach = notification_reach(principal)
    rows = store.read(queries.FAILURES, {"id": notification_id, **reach.params()})
    return [
        FailedRecipient(notification=notification_id, person=str(mask(r["person"])),
                        channel=str(r["channel"]), tries=int(r["tries"]), error=str(r["error"]),
                        final=r["state"] == "failed")
        for r in rows
    ]  # fmt: skip
