"""What notifications take and give (pydantic, so the API serves them as they are).

Inputs: :class:`NotificationSpec`, :class:`Draft` (its audience only, to preview). Outputs:
:class:`ReachPreview` of :class:`PlaceReach`, :class:`SendResult`, :class:`NotificationView`,
:class:`Rollup` of :class:`PlaceTally`, :class:`UnreadRecipient`, :class:`ResendResult`,
:class:`Message` and :class:`Inbox` (a recipient's), :class:`OutboxReport`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from citykg.tasks.models import LevelName
from citykg.tasks.models import Text as Text

Priority = Literal["low", "normal", "high", "urgent"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Link(_Model):
    """An attachment: a titled link (a policy document, a sign-up page)."""

    title: str = Field(min_length=1, max_length=200)
    url: AnyHttpUrl


class NotificationSpec(_Model):
    """A notice and who it goes to: persons living now under ``scope`` (narrowed by ledger
    ``filters``), and, with ``officials``, the holders of those post roles in the organizations
    answering for the places of ``officials_level`` there."""

    title: Text
    body: Text
    links: tuple[Link, ...] = ()
    priority: Priority = "normal"
    must_confirm: bool = Field(default=False, description="Recipients confirm (回执).")
    expires_at: datetime | None = None
    scope: tuple[str, ...] = Field(description="Place codes of the tree (one building is enough).")
    filters: tuple[str, ...] = Field(default=(), description="Ledger filters on the persons.")
    officials: tuple[str, ...] = Field(default=(), description="Post roles also notified.")
    officials_level: LevelName = "community"
    outbound: tuple[str, ...] = Field(
        default=(),
        description="Outbound channels besides the "
        "in-app inbox: names of registered channels (log, sms …).",
    )
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100)
    purpose: str | None = Field(default=None, description="Why (audited with masked filters).")


class Draft(_Model):
    """The audience part of a notice not sent yet: whom would it reach?"""

    scope: tuple[str, ...] = Field(description="Place codes of the tree (one building is enough).")
    filters: tuple[str, ...] = Field(default=(), description="Ledger filters on the persons.")


class PlaceReach(_Model):
    place: str
    name: str
    level: LevelName | None = Field(description="None for a landmark, road or grid.")
    residents: int


class ReachPreview(_Model):
    """The persons a draft reaches now, in all and under each place of its scope."""

    residents: int
    places: list[PlaceReach]


class SendResult(_Model):
    notification: str
    replayed: bool = Field(description="The key was sent before: nothing new was delivered.")
    delivered: int = Field(description="Deliveries written by this call.")
    recipients: int = Field(description="Deliveries of the notification in all.")
    seconds: float


class NotificationView(_Model):
    id: str
    title: Text
    body: Text
    links: list[Link]
    priority: Priority
    must_confirm: bool
    expires_at: str | None
    scope: list[str]
    filters: list[str]
    sender: str
    sent_at: str | None
    attempts: int
    delivered: int
    read: int
    confirmed: int


class PlaceTally(_Model):
    place: str
    name: str
    delivered: int
    read: int
    unread: int
    confirmed: int


class Rollup(_Model):
    """Delivered, read and confirmed at one level, within the viewer's jurisdiction."""

    notification: str
    level: LevelName
    places: list[PlaceTally]
    delivered: int
    read: int
    unread: int
    confirmed: int


class UnreadRecipient(_Model):
    ref: str = Field(description="An opaque reference of the delivery (also the page cursor).")
    person: str = Field(description="The ID number, masked.")
    name: str
    place: str
    attempt: int


class ResendResult(_Model):
    notification: str
    attempt: int
    reached: int = Field(description="Unread recipients this attempt went to.")


class Message(_Model):
    notification: str
    ref: str
    title: Text
    body: Text
    links: list[Link]
    priority: Priority
    must_confirm: bool
    expires_at: str | None
    delivered_at: str
    attempt: int
    read_at: str | None
    confirmed_at: str | None
    cursor: str


class Inbox(_Model):
    messages: list[Message]
    next: str = Field(description="The cursor to ask with next (since=…).")


class FailedRecipient(_Model):
    notification: str
    person: str = Field(description="The ID number, masked.")
    channel: str
    tries: int
    error: str
    final: bool = Field(description="No more retries: it failed for good.")


class OutboxReport(_Model):
    """What a flush of the outbox did, and each recipient whose message failed."""

    sent: int
    retrying: int
    failed: int
    failures: list[FailedRecipient]
