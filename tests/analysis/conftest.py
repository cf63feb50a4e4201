"""Fixtures of the analysts' copy: the named city, its copy in an engine of its own, the API."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from citykg.access import Principal, principal
from citykg.access.masking import masker_for
from citykg.analysis import Analysis, AnalystCopy
from citykg.analysis.projection import Projection, projection_key
from citykg.api.app import create_app
from citykg.graph import GraphStore
from citykg.ontology import Ontology, load_ontology
from citykg.settings import Settings
from tests.ledgers.city import City, build_city

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="session")
def ontology() -> Ontology:
    return load_ontology(Settings().ontology_dir)


@pytest.fixture(scope="session")
def projection(ontology: Ontology) -> Projection:
    return Projection(ontology, masker_for(ontology), projection_key("a test secret"))


@pytest.fixture(scope="session")
def copy_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnalystCopy]:
    """One embedded engine for the copies of the session (its own redis-server)."""
    copy = AnalystCopy(f"falkordb://{tmp_path_factory.mktemp('analyst')}", graph_name="test")
    yield copy
    copy.close()


@pytest.fixture
def city(store: GraphStore) -> City:
    return build_city(store)


@pytest.fixture
def analysis(city: City, copy_engine: AnalystCopy, projection: Projection) -> Analysis:
    """The city's copy, rebuilt in full (the city graph was emptied, so it has no state)."""
    analysis = Analysis(city.store, copy_engine, projection)
    analysis.refresh()
    return analysis


@pytest.fixture
def who(city: City) -> dict[str, Principal]:
    return {p: principal(city.store, p) for p in city.tokens}


@pytest.fixture
def client(city: City, analysis: Analysis) -> Iterator[TestClient]:
    """The API on the city with its copy, synced in the background as in production."""
    with TestClient(create_app(Settings(), store=city.store, analysis=analysis)) as client:
        yield client


@pytest.fixture(scope="session")
def masked_keys(ontology: Ontology) -> frozenset[str]:
    """Every property key the masker masks on some entity class or relation qualification."""
    masker = masker_for(ontology)
    classes = ontology.entity_classes + ontology.qualification_classes
    return frozenset(k for c in classes for k in masker.masked_keys([c.name]))


def clear_values(store: GraphStore, keys: frozenset[str]) -> set[str]:
    """The oracle: every clear value of a masked key (ID numbers, phones, certificate numbers)
    on any node or relationship of the city graph, long enough to be told apart in a text.
    Dates are left out: a masked marriage date is also some resident's clear moving-in day."""
    rows = store.read(
        "MATCH (n) RETURN properties(n) AS props "
        "UNION ALL MATCH ()-[r]->() RETURN properties(r) AS props"
    )
    return {
        str(value)
        for row in rows
        for key, value in row["props"].items()
        if key in keys and len(str(value)) >= 6 and not DATE.fullmatch(str(value))
    }
