"""The API answers what its OpenAPI says, for every route and several principals (schemathesis).

Cases are generated from the published schema (valid and invalid input alike) and sent through
the ASGI app, with its analysts' copy, on a small city of its own, each as a resident and as a
street official (the two ends of reach). Every answer is checked: no server error, a documented
status code and content type, a body of the documented shape, schema-invalid input refused.

Two of schemathesis' defaults are set on purpose, neither hiding a fault:

* a schema-valid request may be refused with 422: the schema says a place code is a string,
  an entity type a name, a text any characters, but only the graph knows which codes and
  classes exist, and no text may hold a NUL; such a refusal names its field and writes nothing.
  A schema-valid request answered 400 (unreadable) is still a failure;
* no unknown query parameters are invented: the API ignores what it does not know (browsers and
  Open311 clients add their own), which the OpenAPI has no way to say.

Bounded (a few derandomized cases per route, no shrinking): the same cases every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok

from citykg.access.masking import masker_for
from citykg.access.tokens import issue_token, save_principal
from citykg.analysis import Analysis, AnalystCopy
from citykg.analysis.projection import Projection, projection_key
from citykg.api.app import create_app
from citykg.controls import load_examples
from citykg.geo import ensure_geo_schema
from citykg.graph.falkordb import FalkorDBStore
from citykg.ontology import compile_graph_schema, load_ontology
from citykg.settings import Settings
from tests.controls.scenario import SERVICE
from tests.ledgers.city import build_city

PRINCIPALS = ("resident", "head")
BUILDING = frozenset({"/terms", "/forms/check", "/forms"})
"""Routes also sent as a form builder (``form.build``): the others refuse them."""
EXAMPLES = 2
"""Cases per route and mode (each sent as every principal): positive and negative alike."""
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"allow-extra-parameters": False, "deterministic": True},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
            }
        },
    }
)


class City(NamedTuple):
    store: FalkorDBStore
    analysis: Analysis
    tokens: list[str]
    """One per principal of PRINCIPALS."""
    builder: str


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    """A city on an embedded engine of its own (the generated cases write to it), and its copy."""
    store = FalkorDBStore(graph_name="g", data_dir=tmp_path_factory.mktemp("conformance"))
    copy = AnalystCopy(f"falkordb://{tmp_path_factory.mktemp('analyst')}", graph_name="copy")
    try:
        ontology = load_ontology(Settings().ontology_dir)
        store.apply_schema(compile_graph_schema(ontology))
        ensure_geo_schema(store)
        city = build_city(store)
        load_examples(store, ontology=ontology, principal=SERVICE)
        projection = Projection(ontology, masker_for(ontology), projection_key("a test secret"))
        analysis = Analysis(store, copy, projection)
        analysis.refresh()
        save_principal(store, id="builder", kind="builder", name="表单搭建员", roles=["builder"])
        builder = issue_token(store, principal_id="builder")
        yield City(store, analysis, [city.tokens[p] for p in PRINCIPALS], builder)
    finally:
        copy.close()
        store.close()


@pytest.fixture(scope="module")
def api(city: City) -> Iterator[schemathesis.BaseSchema]:
    app = create_app(Settings(), store=city.store, analysis=city.analysis)
    with TestClient(app):  # the lifespan runs: the app holds its store meanwhile
        yield schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


def once(case: Case[Any]) -> Case[Any]:
    """A server-sent stream asked for its first events only: otherwise it runs for minutes."""
    if case.operation.path.endswith("/stream") and str(case.query.get("once", "")).lower() in (
        "",
        "true",
        "false",
    ):
        case.query["once"] = "true"
    return case


def test_every_route_answers_as_documented(api: schemathesis.BaseSchema, city: City) -> None:
    """Each route, positive and negative cases; a failure names the route and the case."""
    failures: list[str] = []
    for result in api.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"the OpenAPI cannot be read: {result.err()}")
            continue
        operation = result.ok()
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode).map(once))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=(Phase.explicit, Phase.generate),
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            def answers_as_documented(case: Case[Any]) -> None:
                builder = [city.builder] if case.operation.path in BUILDING else []
                for token in [*city.tokens, *builder]:
                    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})

            try:
                answers_as_documented()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # a route without input
            except (Exception, BaseExceptionGroup) as exc:  # every route is tried, all listed
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, f"{len(failures)} routes fail:\n" + "\n\n".join(failures)
