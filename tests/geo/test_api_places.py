"""``/places``: a place by real and former code, children, roll-ups, parsing, address entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citykg.access import issue_token, save_principal
from citykg.api.app import create_app
from citykg.geo import move_place
from citykg.graph import GraphStore
from citykg.settings import Settings
from tests.geo.conftest import EVERYWHERE

DISTRICT_HEAD = "11010519700101003X"

OFFICIAL_OF_THE_DISTRICT = (
    "MATCH (d:Place {placeCode: '110105'}) "
    "CREATE (p:Person {idNumber: $id, name: '区长'}) "
    "CREATE (o:Organization {creditCode: 'TEST-DISTRICT-GOV', name: '朝阳区人民政府'}) "
    "CREATE (o)-[:HAS_JURISDICTION_OVER]->(d) "
    "CREATE (p)-[:HOLDS_POST_IN {role: 'JD02'}]->(o)"
)


def token_for(store: GraphStore, principal_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(store, principal_id=principal_id)}"}


@pytest.fixture
def client(city: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    """A client acting as an official with jurisdiction over the whole district."""
    city.write(OFFICIAL_OF_THE_DISTRICT, {"id": DISTRICT_HEAD})
    save_principal(city, id="head", kind="official", name="区长", person=DISTRICT_HEAD)
    save_principal(city, id="analyst", kind="analyst", name="分析员", roles=["analyst"])
    settings = Settings(graph=f"falkordb://{tmp_path}")
    with TestClient(create_app(settings, store=city), headers=token_for(city, "head")) as client:
        yield client


def test_a_real_place_by_code(client: TestClient) -> None:
    body = client.get("/places/110105026041").json()
    assert body["name"] == "花家地社区居委会"
    assert body["kind"] == "Community"
    assert body["parent"] == "110105026"
    assert [a["code"] for a in body["ancestors"]] == ["11", "1101", "110105", "110105026"]
    assert body["resolved_from"] is None


def test_a_former_code_answers_with_the_current_place(client: TestClient, city: GraphStore) -> None:
    change = move_place(
        city, code="1101050010010001", to="110105001002", author="api-test", scope=EVERYWHERE
    )
    body = client.get("/places/1101050010010001").json()
    assert body["code"] == change.new_code
    assert body["resolved_from"] == "1101050010010001"
    assert body["former_codes"] == ["1101050010010001"]


def test_unknown_and_malformed_codes_are_problems(client: TestClient) -> None:
    missing = client.get("/places/110105999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    malformed = client.get("/places/12x")
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "code"


def test_children_and_stats(client: TestClient) -> None:
    children = client.get("/places/110105/children", params={"limit": 5}).json()
    assert children["total"] == 43 and len(children["items"]) == 5
    assert children["items"][0] == {
        "code": "110105001", "name": "建外街道", "level": 4, "kind": "Subdistrict",
    }  # fmt: skip
    stats = client.get("/places/110105001/stats", params={"type": "Person"}).json()
    assert stats["level"] == 5 and stats["total"] > 0
    assert sum(b["count"] for b in stats["buckets"]) == stats["total"]
    by_name = client.get("/places/110105/stats", params={"type": "Person", "level": "street"})
    assert (
        by_name.json()["total"]
        == stats["total"] + client.get("/places/110105002/stats").json()["total"]
    )
    bad = client.get("/places/110105/stats", params={"level": "planet"})
    assert bad.status_code == 422


def test_an_analyst_gets_small_counts_withheld(client: TestClient, city: GraphStore) -> None:
    url, asked = "/places/110105001/stats", {"type": "Person", "level": "door"}
    exact = client.get(url, params=asked).json()  # the district head reads rows: exact
    small = {b["code"] for b in exact["buckets"] if 0 < b["count"] < 5}
    assert small and exact["suppressed_below"] is None
    counted = client.get(url, params=asked, headers=token_for(city, "analyst")).json()
    assert counted["suppressed_below"] == 5 and counted["perturbed"]
    true = {b["code"]: b["count"] for b in exact["buckets"]}
    shown = {b["code"]: b["count"] for b in counted["buckets"]}
    assert all(shown[code] is None for code in small if true[code] <= 2)
    assert all(n is None or (n >= 5 and abs(n - true[c]) <= 2) for c, n in shown.items())


def test_parse(client: TestClient) -> None:
    body = client.post(
        "/places/parse", json={"address": "北京朝阳望京街道花家地社区望京西园三区312栋2门1102室"}
    ).json()
    assert body["place_code"] == "110105026041"
    assert {m["key"]: m["code"] or m["name"] for m in body["levels"]}["door"] == "1102"
    assert client.post("/places/parse", json={"address": ""}).status_code == 422


def test_resolve_reports_then_creates_missing_levels(client: TestClient, city: GraphStore) -> None:
    address = {"address": "北京市朝阳区建外街道建外第1社区建外1号院1号楼1单元909"}
    reported = client.post("/places/resolve", json=address).json()
    assert reported["place"]["code"] == "110105001001000100101"  # the unit exists
    assert [m["key"] for m in reported["missing"]] == ["door"]
    assert reported["created"] == []
    created = client.post("/places/resolve", json={**address, "create": True}).json()
    assert created["place"]["code"] == "1101050010010001001010203"  # above the 0202 in use
    assert created["place"]["name"] == "909室"
    again = client.post("/places/resolve", json=address).json()
    assert again["place"]["code"] == created["place"]["code"] and again["missing"] == []
    analyst = token_for(city, "analyst")
    refused = client.post("/places/resolve", json={**address, "create": True}, headers=analyst)
    assert refused.status_code == 403


def test_places_need_a_token_and_stay_in_scope(client: TestClient, city: GraphStore) -> None:
    assert client.get("/places/110105", headers={"Authorization": ""}).status_code == 401
    assert client.get("/places/110105").status_code == 200
    assert client.get("/places/1101").status_code == 404  # the city: above the district
    save_principal(city, id="resident", kind="resident", name="居民", person=DISTRICT_HEAD)
    resident = token_for(city, "resident")
    assert client.get("/places/110105", headers=resident).status_code == 404
