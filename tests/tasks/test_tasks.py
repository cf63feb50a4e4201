"""The task system against the real engine: the acceptance list of issue 13."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from citykg.errors import Conflict, Forbidden, NotFound, ValidationFailed
from citykg.tasks import (
    ItemSelection,
    SplitRule,
    TaskSpec,
    Text,
    act,
    act_many,
    act_on_part,
    answers_by_level,
    bottlenecks,
    count_mine,
    create_task,
    direct_counts,
    dispatch,
    execute,
    list_items,
    mine,
    progress,
    returned_to_me,
    split_part,
)
from citykg.tasks.models import Progress
from tests.controls.scenario import count_nodes, count_relationships
from tests.tasks.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    DISTRICT,
    STREET_A,
    TaskCity,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def spec(**changes: object) -> TaskSpec:
    values: dict[str, object] = {
        "title": Text(zh="疫情排查", en="Epidemic screening"),
        "form": "epidemic-screening",
        "scope": (DISTRICT,),
        "split": SplitRule(levels=("street", "community"), items="entity",
                           filters=("age:gte:60",)),
        "deadline": T0 + timedelta(days=7),
    }  # fmt: skip
    values.update(changes)
    return TaskSpec.model_validate(values)


def dispatched(city: TaskCity, **changes: object) -> str:
    task = create_task(city.store, catalog=city.catalog, principal=city.district,
                       spec=spec(**changes), at=T0)  # fmt: skip
    dispatch(city.store, catalog=city.catalog, principal=city.district, task_id=task.id, at=T0)
    return task.id


def assert_consistent(city: TaskCity, view: Progress) -> None:
    """Each node = its own direct count + the sum of its children; the root = all items."""
    direct = direct_counts(city.store, task_id=view.task)
    children: dict[str, list[str]] = {}
    for n in view.nodes:
        if n.parent:
            children.setdefault(n.parent, []).append(n.part)
    by_id = {n.part: n for n in view.nodes}
    for node in view.nodes:
        own = direct.get(node.part, {})
        for state in node.counts:
            below = sum(by_id[c].counts[state] for c in children.get(node.part, []))
            assert node.counts[state] == own.get(state, 0) + below, (node.place, state)
        below_on_time = sum(by_id[c].on_time for c in children.get(node.part, []))
        assert node.on_time == own.get("onTime", 0) + below_on_time


def test_a_district_task_splits_to_streets_then_communities_each_unit_seeing_its_part(
    city: TaskCity,
) -> None:
    task = create_task(city.store, catalog=city.catalog, principal=city.district,
                       spec=spec(split=SplitRule(levels=("street",), filters=("age:gte:60",))),
                       at=T0)  # fmt: skip
    first = dispatch(city.store, catalog=city.catalog, principal=city.district, task_id=task.id,
                     at=T0)  # fmt: skip
    assert first.items_created > 0 and first.parts == 3
    street = next(n for n in progress(city.store, principal=city.street_a, task_id=task.id).nodes
                  if n.place == STREET_A)  # fmt: skip
    split = split_part(city.store, principal=city.street_a, part_id=street.part,
                       level="community", at=T0)  # fmt: skip
    assert split.items == street.expected
    seen = progress(city.store, principal=city.street_a, task_id=task.id)
    assert {n.place for n in seen.nodes} == {STREET_A, COMMUNITY_A1, COMMUNITY_A2}
    worker = city.workers[COMMUNITY_A1]
    own = progress(city.store, principal=worker, task_id=task.id)
    assert [n.place for n in own.nodes] == [COMMUNITY_A1]
    items = mine(city.store, principal=worker)
    assert items and all(i.place.startswith(COMMUNITY_A1) for i in items)
    assert len(items) == own.nodes[0].expected
    pending = ["pending"]
    assert count_mine(city.store, principal=worker, states=pending, up_to=500) == len(items)
    assert count_mine(city.store, principal=worker, states=pending, up_to=2) == 2  # "2+"
    with pytest.raises(NotFound):
        act(city.store, principal=city.workers[COMMUNITY_A2], item_id=items[0].id, event="start")
    root = next(n for n in progress(city.store, principal=city.district, task_id=task.id).nodes
                if n.place == DISTRICT)  # fmt: skip
    assert root.expected == first.items
    assert_consistent(city, progress(city.store, principal=city.district, task_id=task.id))


def test_dispatching_twice_creates_nothing_twice(city: TaskCity) -> None:
    task_id = dispatched(city)
    nodes, relations = count_nodes(city.store), count_relationships(city.store)
    again = dispatch(city.store, catalog=city.catalog, principal=city.district, task_id=task_id)
    assert (again.parts_created, again.items_created) == (0, 0)
    assert (count_nodes(city.store), count_relationships(city.store)) == (nodes, relations)


def test_a_transferred_workers_open_items_pass_to_the_successor(city: TaskCity) -> None:
    dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    open_items = {i.id for i in mine(city.store, principal=worker)}
    act(city.store, principal=worker, item_id=sorted(open_items)[0], event="start", at=T0)
    city.store.write(
        "MATCH (:Person {idNumber: $old})-[h:HOLDS_POST_IN]->(o:Organization {creditCode: $org}) "
        "SET h.until = '2026-11-03' "
        "WITH o, h MATCH (n:Person {idNumber: $new}) "
        "CREATE (n)-[:HOLDS_POST_IN {role: h.role, since: '2026-11-03', tags: []}]->(o)",
        {"old": worker.person, "new": city.street_b.person, "org": city.committees[COMMUNITY_A1]},
    )
    assert mine(city.store, principal=city.reload(worker)) == []
    successor = city.reload(city.street_b)
    assert {i.id for i in mine(city.store, principal=successor)} == open_items
    view = act(city.store, principal=successor, item_id=sorted(open_items)[1], event="start")
    assert view.state == "in_progress"


def test_a_batch_return_reaches_the_dispatcher_with_its_reasons(city: TaskCity) -> None:
    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    everything = len(mine(city.store, principal=worker))
    result = act_many(city.store, principal=worker, task_id=task_id, event="return_invalid",
                      selection=ItemSelection(within=COMMUNITY_A1), reason="moved_away",
                      at=T0)  # fmt: skip
    assert (result.selected, result.moved, result.conflicts) == (everything, everything, 0)
    inbox = returned_to_me(city.store, principal=city.street_a, task_id=task_id)
    assert len(inbox.items) == everything and inbox.by_reason == {"moved_away": everything}
    assert all(i.above_organization == city.offices[STREET_A] for i in inbox.items)
    community = next(n for n in progress(city.store, principal=worker, task_id=task_id).nodes)
    assert (community.returned, community.expected) == (everything, 0)
    assert_consistent(city, progress(city.store, principal=city.district, task_id=task_id))


def test_progress_at_each_level_equals_a_direct_count(city: TaskCity) -> None:
    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    items = mine(city.store, principal=worker)
    act(city.store, principal=worker, item_id=items[0].id, event="start", at=T0)
    act(city.store, principal=worker, item_id=items[1].id, event="return_invalid",
        reason="duplicate", at=T0)  # fmt: skip
    view = progress(city.store, principal=city.district, task_id=task_id)
    assert_consistent(city, view)
    total = sum(sum(c.values()) - c.get("onTime", 0)
                for c in direct_counts(city.store, task_id=task_id).values())  # fmt: skip
    root = next(n for n in view.nodes if n.place == DISTRICT)
    assert root.expected + root.returned == total
    assert view.by_level["community"]["returned"] == 1


def test_executing_an_item_writes_a_submission_with_the_task_and_stage_times_follow(
    city: TaskCity,
) -> None:
    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    item = mine(city.store, principal=worker)[0]
    act(city.store, principal=worker, item_id=item.id, event="start", at=T0 + timedelta(hours=2))
    answers = {"name": "王某", "mobile_phone": "13800000000", "health_status": "1",
               "address": item.place}  # fmt: skip
    done = execute(city.store, ontology=city.ontology, principal=worker, item_id=item.id,
                   answers=answers, submission_id="s-1", at=T0 + timedelta(hours=5))  # fmt: skip
    assert done.item.state == "submitted" and done.item.submission == "s-1"
    recorded = city.store.read("MATCH (s:Submission {id: 's-1'}) RETURN s.task AS task")
    assert recorded == [{"task": item.id}]
    with pytest.raises(Conflict):  # a second filling of the same item
        execute(city.store, ontology=city.ontology, principal=worker, item_id=item.id,
                answers=answers, submission_id="s-2")  # fmt: skip
    stages = {(s.level, s.stage): s for s in
              bottlenecks(city.store, principal=city.district, task_id=task_id).stages}  # fmt: skip
    assert stages["community", "pending"].median_hours == 2.0
    assert stages["community", "in_progress"].median_hours == 3.0
    (community,) = progress(city.store, principal=worker, task_id=task_id).nodes
    assert community.on_time == 1


def test_a_crash_between_the_submission_and_the_move_is_repaired_by_sending_again(
    city: TaskCity,
) -> None:
    from citykg.controls import get_compiled, submit

    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    item = mine(city.store, principal=worker)[0]
    answers = {
        "name": "王某",
        "mobile_phone": "13800000000",
        "health_status": "1",
        "address": item.place,
        "id_number": city.store.read(
            "MATCH (i:TaskItem {id: $id}) RETURN i.subject AS s", {"id": item.id}
        )[0]["s"],
    }
    form = get_compiled(city.store, ontology=city.ontology, form_id="epidemic-screening")
    submit(city.store, form=form, answers=answers, principal=worker, submission_id="s-9",
           task=item.id)  # the first write lands, the process dies before the move  # fmt: skip
    assert_consistent(city, progress(city.store, principal=city.district, task_id=task_id))
    done = execute(city.store, ontology=city.ontology, principal=worker, item_id=item.id,
                   answers=answers, submission_id="s-9")  # fmt: skip
    assert done.submission.replayed and done.item.state == "submitted"
    assert_consistent(city, progress(city.store, principal=city.district, task_id=task_id))


def test_concurrent_conflicting_transitions_give_one_conflict(city: TaskCity) -> None:
    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    item = mine(city.store, principal=worker)[0]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def send(event: str, reason: str | None) -> None:
        start.wait()
        try:
            act(city.store, principal=worker, item_id=item.id, event=event, reason=reason)
            outcomes.append("moved")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=send, args=("start", None)),
               threading.Thread(target=send, args=("return_invalid", "not_ours"))]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "moved"]
    assert_consistent(city, progress(city.store, principal=city.district, task_id=task_id))


def test_reporting_up_is_seen_by_the_level_above(city: TaskCity) -> None:
    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    part = progress(city.store, principal=worker, task_id=task_id).nodes[0]
    assert act_on_part(city.store, principal=worker, part_id=part.part, event="report") == (
        "reported"
    )
    above = progress(city.store, principal=city.street_a, task_id=task_id)
    assert above.by_level["community"]["reported"] == 1
    with pytest.raises(ValidationFailed):
        act_on_part(city.store, principal=city.street_a, part_id=part.part, event="reopen")
    act_on_part(city.store, principal=city.street_a, part_id=part.part, event="reopen",
                reason="数据不全")  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"form": "no-such-form"}, ValidationFailed, "form"),
        ({"scope": ()}, ValidationFailed, "scope"),
        ({"scope": ("1101050019",)}, ValidationFailed, "scope"),
        ({"split": "no-such-rule"}, ValidationFailed, "split"),
        ({"split": SplitRule(levels=("street",), filters=("age:between:3",))}, ValidationFailed,
         "split.filters"),
        ({"done": ("finished",)}, ValidationFailed, "done"),
    ],
)  # fmt: skip
def test_bad_task_input_names_the_field_and_writes_nothing(
    city: TaskCity, changes: dict[str, object], error: type[Exception], field: str
) -> None:
    before = count_nodes(city.store)
    with pytest.raises(error) as caught:
        create_task(city.store, catalog=city.catalog, principal=city.district, spec=spec(**changes))
    assert isinstance(caught.value, ValidationFailed)
    assert caught.value.violations[0].path == field
    assert caught.value.violations[0].message_zh
    assert count_nodes(city.store) == before


def test_a_scope_outside_the_jurisdiction_is_forbidden_naming_the_scope(city: TaskCity) -> None:
    before = count_nodes(city.store)
    with pytest.raises(Forbidden, match=r"^scope: 110105001 lies outside"):
        create_task(city.store, catalog=city.catalog, principal=city.street_b,
                    spec=spec(scope=(STREET_A,), split="to-communities"))  # fmt: skip
    assert count_nodes(city.store) == before


def test_bad_transitions_name_the_field_and_write_nothing(city: TaskCity) -> None:
    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    item = mine(city.store, principal=worker)[0]
    before = count_nodes(city.store)
    with pytest.raises(Conflict, match=r"^event: 'approve' is not allowed"):
        act(city.store, principal=city.street_a, item_id=item.id, event="approve")
    with pytest.raises(ValidationFailed) as caught:
        act(city.store, principal=worker, item_id=item.id, event="return_invalid")
    assert caught.value.violations[0].path == "reason"
    with pytest.raises(ValidationFailed) as caught:
        act_many(city.store, principal=worker, task_id=task_id, selection=ItemSelection(),
                 event="return_invalid", reason="lost")  # fmt: skip
    assert caught.value.violations[0].path == "reason"
    with pytest.raises(Forbidden):
        act(city.store, principal=city.street_a, item_id=item.id, event="start")
    assert count_nodes(city.store) == before
    assert list_items(city.store, principal=worker, task_id=task_id)[0].state == "pending"


def test_answers_are_aggregated_by_level_within_what_the_caller_sees(city: TaskCity) -> None:
    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    for n, item in enumerate(mine(city.store, principal=worker)[:2]):
        answers = {"name": "王某", "mobile_phone": "13800000000", "health_status": str(n + 1),
                   "address": item.place}  # fmt: skip
        execute(city.store, ontology=city.ontology, principal=worker, item_id=item.id,
                answers=answers, submission_id=f"a-{n}")  # fmt: skip
    counted = answers_by_level(city.store, catalog=city.catalog, principal=city.district,
                               task_id=task_id, level="community", attribute="gender")  # fmt: skip
    assert {a.place for a in counted} == {COMMUNITY_A1} and sum(a.count for a in counted) == 2
    with pytest.raises(Forbidden, match="masked"):  # a health status needs the reveal right
        answers_by_level(city.store, catalog=city.catalog, principal=city.district,
                         task_id=task_id, level="community", attribute="healthStatus")  # fmt: skip
    other = city.workers[COMMUNITY_A2]
    mine_only = answers_by_level(city.store, catalog=city.catalog, principal=other,
                                 task_id=task_id, level="community",
                                 attribute="gender")  # fmt: skip
    assert mine_only == []
    with pytest.raises(ValidationFailed) as caught:
        answers_by_level(city.store, catalog=city.catalog, principal=city.district,
                         task_id=task_id, level="community", attribute="shoeSize")  # fmt: skip
    assert caught.value.violations[0].path == "attribute"


def test_a_batch_over_states_its_event_never_leaves_selects_nothing(city: TaskCity) -> None:
    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    result = act_many(city.store, principal=worker, task_id=task_id, event="start",
                      selection=ItemSelection(states=("approved",)), at=T0)  # fmt: skip
    assert (result.selected, result.moved, result.conflicts, result.refused) == (0, 0, 0, 0)
    assert {i.state for i in mine(city.store, principal=worker)} == {"pending"}
