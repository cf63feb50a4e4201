"""Notifications against the real engine: the notification half of issue 14's acceptance."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from citykg.access import Principal
from citykg.errors import Forbidden, GraphUnavailable, ValidationFailed
from citykg.notifications import (
    LogFile,
    NotificationSpec,
    OutboundMessage,
    Text,
    failures,
    flush,
    inbox,
    mark,
    notification_view,
    registry,
    resend,
    rollup,
    send,
    unread,
)
from citykg.notifications import queries as nq
from citykg.tasks.models import LevelName
from tests.controls.scenario import count_nodes
from tests.notifications.conftest import fullest_building, living_under, resident
from tests.tasks.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, TaskCity

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEVELS: tuple[LevelName, ...] = (
    "district",
    "street",
    "community",
    "compound",
    "building",
    "unit",
    "door",
)
MOVE = (
    "MATCH (p:Person {idNumber: $person})-[r:RESIDES_IN]->() WHERE r.until IS NULL "
    "SET r.until = '2026-11-01' WITH p MATCH (d:Door) WHERE d.placeCode STARTS WITH $to "
    "WITH p, d ORDER BY d.placeCode LIMIT 1 "
    "CREATE (p)-[:RESIDES_IN {since: '2026-11-01', residenceType: '1'}]->(d)"
)
DELIVERED_TO = "MATCH (d:Delivery {notification: $id}) RETURN d.person AS person ORDER BY person"


def notice(*scope: str, **changes: Any) -> NotificationSpec:
    values: dict[str, Any] = {
        "title": Text(zh="停水通知", en="Water cut"),
        "body": Text(zh="明日9时至12时停水。"),
        "scope": scope,
    }
    values.update(changes)  # fmt: skip
    return NotificationSpec.model_validate(values)


class FailsFor:
    """An SMS gateway that refuses one number: the channel that must lose nothing."""

    name = "sms"

    def __init__(self, person: str) -> None:
        self.person = person
        self.sent: list[str] = []

    def send(self, message: OutboundMessage) -> None:
        if message.person == self.person:
            raise ConnectionError("gateway refused the number")
        self.sent.append(message.person)


def test_a_notice_to_one_building_reaches_exactly_its_current_residents(
    notified: TaskCity,
) -> None:
    store = notified.store
    building = fullest_building(notified, COMMUNITY_A1)
    moved = living_under(notified, building)[0]
    store.write(MOVE, {"person": moved, "to": COMMUNITY_A2})
    worker = notified.workers[COMMUNITY_A1]
    result = send(store, catalog=notified.catalog, principal=worker, spec=notice(building), at=T0)
    expected = living_under(notified, building)
    got = [r["person"] for r in store.read(DELIVERED_TO, {"id": result.notification})]
    assert got == expected and result.delivered == result.recipients == len(expected) > 0
    assert moved not in got
    mine = inbox(store, principal=resident(expected[0]), now=T0)
    assert [m.notification for m in mine.messages] == [result.notification]
    assert inbox(store, principal=resident(expected[0]), since=mine.next, now=T0).messages == []
    assert inbox(store, principal=resident(moved), now=T0).messages == []


def test_read_and_unread_add_up_at_every_level(notified: TaskCity) -> None:
    store = notified.store
    result = send(store, catalog=notified.catalog, principal=notified.street_a,
                  spec=notice(STREET_A, must_confirm=True), at=T0)  # fmt: skip
    people = living_under(notified, STREET_A)
    for n, person in enumerate(people):
        if n % 3:
            mark(store, principal=resident(person), notification_id=result.notification,
                 confirm=n % 2 == 0, at=T0 + timedelta(minutes=n))  # fmt: skip
    direct = store.read(nq.DIRECT_COUNTS, {"id": result.notification})
    for level in LEVELS:
        view = rollup(store, principal=notified.street_a, notification_id=result.notification,
                      level=level)  # fmt: skip
        assert (view.delivered, view.read + view.unread) == (len(people), len(people))
        for place in view.places:
            assert place.read + place.unread == place.delivered
            rows = [r for r in direct if str(r["place"]).startswith(place.place)]
            assert place.delivered == sum(int(r["delivered"]) for r in rows)
            assert place.read == sum(int(r["read"]) for r in rows)
    total = notification_view(store, principal=notified.street_a,
                              notification_id=result.notification)  # fmt: skip
    assert total.read == sum(1 for n in range(len(people)) if n % 3)
    assert total.confirmed == sum(1 for n in range(len(people)) if n % 3 and n % 2 == 0)
    worker = notified.workers[COMMUNITY_A1]
    own = rollup(store, principal=worker, notification_id=result.notification, level="community")
    assert [p.place for p in own.places] == [COMMUNITY_A1]


def test_a_resend_reaches_only_those_who_have_not_read(notified: TaskCity, tmp_path: Path) -> None:
    store = notified.store
    log = tmp_path / "outbound.jsonl"
    worker = notified.workers[COMMUNITY_A1]
    result = send(store, catalog=notified.catalog, principal=worker,
                  spec=notice(COMMUNITY_A1, outbound=("log",)), at=T0)  # fmt: skip
    assert flush(store, outbound=registry(LogFile(log)), at=T0).sent == result.recipients
    people = living_under(notified, COMMUNITY_A1)
    readers = set(people[::2])
    for person in readers:
        mark(store, principal=resident(person), notification_id=result.notification, at=T0)
    again = resend(store, principal=worker, notification_id=result.notification,
                   at=T0 + timedelta(hours=1))  # fmt: skip
    assert (again.attempt, again.reached) == (2, len(people) - len(readers))
    flush(store, outbound=registry(LogFile(log)), at=T0 + timedelta(hours=1))
    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    second = {line["person"] for line in lines if line["attempt"] == 2}
    assert second == set(people) - readers
    listed = unread(store, principal=worker, notification_id=result.notification)
    assert len(listed) == again.reached and all(u.attempt == 2 for u in listed)
    assert all(u.person.endswith("*" * 16) for u in listed)
    message = inbox(store, principal=resident(sorted(second)[0]), now=T0).messages[0]
    assert message.attempt == 2


def test_sending_again_with_the_same_key_delivers_nothing_new(notified: TaskCity) -> None:
    store = notified.store
    worker = notified.workers[COMMUNITY_A1]
    spec = notice(COMMUNITY_A1, idempotency_key="water-2026-11-02")
    first = send(store, catalog=notified.catalog, principal=worker, spec=spec, at=T0)
    nodes = count_nodes(store)
    again = send(store, catalog=notified.catalog, principal=worker, spec=spec, at=T0)
    assert (again.notification, again.replayed, again.delivered) == (first.notification, True, 0)
    assert again.recipients == first.recipients and count_nodes(store) == nodes


def test_a_failing_channel_loses_nothing_and_names_the_recipient(notified: TaskCity) -> None:
    store = notified.store
    worker = notified.workers[COMMUNITY_A1]
    people = living_under(notified, COMMUNITY_A1)
    gateway = FailsFor(people[0])
    result = send(store, catalog=notified.catalog, principal=worker,
                  spec=notice(COMMUNITY_A1, outbound=("sms",)), at=T0)  # fmt: skip
    report = flush(store, outbound=registry(gateway), at=T0, max_tries=2)
    assert (report.sent, report.retrying, report.failed) == (len(people) - 1, 1, 0)
    assert report.failures[0].person == people[0][:2] + "*" * 16
    assert "gateway refused" in report.failures[0].error
    assert flush(store, outbound=registry(gateway), at=T0).sent == 0  # not due yet
    final = flush(store, outbound=registry(gateway), at=T0 + timedelta(hours=1), max_tries=2)
    assert (final.sent, final.failed) == (0, 1)
    assert sorted(gateway.sent) == sorted(people[1:])  # the graph orders sealed IDs its way
    (failed,) = failures(store, principal=worker, notification_id=result.notification)
    assert (failed.channel, failed.tries, failed.final) == ("sms", 2, True)


def test_a_send_cut_short_completes_when_sent_again_and_delivers_once(
    notified: TaskCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine goes away after the first community's deliveries: the same key sent again
    looks each delivery up and writes only the missing ones."""
    store = notified.store
    spec = notice(STREET_A, idempotency_key="cut-short")
    write, deliveries = store.write, []

    def going_away(query: Any, params: Any = None) -> Any:
        if "CREATE (d:Delivery" in query:
            deliveries.append(query)
            if len(deliveries) == 2:
                raise GraphUnavailable("the FalkorDB server did not answer")
        return write(query, params)

    monkeypatch.setattr(store, "write", going_away)
    with pytest.raises(GraphUnavailable):
        send(store, catalog=notified.catalog, principal=notified.street_a, spec=spec, at=T0)
    monkeypatch.undo()
    done = send(store, catalog=notified.catalog, principal=notified.street_a, spec=spec, at=T0)
    people = living_under(notified, STREET_A)
    got = [r["person"] for r in store.read(DELIVERED_TO, {"id": done.notification})]
    assert got == people and done.recipients == len(people)
    assert 0 < done.delivered < len(people) and not done.replayed
    view = notification_view(store, principal=notified.street_a,
                             notification_id=done.notification)  # fmt: skip
    assert view.delivered == len(people)


