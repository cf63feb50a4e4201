"""Controls fixtures: the ontology, the example forms compiled, and a demo city with the forms."""

from __future__ import annotations

import pytest

from citykg.controls import (
    EXAMPLES_DIR,
    CompiledForm,
    compile_form,
    load_examples,
    load_form,
    submit,
)
from citykg.demo import load_fixture
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
