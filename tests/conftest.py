"""Shared fixtures: a real embedded FalkorDB for the whole session, Neo4j when configured."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from citykg.graph import GraphStore, open_store

NEO4J_URL_VAR = "CITYKG_TEST_NEO4J_URI"


@pytest.fixture(scope="session")
def falkordb_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """One embedded FalkorDB server for the session (starting one takes ~0.2 s, not free)."""
    store = open_store(f"falkordb://{tmp_path_factory.mktemp('graph')}", graph_name="test")
    yield store
    store.close()


@pytest.fixture(scope="session")
def neo4j_store() -> Iterator[GraphStore]:
    url = os.environ.get(NEO4J_URL_VAR)
    if not url:
        pytest.skip(f"Neo4j contract tests need {NEO4J_URL_VAR}=neo4j://user:pass@host:7687/db")
    store = open_store(url)
    yield store
    store.close()


@pytest.fixture(params=["falkordb", "neo4j"])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """An empty graph on each backend in turn."""
    backend: GraphStore = request.getfixturevalue(f"{request.param}_store")
    backend.clear()
    yield backend
    backend.clear()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh directory for a test that needs its own embedded server."""
    return tmp_path / "graph"
