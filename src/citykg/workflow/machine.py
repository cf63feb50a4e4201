"""A kind of work item as a state machine (python-statemachine), built from its declaration.

The machine decides whether an event may leave an item's current state and where it goes; the
declaration's reason rule is attached to each transition as a validator, so a missing reason is
refused by the same step. The machine is bound to a plain object standing for the graph node
(its ``state`` attribute); writing the move to the graph is :mod:`citykg.workflow.record`'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from statemachine import StateChart
from statemachine.exceptions import TransitionNotAllowed
from statemachine.io import TransitionDict, create_machine_class_from_definition

from citykg.errors import ConfigError, Conflict, ValidationFailed, Violation
from citykg.workflow.spec import KindSpec, Label, TransitionSpec, load_kinds


@dataclass(frozen=True, slots=True)
class Step:
    """What an event does to an item in ``source``: it goes to ``target`` (maybe the same)."""

    kind: str
    event: str
    source: str
    target: str
    actor: str
    reason: str | None = None
    note: str | None = None

    @property
    def moves_state(self) -> bool:
        return self.source != self.target


class _Node:
    """The graph node as the machine sees it: its state attribute, nothing else."""

    def __init__(self, state: str) -> None:
        self.state = state


class Workflow:
    """One kind of work item: its states (in declared order), events and machine class."""

    def __init__(self, kind: str, spec: KindSpec) -> None:
        self.kind = kind
        self.spec = spec
        self.states: tuple[str, ...] = tuple(spec.states)
        self.initial = next(name for name, s in spec.states.items() if s.initial)
        self._machine = _machine_class(kind, spec)
        self._leaving: dict[str, tuple[str, ...]] = {}

    def index(self, state: str) -> int:
        """The position of ``state`` (counters indexed by state follow the declared order)."""
        return self.states.index(state)

    def transition(self, event: str) -> TransitionSpec:
        spec = self.spec.transitions.get(event)
        if spec is None:
            known = ", ".join(self.spec.transitions)
            raise _invalid("event", f"unknown event {event!r} for a {self.kind}; one of {known}",
                           f"未知操作 {event!r}", event)  # fmt: skip
        return spec

    def allowed(self, state: str) -> list[str]:
        """The events that may leave ``state`` (asked of the machine once per state: a
        machine is costly to build, and every view of an item asks)."""
        if state not in self._leaving:
            machine = self._machine(model=_Node(state))
            self._leaving[state] = tuple(e.id for e in machine.allowed_events)
        return list(self._leaving[state])

    def step(
        self, state: str, event: str, *, reason: str | None = None, note: str | None = None
    ) -> Step:
        """Where ``event`` takes an item in ``state``; Conflict (409, naming ``event``) when the
        state does not allow it, ValidationFailed naming ``reason`` when one is missing."""
        spec = self.transition(event)
        node = _Node(state)
        try:
            self._machine(model=node).send(event, reason=reason)
        except TransitionNotAllowed as exc:
            here = self.spec.states.get(state)
            shown = f"{state} ({here.zh})" if here else state
            raise Conflict(
                f"event: {event!r} is not allowed from the current state {shown}; allowed: "
                f"{', '.join(self.allowed(state)) or 'none'} (当前状态不允许该操作)"
            ) from exc
        return Step(self.kind, event, state, node.state, spec.actor, reason, note)

    def reason_label(self, code: str) -> Label | None:
        return self.spec.reason_codes.get(code)


def workflow(kind: str) -> Workflow:
    """The workflow of ``kind`` as declared in ``workflows.yaml``."""
    return _workflows()[kind]


@cache
def _workflows() -> dict[str, Workflow]:
    return {kind: Workflow(kind, spec) for kind, spec in load_kinds().items()}


def _machine_class(kind: str, spec: KindSpec) -> type[StateChart[Any]]:
    states: dict[str, Any] = {
        name: {"initial": s.initial, "final": s.final, "name": s.en, "on": {}}
        for name, s in spec.states.items()
    }
    for event, t in spec.transitions.items():
        for source in t.sources:
            move: TransitionDict = {"target": t.to or source, "validators": _validators(spec, t)}
            states[source]["on"].setdefault(event, []).append(move)
    try:
        return create_machine_class_from_definition(
            "".join(part.title() for part in kind.split("_")),
            states=states,
            allow_event_without_transition=False,
            catch_errors_as_events=False,
            enable_self_transition_entries=False,
        )
    except Exception as exc:  # the library's InvalidDefinition: unreachable states and the like
        raise ConfigError(f"workflow {kind!r}: {exc}") from exc


def _validators(spec: KindSpec, t: TransitionSpec) -> list[Callable[..., None]]:
    if t.reason == "text":
        return [_text_reason]
    if t.reason == "code":
        codes = spec.reason_codes

        def coded(reason: str | None = None) -> None:
            if reason not in codes:
                listed = ", ".join(f"{c} ({label.zh})" for c, label in codes.items())
                raise _invalid("reason", f"a reason code is required: one of {listed}",
                               f"须选择退回原因：{listed}", reason)  # fmt: skip

        return [coded]
    return []


def _text_reason(reason: str | None = None) -> None:
    if not (reason or "").strip():
        raise _invalid("reason", "a reason is required for this action", "该操作须填写原因", reason)


def _invalid(path: str, en: str, zh: str, value: object) -> ValidationFailed:
    return ValidationFailed([Violation(path, en, zh, value=value)])
