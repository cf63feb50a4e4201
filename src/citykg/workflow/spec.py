"""The shape of ``workflows.yaml``: kinds of work item, their states and transitions.

Checked when loaded, so a kind that names an unknown state, has no single initial state, or
asks for reason codes it does not list is refused before any machine is built from it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykg.errors import ConfigError

WORKFLOWS_FILE = Path(__file__).with_name("workflows.yaml")
ReasonRule = Literal["none", "text", "code"]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Label(_Spec):
    zh: str
    en: str


class StateSpec(Label):
    initial: bool = False
    final: bool = False


class TransitionSpec(Label):
    """One event: the states it leaves, where it goes (None: it stays), who sends it, why."""

    sources: tuple[str, ...] = Field(alias="from", min_length=1)
    to: str | None = None
    actor: str
    reason: ReasonRule = "none"


class KindSpec(_Spec):
    label: Label
    states: dict[str, StateSpec]
    transitions: dict[str, TransitionSpec]
    reason_codes: dict[str, Label] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        initial = [name for name, state in self.states.items() if state.initial]
        if len(initial) != 1:
            raise ValueError(f"exactly one initial state is needed, found {initial}")
        for event, spec in self.transitions.items():
            unknown = {*spec.sources, spec.to or spec.sources[0]} - set(self.states)
            if unknown:
                raise ValueError(f"transition {event!r} names unknown states {sorted(unknown)}")
            if event in self.states:
                raise ValueError(f"event {event!r} has the name of a state")
            if spec.reason == "code" and not self.reason_codes:
                raise ValueError(f"transition {event!r} needs reason codes; none are listed")
        return self


class WorkflowsFile(_Spec):
    kinds: dict[str, KindSpec]


@cache
def load_kinds(path: Path = WORKFLOWS_FILE) -> dict[str, KindSpec]:
    """Every kind declared in ``path`` (read once)."""
    try:
        return WorkflowsFile.model_validate(yaml.safe_load(path.read_text("utf-8"))).kinds
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
