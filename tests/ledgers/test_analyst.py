"""The analysts' Cypher: read-only, limited, masked and audited."""

from __future__ import annotations

import pytest

from citykg.access import Principal
from citykg.access.audit import recent
from citykg.errors import Forbidden, ValidationFailed
from citykg.ledgers import Catalog, run_query
from tests.ledgers.city import City


def test_nodes_and_property_maps_come_back_masked(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    result = run_query(
        city.store,
        catalog=catalog,
        principal=who["analyst"],
        purpose="年龄结构研究",
        query="MATCH (p:Person {name: '王伟'}) RETURN p, properties(p) AS props, p.name AS name",
    )
    (row,) = result.rows
    assert result.columns == ["p", "props", "name"] and row["name"] == "王伟"
    assert row["p"]["properties"]["idNumber"] == "11****************"
    assert row["p"]["properties"]["mobilePhone"] == "138****5678"
    assert row["props"]["chronicDisease"] == "***" and row["props"]["gender"] == "1"
    (record,) = recent(city.store, principal_id="analyst")
    assert record["action"] == "cypher.run" and "MATCH (p:Person" in record["detail"]
    assert record["purpose"] == "年龄结构研究"


def test_a_query_naming_a_masked_attribute_is_refused_and_audited(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    for query in (
        "MATCH (p:Person) RETURN p.idNumber AS x",
        "MATCH (p:Person) WHERE p.mobilePhone STARTS WITH '138' RETURN count(p)",
    ):
        with pytest.raises(Forbidden, match="masked"):
            run_query(city.store, catalog=catalog, principal=who["analyst"], query=query)
    fields = sorted(r["fields"] for r in recent(city.store, principal_id="analyst"))
    assert fields == [["idNumber"], ["mobilePhone"]]


def test_writes_are_refused_by_the_server(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with pytest.raises(Forbidden, match="only read queries"):
        run_query(
            city.store,
            catalog=catalog,
            principal=who["analyst"],
            query="MATCH (p:Person) DETACH DELETE p",
        )
    assert city.store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"] > 0


def test_rows_are_limited_and_only_analysts_may_run_queries(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    result = run_query(
        city.store,
        catalog=catalog,
        principal=who["analyst"],
        max_rows=3,
        query="MATCH (p:Place) RETURN p.placeCode AS code",
    )
    assert len(result.rows) == 3 and result.truncated
    for name in ("worker1", "head", "resident"):
        with pytest.raises(Forbidden):
            run_query(city.store, catalog=catalog, principal=who[name], query="RETURN 1")
    for asked, field in (({"max_rows": 0}, "max_rows"), ({"timeout_ms": 10**6}, "timeout_ms")):
        with pytest.raises(ValidationFailed) as info:
            run_query(
                city.store, catalog=catalog, principal=who["analyst"], query="RETURN 1", **asked
            )  # type: ignore[arg-type]
        assert info.value.violations[0].path == field
