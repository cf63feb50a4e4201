"""The demo city the README's first command serves."""

from __future__ import annotations

from citykg.demo.fixture import FixtureSummary, is_empty, load_fixture
from citykg.graph import GraphStore
from citykg.graph.migrations import migrate
from citykg.ontology import compile_graph_schema, load_ontology
from citykg.settings import Settings

__all__ = ["FixtureSummary", "is_empty", "load_fixture", "prepare_demo"]


def prepare_demo(store: GraphStore, *, settings: Settings) -> FixtureSummary | None:
    """Bring the graph to the current ontology, then load the demo city if it is empty."""
    ontology = load_ontology(settings.ontology_dir)
    migrate(
        store,
        directory=settings.migrations_dir,
        schema=compile_graph_schema(ontology),
        ontology_version=ontology.version or "unversioned",
    )
    return load_fixture(store) if is_empty(store) else None
