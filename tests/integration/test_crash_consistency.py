"""``kill -9`` of the embedded engine during a burst of form submissions through the API.

The engine's supervisor restarts it from its AOF; the API answers again within 5 s, every
submission it acknowledged (201) is in the graph whole, and no submission is there by halves.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citykg.api.app import create_app
from citykg.controls import load_examples
from citykg.demo.fixture import demo_principals
from citykg.geo import ensure_geo_schema
from citykg.graph.falkordb import FalkorDBStore
from citykg.ontology import compile_graph_schema, load_ontology
from citykg.settings import Settings
from tests.controls.scenario import DOOR_A, SERVICE, person_id
from tests.ledgers.city import build_city

SUBMIT = "/forms/household-registration/submissions"
WRITERS = 4
BEFORE_KILL = 40
"""Submissions acknowledged before the kill (the burst is well under way)."""
AFTER_RESTART = 20
BACK_WITHIN_S = 5.0
WHOLE = """
UNWIND $ids AS id
MATCH (s:Submission {id: id})-[:USED_FORM]->(:Form {id: 'household-registration'})
MATCH (p:Person {idNumber: s.id})
WHERE p.name = '压测' AND p.gender = '1'
MATCH (p)-[:RESIDES_IN]->(:Place {placeCode: $door})
RETURN count(DISTINCT s) AS whole
"""


def answers(key: str) -> dict[str, object]:
    return {"id_number": key, "name": "压测", "gender": "1", "address": {"place": DOOR_A}}


@pytest.fixture
def store(tmp_path: Path) -> FalkorDBStore:
    """A city on an embedded engine of its own (this test kills it)."""
    store = FalkorDBStore(graph_name="g", data_dir=tmp_path / "graph")
    ontology = load_ontology(Settings().ontology_dir)
    store.apply_schema(compile_graph_schema(ontology))
    ensure_geo_schema(store)
    build_city(store)
    load_examples(store, ontology=ontology, principal=SERVICE)
    return store


def test_kill_9_mid_burst_loses_no_acknowledged_submission_and_halves_none(
    store: FalkorDBStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="citykg.graph.embedded")
    server = store.server
    assert server is not None
    headers = {"Authorization": f"Bearer {demo_principals(store)['worker']}"}
    acked: list[str] = []
    statuses: Counter[int] = Counter()
    lock = threading.Condition()
    killed, stop = threading.Event(), threading.Event()
    after_kill = 0

    def writer(client: TestClient, number: int) -> None:
        nonlocal after_kill
        born = date(1960, 1, 1) + timedelta(days=number * 4000)
        for n in range(100_000):
            if stop.is_set():
                return
            key = person_id(f"{born + timedelta(days=n):%Y%m%d}", number)
            body = {"submission_id": key, "answers": answers(key)}
            response = client.post(SUBMIT, json=body, headers=headers)
            with lock:
                statuses[response.status_code] += 1
                if response.status_code == 201:
                    acked.append(key)
                    after_kill += killed.is_set()
                lock.notify_all()

    try:
        with TestClient(create_app(Settings(), store=store)) as client:
            threads = [
                threading.Thread(target=writer, args=(client, i), daemon=True)
                for i in range(WRITERS)
            ]
            for thread in threads:
                thread.start()
            try:
                with lock:
                    assert lock.wait_for(lambda: len(acked) >= BEFORE_KILL, 60), statuses
                dead = server.pid
                assert dead is not None
                killed_at = time.monotonic()
                server.kill()
                killed.set()
                assert server.wait_serving(BACK_WITHIN_S), server.trouble
                while client.get("/health").status_code != 200:
                    assert time.monotonic() - killed_at < BACK_WITHIN_S, "the API is not back"
                    time.sleep(0.02)
                with lock:
                    assert lock.wait_for(lambda: after_kill >= AFTER_RESTART, 30), statuses
            finally:
                stop.set()
                for thread in threads:
                    thread.join(30)
    finally:
        store.close()

    assert set(statuses) <= {201, 503}, statuses
    assert not os.path.exists(f"/proc/{dead}"), "the dead server was not reaped"
    assert "killed by SIGKILL" in caplog.text
    reopened = FalkorDBStore(graph_name="g", data_dir=Path(server.data_dir))
    try:
        whole = reopened.read(WHOLE, {"ids": acked, "door": DOOR_A})[0]["whole"]
        assert whole == len(acked), f"{len(acked) - whole} acknowledged submissions lost"
        present = [
            row["id"]
            for row in reopened.read(
                "MATCH (s:Submission {form: 'household-registration'}) RETURN s.id AS id"
            )
        ]
        halves = len(present) - reopened.read(WHOLE, {"ids": present, "door": DOOR_A})[0]["whole"]
        assert halves == 0, f"{halves} submissions written by halves"
        people = reopened.read("MATCH (p:Person) WHERE p.name = '压测' RETURN count(p) AS n")
        assert people[0]["n"] == len(present), "a person was written without its submission"
    finally:
        reopened.close()
