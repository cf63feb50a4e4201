"""The dispatch preview (下派预览) against the real engine: it tells what the dispatch then makes,
writes nothing, and is refused exactly as the dispatch is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from citykg.errors import Forbidden, NotFound
from citykg.tasks import (
    SplitRule,
    TaskSpec,
    Text,
    create_task,
    dispatch,
    preview_dispatch,
)
from tests.controls.scenario import count_nodes, count_relationships
from tests.tasks.conftest import COMMUNITY_A1, DISTRICT, STREET_A, TaskCity

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BY_LEVEL = "MATCH (p:TaskPart {task: $task}) RETURN p.level AS level, count(p) AS n"
TASK_NODES = "MATCH (n) WHERE n:TaskPart OR n:TaskItem RETURN count(n) AS n"


def created(city: TaskCity, split: SplitRule | str) -> str:
    spec = TaskSpec(title=Text(zh="走访", en="Visits"), form="epidemic-screening",
                    scope=(DISTRICT,), split=split, deadline=T0 + timedelta(days=7))  # fmt: skip
    return create_task(city.store, catalog=city.catalog, principal=city.district, spec=spec,
                       at=T0).id  # fmt: skip


def written(city: TaskCity) -> tuple[int, int, int]:
    """Every node, every relationship, and the task parts and items among the nodes."""
    store = city.store
    return count_nodes(store), count_relationships(store), int(store.read(TASK_NODES)[0]["n"])


@pytest.mark.parametrize("split", ["elderly", "per-person", "to-communities"])
def test_the_preview_is_what_the_dispatch_then_makes_and_writes_nothing(
    city: TaskCity, split: str
) -> None:
    task_id = created(city, split)
    before = written(city)
    seen = preview_dispatch(city.store, catalog=city.catalog, principal=city.district,
                            task_id=task_id)  # fmt: skip
    assert written(city) == before  # not a part, an item, nor a fact of the preview
    assert list(seen.parts_by_level) == ["district", "street", "community"]  # top down
    assert seen.parts_by_level["district"] == 1 and seen.items > 0
    assert (seen.parts_new, seen.items_new) == (seen.parts, seen.items)
    done = dispatch(city.store, catalog=city.catalog, principal=city.district, task_id=task_id)
    assert (done.parts_created, done.items_created) == (seen.parts_new, seen.items_new)
    assert (done.parts, done.items) == (seen.parts, seen.items)
    made = {r["level"]: r["n"] for r in city.store.read(BY_LEVEL, {"task": task_id})}
    assert made == seen.parts_by_level
    if split == "to-communities":  # one item per community
        assert seen.items == seen.parts_by_level["community"]
    again = preview_dispatch(city.store, catalog=city.catalog, principal=city.district,
                             task_id=task_id)  # fmt: skip
    assert (again.parts, again.items, again.parts_new, again.items_new) == (
        seen.parts, seen.items, 0, 0)  # fmt: skip


def test_the_preview_is_refused_exactly_as_the_dispatch(city: TaskCity) -> None:
    task_id = created(city, "elderly")
    before = written(city)
    for who in (city.street_a, city.workers[COMMUNITY_A1]):  # neither holds the creating post
        refusals = []
        for call in (preview_dispatch, dispatch):
            with pytest.raises((NotFound, Forbidden)) as caught:
                call(city.store, catalog=city.catalog, principal=who, task_id=task_id)
            refusals.append((type(caught.value), str(caught.value)))
        assert refusals[0] == refusals[1], who.id
    assert written(city) == before
    with pytest.raises(NotFound):
        preview_dispatch(city.store, catalog=city.catalog, principal=city.district,
                         task_id="no-such-task")  # fmt: skip


def test_the_preview_names_the_units_whose_post_nobody_holds(city: TaskCity) -> None:
    task_id = created(city, "elderly")
    seen = preview_dispatch(city.store, catalog=city.catalog, principal=city.district,
                            task_id=task_id)  # fmt: skip
    assert COMMUNITY_A1 not in {u.place for u in seen.unanswered}
    city.store.write(  # A1's worker leaves the post; nobody holds SQ05 there now
        "MATCH (:Person)-[h:HOLDS_POST_IN {role: 'SQ05'}]->(:Organization {creditCode: $org}) "
        "SET h.until = '2026-11-01'",
        {"org": city.committees[COMMUNITY_A1]},
    )
    seen = preview_dispatch(city.store, catalog=city.catalog, principal=city.district,
                            task_id=task_id)  # fmt: skip
    vacant = {u.place: u for u in seen.unanswered}
    assert COMMUNITY_A1 in vacant and STREET_A not in vacant
    assert vacant[COMMUNITY_A1].organization == city.committees[COMMUNITY_A1]
    assert vacant[COMMUNITY_A1].role == "SQ05" and vacant[COMMUNITY_A1].level == "community"
