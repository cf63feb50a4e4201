"""Jurisdiction: the nearest organization up the tree answers for a place, and follows moves."""

from __future__ import annotations

import pytest

from citykg.errors import NotFound
from citykg.geo import (
    PlaceScope,
    assign_jurisdiction,
    enter_address,
    gazetteer_from_graph,
    move_place,
    places_under_jurisdiction,
    responsible_organizations,
)
from citykg.graph import GraphStore
from tests.geo.conftest import EVERYWHERE

COMMUNITY_A, COMMUNITY_B = "110105001001", "110105001002"
COMPOUND = COMMUNITY_A + "0001"
DOOR = COMPOUND + "001010101"
STREET_OFFICE = "11110105MB0000001X"


def committee_of(store: GraphStore, community: str) -> str:
    query = (
        "MATCH (o:Organization)-[:HAS_JURISDICTION_OVER]->(:Community {placeCode: $c}) "
        "RETURN o.creditCode AS code"
    )
    return str(store.read(query, {"c": community})[0]["code"])


@pytest.fixture
def street_office(city: GraphStore) -> str:
    city.write(
        "CREATE (:Organization:GovernmentDepartment {creditCode: $code, name: '建外街道办事处'})",
        {"code": STREET_OFFICE},
    )
    assign_jurisdiction(city, org=STREET_OFFICE, code="110105001", scope=EVERYWHERE, since="2020")
    return STREET_OFFICE


def test_the_communitys_committee_answers_for_its_doors(
    city: GraphStore, street_office: str
) -> None:
    found = responsible_organizations(city, code=DOOR, scope=EVERYWHERE)
    assert [j.credit_code for j in found.responsible] == [committee_of(city, COMMUNITY_A)]
    assert found.responsible[0].place_code == COMMUNITY_A
    # the chain above: the street office over the street
    assert [j.place_code for j in found.chain] == [COMMUNITY_A, "110105001"]
    street = responsible_organizations(city, code="110105001", scope=EVERYWHERE)
    assert [j.credit_code for j in street.responsible] == [street_office]


def test_a_new_compound_is_the_committees_with_no_other_step(city: GraphStore) -> None:
    entry = enter_address(
        city, address="北京市朝阳区建外街道建外第2社区新建小区8号楼1单元101",
        gazetteer=gazetteer_from_graph(city), scope=EVERYWHERE, create=True, author="网格员",
    )  # fmt: skip
    assert entry.place is not None and entry.place.level == 9
    found = responsible_organizations(city, code=entry.place.code, scope=EVERYWHERE)
    assert [j.credit_code for j in found.responsible] == [committee_of(city, COMMUNITY_B)]


def test_moving_a_compound_moves_its_jurisdiction(city: GraphStore) -> None:
    before = responsible_organizations(city, code=DOOR, scope=EVERYWHERE).responsible
    change = move_place(city, code=COMPOUND, to=COMMUNITY_B, author="网格员", scope=EVERYWHERE)
    after = responsible_organizations(city, code=DOOR, scope=EVERYWHERE)  # the old code resolves
    assert after.place_code == change.new_code + DOOR[len(COMPOUND) :]
    assert [j.credit_code for j in before] == [committee_of(city, COMMUNITY_A)]
    assert [j.credit_code for j in after.responsible] == [committee_of(city, COMMUNITY_B)]
    places = places_under_jurisdiction(
        city, org=committee_of(city, COMMUNITY_A), scope=EVERYWHERE, level=9
    )
    assert places.total == 0  # community A has no doors left


def test_places_under_an_organizations_jurisdiction(city: GraphStore, street_office: str) -> None:
    committee = committee_of(city, COMMUNITY_A)
    doors = places_under_jurisdiction(city, org=committee, scope=EVERYWHERE, level=9)
    assert doors.total == 16
    assert all(p.code.startswith(COMMUNITY_A) for p in doors.items)
    everything = places_under_jurisdiction(city, org=street_office, scope=EVERYWHERE)
    own = places_under_jurisdiction(city, org=street_office, scope=EVERYWHERE, nearest_only=True)
    assert everything.total > own.total
    assert not any(p.code.startswith(COMMUNITY_A) for p in own.items)
    limited = places_under_jurisdiction(city, org=street_office, scope=EVERYWHERE, limit=5)
    assert len(limited.items) == 5 and limited.total == everything.total


def test_scope_hides_what_the_caller_may_not_see(city: GraphStore) -> None:
    only_b = PlaceScope.within(COMMUNITY_B)
    with pytest.raises(NotFound):
        responsible_organizations(city, code=DOOR, scope=only_b)
    committee = committee_of(city, COMMUNITY_A)
    assert places_under_jurisdiction(city, org=committee, scope=only_b).total == 0
    with pytest.raises(NotFound):
        places_under_jurisdiction(city, org="no-such-org", scope=EVERYWHERE)
