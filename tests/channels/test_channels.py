"""Service channels against the real engine: the channel half of issue 14's acceptance list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from citykg.channels import (
    ChannelSpec,
    RequestIn,
    Text,
    act_on_request,
    change_channel,
    channel_stats,
    create_channel,
    my_requests,
    offered,
    queue,
    request_service,
)
from citykg.errors import Forbidden, NotFound, ValidationFailed
from tests.channels.conftest import resident, residents_of
from tests.controls.scenario import count_nodes
from tests.tasks.conftest import COMMUNITY_A1, COMMUNITY_A2, DISTRICT, STREET_A, TaskCity

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MOVE = (
    "MATCH (p:Person {idNumber: $person})-[r:RESIDES_IN]->() WHERE r.until IS NULL "
    "SET r.until = '2026-11-03' WITH p MATCH (d:Door {placeCode: $door}) "
    "CREATE (p)-[:RESIDES_IN {since: '2026-11-03', residenceType: '1'}]->(d)"
)
PHONE = "MATCH (p:Person {idNumber: $person}) RETURN p.mobilePhone AS phone"
PROVENANCE = (
    "MATCH (p:Person {idNumber: $person})-[:ASSERTED_BY]->(s:Submission) "
    "RETURN s.channel AS channel"
)


def spec(place: str, **changes: Any) -> ChannelSpec:
    values: dict[str, Any] = {
        "title": Text(zh="居住证明", en="Proof of residence"),
        "form": "resident-service",
        "places": (place,),
        "roles": ("SQ05",),
    }
    values.update(changes)  # fmt: skip
    return ChannelSpec.model_validate(values)


def answers(city: TaskCity, person: str, phone: str = "13912345678") -> RequestIn:
    name = city.store.read("MATCH (p:Person {idNumber: $p}) RETURN p.name AS n", {"p": person})
    return RequestIn(answers={"id_number": person, "name": name[0]["n"], "mobile_phone": phone})


def test_a_resident_who_moves_sees_the_new_communitys_channels_only(served: TaskCity) -> None:
    store, catalog = served.store, served.catalog
    own = create_channel(store, catalog=catalog, principal=served.street_a,
                         spec=spec(COMMUNITY_A1), at=T0)  # fmt: skip
    other = create_channel(store, catalog=catalog, principal=served.street_a,
                           spec=spec(COMMUNITY_A2), at=T0)  # fmt: skip
    district = create_channel(store, catalog=catalog, principal=served.district,
                              spec=spec(DISTRICT), at=T0)  # fmt: skip
    person, _door = residents_of(served, COMMUNITY_A1)[0]
    _other_person, new_door = residents_of(served, COMMUNITY_A2)[0]
    who = resident(person)
    before = {o.channel.id for o in offered(store, catalog=catalog, principal=who)}
    assert before == {own.id, district.id}
    store.write(MOVE, {"person": person, "door": new_door})
    after = {o.channel.id for o in offered(store, catalog=catalog, principal=who)}
    assert after == {other.id, district.id}


def test_a_request_goes_to_the_handling_post_and_back_with_a_reply(served: TaskCity) -> None:
    store, catalog = served.store, served.catalog
    channel = create_channel(store, catalog=catalog, principal=served.street_a,
                             spec=spec(STREET_A), at=T0)  # fmt: skip
    person, door = residents_of(served, COMMUNITY_A1)[0]
    who = resident(person)
    filed = request_service(store, ontology=served.ontology, catalog=catalog, principal=who,
                            channel_id=channel.id, body=answers(served, person),
                            at=T0 + timedelta(hours=1))  # fmt: skip
    assert (filed.state, filed.status, filed.place) == ("received", "00", door)
    assert (filed.organization, filed.role) == (served.committees[COMMUNITY_A1], "SQ05")
    handler = served.workers[COMMUNITY_A1]
    assert [r.id for r in queue(store, principal=handler)] == [filed.id]
    assert queue(store, principal=served.workers[COMMUNITY_A2]) == []
    with pytest.raises(NotFound):
        act_on_request(store, principal=served.workers[COMMUNITY_A2], request_id=filed.id,
                       event="accept")  # fmt: skip
    act_on_request(store, principal=handler, request_id=filed.id, event="accept",
                   at=T0 + timedelta(hours=2))  # fmt: skip
    act_on_request(store, principal=handler, request_id=filed.id, event="reply",
                   text="材料已收到", at=T0 + timedelta(hours=3))  # fmt: skip
    act_on_request(store, principal=handler, request_id=filed.id, event="finish",
                   text="证明已开具，请到社区领取", at=T0 + timedelta(hours=5))  # fmt: skip
    (seen,) = my_requests(store, principal=who)
    assert (seen.state, seen.status) == ("done", "06")
    assert [r.text for r in seen.replies] == ["材料已收到", "证明已开具，请到社区领取"]
    assert store.read(PHONE, {"person": person})[0]["phone"] == "13912345678"
    assert {r["channel"] for r in store.read(PROVENANCE, {"person": person})} == {channel.id}
    stats = channel_stats(store, principal=served.street_a, channel_id=channel.id)
    assert stats.counts["done"] == 1 and stats.by_place[0].place == COMMUNITY_A1
    assert (stats.first_reply_median_hours, stats.done_median_hours) == (2.0, 4.0)


def test_a_channel_without_review_accepts_on_arrival_and_a_condition_narrows_it(
    served: TaskCity,
) -> None:
    store, catalog = served.store, served.catalog
    elderly = create_channel(store, catalog=catalog, principal=served.street_a,
                             spec=spec(STREET_A, conditions=("age:gte:60",), review=False),
                             at=T0)  # fmt: skip
    ages = store.read("MATCH (p:Person {idNumber: $p}) RETURN p.birthDate AS born",
                      {"p": residents_of(served, STREET_A)[0][0]})  # fmt: skip
    assert ages
    for person, _door in residents_of(served, STREET_A):
        born = store.read("MATCH (p:Person {idNumber: $p}) RETURN p.birthDate AS b",
                          {"p": person})[0]["b"]  # fmt: skip
        seen = {o.channel.id for o in offered(store, catalog=catalog, principal=resident(person))}
        assert (elderly.id in seen) == (born <= "1966-11-02"), (person, born)
        if elderly.id in seen:
            filed = request_service(store, ontology=served.ontology, catalog=catalog,
                                    principal=resident(person), channel_id=elderly.id,
                                    body=answers(served, person), at=T0)  # fmt: skip
            assert filed.state == "accepted"


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"places": ("110105001999",)}, ValidationFailed, "places"),
        ({"places": ("110105002",)}, Forbidden, "places"),
        ({"form": "nope"}, ValidationFailed, "form"),
        ({"conditions": ("age:sometimes:3",)}, ValidationFailed, "conditions"),
        ({"departments": ("91110105MA01ABCD5F",)}, ValidationFailed, "departments"),
    ],
)
def test_a_bad_channel_is_refused_naming_the_field_and_nothing_is_written(
    served: TaskCity, changes: dict[str, Any], error: type[Exception], field: str
) -> None:
    before = count_nodes(served.store)
    with pytest.raises(error, match=field):
        create_channel(served.store, catalog=served.catalog, principal=served.street_a,
                       spec=spec(STREET_A, **changes))  # fmt: skip
    assert count_nodes(served.store) == before


def test_a_request_to_a_closed_channel_or_beyond_its_limit_writes_nothing(
    served: TaskCity,
) -> None:
    store, catalog = served.store, served.catalog
    once = create_channel(store, catalog=catalog, principal=served.street_a,
                          spec=spec(STREET_A, limit="once"), at=T0)  # fmt: skip
    person, _door = residents_of(served, COMMUNITY_A1)[0]
    who = resident(person)
    kwargs: dict[str, Any] = {"ontology": served.ontology, "catalog": catalog, "principal": who,
                              "channel_id": once.id}  # fmt: skip
    request_service(store, body=answers(served, person), at=T0, **kwargs)
    assert offered(store, catalog=catalog, principal=who)[0].remaining == 0
    before = count_nodes(store)
    with pytest.raises(ValidationFailed, match="limit"):
        request_service(store, body=answers(served, person, "13700000000"), at=T0, **kwargs)
    change_channel(store, catalog=catalog, principal=served.street_a, channel_id=once.id,
                   event="close", at=T0)  # fmt: skip
    closed = count_nodes(store)
    with pytest.raises(ValidationFailed, match="channel"):
        request_service(store, body=answers(served, person, "13700000000"), at=T0, **kwargs)
    assert count_nodes(store) == closed == before + 1  # the close's transition fact only
    assert store.read(PHONE, {"person": person})[0]["phone"] == "13912345678"
