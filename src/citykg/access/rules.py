"""The access rules file (``rules.yaml``): actions, what roles grant, what tags unmask."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykg.errors import ConfigError

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")


class Masking(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sensitivity: list[str] = Field(default_factory=list)
    keys: list[str] = Field(default_factory=list)


class Statistics(BaseModel):
    model_config = ConfigDict(extra="forbid")
    smallest_count: int = Field(default=5, ge=1)
    """Counts from 1 to one below this are suppressed in city-wide statistics."""


class Lookups(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: str = "30/minute"
    """How many look-ups by clear identity key one principal may make (``limits`` notation)."""


Reach = Literal["none", "own", "household", "jurisdiction", "city"]


class RouteRule(BaseModel):
    """Who may call one API route; enforced for every request by :mod:`citykg.api.guard`."""

    model_config = ConfigDict(extra="forbid")
    public: bool = False
    """Callable without a token (health, the sign-in page)."""
    action: str | None = None
    """The action needed to call it; None: any signed-in principal (the answer is scoped)."""
    residents: bool = False
    """Residents call it without the action, reaching only their own household."""
    reach: Reach
    """What an answer is limited to: nothing, the caller's own records, their household, the
    places under their jurisdiction, or the whole city (counts for analysts)."""


class RulesFile(BaseModel):
    """The file as written; refuses unknown sections and roles that grant unknown actions."""

    model_config = ConfigDict(extra="forbid")
    actions: dict[str, dict[str, str]]
    roles: dict[str, list[str]]
    tags: dict[str, list[str]] = Field(default_factory=dict)
    residents: list[str] = Field(default_factory=list)
    masked: Masking = Field(default_factory=Masking)
    statistics: Statistics = Field(default_factory=Statistics)
    lookups: Lookups = Field(default_factory=Lookups)
    routes: dict[str, RouteRule] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_actions(self) -> RulesFile:
        granted = [(r, a) for r, acts in self.roles.items() for a in acts]
        granted += [("residents", a) for a in self.residents]
        granted += [(route, r.action) for route, r in self.routes.items() if r.action]
        unknown = [f"{who}: {action}" for who, action in granted if action not in self.actions]
        if unknown:
            raise ValueError("unknown actions granted: " + ", ".join(unknown))
        return self


@dataclass(frozen=True, slots=True)
class AccessRules:
    """Compiled rules: ask which actions a set of roles grants, which groups tags unmask.
    Both answers are asked for every row a page masks, so each is remembered per set asked."""

    file: RulesFile
    _actions: dict[frozenset[str], frozenset[str]] = field(default_factory=dict, compare=False)
    _groups: dict[frozenset[str], frozenset[str]] = field(default_factory=dict, compare=False)

    def actions_for(self, roles: frozenset[str]) -> frozenset[str]:
        known = self._actions.get(roles)
        if known is None:
            known = self._actions[roles] = frozenset(
                action
                for pattern, actions in self.file.roles.items()
                if any(fnmatchcase(role, pattern) for role in roles)
                for action in actions
            )
        return known

    def groups_for(self, tags: frozenset[str]) -> frozenset[str]:
        known = self._groups.get(tags)
        if known is None:
            known = self._groups[tags] = frozenset(
                g for tag in tags for g in self.file.tags.get(tag, [])
            )
        return known

    @property
    def resident_actions(self) -> frozenset[str]:
        return frozenset(self.file.residents)

    def roles_granting(self, action: str) -> list[str]:
        return sorted(role for role, actions in self.file.roles.items() if action in actions)


@cache
def load_rules(path: Path = DEFAULT_RULES) -> AccessRules:
    """Read and check a rules file (cached per path)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return AccessRules(RulesFile.model_validate(raw))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"access rules {path}: {exc}") from exc
