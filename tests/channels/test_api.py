"""The channel and notification API with real tokens: a resident's list and request, the
handler's reply, a notice to a building, the inbox, its live stream, read, re-send, a 403."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citykg.access import issue_token, save_principal
from citykg.api.app import create_app
from citykg.settings import Settings
from tests.channels.conftest import residents_of
from tests.controls.scenario import count_nodes
from tests.notifications.conftest import fullest_building, living_under
from tests.tasks.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, TaskCity

Headers = dict[str, str]


@pytest.fixture
def client(served: TaskCity, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(graph=f"falkordb://{tmp_path}/unused")
    with TestClient(create_app(settings, store=served.store)) as client:
        yield client


def bearer(city: TaskCity, principal_id: str) -> Headers:
    return {"Authorization": f"Bearer {issue_token(city.store, principal_id=principal_id)}"}


def as_resident(city: TaskCity, person: str) -> Headers:
    save_principal(city.store, id=f"r-{person}", kind="resident", name="居民", person=person)
    return bearer(city, f"r-{person}")


def test_a_resident_requests_a_service_and_reads_the_handlers_reply(
    client: TestClient, served: TaskCity
) -> None:
    street = bearer(served, "sa")
    made = client.post("/channels", headers=street, json={
        "title": {"zh": "居住证明"}, "form": "resident-service", "places": [STREET_A],
        "roles": ["SQ05"], "limit": "once"})  # fmt: skip
    assert made.status_code == 201, made.text
    channel = made.json()["id"]
    person, _door = residents_of(served, COMMUNITY_A1)[0]
    resident = as_resident(served, person)
    assert [o["channel"]["id"] for o in client.get("/me/channels", headers=resident).json()] == [
        channel
    ]
    name = served.store.read("MATCH (p:Person {idNumber: $p}) RETURN p.name AS n", {"p": person})
    filed = client.post(
        f"/me/channels/{channel}/requests",
        headers=resident,
        json={
            "answers": {"id_number": person, "name": name[0]["n"], "mobile_phone": "13912345678"}
        },
    )
    assert filed.status_code == 201, filed.text  # fmt: skip
    request = filed.json()["id"]
    again = client.post(f"/me/channels/{channel}/requests", headers=resident, json={
        "answers": {"id_number": person, "name": name[0]["n"]}})  # fmt: skip
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "limit"
    worker = bearer(served, served.workers[COMMUNITY_A1].id)
    assert [r["id"] for r in client.get("/channels/queue", headers=worker).json()] == [request]
    other = bearer(served, served.workers[COMMUNITY_A2].id)
    refused = client.post(f"/channels/requests/{request}/act", headers=other,
                          json={"event": "accept"})  # fmt: skip
    assert refused.status_code == 404
    for event, text in (("accept", None), ("finish", "已办结")):
        answer = client.post(f"/channels/requests/{request}/act", headers=worker,
                             json={"event": event, "text": text})  # fmt: skip
        assert answer.status_code == 200, answer.text
    (mine,) = client.get("/me/channels/requests", headers=resident).json()
    assert (mine["state"], [r["text"] for r in mine["replies"]]) == ("done", ["已办结"])
    closed = client.post(f"/channels/{channel}/act", headers=street, json={"event": "close"})
    assert closed.json()["status"] == "closed"
    reopened = client.post(f"/channels/{channel}/act", headers=street, json={"event": "resume"})
    assert reopened.status_code == 409


def test_a_notice_reaches_the_inbox_and_the_stream_and_a_resend_the_unread(
    client: TestClient, served: TaskCity
) -> None:
    worker = bearer(served, served.workers[COMMUNITY_A1].id)
    building = fullest_building(served, COMMUNITY_A1)
    before = count_nodes(served.store)
    outside = client.post("/notifications", headers=worker, json={
        "title": {"zh": "停水"}, "body": {"zh": "停水"}, "scope": [COMMUNITY_A2]})  # fmt: skip
    assert outside.status_code == 403 and outside.json()["detail"].startswith("scope")
    assert count_nodes(served.store) == before
    sent = client.post(
        "/notifications",
        headers=worker,
        json={
            "title": {"zh": "停水通知"},
            "body": {"zh": "明日停水"},
            "scope": [building],
            "must_confirm": True,
            "links": [{"title": "详情", "url": "https://example.org/w"}],
        },
    )
    assert sent.status_code == 201, sent.text  # fmt: skip
    notice = sent.json()["notification"]
    people = living_under(served, building)
    assert sent.json()["recipients"] == len(people)
    reader = as_resident(served, people[0])
    with client.stream("GET", "/me/messages/stream?once=true", headers=reader) as events:
        body = "".join(events.iter_text())
    cursor, event, data = body.strip().split("\n", 2)
    assert event == "event: message" and json.loads(data[6:])["notification"] == notice
    assert client.get("/me/messages", headers=reader,
                      params={"since": cursor[4:]}).json()["messages"] == []  # fmt: skip
    confirmed = client.post(f"/me/messages/{notice}/confirm", headers=reader).json()
    assert confirmed["read_at"] and confirmed["confirmed_at"]
    rollup = client.get(f"/notifications/{notice}/rollup", headers=worker,
                        params={"level": "building"}).json()  # fmt: skip
    assert (rollup["read"], rollup["unread"], rollup["confirmed"]) == (1, len(people) - 1, 1)
    again = client.post(f"/notifications/{notice}/resend", headers=worker).json()
    assert (again["attempt"], again["reached"]) == (2, len(people) - 1)
    resident_send = client.post("/notifications", headers=reader, json={
        "title": {"zh": "x"}, "body": {"zh": "x"}, "scope": [building]})  # fmt: skip
    assert resident_send.status_code == 403
