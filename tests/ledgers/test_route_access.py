"""Route access by construction: every route has a rule, the guard applies it, and
``access explain`` answers for a route, a principal and an entity."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from citykg.access import Principal
from citykg.access.explain import explain_route
from citykg.access.policy import route_decision
from citykg.access.rules import RouteRule
from citykg.api.app import create_app
from citykg.api.guard import check_declared, declared_routes
from citykg.errors import ConfigError
from citykg.ledgers import Catalog
from citykg.settings import Settings
from tests.ledgers.city import SUN, WANG, City


def test_a_route_without_a_rule_stops_the_app() -> None:
    app = FastAPI()
    extra = APIRouter()
    extra.add_api_route("/secret-things", lambda: {}, methods=["GET"])
    app.include_router(extra)
    with pytest.raises(ConfigError, match="GET /secret-things"):
        check_declared(app)


def test_every_route_of_the_api_is_declared() -> None:
    routes = declared_routes(create_app(Settings()))
    assert "GET /ledgers/{type}/{key}" in routes and "GET /terms/{term}/forms" in routes


def test_the_guard_answers_401_without_a_token_and_403_without_the_action(
    client: TestClient, city: City
) -> None:
    assert client.get("/ledgers/Person").status_code == 401
    assert client.get("/health").status_code == 200
    refused = client.get("/ledgers/Person", headers=city.headers("resident"))
    assert refused.status_code == 403 and "ledger.read" in refused.json()["detail"]
    assert client.post("/cypher", json={"query": "RETURN 1"},
                       headers=city.headers("worker1")).status_code == 403  # fmt: skip


def test_route_decisions_say_why() -> None:
    rule = RouteRule(action="ledger.read", residents=True, reach="jurisdiction")
    assert not route_decision(None, rule).admitted
    assert route_decision(None, RouteRule(public=True, reach="none")).admitted


STEWARD = Principal(id="s", kind="steward", name="管理员", roles=frozenset({"steward"}))


def test_explain_answers_for_a_route_a_principal_and_an_entity(
    city: City, catalog: Catalog
) -> None:
    steward = STEWARD
    route = "GET /ledgers/{type}/{key}"
    own = explain_route(city.store, explainer=steward, route=route, principal_id="resident",
                        catalog=catalog, entity=("Person", WANG))  # fmt: skip
    assert own.admitted and own.entity_in_reach and own.household >= 1
    other = explain_route(city.store, explainer=steward, route=route, principal_id="worker1",
                          catalog=catalog, entity=("Person", WANG))  # fmt: skip
    mine = explain_route(city.store, explainer=steward, route=route, principal_id="worker1",
                         catalog=catalog, entity=("Person", SUN))  # fmt: skip
    assert other.admitted and mine.admitted
    assert {other.entity_in_reach, mine.entity_in_reach} == {True, False}
    assert WANG not in other.model_dump_json()
    cypher = explain_route(city.store, explainer=steward, route="POST /cypher",
                           principal_id="worker1", catalog=catalog)  # fmt: skip
    assert not cypher.admitted and cypher.why["en"] == "needs cypher.run"
