"""Reading a queue through the time indexes gives what reading every case gives: the console's
home alert ("overdue or due within a day", through the deadline index) equals the count over each
queue's open cases, and a page read from the last days' cases equals the page of all of them."""

from __future__ import annotations

from datetime import datetime, timedelta

from citykg import events
from citykg.access import Principal
from citykg.access.policy import event_queue_reach
from citykg.errors import Forbidden
from citykg.events import Action, Report, queries
from citykg.web.events import DUE_SOON, OPEN_STATES
from tests.events.conftest import T0, EventCity


def counted_from_the_queue(city: EventCity, who: Principal, now: datetime) -> int:
    views = events.queue(city.store, who, now=now, states=OPEN_STATES, limit=500)
    soon = now + DUE_SOON
    return sum(
        1
        for v in views
        if v.overdue or (v.stage_due is not None and datetime.fromisoformat(v.stage_due) <= soon)
    )


def test_the_alert_counts_what_the_queues_hold(city: EventCity) -> None:
    start = T0 + timedelta(days=200)
    cases = [
        events.report(
            city.store,
            ontology=city.ontology,
            principal=city.residents[i % 2],
            report=Report(
                description=f"小区门口垃圾没人清理，第{i}次反映",
                place=city.doors[i % 2],
                source="resident",
            ),
            at=start + timedelta(days=i),
        ).event
        for i in range(4)
    ]
    # dispatched a day late (flagged overdue), then signed: its deadline is days ahead again
    at = start + timedelta(days=5)
    dispatched = events.act(city.store, principal=city.centre, event_id=cases[3].id,
                            action=Action(event="dispatch"), at=at)  # fmt: skip
    handlers = (city.street, city.other_street, city.district_head, city.community)
    handler = next(w for w in handlers if w.posts[0].organization == dispatched.department)
    late = events.act(city.store, principal=handler, event_id=cases[3].id,
                      action=Action(event="sign"), at=at)  # fmt: skip
    assert late.state == "handling" and late.overdue and late.stage_due is not None
    assert datetime.fromisoformat(late.stage_due) > start + timedelta(days=7)
    now = start + timedelta(days=5, hours=1)
    officials = (city.centre, city.district_head, city.street, city.street_head,
                 city.other_street, city.community)  # fmt: skip
    counted = 0
    for who in officials:
        try:
            expected = counted_from_the_queue(city, who, now)
        except Forbidden:
            continue
        got = events.due_soon(city.store, who, now=now, within=DUE_SOON, states=OPEN_STATES,
                              limit=500)  # fmt: skip
        assert got == expected, who.id
        counted += 1
    assert counted >= 2
    assert events.due_soon(city.store, city.centre, now=now, within=DUE_SOON,
                           states=OPEN_STATES, limit=2) == 2  # fmt: skip


def test_a_queue_page_read_from_recent_days_is_the_page_of_all_cases(city: EventCity) -> None:
    start = T0 + timedelta(days=400)
    for i in range(5):  # a report every 10 days: the last days hold one, older pages need more
        report = Report(description=f"楼道灯坏了，第{i}次反映", place=city.doors[0])
        events.report(city.store, ontology=city.ontology, principal=city.residents[0],
                      report=report, at=start + timedelta(days=10 * i))  # fmt: skip
    now = start + timedelta(days=41)
    orgs, reach = event_queue_reach(city.centre)
    for skip, limit in ((0, 1), (0, 2), (1, 3), (3, 3), (0, 500), (6, 4)):
        page = events.queue(city.store, city.centre, now=now, skip=skip, limit=limit)
        every = city.store.read(queries.LIST, {
            "states": [], "orgs": list(orgs), "overdueOnly": False, "skip": skip, "limit": limit,
            "now": int(now.timestamp() * 1000), **reach.scope.params()})  # fmt: skip
        assert [v.id for v in page] == [r["event"]["id"] for r in every], (skip, limit)
        assert page or skip > 0
