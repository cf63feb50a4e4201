"""Audiences: places by level, who answers for them, their posts, members, within reach."""

from __future__ import annotations

import pytest

from citykg.access.policy import TASK_DISPATCH
from citykg.audience import audience
from citykg.errors import Forbidden, ValidationFailed
from citykg.geo.codes import Level
from tests.tasks.conftest import COMMUNITY_A1, COMMUNITY_A2, DISTRICT, STREET_A, TaskCity


def test_a_street_covers_its_communities_their_committees_posts_and_residents(
    city: TaskCity,
) -> None:
    street = audience(city.store, principal=city.street_a, scope=[STREET_A],
                      action=TASK_DISPATCH, catalog=city.catalog)  # fmt: skip
    assert [code for code, _ in street.places(city.store, level=Level.COMMUNITY)] == [
        COMMUNITY_A1, COMMUNITY_A2,
    ]  # fmt: skip
    units = street.units(city.store, level=Level.COMMUNITY)
    assert [u.organization for u in units] == [city.committees[COMMUNITY_A1],
                                               city.committees[COMMUNITY_A2]]  # fmt: skip
    (office,) = street.units(city.store, level=Level.STREET)
    assert office.organization == city.offices[STREET_A]
    posts = street.posts(city.store, level=Level.COMMUNITY, roles=["SQ05"])
    workers = {city.workers[c].person for c in (COMMUNITY_A1, COMMUNITY_A2)}
    assert {p.person for p in posts} == workers
    everyone = [m for batch in street.stream(city.store) for m in batch]
    living = city.store.read(
        "MATCH (p:Person)-[r:RESIDES_IN]->(d:Place) WHERE r.until IS NULL "
        "AND d.placeCode STARTS WITH $code RETURN count(DISTINCT p) AS n",
        {"code": STREET_A},
    )
    assert len(everyone) == living[0]["n"] > 0
    assert all(m.place.startswith(STREET_A) for m in everyone)


def test_a_ledger_filter_narrows_the_members(city: TaskCity) -> None:
    elderly = audience(city.store, principal=city.district, scope=[DISTRICT],
                       action=TASK_DISPATCH, catalog=city.catalog,
                       filters=[city.catalog.parse_filter("age:gte:60")])  # fmt: skip
    everyone = audience(city.store, principal=city.district, scope=[DISTRICT],
                        action=TASK_DISPATCH, catalog=city.catalog)  # fmt: skip
    old = {m.key for batch in elderly.stream(city.store) for m in batch}
    alive = {m.key for batch in everyone.stream(city.store) for m in batch}
    assert old and old < alive


def test_households_are_their_heads(city: TaskCity) -> None:
    homes = audience(city.store, principal=city.district, scope=[DISTRICT], action=TASK_DISPATCH,
                     catalog=city.catalog, kind="household")  # fmt: skip
    assert [m for batch in homes.stream(city.store) for m in batch] == []  # the fixture has none


@pytest.mark.parametrize(("scope", "error"), [([], ValidationFailed), (["1101"], Forbidden),
                                              ([COMMUNITY_A2[:-1] + "9"], Forbidden)])  # fmt: skip
def test_a_scope_outside_or_empty_is_refused_naming_the_scope(
    city: TaskCity, scope: list[str], error: type[Exception]
) -> None:
    with pytest.raises(error, match="scope"):
        audience(city.store, principal=city.workers[COMMUNITY_A1], scope=scope,
                 action="task.execute", catalog=city.catalog)  # fmt: skip
