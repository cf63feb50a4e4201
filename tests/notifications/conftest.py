"""Notification fixtures: the tasks' city (workers of each community, street and district
officials) with the notification indexes in place."""

from __future__ import annotations

import pytest

from citykg.access import Principal
from citykg.notifications import ensure_notifications_schema
from tests.tasks.conftest import TaskCity
from tests.tasks.conftest import city as city
from tests.tasks.conftest import ontology as ontology

LIVING_UNDER = (
    "MATCH (p:Person)-[r:RESIDES_IN]->(d:Place) WHERE r.until IS NULL "
    "AND d.placeCode STARTS WITH $code RETURN DISTINCT p.idNumber AS person ORDER BY person"
)
BUILDINGS = (
    "MATCH (p:Person)-[r:RESIDES_IN]->(d:Door) WHERE r.until IS NULL "
    "AND d.placeCode STARTS WITH $code "
    "WITH substring(d.placeCode, 0, 19) AS building, count(DISTINCT p) AS n "
    "RETURN building, n ORDER BY n DESC, building"
)


@pytest.fixture
def notified(city: TaskCity) -> TaskCity:
    ensure_notifications_schema(city.store)
    return city


def living_under(city: TaskCity, code: str) -> list[str]:
    """The persons living under ``code`` now: the direct count a notice is held to."""
    return [r["person"] for r in city.store.read(LIVING_UNDER, {"code": code})]


def fullest_building(city: TaskCity, code: str) -> str:
    return str(city.store.read(BUILDINGS, {"code": code})[0]["building"])


def resident(person: str) -> Principal:
    return Principal(id=f"r-{person}", kind="resident", name="居民", person=person)
