"""The backends the suite runs on, and what a test needs to reach one from another process."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from citykg.graph import GraphStore

NEO4J_URL_VAR = "CITYKG_TEST_NEO4J_URI"
BACKENDS = ("falkordb", "neo4j")
NEO4J_SKIPPED = f"the Neo4j half needs {NEO4J_URL_VAR}=neo4j://user:pass@host:7687/db"


@dataclass(frozen=True, slots=True)
class Graph:
    """A backend under test: the store, and how another process (the CLI) opens the same graph."""

    store: GraphStore
    url: str
    name: str
    key_file: str | None = None
    """The data keys, for a graph on a server (an embedded graph keeps its own beside it)."""

    def env(self) -> dict[str, str]:
        """The environment of a ``citykg`` process working on this graph."""
        keys = {"CITYKG_DATA_KEY_FILE": self.key_file} if self.key_file else {}
        return {**os.environ, "CITYKG_GRAPH": self.url, "CITYKG_GRAPH_NAME": self.name, **keys}


def backend_graph(request: pytest.FixtureRequest) -> Graph:
    """The session graph of the backend ``request`` is parametrized with, for fixtures of any
    scope (a city loaded at session or module scope is then loaded once per backend)."""
    graph: Graph = request.getfixturevalue(f"{request.param}_graph")
    return graph
