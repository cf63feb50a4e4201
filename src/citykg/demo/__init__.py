"""The demo city the README's first command serves: a generated district (see ``generate``)."""

from __future__ import annotations

from dataclasses import dataclass

from citykg.access import principal
from citykg.channels.demo import seed_demo_channels
from citykg.controls import load_examples
from citykg.demo.fixture import FixtureSummary, demo_principals, is_empty, load_fixture
from citykg.demo.generate import ORG_LABELS, PREMISES_LABELS, CitySummary, generate_city
from citykg.events.demo import seed_demo_events
from citykg.graph import GraphStore
from citykg.notifications.demo import seed_demo_notifications
from citykg.ontology import load_ontology
from citykg.settings import Settings
from citykg.tasks.demo import seed_demo_tasks
from citykg.upgrade import upgrade_graph

__all__ = [
    "DemoCity",
    "FixtureSummary",
    "generate_city",
    "is_empty",
    "load_fixture",
    "prepare_demo",
]

DEMO_PERSONS = 10_000
"""People in the city ``citykg demo`` generates into an empty graph (a few seconds)."""


@dataclass(frozen=True, slots=True)
class DemoCity:
    """What ``prepare_demo`` did: the city it loaded (None if one was there) and demo tokens.

    The example forms of ``examples/forms`` are saved too, so the forms API has something to show.
    """

    loaded: FixtureSummary | None
    tokens: dict[str, str]


def prepare_demo(store: GraphStore, *, settings: Settings) -> DemoCity:
    """Bring the graph to the current ontology, generate the demo city if empty, issue tokens."""
    upgrade_graph(store, settings=settings)
    ontology = load_ontology(settings.ontology_dir)
    loaded = None
    if is_empty(store):
        loaded = _counts(generate_city(store, ontology=ontology, persons=DEMO_PERSONS))
    tokens = demo_principals(store)
    builder = principal(store, "builder")
    load_examples(store, ontology=ontology, principal=builder)
    tokens.update(seed_demo_tasks(store, ontology=ontology))
    seed_demo_channels(store, ontology=ontology)
    seed_demo_notifications(store, ontology=ontology)
    seed_demo_events(store, ontology=ontology)
    return DemoCity(loaded=loaded, tokens=tokens)


def _counts(city: CitySummary) -> FixtureSummary:
    nodes = city.nodes
    places = city.divisions + sum(nodes.get(label, 0) for label in PREMISES_LABELS)
    organizations = sum(nodes.get(kind, 0) for kind in ORG_LABELS)
    return FixtureSummary(places, nodes["Person"], organizations)
