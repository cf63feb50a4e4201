"""``POST /notifications/preview``: whom a draft reaches, the same count the send delivers to
and the composer shows, refused as the send is, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from citykg.notifications import reach_count
from tests.channels.conftest import served as served
from tests.channels.test_api import as_resident, bearer
from tests.channels.test_api import client as client
from tests.controls.scenario import count_nodes
from tests.notifications.conftest import fullest_building, living_under
from tests.tasks.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, TaskCity


def test_the_preview_counts_each_place_as_the_send_delivers(
    client: TestClient, served: TaskCity
) -> None:
    worker = bearer(served, served.workers[COMMUNITY_A1].id)
    building = fullest_building(served, COMMUNITY_A1)
    compound = building[:16]
    draft = {"scope": [building, compound]}  # the building lies inside the compound: once
    before = count_nodes(served.store)
    answer = client.post("/notifications/preview", headers=worker, json=draft)
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert count_nodes(served.store) == before
    assert [(p["place"], p["level"]) for p in preview["places"]] == [(compound, "compound")]
    assert preview["places"][0]["name"]
    assert preview["residents"] == len(living_under(served, compound))
    street = bearer(served, served.street_a.id)
    both = client.post("/notifications/preview", headers=street,
                       json={"scope": [COMMUNITY_A2, building]}).json()  # fmt: skip
    assert {p["place"]: p["residents"] for p in both["places"]} == {
        building: len(living_under(served, building)),
        COMMUNITY_A2: len(living_under(served, COMMUNITY_A2)),
    }
    assert both["residents"] == sum(p["residents"] for p in both["places"])
    notice = {"title": {"zh": "停水"}, "body": {"zh": "停水"}, "scope": [COMMUNITY_A2, building]}
    sent = client.post("/notifications", headers=street, json=notice)
    assert sent.json()["recipients"] == both["residents"]


def test_a_filter_narrows_the_preview_as_it_narrows_the_send(served: TaskCity) -> None:
    worker = served.workers[COMMUNITY_A1]
    everyone = reach_count(served.store, catalog=served.catalog, principal=worker,
                           scope=[COMMUNITY_A1])  # fmt: skip
    women = reach_count(served.store, catalog=served.catalog, principal=worker,
                        scope=[COMMUNITY_A1], filters=["gender:eq:2"])  # fmt: skip
    assert 0 < women.residents < everyone.residents == len(living_under(served, COMMUNITY_A1))


@pytest.mark.parametrize(
    ("who", "draft", "status", "field"),
    [
        ("worker", {"scope": [COMMUNITY_A2]}, 403, "scope"),
        ("worker", {"scope": [STREET_A]}, 403, "scope"),
        ("resident", {"scope": [COMMUNITY_A1]}, 403, "notification"),
        ("worker", {"scope": [COMMUNITY_A1 + "9999"]}, 422, "scope"),
        ("worker", {"scope": [COMMUNITY_A1], "filters": ["age:often:2"]}, 422, "filters"),
        ("worker", {"scope": []}, 422, "scope"),
        ("worker", {"filters": []}, 422, "scope"),
    ],
)
def test_a_bad_draft_is_refused_naming_the_field_and_nothing_is_written(
    client: TestClient, served: TaskCity, who: str, draft: dict[str, Any], status: int, field: str
) -> None:
    headers = (as_resident(served, living_under(served, COMMUNITY_A1)[0]) if who == "resident"
               else bearer(served, served.workers[COMMUNITY_A1].id))  # fmt: skip
    before = count_nodes(served.store)
    answer = client.post("/notifications/preview", headers=headers, json=draft)
    assert answer.status_code == status, answer.text
    body = answer.json()
    named = body["detail"] if status == 403 else " ".join(e["field"] for e in body["errors"])
    assert field in named
    assert count_nodes(served.store) == before
