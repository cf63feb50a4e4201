"""Principals, tokens, and access that follows the post."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citykg.access import authenticate, issue_token, principal, revoke_tokens, save_principal
from citykg.api.app import create_app
from citykg.errors import NotFound, ValidationFailed
from citykg.graph import GraphStore, open_store
from citykg.settings import Settings

WANG = "11010519491231002X"

CITY = """
CREATE (c1:Place:Community {placeCode: '110105001001', name: '一社区'})
CREATE (c2:Place:Community {placeCode: '110105002001', name: '二社区'})
CREATE (o1:Organization:ResidentsCommittee {creditCode: 'ORG1', name: '一社区居委会'})
CREATE (o2:Organization:ResidentsCommittee {creditCode: 'ORG2', name: '二社区居委会'})
CREATE (o1)-[:HAS_JURISDICTION_OVER {since: '2020-01-01'}]->(c1)
CREATE (o2)-[:HAS_JURISDICTION_OVER {since: '2020-01-01'}]->(c2)
CREATE (w:Person {idNumber: $wang, name: '王伟'})
CREATE (w)-[:HOLDS_POST_IN {role: '03', tags: ['civil-affairs'], since: '2021-03-01'}]->(o1)
"""


@pytest.fixture
def city(store: GraphStore) -> GraphStore:
    store.write(CITY, {"wang": WANG})
    save_principal(store, id="wang", kind="official", name="王伟", person=WANG)
    return store


def test_a_token_authenticates_its_principal_and_only_its_hash_is_stored(city: GraphStore) -> None:
    token = issue_token(city, principal_id="wang")
    assert token.startswith("ckg_") and len(token) > 40
    who = authenticate(city, token)
    assert who is not None and who.id == "wang" and who.person == WANG
    assert city.read("MATCH (t:ApiToken) WHERE t.hash = $t RETURN t", {"t": token}) == []
    assert authenticate(city, token + "x") is None


def test_an_officials_scope_and_roles_come_from_the_current_post(city: GraphStore) -> None:
    who = principal(city, "wang")
    assert who.scope.contains("110105001001123")
    assert not who.scope.contains("110105002001")
    assert who.roles == {"03"} and who.tags == {"civil-affairs"}


def test_a_transfer_changes_access_with_no_permission_edit(city: GraphStore) -> None:
    city.write(
        "MATCH (p:Person {idNumber: $wang})-[h:HOLDS_POST_IN]->(:Organization {creditCode: 'ORG1'})"
        " SET h.until = '2026-11-01' "
        "WITH p MATCH (o2:Organization {creditCode: 'ORG2'}) "
        "CREATE (p)-[:HOLDS_POST_IN {role: '03', since: '2026-11-01'}]->(o2)",
        {"wang": WANG},
    )
    who = principal(city, "wang")
    assert who.scope.contains("110105002001") and not who.scope.contains("110105001001")


def test_a_cached_principal_gives_way_to_a_post_change_on_the_next_request(
    city: GraphStore,
) -> None:
    token = issue_token(city, principal_id="wang")
    first = authenticate(city, token)
    assert first is not None and authenticate(city, token) is first  # built once, then cached
    city.write(
        "MATCH (:Person {idNumber: $wang})-[h:HOLDS_POST_IN]->() SET h.tags = ['health']",
        {"wang": WANG},
    )
    changed = authenticate(city, token)
    assert changed is not None and changed.tags == {"health"}
    city.write(
        "MATCH (o:Organization {creditCode: 'ORG1'}), (c2:Place {placeCode: '110105002001'}) "
        "CREATE (o)-[:HAS_JURISDICTION_OVER {since: '2026-11-01'}]->(c2)"
    )
    widened = authenticate(city, token)
    assert widened is not None and widened.scope.contains("110105002001")


def test_ending_the_post_ends_the_access(city: GraphStore) -> None:
    city.write("MATCH ()-[h:HOLDS_POST_IN]->() SET h.until = '2026-11-01'")
    who = principal(city, "wang")
    assert not who.scope.contains("110105001001") and who.roles == frozenset()


def test_revoked_tokens_stop_working(city: GraphStore) -> None:
    token = issue_token(city, principal_id="wang")
    assert revoke_tokens(city, principal_id="wang") == 1
    assert authenticate(city, token) is None


def test_an_official_must_be_a_known_person(store: GraphStore) -> None:
    with pytest.raises(NotFound, match="no Person"):
        save_principal(store, id="ghost", kind="official", name="?", person="999")


def test_an_unknown_kind_is_refused_by_field(store: GraphStore) -> None:
    with pytest.raises(ValidationFailed) as info:
        save_principal(store, id="x", kind="mayor", name="?")
    assert info.value.violations[0].path == "kind"


@pytest.fixture
def client(city: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), store=city)) as client:
        yield client


def test_the_api_names_the_caller_and_its_scope(client: TestClient, city: GraphStore) -> None:
    token = issue_token(city, principal_id="wang")
    response = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "wang" and body["scope"] == ["110105001001"]
    assert body["posts"] == [{"organization": "ORG1", "role": "03", "tags": ["civil-affairs"]}]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer ckg_nope"}])
def test_the_api_refuses_a_missing_or_bad_token(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get("/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_posts_written_after_the_first_look_up_are_read(data_dir: Path) -> None:
    """On a fresh graph, a principal read before any post exists (a service signing in first)
    must not leave officials read later without roles (FalkorDB caches a query's plan with the
    relationship attributes that existed when it was planned)."""
    fresh = open_store(f"falkordb://{data_dir}")
    try:
        save_principal(fresh, id="loader", kind="service", name="装载")
        assert principal(fresh, "loader").posts == ()  # planned before any post or role
        fresh.write(CITY, {"wang": WANG})
        save_principal(fresh, id="wang", kind="official", name="王伟", person=WANG)
        who = principal(fresh, "wang")
        assert who.roles == {"03"} and who.tags == {"civil-affairs"}
        assert who.scope.contains("110105001001")
    finally:
        fresh.close()
