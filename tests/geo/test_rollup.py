"""Roll-ups: counts of persons, things, events by community/street/district for any subtree."""

from __future__ import annotations

import pytest

from citykg.errors import NotFound, ValidationFailed
from citykg.geo import PlaceScope, entities_under, parse_level, rollup
from citykg.graph import GraphStore
from tests.geo.conftest import EVERYWHERE

COMMUNITIES = ["110105001001", "110105001002", "110105002001", "110105002002"]


def residents_in(store: GraphStore, prefix: str) -> int:
    query = (
        "MATCH (p:Person)-[r:RESIDES_IN]->(d:Door) WHERE d.placeCode STARTS WITH $p "
        "AND r.until IS NULL RETURN count(DISTINCT p) AS n"
    )
    return int(store.read(query, {"p": prefix})[0]["n"])


def test_persons_roll_up_by_community_for_a_district(city: GraphStore) -> None:
    result = rollup(city, code="110105", scope=EVERYWHERE, entity="Person", level=5)
    assert result.total == residents_in(city, "110105") > 0
    counts = {b.code: b.count for b in result.buckets}
    communities = city.read("MATCH (c:Community) RETURN count(c) AS n")[0]["n"]
    assert len(counts) == communities >= 768  # every community, with 0 where nobody lives
    for community in COMMUNITIES:
        assert counts[community] == residents_in(city, community)
    assert sum(counts.values()) == result.total


def test_default_level_is_the_one_below(city: GraphStore) -> None:
    by_street = rollup(city, code="110105", scope=EVERYWHERE)
    assert by_street.level == 4
    assert {b.code: b.count for b in by_street.buckets if b.count} == {
        "110105001": residents_in(city, "110105001"),
        "110105002": residents_in(city, "110105002"),
    }


def test_past_residences_count_only_when_asked(city: GraphStore) -> None:
    before = rollup(city, code="110105001", scope=EVERYWHERE).total
    city.write(
        "MATCH (p:Person)-[r:RESIDES_IN]->(d:Door) WHERE d.placeCode STARTS WITH '110105001001' "
        "WITH p, r LIMIT 1 SET r.until = '2025-01-01'"
    )
    assert rollup(city, code="110105001", scope=EVERYWHERE).total == before - 1
    assert rollup(city, code="110105001", scope=EVERYWHERE, include_past=True).total == before


def test_things_and_events_roll_up_through_their_own_relationships(city: GraphStore) -> None:
    city.write(
        "MATCH (d:Door) WHERE d.placeCode STARTS WITH '110105002001' WITH d LIMIT 3 "
        "CREATE (:Thing:FireHydrant {thingCode: 'T-' + d.placeCode})-[:INSTALLED_AT]->(d)"
    )
    city.write(
        "MATCH (s:Subdistrict {placeCode: '110105002'}) "
        "CREATE (:Event {eventCode: 'E1'})-[:OCCURRED_AT]->(s)"
    )
    things = rollup(city, code="110105002", scope=EVERYWHERE, entity="Thing", level=5)
    assert {b.code: b.count for b in things.buckets if b.count} == {"110105002001": 3}
    hydrants = rollup(city, code="110105", scope=EVERYWHERE, entity="FireHydrant")
    assert hydrants.total == 3
    events = rollup(city, code="110105002", scope=EVERYWHERE, entity="Event", level=5)
    assert events.total == 1 and events.direct == 1  # at the street itself, above communities


def test_all_persons_under_a_district(city: GraphStore) -> None:
    page = entities_under(city, code="110105", scope=EVERYWHERE, entity="Person", limit=10)
    assert page.total == residents_in(city, "110105")
    assert len(page.items) == 10
    assert all(row.place.startswith("110105") and row.key for row in page.items)


def test_scope_limits_the_counts(city: GraphStore) -> None:
    scope = PlaceScope.within("110105001001", "110105002")
    street = rollup(city, code="110105002", scope=scope, level=5)
    assert street.total == residents_in(city, "110105002")
    assert rollup(city, code="110105001001", scope=scope).total == residents_in(
        city, "110105001001"
    )
    with pytest.raises(NotFound):  # the district as a whole is not the caller's to see
        rollup(city, code="110105", scope=scope)


def test_bad_roll_up_requests_name_the_field(city: GraphStore) -> None:
    with pytest.raises(ValidationFailed) as raised:
        rollup(city, code="110105", scope=EVERYWHERE, level=3)
    assert raised.value.violations[0].path == "level"
    with pytest.raises(ValidationFailed) as raised:
        rollup(city, code="110105", scope=EVERYWHERE, entity="Person) DETACH DELETE (x")
    assert raised.value.violations[0].path == "type"
    with pytest.raises(ValidationFailed):
        parse_level("planet")
    assert parse_level("community") == 5 and parse_level("4") == 4
