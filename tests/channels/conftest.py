"""Channel fixtures: the tasks' city (a district, street offices, committees with workers),
the service form, and residents of the fixture who act through it."""

from __future__ import annotations

import pytest

from citykg.access import Principal
from citykg.channels import ensure_channels_schema
from citykg.channels.demo import save_service_form
from tests.tasks.conftest import TaskCity
from tests.tasks.conftest import city as city
from tests.tasks.conftest import ontology as ontology

RESIDENTS_OF = (
    "MATCH (p:Person)-[r:RESIDES_IN]->(d:Door) WHERE r.until IS NULL "
    "AND d.placeCode STARTS WITH $code AND NOT (p)-[:HOLDS_POST_IN]->() "
    "RETURN p.idNumber AS person, d.placeCode AS door ORDER BY person"
)


@pytest.fixture
def served(city: TaskCity) -> TaskCity:
    """The city with the service form saved and the channel indexes in place."""
    ensure_channels_schema(city.store)
    save_service_form(city.store, ontology=city.ontology)
    return city


def residents_of(city: TaskCity, code: str) -> list[tuple[str, str]]:
    """(person, door) of the residents living under ``code`` now who hold no post."""
    return [(r["person"], r["door"]) for r in city.store.read(RESIDENTS_OF, {"code": code})]


def resident(person: str) -> Principal:
    return Principal(id=f"r-{person}", kind="resident", name="居民", person=person)
