"""The API skeleton: health, OpenAPI docs, problem+json errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citykg.api.app import create_app
from citykg.graph import GraphStore
from citykg.settings import Settings


@pytest.fixture
def client(falkordb_store: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(graph=f"falkordb://{tmp_path}")
    with TestClient(create_app(settings, store=falkordb_store)) as client:
        yield client


def test_health_reports_the_graph(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["graph_backend"] == "falkordb"
    assert body["graph_ok"] is True


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/health" in client.get("/openapi.json").json()["paths"]


def test_unknown_paths_are_problem_json(client: TestClient) -> None:
    response = client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert problem["instance"] == "/no-such-thing"
    assert problem["type"].endswith("/not-found")