def official_elsewhere(city: TaskCity) -> Principal:
    return city.workers[COMMUNITY_A2]


@pytest.mark.parametrize(
    ("who", "changes", "error", "field"),
    [
        ("worker", {"scope": (COMMUNITY_A2,)}, Forbidden, "scope"),
        ("worker", {"scope": (STREET_A,)}, Forbidden, "scope"),
        ("resident", {}, Forbidden, "notification"),
        ("worker", {"scope": (COMMUNITY_A1 + "9999",)}, ValidationFailed, "scope"),
        ("worker", {"filters": ("age:gte:150",)}, ValidationFailed, "scope"),
        ("worker", {"filters": ("age:often:2",)}, ValidationFailed, "filters"),
        ("worker", {"scope": ()}, ValidationFailed, "scope"),
    ],
)
def test_a_bad_notice_is_refused_naming_the_field_and_nothing_is_written(
    notified: TaskCity, who: str, changes: dict[str, Any], error: type[Exception], field: str
) -> None:
    store = notified.store
    caller = (resident(living_under(notified, COMMUNITY_A1)[0]) if who == "resident"
              else notified.workers[COMMUNITY_A1])  # fmt: skip
    values: dict[str, Any] = {"scope": (COMMUNITY_A1,), **changes}
    before = count_nodes(store)
    with pytest.raises(error, match=field):
        send(store, catalog=notified.catalog, principal=caller,
             spec=notice(*values.pop("scope"), **values))  # fmt: skip
    assert count_nodes(store) == before


SECOND_HOME = (
    "MATCH (p:Person {idNumber: $person}) MATCH (d:Door) WHERE d.placeCode STARTS WITH $to "
    "WITH p, d ORDER BY d.placeCode LIMIT 1 "
    "CREATE (p)-[:RESIDES_IN {since: '2026-11-01', residenceType: '2'}]->(d)"
)


def test_a_resident_with_homes_in_two_communities_is_reached_once(notified: TaskCity) -> None:
    """A street-wide notice is written one community at a time; a person living in two of
    them now gets one delivery, and the send does not stop at the second."""
    store = notified.store
    person = living_under(notified, COMMUNITY_A1)[0]
    store.write(SECOND_HOME, {"person": person, "to": COMMUNITY_A2})
    result = send(store, catalog=notified.catalog, principal=notified.street_a,
                  spec=notice(STREET_A), at=T0)  # fmt: skip
    got = [r["person"] for r in store.read(DELIVERED_TO, {"id": result.notification})]
    assert got.count(person) == 1 and len(got) == len(set(got)) == len(
        living_under(notified, STREET_A)
    )
    assert result.delivered == result.recipients == len(got)
