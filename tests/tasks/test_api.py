"""The /tasks API with real tokens: create, dispatch, mine, act, 409s, progress, export, stream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citykg.access import issue_token
from citykg.api.app import create_app
from citykg.settings import Settings
from tests.controls.scenario import count_nodes
from tests.tasks.conftest import COMMUNITY_A1, DISTRICT, TaskCity

Headers = dict[str, str]
TASK = {
    "title": {"zh": "疫情排查", "en": "Epidemic screening"},
    "form": "epidemic-screening",
    "scope": [DISTRICT],
    "split": "elderly",
    "deadline": "2026-11-09T09:00:00+00:00",
}


@pytest.fixture
def client(city: TaskCity, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(graph=f"falkordb://{tmp_path}/unused")
    with TestClient(create_app(settings, store=city.store)) as client:
        yield client


def bearer(city: TaskCity, principal_id: str) -> Headers:
    return {"Authorization": f"Bearer {issue_token(city.store, principal_id=principal_id)}"}


def test_create_dispatch_act_and_follow_progress(client: TestClient, city: TaskCity) -> None:
    district = bearer(city, "d")
    worker = bearer(city, city.workers[COMMUNITY_A1].id)
    created = client.post("/tasks", json=TASK, headers=district)
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    first = client.post(f"/tasks/{task_id}/dispatch", headers=district).json()
    again = client.post(f"/tasks/{task_id}/dispatch", headers=district).json()
    assert first["items_created"] > 0 and again["items_created"] == 0
    followed = client.get("/tasks", params={"limit": 5}, headers=worker).json()
    assert [t["id"] for t in followed] == [task_id]
    after = f"{followed[0]['created_at']}|{task_id}"
    assert client.get("/tasks", params={"before": after}, headers=worker).json() == []
    items = client.get("/tasks/mine/items", headers=worker).json()
    item = items[0]["id"]
    assert client.post(f"/tasks/items/{item}/act", json={"event": "start"},
                       headers=worker).json()["state"] == "in_progress"  # fmt: skip
    stale = client.post(f"/tasks/items/{item}/act", json={"event": "start"}, headers=worker)
    assert stale.status_code == 409 and stale.json()["detail"].startswith("event:")
    missing = client.post(f"/tasks/items/{item}/act", json={"event": "return_invalid"},
                          headers=worker)  # fmt: skip
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reason"
    history = client.get(f"/tasks/items/{item}/transitions", headers=worker).json()
    assert [(t["from"], t["to"], t["by"]) for t in history] == [
        ("pending", "in_progress", city.workers[COMMUNITY_A1].id)
    ]
    progress = client.get(f"/tasks/{task_id}/progress", headers=district).json()
    root = next(n for n in progress["nodes"] if n["place"] == DISTRICT)
    assert root["counts"]["in_progress"] == 1 and root["expected"] == first["items"]
    own = client.get(f"/tasks/{task_id}/progress", headers=worker).json()
    assert [n["place"] for n in own["nodes"]] == [COMMUNITY_A1]
    exported = client.get(f"/tasks/{task_id}/export?format=csv", headers=district)
    assert exported.headers["content-type"].startswith("text/csv")
    assert DISTRICT in exported.content.decode("utf-8-sig")
    with client.stream("GET", f"/tasks/{task_id}/stream?once=true", headers=worker) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        body = "".join(events.iter_text())
    event, data = body.strip().split("\n", 1)
    assert event == "event: progress"
    assert json.loads(data.removeprefix("data: "))["nodes"][0]["place"] == COMMUNITY_A1
    assert client.get(f"/tasks/{task_id}/bottlenecks", headers=district).status_code == 200


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"form": "nope"}, 422, "form"),
        ({"scope": []}, 422, "scope"),
        ({"scope": ["110106"]}, 403, "scope"),
        ({"split": {"levels": ["street"], "filters": ["age:sometimes:3"]}}, 422, "split.filters"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field_and_writes_nothing(
    client: TestClient, city: TaskCity, changes: dict[str, object], status: int, field: str
) -> None:
    before = count_nodes(city.store)
    answer = client.post("/tasks", json={**TASK, **changes}, headers=bearer(city, "d"))
    assert answer.status_code == status, answer.text
    body = answer.json()
    named = [e["field"] for e in body.get("errors", [])] or [body["detail"].split(":")[0]]
    assert named[0] == field
    assert count_nodes(city.store) == before + 1  # the token issued above, nothing else


def test_the_dispatch_preview_tells_what_the_dispatch_makes_and_is_refused_alike(
    client: TestClient, city: TaskCity
) -> None:
    district, street = bearer(city, "d"), bearer(city, "sa")
    worker = bearer(city, city.workers[COMMUNITY_A1].id)
    task_id = client.post("/tasks", json=TASK, headers=district).json()["id"]
    before = count_nodes(city.store)
    seen = client.get(f"/tasks/{task_id}/dispatch/preview", headers=district)
    assert seen.status_code == 200, seen.text
    preview = seen.json()
    assert count_nodes(city.store) == before
    assert list(preview["parts_by_level"]) == ["district", "street", "community"]
    for headers in (street, worker):  # the dispatch's own refusals, status and detail
        refused = client.get(f"/tasks/{task_id}/dispatch/preview", headers=headers)
        dispatched = client.post(f"/tasks/{task_id}/dispatch", headers=headers)
        assert refused.status_code == dispatched.status_code and refused.status_code in (403, 404)
        assert refused.json()["detail"] == dispatched.json()["detail"]
    assert count_nodes(city.store) == before
    done = client.post(f"/tasks/{task_id}/dispatch", headers=district).json()
    assert (done["parts_created"], done["items_created"]) == (preview["parts_new"],
                                                              preview["items_new"])  # fmt: skip
    again = client.get(f"/tasks/{task_id}/dispatch/preview", headers=district).json()
    assert (again["parts_new"], again["items_new"], again["items"]) == (0, 0, preview["items"])


def test_the_returned_list_pages_through_the_api(client: TestClient, city: TaskCity) -> None:
    district, street = bearer(city, "d"), bearer(city, "sa")
    worker = bearer(city, city.workers[COMMUNITY_A1].id)
    task_id = client.post("/tasks", json=TASK, headers=district).json()["id"]
    client.post(f"/tasks/{task_id}/dispatch", headers=district)
    within = {"within": COMMUNITY_A1}
    batch = {"event": "return_invalid", "reason": "moved_away", "selection": within}
    client.post(f"/tasks/{task_id}/items/batch", headers=worker, json=batch)
    seen, after = [], ""
    while True:
        page = client.get(f"/tasks/{task_id}/returned", params={"after": after, "limit": 2},
                          headers=street).json()  # fmt: skip
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        if page["next"] is None:
            break
        after = page["next"]
    assert len(seen) == len(set(seen)) == page["total"] > 2
    assert page["by_reason"] == {"moved_away": page["total"]}
    too_many = client.get(f"/tasks/{task_id}/returned", params={"limit": 501}, headers=street)
    assert too_many.status_code == 422
    odd = client.get(f"/tasks/{task_id}/returned", params={"after": "no/such/cursor"},
                     headers=street)  # fmt: skip
    assert odd.status_code == 200 and odd.json()["items"] == []
    nul = client.get(f"/tasks/{task_id}/returned", params={"after": "a\x00"}, headers=street)
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "after"
