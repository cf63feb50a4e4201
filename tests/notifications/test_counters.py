"""A fresh send creates its building counters outright only where no building lies under two
of its statements; doors of one building, each a statement of its own, share the counter."""

from __future__ import annotations

from datetime import UTC, datetime

from citykg.notifications import NotificationSpec, Text, send
from citykg.notifications import queries as nq
from tests.notifications.conftest import fullest_building, living_under
from tests.tasks.conftest import COMMUNITY_A1, TaskCity

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DOORS = (
    "MATCH (p:Person)-[r:RESIDES_IN]->(d:Door) WHERE r.until IS NULL "
    "AND d.placeCode STARTS WITH $code RETURN DISTINCT d.placeCode AS door ORDER BY door LIMIT 2"
)


def test_two_doors_of_one_building_keep_one_counter_that_adds_up(notified: TaskCity) -> None:
    store = notified.store
    building = fullest_building(notified, COMMUNITY_A1)
    doors = [str(r["door"]) for r in store.read(DOORS, {"code": building})]
    assert len(doors) == 2
    spec = NotificationSpec(
        title=Text(zh="停电通知"), body=Text(zh="今晚检修。"), scope=tuple(doors)
    )
    result = send(store, catalog=notified.catalog, principal=notified.workers[COMMUNITY_A1],
                  spec=spec, at=T0)  # fmt: skip
    people = {p for door in doors for p in living_under(notified, door)}
    counters = store.read(nq.COUNTERS, {"id": result.notification, "scopeRoots": [building]})
    assert [(c["place"], c["delivered"]) for c in counters] == [(building, len(people))]
    assert result.delivered == result.recipients == len(people)
