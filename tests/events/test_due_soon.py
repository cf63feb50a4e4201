"""The console's home alert, "cases overdue or due within a day", counted through the deadline
index equals the count over each queue's open cases, for every official who handles events."""

from __future__ import annotations

from datetime import datetime, timedelta

from citykg import events
from citykg.access import Principal
from citykg.errors import Forbidden
from citykg.events import Action, Report
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
