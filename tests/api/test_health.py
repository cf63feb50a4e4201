"""The API skeleton: health, OpenAPI docs, problem+json errors."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from citykg.api.app import create_app
from citykg.ontology import compile_validators
from citykg.settings import Settings
from tests.backends import Graph


@pytest.fixture
def client(graph: Graph) -> Iterator[TestClient]:
    settings = Settings(graph=graph.url, graph_name=graph.name)
    with TestClient(create_app(settings, store=graph.store)) as client:
        yield client


def test_health_reports_the_graph(client: TestClient, graph: Graph) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["graph_backend"] == graph.store.backend
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


def test_the_long_lived_artefacts_are_built_at_start_and_out_of_the_collectors_way(
    graph: Graph,
) -> None:
    """A full garbage collection over the ontology's objects was the p95 of a progress read;
    the app builds them before its first request and freezes them, and gives them back at
    shutdown (a process that builds many apps keeps none)."""
    settings = Settings(graph=graph.url, graph_name=graph.name)
    with TestClient(create_app(settings, store=graph.store)):
        assert compile_validators.cache_info().currsize >= 1
        assert gc.get_freeze_count() > 100_000
    assert gc.get_freeze_count() == 0
