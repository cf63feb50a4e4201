"""What callers send and get back: a report, an event's view, its intake, KPIs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from citykg.events.config import Source

CLOSED_STATES = ("closed", "visited", "rated")
"""States in which a case counts as closed (办结 and after); merged duplicates follow theirs."""
STATUS_CODES = {"accepted": "01", "dispatched": "02", "handling": "03", "replied": "04",
                "closed": "06", "visited": "07", "rated": "08", "merged": "06"}  # fmt: skip
"""The ontology's ``code:EventStatus`` notation of each stage."""


class Report(BaseModel):
    """A report as it comes in: the text, where (a place code, coordinates or an address in
    free text; else the text itself is searched), what (a picked category, else proposed)."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=2, max_length=4000)
    source: Source = "resident"
    title: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, description="A code of code:EventCategory.")
    place: str | None = Field(default=None, description="A place code, if known.")
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, max_length=500)
    urgency: str = Field(default="3", pattern=r"^[1-4]$")
    reporter_name: str | None = Field(default=None, max_length=100)
    reporter_phone: str | None = Field(default=None, max_length=30)
    thing: str | None = Field(default=None, description="The thing code it concerns.")
    anonymous: bool = False
    reply_requested: bool = True
    service_code: str | None = None
    within: str | None = Field(default=None, description="A place code that wins ties.")


class EventView(BaseModel):
    """One case as its reader may see it; ``actions``: the events the reader may send now."""

    id: str
    title: str
    description: str | None = None
    event_class: str
    category: str
    category_picked: bool
    category_word: str | None = None
    state: str
    stage: str
    status: str
    closure: str | None = None
    place: str | None = None
    address: str | None = None
    lat: float | None = None
    long: float | None = None
    locate_method: str | None = None
    locate_confidence: float | None = None
    alternatives: list[str] = []
    department: str | None = None
    department_name: str | None = None
    role: str | None = None
    dispatcher: str | None = None
    urgency: str = "3"
    source: str | None = None
    reported_at: str
    updated_at: str | None = None
    stage_due: str | None = None
    expected_at: str | None = None
    overdue: bool = False
    reply: str | None = None
    satisfaction: str | None = None
    reopen_count: int = 0
    send_backs: int = 0
    supervision_count: int = 0
    duplicate_of: str | None = None
    duplicates: list[str] = []
    actions: list[str] = []


class CandidateView(BaseModel):
    id: str
    title: str
    state: str
    place: str | None
    reported_at: str
    score: float
    text_similarity: float


class IntakeView(BaseModel):
    """What intake did: the case, where it was found and how surely, its routing, and the
    earlier cases it may duplicate (never merged without a handler)."""

    event: EventView
    locate: dict[str, Any]
    routed: bool
    candidates: list[CandidateView]


class StageKpi(BaseModel):
    stage: str
    visits: int
    late: int
    delay_rate: float | None
    median_hours: float | None


class DepartmentKpi(BaseModel):
    """One row of the KPI table (考核问效) for a department or a place of a level."""

    group: str
    name: str | None
    received: int
    closed: int
    resolved: int
    transferred: int
    unresolvable: int
    completion_rate: float | None = Field(description="办结率 closed / received")
    on_time_sign_rate: float | None = Field(description="按时签收率")
    on_time_close_rate: float | None = Field(description="按时办结率")
    delay_rate: float | None = Field(description="拖延率: cases that overran any stage")
    send_back_rate: float | None = Field(description="发回重办率")
    satisfaction_rate: float | None = Field(description="满意率")
    stages: list[StageKpi]


class DeadlineSuggestion(BaseModel):
    """For a stage, the share of visits done within N days, per candidate N."""

    stage: str
    visits: int
    within_days: dict[str, float]
    allowed_hours: float | None
