"""The GraphStore contract, run on every backend (Neo4j when CITYKG_TEST_NEO4J_URI is set)."""

from __future__ import annotations

import pytest

from citykg.errors import Conflict, Forbidden, QueryError
from citykg.graph import Constraint, GraphSchema, GraphStore, Index

PEOPLE = GraphSchema(
    constraints=(Constraint("Person", "idNumber"),), indexes=(Index("Person", "name"),)
)


def count(store: GraphStore, label: str = "Person") -> int:
    return int(
        store.read("MATCH (n) WHERE $label IN labels(n) RETURN count(n) AS c", {"label": label})[0][
            "c"
        ]
    )


def test_a_write_is_read_back_with_parameters_of_every_type(store: GraphStore) -> None:
    props = {
        "idNumber": "1",
        "name": "张三",
        "age": 70,
        "score": 1.5,
        "alone": True,
        "tags": ["a", "b"],
    }
    summary = store.write("CREATE (p:Person:Resident) SET p = $props", {"props": props})
    assert summary.nodes_created == 1
    assert summary.properties_set == len(props)
    [row] = store.read("MATCH (p:Person {idNumber: $id}) RETURN p", {"id": "1"})
    assert row["p"]["labels"] == ["Person", "Resident"]
    assert row["p"]["properties"] == props
    assert isinstance(row["p"]["id"], str)


def test_nodes_relationships_and_paths_have_one_shape(store: GraphStore) -> None:
    store.write(
        "CREATE (:Person {idNumber: '1'})"
        "-[:RESIDES_IN {since: '2020-01-01'}]->(:Place {placeCode: '11'})"
    )
    [row] = store.read(
        "MATCH pth = (p:Person)-[r:RESIDES_IN]->(d:Place) "
        "RETURN p, r, d, pth, {n: p.idNumber, l: [1, 2]} AS m"
    )
    rel = row["r"]
    assert rel["type"] == "RESIDES_IN"
    assert rel["properties"] == {"since": "2020-01-01"}
    assert (rel["start"], rel["end"]) == (row["p"]["id"], row["d"]["id"])
    assert [n["labels"] for n in row["pth"]["nodes"]] == [["Person"], ["Place"]]
    assert row["pth"]["relationships"][0]["type"] == "RESIDES_IN"
    assert row["m"] == {"n": "1", "l": [1, 2]}


def test_unwind_batches_write_many_rows_in_one_statement(store: GraphStore) -> None:
    rows = [{"id": str(i), "name": f"居民{i}"} for i in range(500)]
    summary = store.write(
        "UNWIND $rows AS row CREATE (p:Person) SET p.idNumber = row.id, p.name = row.name",
        {"rows": rows},
    )
    assert summary.nodes_created == 500
    assert count(store) == 500


def test_settling_after_a_bulk_write_leaves_the_graph_as_it_was(store: GraphStore) -> None:
    rows = [{"id": str(i)} for i in range(2_000)]
    store.write(
        "UNWIND $rows AS r CREATE (:Person {idNumber: r.id})-[:OWNS]->(:Thing)", {"rows": rows}
    )
    store.settle()
    store.settle()  # again, with nothing pending
    assert (count(store), count(store, "Thing")) == (2_000, 2_000)
    assert store.read("MATCH (n) WHERE size(labels(n)) <> 1 RETURN count(n) AS c")[0]["c"] == 0
    assert store.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"] == 2_000


def test_a_uniqueness_violation_raises_conflict_and_writes_nothing(store: GraphStore) -> None:
    store.apply_schema(PEOPLE)
    store.write("CREATE (:Person {idNumber: '7'})")
    with pytest.raises(Conflict, match="uniqueness"):
        store.write("UNWIND ['5', '6', '7', '8'] AS id CREATE (:Person {idNumber: id})")
    assert count(store) == 1


def test_a_write_that_fails_halfway_leaves_nothing_behind(store: GraphStore) -> None:
    with pytest.raises(QueryError):
        store.write(
            "UNWIND [2, 1, 0] AS k CREATE (:Person {idNumber: toString(10 / k)}) RETURN 10 / k"
        )
    assert count(store) == 0


def test_reads_refuse_to_change_the_graph(store: GraphStore) -> None:
    with pytest.raises(Forbidden, match="only read queries"):
        store.read_untrusted("CREATE (:Person {idNumber: 'x'})")
    assert count(store) == 0


def test_a_malformed_query_names_the_problem(store: GraphStore) -> None:
    with pytest.raises(QueryError) as info:
        store.read("MATCH (n RETURN n")
    assert info.value.query == "MATCH (n RETURN n"


def test_schema_is_idempotent_and_enforced(store: GraphStore) -> None:
    store.apply_schema(PEOPLE)
    store.apply_schema(PEOPLE)
    store.write("CREATE (:Person {idNumber: '1'})")
    with pytest.raises(Conflict):
        store.write("CREATE (:Person {idNumber: '1'})")


def test_a_constraint_over_existing_duplicates_is_refused_by_name(store: GraphStore) -> None:
    store.write("UNWIND [1, 2] AS i CREATE (:Gadget {serial: 'dup'})")
    with pytest.raises(Conflict, match=r"Gadget\.serial"):
        store.apply_schema(GraphSchema(constraints=(Constraint("Gadget", "serial"),)))


def test_health_reports_the_backend(store: GraphStore) -> None:
    health = store.health()
    assert health.ok
    assert health.backend == store.backend
    assert health.version


def test_clear_removes_everything(store: GraphStore) -> None:
    store.write("CREATE (:Person {idNumber: '1'})-[:KNOWS]->(:Person {idNumber: '2'})")
    store.clear()
    assert store.read("MATCH (n) RETURN count(n) AS c") == [{"c": 0}]
