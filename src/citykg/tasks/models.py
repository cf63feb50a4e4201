"""What the task system takes and gives (pydantic, so the API serves them as they are).

Inputs: :class:`TaskSpec` (a new task: title, form, scope, split rule, deadlines, what counts as
done) with its :class:`SplitRule`, and :class:`ItemSelection` (the items a batch action covers,
by filter, not by page). Outputs: :class:`TaskView`, :class:`DispatchResult`,
:class:`ItemView`, :class:`BatchResult`, :class:`Progress` of :class:`ProgressNode`,
:class:`Bottlenecks`, :class:`AnswerCount` and :class:`DispatchPreview`.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from citykg.geo.codes import LEVEL_KEYS, Level

RULES_FILE = Path(__file__).with_name("rules.yaml")
LevelName = Literal[
    "province", "city", "district", "street", "community", "compound", "building", "unit", "door"
]
ItemsRule = Literal["unit", "entity", "household"]
LEVELS: dict[str, Level] = {name: level for level, name in LEVEL_KEYS.items()}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Model):
    zh: str = ""
    en: str = ""


class SplitRule(_Model):
    """How a task is split: one part per place of each of ``levels`` (each assigned to the post
    ``roles[level]`` of the organization responsible), and what its items are."""

    levels: tuple[LevelName, ...] = Field(min_length=1)
    items: ItemsRule = "entity"
    type: str = Field(default="Person", description="Entity class for items: entity.")
    filters: tuple[str, ...] = Field(default=(), description="Ledger filters, key:op:value.")
    roles: dict[LevelName, str] = Field(default={}, description="Post role per level.")


class TaskSpec(_Model):
    """A new task. ``split`` is a rule or the name of one in ``tasks/rules.yaml``."""

    title: Text
    description: Text = Text()
    form: str = Field(description="A stored form's id.")
    form_version: StrictInt | None = None
    scope: tuple[str, ...] = Field(description="Place codes the task covers.")
    split: SplitRule | str = "to-communities"
    deadline: datetime
    level_deadlines: dict[LevelName, datetime] = {}
    review: StrictBool = Field(default=False, description="The level above approves each item.")
    done: tuple[str, ...] | None = Field(
        default=None, description="Item states that count as done (default: submitted and "
        "approved, or approved with review)."
    )  # fmt: skip
    purpose: str | None = Field(default=None, description="Why (audited with masked filters).")


class ItemSelection(_Model):
    """The items of a task a batch action covers: everything the filter selects."""

    within: str | None = Field(default=None, description="Only under this place code.")
    states: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()


# --- outputs -------------------------------------------------------------------------------------


class TaskView(_Model):
    id: str
    title: Text
    description: Text
    form: str
    form_version: int
    scope: list[str]
    split: SplitRule
    deadline: str
    level_deadlines: dict[str, str]
    review: bool
    done: list[str]
    state: str
    created_by: str
    created_at: str
    organization: str | None
    role: str | None
    event: str | None = None
    """The case (事件) this task does the field work of, if any."""


class DispatchResult(_Model):
    """What a dispatch made: ``parts_created`` and ``items_created`` are 0 when repeated."""

    task: str
    parts: int
    parts_created: int
    items: int
    items_created: int
    seconds: float


class UnansweredUnit(_Model):
    """A part nobody would receive through a post: no organization answers for its place
    (``organization`` None), or nobody holds the level's ``role`` in it now."""

    place: str
    name: str
    level: str
    organization: str | None
    role: str | None


class DispatchPreview(_Model):
    """What a dispatch would make now, nothing written: parts by level (top down) and items,
    and how many of each do not exist yet (what the dispatch would create)."""

    task: str
    parts: int
    parts_by_level: dict[str, int]
    parts_new: int
    items: int
    items_new: int
    unanswered: list[UnansweredUnit] = Field(
        default=[], description="Parts whose post nobody holds now (no one would see them)."
    )


class ItemView(_Model):
    id: str
    task: str
    part: str
    place: str
    level: str
    subject: str | None
    subject_type: str | None
    state: str
    state_since: str | None
    due: str | None
    organization: str | None
    role: str | None
    above_organization: str | None
    reason: str | None = None
    submission: str | None = None
    version: int = 0
    allowed: list[str] = Field(default=[], description="Events the caller may send now.")


class BatchResult(_Model):
    """A batch action: how many items it moved, and how many had moved on before it."""

    event: str
    selected: int
    moved: int
    conflicts: int
    refused: int = Field(default=0, description="Selected items the caller may not act on.")


class Returned(_Model):
    """A page of the items returned to the caller's level (by place, then id), how many there
    are in all and how many per reason code."""

    items: list[ItemView]
    by_reason: dict[str, int]
    total: int = Field(default=0, description="Returned items in all (every page).")
    next: str | None = Field(
        default=None, description="The cursor of the next page (``after``); None on the last."
    )


class ProgressNode(_Model):
    """One part of the tree: its own numbers plus its children's (DHIS2's vocabulary)."""

    part: str
    parent: str | None
    place: str
    name: str
    level: str
    organization: str | None
    role: str | None
    reported: bool
    due: str
    counts: dict[str, int]
    expected: int
    done: int
    on_time: int
    overdue: int
    returned: int
    completion_rate: float
    on_time_rate: float


class Progress(_Model):
    task: str
    at: str
    nodes: list[ProgressNode]
    by_level: dict[str, dict[str, Any]]


class StageStat(_Model):
    level: str
    stage: str
    count: int
    median_hours: float
    p90_hours: float


class Bottlenecks(_Model):
    """Where a task is stuck (堵点): time per stage and level, overdue and slowest units."""

    task: str
    stages: list[StageStat]
    overdue: list[ProgressNode]
    by_completion: list[ProgressNode]
    by_timeliness: list[ProgressNode]


class AnswerCount(_Model):
    place: str
    name: str
    value: Any
    count: int


def post_key(organization: str | None, role: str | None) -> str | None:
    """The key of the post (organization + role) an item is assigned to, ``<creditCode>|<role>``:
    what "my items" looks up (``TaskItem.post``, indexed). The statements that create or move
    items build the same text in Cypher (``organization + '|' + role``, null when either is)."""
    if organization is None or role is None:
        return None
    return f"{organization}|{role}"


@cache
def split_rules() -> dict[str, Any]:
    """``tasks/rules.yaml``: default roles per level and named split rules."""
    data: dict[str, Any] = yaml.safe_load(RULES_FILE.read_text("utf-8"))
    return data
