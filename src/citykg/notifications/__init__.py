"""Notifications (通知下发): geo-targeted notices with read receipts and re-send to the unread.

The service layer the API, the CLI and the web console call (typed results from
:mod:`~citykg.notifications.models`), over the shared audience piece (:mod:`citykg.audience`:
who lives under a scope now, within the sender's jurisdiction) and the policy point.

* :mod:`~citykg.notifications.preview`: whom a draft would reach, before it is sent.
* :mod:`~citykg.notifications.send`: resolve the audience once, one delivery per recipient
  (idempotent by key), re-send to the unread as a new attempt.
* :mod:`~citykg.notifications.inbox`: a recipient's inbox since a cursor, read, confirm.
* :mod:`~citykg.notifications.view`: the sender's roll-ups by level and the unread, masked.
* :mod:`~citykg.notifications.outbox`: outbound channels behind one interface, with retries.
"""

from citykg.notifications.inbox import Receipt as Receipt
from citykg.notifications.inbox import inbox as inbox
from citykg.notifications.inbox import mark as mark
from citykg.notifications.models import Draft as Draft
from citykg.notifications.models import Inbox as Inbox
from citykg.notifications.models import Message as Message
from citykg.notifications.models import NotificationSpec as NotificationSpec
from citykg.notifications.models import NotificationView as NotificationView
from citykg.notifications.models import OutboxReport as OutboxReport
from citykg.notifications.models import PlaceReach as PlaceReach
from citykg.notifications.models import ReachPreview as ReachPreview
from citykg.notifications.models import ResendResult as ResendResult
from citykg.notifications.models import Rollup as Rollup
from citykg.notifications.models import SendResult as SendResult
from citykg.notifications.models import Text as Text
from citykg.notifications.models import UnreadRecipient as UnreadRecipient
from citykg.notifications.outbox import InApp as InApp
from citykg.notifications.outbox import LogFile as LogFile
from citykg.notifications.outbox import Outbound as Outbound
from citykg.notifications.outbox import OutboundMessage as OutboundMessage
from citykg.notifications.outbox import failures as failures
from citykg.notifications.outbox import flush as flush
from citykg.notifications.outbox import registry as registry
from citykg.notifications.preview import reach_count as reach_count
from citykg.notifications.send import NOTIFICATIONS_SCHEMA as NOTIFICATIONS_SCHEMA
from citykg.notifications.send import ensure_notifications_schema as ensure_notifications_schema
from citykg.notifications.send import resend as resend
from citykg.notifications.send import send as send
from citykg.notifications.view import notification_view as notification_view
from citykg.notifications.view import rollup as rollup
from citykg.notifications.view import sent as sent
from citykg.notifications.view import unread as unread

__all__ = [
    "NOTIFICATIONS_SCHEMA",
    "Draft",
    "InApp",
    "Inbox",
    "LogFile",
    "Message",
    "NotificationSpec",
    "NotificationView",
    "Outbound",
    "OutboundMessage",
    "OutboxReport",
    "PlaceReach",
    "ReachPreview",
    "Receipt",
    "ResendResult",
    "Rollup",
    "SendResult",
    "Text",
    "UnreadRecipient",
    "ensure_notifications_schema",
    "failures",
    "flush",
    "inbox",
    "mark",
    "notification_view",
    "reach_count",
    "resend",
    "rollup",
    "send",
    "sent",
    "unread",
]
