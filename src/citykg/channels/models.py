"""What the channels take and give (pydantic, so the API serves them as they are).

Inputs: :class:`ChannelSpec` (a new channel), :class:`ChannelEdit` (a partial change),
:class:`RequestIn` (a resident's request: the form's answers). Outputs: :class:`ChannelView`,
:class:`OfferedChannel`, :class:`RequestView` with its :class:`Reply` list, :class:`ChannelStats`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from citykg.tasks.models import LevelName
from citykg.tasks.models import Text as Text

Limit = Literal["once", "per_period", "unlimited"]
ChannelStatus = Literal["open", "paused", "closed"]
RequestState = Literal["received", "accepted", "in_progress", "done", "declined"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChannelSpec(_Model):
    """A new service channel: what it offers (a form), where, to whom, who handles it, when."""

    title: Text
    description: Text = Text()
    category: str = Field(default="", description="Free category, e.g. 养老, 证明, 报修.")
    form: str = Field(description="A stored form's id; requests fill it.")
    places: tuple[str, ...] = Field(description="Place codes it is offered at (and below).")
    conditions: tuple[str, ...] = Field(
        default=(), description="Ledger filters on the resident, key:op:value (age:gte:60)."
    )
    departments: tuple[str, ...] = Field(
        default=(), description="Credit codes of handling organizations (none: the "
        "organization responsible for the requester's place, by jurisdiction)."
    )  # fmt: skip
    roles: tuple[str, ...] = Field(min_length=1, description="Post roles that handle requests.")
    opens_at: datetime | None = None
    expires_at: datetime | None = None
    review: bool = Field(default=True, description="A handler accepts each request (审核); "
                         "False: requests are accepted on arrival.")  # fmt: skip
    limit: Limit = "unlimited"
    period_days: int | None = Field(default=None, ge=1, description="For limit per_period.")

    @field_validator("title")
    @classmethod
    def _titled(cls, title: Text) -> Text:
        return _named(title)

    @model_validator(mode="after")
    def _period(self) -> ChannelSpec:
        if (self.limit == "per_period") != (self.period_days is not None):
            raise ValueError("period_days is given exactly when limit is per_period")
        return self


class ChannelEdit(_Model):
    """A change to a channel: the fields given replace the stored ones (places stay)."""

    title: Text | None = None
    description: Text | None = None
    category: str | None = None
    conditions: tuple[str, ...] | None = None
    roles: tuple[str, ...] | None = Field(default=None, min_length=1)
    opens_at: datetime | None = None
    expires_at: datetime | None = None
    review: bool | None = None

    @field_validator("title")
    @classmethod
    def _titled(cls, title: Text | None) -> Text | None:
        return None if title is None else _named(title)


def _named(title: Text) -> Text:
    """A channel is listed by its title: one in Chinese or English is needed."""
    if not title.zh.strip() and not title.en.strip():
        raise ValueError("a title in Chinese or English is required")
    return title


class ChannelView(_Model):
    id: str
    title: Text
    description: Text
    category: str
    form: str
    form_version: int
    places: list[str]
    conditions: list[str]
    departments: list[str]
    roles: list[str]
    opens_at: str | None
    expires_at: str | None
    review: bool
    limit: Limit
    period_days: int | None
    status: ChannelStatus
    created_by: str
    created_at: str
    version: int


class OfferedChannel(_Model):
    """A channel as a resident sees it: where it is offered from, and what is left to use."""

    channel: ChannelView
    offered_at: str = Field(description="The place (an ancestor of the home) it is offered at.")
    remaining: int | None = Field(description="Requests left now (None: unlimited).")


class RequestIn(_Model):
    answers: dict[str, Any]
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=4000)


class Reply(_Model):
    at: str
    event: str
    text: str
    organization: str | None
    role: str | None


class RequestView(_Model):
    id: str
    channel: str
    title: str
    state: RequestState
    status: str = Field(description="The ontology's event status code (code:EventStatus).")
    place: str
    received_at: str
    organization: str | None
    role: str | None
    submission: str | None
    held: bool
    replies: list[Reply] = []
    allowed: list[str] = Field(default=[], description="Events the caller may send now.")


class PlaceCount(_Model):
    place: str
    counts: dict[str, int]


class ChannelStats(_Model):
    """Requests of one channel by state and by place at ``level``, and how fast they moved."""

    channel: str
    level: LevelName
    counts: dict[str, int]
    by_place: list[PlaceCount]
    first_reply_median_hours: float | None
    done_median_hours: float | None
    replied: int
    done: int
