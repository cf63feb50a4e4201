"""Who can do what, and who can see what: library, API and CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from citykg.access import Principal, issue_token, principal, save_principal
from citykg.access.explain import (
    explain_organization,
    explain_person,
    explain_principal,
    explain_role,
    explain_tag,
    who_can_see,
)
from citykg.api.app import create_app
from citykg.errors import Forbidden, NotFound
from citykg.graph import GraphStore
from citykg.ledgers import Catalog, catalog_for
from citykg.ledgers.refs import seal
from citykg.ontology import load_ontology
from citykg.settings import Settings
from tests.backends import Graph
from tests.ledgers.city import C1, COMMITTEE1, DOCTOR, SUN, WANG, City, build_city


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return catalog_for(load_ontology(Settings().ontology_dir))


@pytest.fixture
def city(store: GraphStore) -> City:
    return build_city(store)


SECURITY = Principal(
    id="security", kind="steward", name="安全管理员", roles=frozenset({"security"})
)
"""The security role explains city-wide and reads the audit log."""


@pytest.fixture
def head(city: City) -> Principal:
    return principal(city.store, "head")


def test_what_a_principal_may_do_follows_its_posts(city: City, head: Principal) -> None:
    worker = explain_principal(city.store, explainer=head, principal_id="worker1")
    assert "ledger.read" in worker.grant.actions and "ledger.export" not in worker.grant.actions
    assert [p.code for p in worker.scope] == [C1] and worker.posts[0].role == "SQ05"
    analyst = explain_principal(city.store, explainer=SECURITY, principal_id="analyst")
    assert analyst.grant.actions == ["cypher.run", "ledger.stats"] and analyst.scope == []


def test_a_person_an_organization_a_role_and_a_tag(
    city: City, head: Principal, catalog: Catalog
) -> None:
    doctor = explain_person(city.store, explainer=head, person=DOCTOR)
    assert doctor.grant.reveal_groups == ["health"] and doctor.principals == ["doctor"]
    assert doctor.subject == "11****************"
    org = explain_organization(city.store, explainer=head, credit_code=COMMITTEE1)
    assert [p.code for p in org.jurisdiction] == [C1]
    assert {"worker1", "doctor"} <= {p for h in org.holders for p in h.principals}
    role = explain_role(city.store, explainer=head, role="SQ05")
    assert {"worker1", "worker2"} <= {p for h in role.holders for p in h.principals}
    assert "sensitive.reveal" not in role.grant.actions
    tag = explain_tag(city.store, explainer=head, tag="health", catalog=catalog)
    assert tag.reveal_groups == ["health"] and "chronicDisease" in tag.attributes
    assert [p for h in tag.holders for p in h.principals] == ["doctor"]


def test_who_can_see_a_resident(city: City, head: Principal, catalog: Catalog) -> None:
    seen = who_can_see(city.store, explainer=head, catalog=catalog, type="Person", key=WANG)
    officials = {p for h in seen.officials for p in h.principals}
    assert {"worker1", "doctor", "head"} <= officials and "worker2" not in officials
    assert [p.id for p in seen.household] == ["resident"]
    assert seen.analysts == []  # analysts have no place: named to the security role only
    city_wide = who_can_see(
        city.store, explainer=SECURITY, catalog=catalog, type="Person", key=WANG
    )
    assert [a.id for a in city_wide.analysts] == ["analyst"]
    doctor = next(h for h in seen.officials if "doctor" in h.principals)
    assert doctor.grant.reveal_groups == ["health"] and doctor.via_place
    assert doctor.via_place.code == C1


def test_explaining_needs_the_right_and_an_entity_in_scope(city: City, catalog: Catalog) -> None:
    worker = principal(city.store, "worker1")
    with pytest.raises(Forbidden):
        explain_role(city.store, explainer=worker, role="SQ05")
    head = principal(city.store, "head")
    with pytest.raises(NotFound):
        who_can_see(
            city.store, explainer=head, catalog=catalog, type="Person", key="110105197006066663"
        )  # 周明, another street


@pytest.fixture
def client(city: City) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), store=city.store)) as client:
        yield client


def test_the_access_endpoints(client: TestClient, city: City) -> None:
    headers = city.headers("head")
    for path in (
        "/access/principals/worker1",
        f"/access/persons/{seal(DOCTOR)}",
        f"/access/organizations/{COMMITTEE1}",
        "/access/roles/SQ0*",
        "/access/tags/health",
        f"/access/entities/Person/{seal(WANG)}",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)
    assert client.get(f"/access/entities/Person/{seal(SUN)}", headers=headers).status_code == 200
    assert client.get("/access/roles/SQ05", headers=city.headers("worker1")).status_code == 403
    assert client.get(f"/access/persons/{DOCTOR}", headers=headers).status_code == 422  # no ID
    for who in ("analyst", "head"):
        assert client.get("/access/audit", headers=city.headers(who)).status_code == 403
    save_principal(city.store, id="security", kind="steward", name="安全管理员", roles=["security"])
    security = {"Authorization": f"Bearer {issue_token(city.store, principal_id='security')}"}
    assert client.get("/access/audit", headers=security).status_code == 200


def test_the_cli_explains_as_an_operator(graph: Graph) -> None:
    build_city(graph.store)
    env = graph.env()
    result = subprocess.run(
        [sys.executable, "-m", "citykg", "access", "explain", "--entity", f"Person:{WANG}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert "worker1" in {p for h in answer["officials"] for p in h["principals"]}
    usage = subprocess.run(
        [sys.executable, "-m", "citykg", "access", "explain"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert usage.returncode != 0 and "exactly one" in usage.stderr
