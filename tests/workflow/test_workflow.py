"""The workflow piece: kinds as data, the machine's verdicts, moves written with their facts."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from citykg.errors import ConfigError, Conflict, ValidationFailed
from citykg.graph import GraphStore
from citykg.workflow import (
    WORKFLOW_SCHEMA,
    Actor,
    Move,
    apply_move,
    apply_moves,
    history,
    stage_times,
    who_did_what,
    workflow,
)
from citykg.workflow.machine import Workflow
from citykg.workflow.record import move_statement
from citykg.workflow.spec import load_kinds
from tests.planner import planned

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WORKER = Actor("worker", "ORG-A", "SQ05")


def test_every_declared_kind_builds_a_machine() -> None:
    kinds = load_kinds()
    assert {"task", "task_part", "task_item"} <= set(kinds)
    for kind in kinds:
        assert workflow(kind).initial in workflow(kind).states


def test_the_machine_decides_where_an_event_goes() -> None:
    items = workflow("task_item")
    assert items.step("pending", "start").target == "in_progress"
    assert items.step("in_progress", "submit").target == "submitted"
    handover = items.step("in_progress", "transfer", reason="to the grid worker")
    assert (handover.target, handover.moves_state) == ("in_progress", False)
    assert set(items.allowed("submitted")) == {"approve", "request_redo"}


def test_an_event_the_state_does_not_allow_is_a_conflict_naming_the_event() -> None:
    with pytest.raises(Conflict, match=r"^event: 'submit' is not allowed .*approved"):
        workflow("task_item").step("approved", "submit")


@pytest.mark.parametrize(
    ("event", "reason"), [("transfer", None), ("transfer", "  "), ("return_invalid", "lost")]
)
def test_a_missing_or_unknown_reason_is_refused_naming_the_reason(
    event: str, reason: str | None
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        workflow("task_item").step("pending", event, reason=reason)
    assert [v.path for v in caught.value.violations] == ["reason"]
    assert caught.value.violations[0].message_zh


def test_an_unknown_event_is_refused_naming_the_event() -> None:
    with pytest.raises(ValidationFailed) as caught:
        workflow("task_item").step("pending", "teleport")
    assert caught.value.violations[0].path == "event"


def test_a_kind_is_added_as_data(tmp_path: Path) -> None:
    path = tmp_path / "workflows.yaml"
    path.write_text(
        "kinds:\n  request:\n    label: {zh: 诉求, en: request}\n    states:\n"
        "      open: {zh: 待办, en: open, initial: true}\n"
        "      closed: {zh: 办结, en: closed, final: true}\n"
        "    transitions:\n      close: {from: [open], to: closed, actor: handler, reason: text,"
        " zh: 办结, en: close}\n",
        "utf-8",
    )
    request = Workflow("request", load_kinds(path)["request"])
    assert request.step("open", "close", reason="fixed").target == "closed"


def test_an_inconsistent_declaration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "workflows.yaml"
    path.write_text(
        "kinds:\n  k:\n    label: {zh: 甲, en: k}\n    states:\n"
        "      a: {zh: 甲, en: a, initial: true}\n"
        "    transitions:\n      go: {from: [a], to: nowhere, actor: x, zh: 去, en: go}\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match="unknown states"):
        load_kinds(path)


# --- moves in the graph ------------------------------------------------------------------------


@pytest.fixture
def parts(store: GraphStore) -> GraphStore:
    store.apply_schema(WORKFLOW_SCHEMA)
    store.write(
        "UNWIND ['p1', 'p2'] AS id CREATE (:TaskPart {id: id, state: 'open', "
        "stateSinceMs: $since, level: 'community'})",
        {"since": int(T0.timestamp() * 1000)},
    )
    return store


def _report(item: str) -> Move:
    return Move(
        item,
        workflow("task_part").step("open", "report"),
        context={"within": "t1", "level": "community"},
    )


def test_a_move_changes_the_state_and_records_the_fact_in_one_statement(
    parts: GraphStore,
) -> None:
    at = T0 + timedelta(hours=5)
    apply_move(parts, label="TaskPart", move=_report("p1"), actor=WORKER, at=at)
    state = parts.read("MATCH (p:TaskPart {id: 'p1'}) RETURN p.state AS s, p.version AS v")
    assert state == [{"s": "reported", "v": 1}]
    (fact,) = history(parts, item="p1")
    assert (fact["from"], fact["to"], fact["event"]) == ("open", "reported", "report")
    assert (fact["by"], fact["organization"], fact["role"]) == ("worker", "ORG-A", "SQ05")
    assert fact["atMs"] - fact["sinceMs"] == 5 * 3600 * 1000
    assert fact["within"] == "t1"


def test_the_second_of_two_moves_from_the_same_state_conflicts_and_writes_nothing(
    parts: GraphStore,
) -> None:
    apply_move(parts, label="TaskPart", move=_report("p1"), actor=WORKER, at=T0)
    with pytest.raises(Conflict, match=r"^state: "):
        apply_move(parts, label="TaskPart", move=_report("p1"), actor=WORKER, at=T0)
    assert len(history(parts, item="p1")) == 1


def test_concurrent_conflicting_moves_let_exactly_one_through(parts: GraphStore) -> None:
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def act() -> None:
        start.wait()
        try:
            apply_move(parts, label="TaskPart", move=_report("p2"), actor=WORKER, at=T0)
            outcomes.append("moved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=act) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "moved"]
    assert len(history(parts, item="p2")) == 1


def test_stage_times_and_who_did_what_are_queries_over_the_facts(parts: GraphStore) -> None:
    moved = apply_moves(
        parts, label="TaskPart", moves=[_report("p1"), _report("p2")], actor=WORKER,
        at=T0 + timedelta(hours=2),
    )  # fmt: skip
    assert moved == {"p1", "p2"}
    (open_stage,) = stage_times(parts, kind="task_part", within="t1")
    assert (open_stage.group, open_stage.stage, open_stage.count) == ("community", "open", 2)
    assert open_stage.median_ms == open_stage.p90_ms == 2 * 3600 * 1000
    (deed,) = who_did_what(parts, kind="task_part", within="t1")
    assert (deed.principal, deed.event, deed.count) == ("worker", "report", 2)


def test_the_move_statement_passes_the_planner(store: GraphStore) -> None:
    assert planned(store, move_statement("TaskPart"), {"rows": []})
