"""Controls fixtures: the ontology, the example forms compiled, and a demo city with the forms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citykg.access import issue_token, save_principal
from citykg.api.app import create_app
from citykg.controls import (
    EXAMPLES_DIR,
    CompiledForm,
    compile_form,
    load_examples,
    load_form,
    submit,
)
from citykg.demo import load_fixture
from citykg.demo.fixture import demo_principals
from citykg.geo import ensure_geo_schema
from citykg.graph import GraphStore
from citykg.ontology import Ontology, compile_graph_schema, load_ontology
from citykg.settings import Settings
from tests.controls.scenario import NOW, SERVICE, household


@pytest.fixture(scope="session")
def ontology() -> Ontology:
    return load_ontology(Settings().ontology_dir)


@pytest.fixture(scope="session")
def forms(ontology: Ontology) -> dict[str, CompiledForm]:
    """Every example form (YAML), compiled."""
    return {
        path.stem: compile_form(ontology, load_form(path))
        for path in sorted(EXAMPLES_DIR.glob("*.yaml"))
    }


@pytest.fixture
def city(store: GraphStore, ontology: Ontology) -> GraphStore:
    """The demo city (places, residents, committees) with its indexes and the example forms."""
    store.apply_schema(compile_graph_schema(ontology))
    ensure_geo_schema(store)
    load_fixture(store)
    load_examples(store, ontology=ontology, principal=SERVICE)
    return store


@pytest.fixture
def registered(city: GraphStore, forms: dict[str, CompiledForm]) -> GraphStore:
    """王's household registered at door A by a trusted system (submission ``hh-1`` at NOW)."""
    submit(
        city,
        form=forms["household-registration"],
        answers=household(),
        principal=SERVICE,
        submission_id="hh-1",
        at=NOW,
    )
    return city


Tokens = dict[str, dict[str, str]]


@pytest.fixture
def client(city: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(graph=f"falkordb://{tmp_path}")
    with TestClient(create_app(settings, store=city)) as client:
        yield client


@pytest.fixture
def auth(city: GraphStore) -> Tokens:
    """Authorization headers: a form builder, the demo's community worker, resident and analyst."""
    tokens = demo_principals(city)
    save_principal(city, id="builder", kind="builder", name="表单设计员")
    tokens["builder"] = issue_token(city, principal_id="builder")
    return {who: {"Authorization": f"Bearer {token}"} for who, token in tokens.items()}
