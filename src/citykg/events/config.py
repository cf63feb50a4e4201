"""The shape of ``rules.yaml``: classification, routing, deadlines, duplicates, reopening.

Checked when loaded, so a route to an unknown level or a deadline for an unknown stage is
refused at start, not on the first report that needs it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykg.errors import ConfigError
from citykg.workflow import workflow

RULES_FILE = Path(__file__).with_name("rules.yaml")
Source = Literal["hotline", "photo", "resident", "grid", "sensor", "open311"]
SOURCES: tuple[Source, ...] = ("hotline", "photo", "resident", "grid", "sensor", "open311")


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RouteSpec(_Spec):
    """Who answers for a category at a place: an organization found up the place's path."""

    level: Literal["community", "street", "district"]
    department: str | None = None
    role: str | None = None


class CommandCentre(_Spec):
    department: str
    roles: tuple[str, ...]


class Deadlines(_Spec):
    urgency: dict[str, dict[str, float]]
    category: dict[str, dict[str, float]] = {}

    def hours(self, *, stage: str, urgency: str, category: str) -> float | None:
        """Hours allowed in ``stage``; the longest category prefix overrides the urgency's."""
        for length in range(len(category), 0, -1):
            override = self.category.get(category[:length], {})
            if stage in override:
                return override[stage]
        return self.urgency.get(urgency, self.urgency["3"]).get(stage)


class Duplicates(_Spec):
    window_days: int = Field(ge=1)
    recently_closed_days: int = Field(ge=0)
    radius_m: float = Field(gt=0)
    limit: int = Field(ge=1, le=50)
    per_key: int = Field(default=30, ge=1, le=1000)


class EventRules(_Spec):
    classes: dict[Source, str]
    sources: dict[Source, str]
    channels: dict[Source, str]
    categories: dict[str, tuple[str, ...]]
    routes: dict[str, RouteSpec]
    command_centre: CommandCentre
    deadlines: Deadlines
    duplicates: Duplicates
    reopen_days: int = Field(ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> EventRules:
        stages = set(workflow("event").states)
        for table in (*self.deadlines.urgency.values(), *self.deadlines.category.values()):
            unknown = set(table) - stages
            if unknown:
                raise ValueError(f"deadlines name unknown stages {sorted(unknown)}")
        if "" not in self.routes:
            raise ValueError('routes need a fallback "" entry')
        if "3" not in self.deadlines.urgency:
            raise ValueError('deadlines need the normal urgency "3"')
        return self

    def route_for(self, category: str) -> RouteSpec:
        """The route of the longest prefix of ``category`` listed."""
        for length in range(len(category), -1, -1):
            route = self.routes.get(category[:length])
            if route is not None:
                return route
        return self.routes[""]


@cache
def load_rules(path: Path = RULES_FILE) -> EventRules:
    """The event rules in ``path`` (read once)."""
    try:
        return EventRules.model_validate(yaml.safe_load(path.read_text("utf-8")))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
