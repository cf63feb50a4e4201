"""The demo city the README's first command serves."""

from __future__ import annotations

from dataclasses import dataclass

from citykg.demo.fixture import FixtureSummary, demo_principals, is_empty, load_fixture
from citykg.graph import GraphStore
from citykg.settings import Settings
from citykg.upgrade import upgrade_graph

__all__ = ["DemoCity", "FixtureSummary", "is_empty", "load_fixture", "prepare_demo"]


@dataclass(frozen=True, slots=True)
class DemoCity:
    """What ``prepare_demo`` did: the city it loaded (None if one was there) and demo tokens."""

    loaded: FixtureSummary | None
    tokens: dict[str, str]


def prepare_demo(store: GraphStore, *, settings: Settings) -> DemoCity:
    """Bring the graph to the current ontology, load the demo city if empty, issue demo tokens."""
    upgrade_graph(store, settings=settings)
    loaded = load_fixture(store) if is_empty(store) else None
    return DemoCity(loaded=loaded, tokens=demo_principals(store))
