"""Fixtures of the ledger tests: the named city, the catalog, principals and an API client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from citykg.access import Principal, principal
from citykg.api.app import create_app
from citykg.graph import GraphStore
from citykg.ledgers import Catalog, catalog_for
from citykg.ontology import load_ontology
from citykg.settings import Settings
from tests.ledgers.city import City, build_city


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return catalog_for(load_ontology(Settings().ontology_dir))


@pytest.fixture
def city(store: GraphStore) -> City:
    return build_city(store)


@pytest.fixture
def who(city: City) -> Iterator[dict[str, Principal]]:
    """The six principals, resolved from the graph now (posts, scope) as the API does."""
    yield {p: principal(city.store, p) for p in city.tokens}


@pytest.fixture
def client(city: City) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), store=city.store)) as client:
        yield client
