"""Shared fixtures: every test that touches a graph runs on each backend in turn.

FalkorDB is a real embedded server for the whole session; Neo4j is the server named by
``CITYKG_TEST_NEO4J_URI`` (``neo4j://user:pass@host:7687/db``), whose half of the suite is skipped,
with that reason, when it is not set. Each backend is opened once per session and emptied
around every test that asks for ``graph`` or ``store``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from citykg.graph import GraphStore, open_store
from citykg.graph.sealing import Keyring, key_file_beside, new_key_line
from tests.backends import BACKENDS, NEO4J_SKIPPED, NEO4J_URL_VAR, Graph, backend_graph

TEST_KEY = base64.urlsafe_b64encode(hashlib.sha512(b"citykg tests").digest()).decode()
"""The session graph's data key, fixed: the graph orders sealed ID numbers by their tokens, so a
test that (wrongly) depends on that order fails every time or never, not one run in some."""


def pytest_report_header() -> str:
    url = os.environ.get(NEO4J_URL_VAR)
    return f"neo4j: {NEO4J_URL_VAR} is set" if url else f"neo4j: skipped, {NEO4J_SKIPPED}"


@pytest.fixture(scope="session")
def falkordb_graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    """One embedded FalkorDB server for the session (starting one takes ~0.2 s, not free); a
    ``citykg`` process opening the same directory connects to it as a guest."""
    directory = tmp_path_factory.mktemp("graph")
    key_file_beside(directory).write_text(TEST_KEY + "\n")
    url = f"falkordb://{directory}"
    store = open_store(url, graph_name="test")
    yield Graph(store, url, "test")
    store.close()


@pytest.fixture(scope="session")
def neo4j_graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    url = os.environ.get(NEO4J_URL_VAR)
    if not url:
        pytest.skip(NEO4J_SKIPPED)
    key_file = tmp_path_factory.mktemp("keys") / "data.key"
    key_file.write_text(new_key_line() + "\n")
    store = open_store(url, keys=Keyring.from_file(key_file))
    yield Graph(store, url, "citykg", str(key_file))
    store.close()


@pytest.fixture(params=BACKENDS)
def graph(request: pytest.FixtureRequest) -> Iterator[Graph]:
    """An empty graph on each backend in turn."""
    backend = backend_graph(request)
    backend.store.clear()
    yield backend
    backend.store.clear()


@pytest.fixture
def store(graph: Graph) -> GraphStore:
    """An empty graph on each backend in turn."""
    return graph.store


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh directory for a test that needs its own embedded server."""
    return tmp_path / "graph"
