"""The tasks a principal follows (``GET /tasks``, the console's task list): exactly those whose
page it may open, newest first, a page at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from citykg.access import Principal
from citykg.errors import NotFound
from citykg.tasks import SplitRule, create_task, dispatch, followed, progress
from citykg.tasks.create import visible_task
from citykg.tasks.listing import cursor
from citykg.tasks.models import LevelName
from tests.tasks.conftest import COMMUNITY_A1, COMMUNITY_A2, TaskCity
from tests.tasks.test_tasks import T0, spec


def titles(city: TaskCity, who: Principal, **paging: object) -> list[str]:
    return [t.title.zh for t in followed(city.store, principal=who, **paging)]  # type: ignore[arg-type]


@pytest.fixture
def three(city: TaskCity) -> TaskCity:
    """A draft (T0), a task dispatched to the streets only (T0+1h) and one dispatched down to
    the communities (T0+2h), all by the district."""
    plans: tuple[tuple[int, str, tuple[LevelName, ...]], ...] = (
        (0, "草稿", ()),
        (1, "到街道", ("street",)),
        (2, "到社区", ("street", "community")),
    )
    for hours, title, levels in plans:
        at = T0 + timedelta(hours=hours)
        task = create_task(city.store, catalog=city.catalog, principal=city.district,
                           spec=spec(title={"zh": title}, split=SplitRule(
                               levels=levels or ("street",), filters=("age:gte:60",))),
                           at=at)  # fmt: skip
        if levels:
            dispatch(city.store, catalog=city.catalog, principal=city.district,
                     task_id=task.id, at=at)  # fmt: skip
    return city


def test_each_follows_the_tasks_whose_page_it_may_open_newest_first(three: TaskCity) -> None:
    city = three
    assert titles(city, city.district) == ["到社区", "到街道", "草稿"]  # created through its post
    assert titles(city, city.street_a) == ["到社区", "到街道"]  # a draft has no part yet
    assert titles(city, city.workers[COMMUNITY_A1]) == ["到社区"]  # the street task stops above
    everyone = (city.district, city.street_a, city.street_b, *city.workers.values())
    for who in everyone:
        listed = {t.id for t in followed(city.store, principal=who)}
        for task in followed(city.store, principal=city.district):
            if task.id in listed:
                assert visible_task(city.store, principal=who, task_id=task.id)
                progress(city.store, principal=who, task_id=task.id)  # no NotFound
            else:
                with pytest.raises(NotFound):
                    visible_task(city.store, principal=who, task_id=task.id)


def test_the_list_pages_by_the_last_task_seen(three: TaskCity) -> None:
    city = three
    first = followed(city.store, principal=city.district, limit=2)
    assert [t.title.zh for t in first] == ["到社区", "到街道"]
    rest = titles(city, city.district, before=cursor(first[-1]), limit=2)
    assert rest == ["草稿"]
    assert titles(city, city.district, before=cursor(followed(
        city.store, principal=city.district, limit=3)[-1])) == []  # fmt: skip
    # a page of candidates the caller may not see goes on to the next ones
    assert titles(city, city.workers[COMMUNITY_A2], limit=1) == ["到社区"]


def test_residents_and_analysts_follow_no_task(three: TaskCity) -> None:
    for kind in ("resident", "analyst"):
        assert followed(three.store, principal=Principal(id=kind, kind=kind, name=kind)) == []
