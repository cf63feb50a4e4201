"""The demo city's events: taken by the real intake and moved by the posts' holders, in every
stage of the loop, with their transition facts; seeding twice adds nothing."""

from __future__ import annotations

from citykg.events.demo import seed_demo_events
from citykg.workflow import history
from tests.events.conftest import EventCity

STATES = "MATCH (e:Event) WHERE e.state IS NOT NULL RETURN e.state AS state, e.id AS id"


def test_demo_cases_cover_the_loop(city: EventCity) -> None:
    seeded = seed_demo_events(city.store, ontology=city.ontology)
    assert seeded >= 7
    rows = city.store.read(STATES)
    states = {r["state"] for r in rows}
    assert {"accepted", "dispatched", "handling", "replied", "rated", "merged"} <= states
    rated = next(r["id"] for r in rows if r["state"] == "rated")
    steps = [f["event"] for f in history(city.store, item=rated)]
    assert steps == ["report", "dispatch", "sign", "reply", "close", "visit", "rate"]
    assert seed_demo_events(city.store, ontology=city.ontology) == 0
    assert len(city.store.read(STATES)) == len(rows)
