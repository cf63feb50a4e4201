"""The ``/events`` API and Open311 GeoReport v2, on a live server: ``georeport`` (a third-party
Open311 client from PyPI) reads services, a definition and requests in JSON and XML; it
cannot post (its README says so), so posting, tokens and the spec's error cases go through
``requests`` with the spec's form encoding."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
import uvicorn
from georeport import GeoReport

from citykg import events
from citykg.access import issue_token
from citykg.api.app import create_app
from citykg.events import Report
from citykg.settings import Settings
from tests.events.conftest import EventCity


@pytest.fixture(scope="module")
def server(city: EventCity) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(Settings(), store=city.store), host="127.0.0.1",
                            port=port, log_level="warning", lifespan="on")  # fmt: skip
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        thread.join(timeout=0.02)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def key(city: EventCity) -> str:
    return issue_token(city.store, principal_id=city.service.id)


def post(server: str, fields: dict[str, str], fmt: str = "json") -> requests.Response:
    return requests.post(f"{server}/open311/v2/requests.{fmt}", data=fields)


def test_open311_through_a_third_party_client(city: EventCity, server: str, key: str) -> None:
    name, number = next(iter(city.buildings.values()))
    created = post(
        server,
        {
            "api_key": key,
            "service_code": "0505",
            "address_string": f"{name}{number}号楼门口",
            "description": "有车辆长期占用消防通道",
            "first_name": "明",
            "last_name": "王",
            "phone": "13800000000",
        },
    )
    assert created.status_code == 200, created.text
    [answer] = created.json()
    request_id = answer["service_request_id"]
    for fmt in ("json", "xml"):
        client = GeoReport(f"{server}/open311/v2", output_format=fmt)
        services = client.get_service_list()
        assert any(s["service_code"] == "0505" for s in services)
        definition = client.get_service_definition("0401")
        attributes = definition["attributes"]
        if fmt == "xml":
            attributes = attributes["attribute"]
        assert attributes[0]["code"] == "urgency"
        found = client.get_service_request(request_id)
        assert found["service_request_id"] == request_id and found["status"] == "open"
        assert found["status_notes"].startswith("受理") and found["expected_datetime"]
        assert "13800000000" not in str(found)
        listed = client.get_service_requests(service_code="0505", status="open")
        listed = listed if isinstance(listed, list) else [listed]
        assert request_id in {r["service_request_id"] for r in listed}
    token = requests.get(f"{server}/open311/v2/tokens/{answer['token']}.json").json()
    assert token == [{"service_request_id": request_id, "token": answer["token"]}]
    xml = requests.get(f"{server}/open311/v2/discovery.xml")
    assert xml.status_code == 200 and b"<discovery>" in xml.content


@pytest.mark.parametrize(("fields", "status", "mentions"), [
    ({"service_code": "0505", "lat": "39.9", "long": "116.4"}, 403, "api_key"),
    ({"api_key": "ckg_not-a-key", "service_code": "0505", "lat": "39.9", "long": "116.4"},
     403, "api_key"),
    ({"api_key": "{key}", "lat": "39.9", "long": "116.4"}, 400, "service_code"),
    ({"api_key": "{key}", "service_code": "9999", "address_string": "x"}, 404, "service_code"),
    ({"api_key": "{key}", "service_code": "0401", "address_string": "朝阳区"}, 400,
     "attribute[urgency]"),
    ({"api_key": "{key}", "service_code": "0505"}, 400, "address_string"),
])  # fmt: skip
def test_open311_errors_in_the_spec_format(
    city: EventCity, server: str, key: str, fields: dict[str, str], status: int, mentions: str
) -> None:
    before = city.store.read("MATCH (e:Event) RETURN count(e) AS n")[0]["n"]
    sent = {k: v.replace("{key}", key) for k, v in fields.items()}
    answer = post(server, sent)
    assert answer.status_code == status
    [error] = answer.json()
    assert error["code"] == status and mentions in error["description"]
    xml = post(server, sent, "xml")
    assert xml.status_code == status and b"<errors><error><code>" in xml.content
    assert city.store.read("MATCH (e:Event) RETURN count(e) AS n")[0]["n"] == before
    missing = requests.get(f"{server}/open311/v2/requests/SJ-none.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    too_long = requests.get(
        f"{server}/open311/v2/requests.json",
        params={"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"},
    )
    assert too_long.status_code == 400


SPEC_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
}  # fmt: skip


def test_open311_public_reads_carry_no_personal_data(city: EventCity, server: str) -> None:
    """GET requests needs no key (the spec allows it): the public sees the case, not who
    reported it, nor the contact notes, phone, ID or door number written into its texts."""
    resident = city.residents[0]
    name, number = next(iter(city.buildings.values()))
    person = resident.person or ""
    text = (f"我家住在{name}{number}号楼2单元1102，楼下井盖丢了，身份证{person}，"
            "联系人王先生，电话13912345678")  # fmt: skip
    report = Report(description=text, source="resident", address=f"{name}{number}号楼3-2-1102室",
                    reporter_name="王建国", reporter_phone="13912345678")  # fmt: skip
    case = events.report(city.store, ontology=city.ontology, principal=resident, report=report,
                         at=datetime.now(UTC)).event  # fmt: skip
    personal = ("王先生", "王建国", "13912345678", "1102", person, resident.id)
    one = requests.get(f"{server}/open311/v2/requests/{case.id}.json")
    listed = requests.get(f"{server}/open311/v2/requests.json")
    for answer in (one, listed):
        assert answer.status_code == 200, answer.text
    [found] = one.json()
    assert set(found) == SPEC_FIELDS
    assert case.id in {r["service_request_id"] for r in listed.json()}
    assert "井盖丢了" in found["description"] and f"{name}{number}号楼" in found["address"]
    assert found["address_id"] and len(found["address_id"]) <= 16  # the compound, no door
    for fmt in ("json", "xml"):
        for url in (f"requests/{case.id}", "requests"):
            body = requests.get(f"{server}/open311/v2/{url}.{fmt}").text
            assert not [p for p in personal if p and p in body], (fmt, url)


def test_events_api_report_queue_and_bad_input(city: EventCity, server: str) -> None:
    resident = {"Authorization": f"Bearer {issue_token(city.store, principal_id='r1')}"}
    centre = {"Authorization": f"Bearer {issue_token(city.store, principal_id='centre')}"}
    made = requests.post(
        f"{server}/events",
        headers=resident,
        json={"description": "楼道里有人给电动车充电", "place": city.doors[0]},
    )
    assert made.status_code == 201, made.text
    case = made.json()["event"]
    queue = requests.get(f"{server}/events", headers=centre).json()
    assert case["id"] in {c["id"] for c in queue}
    detail = requests.get(f"{server}/events/{case['id']}", headers=resident).json()
    assert detail["timeline"][0]["event"] == "report"
    bad = requests.post(
        f"{server}/events", headers=resident, json={"description": "路灯坏了", "category": "0000"}
    )
    assert bad.status_code == 422 and "category" in bad.text
    rating = requests.post(
        f"{server}/events/{case['id']}/rating", headers=resident, json={"satisfaction": "1"}
    )
    assert rating.status_code == 409 and "event" in rating.text
    kpis = requests.get(
        f"{server}/events/kpis",
        headers=centre,
        params={
            "district": "110105",
            "start": "2025-01-01T00:00:00Z",
            "end": "2027-01-01T00:00:00Z",
        },
    )
    assert kpis.status_code == 200 and kpis.json()
