"""Every query the platform defines passes the planner of each backend: non-portable Cypher
fails CI (FalkorDB), and fails the Neo4j run (``CITYKG_TEST_NEO4J_URI``)."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string
from collections.abc import Iterator

import pytest

import citykg
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with
from tests.planner import planned

SLOT = re.compile(r"(?<!\{)\{([a-z_]+)\}(?!\})")


def platform_queries() -> Iterator[tuple[str, str]]:
    """(module.NAME, text) for every UPPER_CASE string constant of every ``queries`` module."""
    for info in pkgutil.walk_packages(citykg.__path__, prefix="citykg."):
        if info.name.rsplit(".", 1)[-1] != "queries":
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str):
                yield f"{info.name}.{name}", value


def runnable(text: str) -> str:
    """A ``cypher_with`` template with its identifier slots filled (with a real label)."""
    if not SLOT.search(text):
        return text
    slots = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    return cypher_with(text, **dict.fromkeys(slots, "Place"))


QUERIES = dict(platform_queries())


def test_the_registry_finds_the_queries() -> None:
    assert "citykg.graph.queries.COUNT_NODES" in QUERIES


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_is_accepted_by_the_planner(name: str, store: GraphStore) -> None:
    assert planned(store, runnable(QUERIES[name]))


# A relationship variable inside a pattern comprehension: ``[(x)-[r:T]->(a) | …]``.
RELATIONSHIP_IN_COMPREHENSION = re.compile(r"\[\s*\([^\[\]]*\)\s*<?-\[\s*[A-Za-z_]\w*\s*[:\]]")


def test_no_query_reads_a_relationship_inside_a_pattern_comprehension() -> None:
    """FalkorDB 4.x keeps a comprehension's plan with the relationship types and attributes
    that existed when it was first planned: read later, the relationship's properties are
    null and filters on them fail (an official read with no roles; a merged place losing its
    residents' relationship properties). ``OPTIONAL MATCH … collect()`` instead (docs/cypher.md)."""
    found = [
        f"{info.name}.{name}"
        for info in pkgutil.walk_packages(citykg.__path__, prefix="citykg.")
        if info.name.rsplit(".", 1)[-1] == "queries"
        for name, value in vars(importlib.import_module(info.name)).items()
        if isinstance(value, str) and RELATIONSHIP_IN_COMPREHENSION.search(value)
    ]
    assert found == []
