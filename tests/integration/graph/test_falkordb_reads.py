"""FalkorDB reads decode the server's compact reply themselves (one pass, sealed values opened):
every shape comes back as the driver's parsing, walked by the store, gave it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citykg.errors import QueryError
from citykg.graph.falkordb import FalkorDBStore, _rows
from tests.backends import Graph

ID = "110105198405317858"
PHONE = "13812345678"
SHAPES = (
    "MATCH pth = (p:Person)-[r:RESIDES_IN]->(d:Place) "
    "RETURN p, r, d, pth, null AS nothing, 'text' AS text, p.idNumber AS id, 7 AS int, "
    "-2.5 AS double, true AS yes, false AS no, [1, 'a', null, [p.phone]] AS list, "
    "{n: p.idNumber, l: [1.5, false], m: {deep: d}} AS map, [p, d] AS nodes, "
    "point({latitude: 39.9, longitude: 116.4}) AS point, date('2026-12-06') AS day, "
    "labels(p) AS labels, properties(p) AS properties, [] AS empty, {} AS none"
)


@pytest.fixture
def falkordb(falkordb_graph: Graph) -> Iterator[FalkorDBStore]:
    store = falkordb_graph.store
    assert isinstance(store, FalkorDBStore)
    store.clear()
    store.write(
        "CREATE (:Person:Resident {idNumber: $id, phone: $phone, name: '王伟', age: 70, "
        "score: 1.5, alone: true, tags: ['a', $phone]})"
        "-[:RESIDES_IN {since: '2020-01-01', rank: 2}]->(:Place {placeCode: '11'})",
        {"id": ID, "phone": PHONE},
    )
    yield store
    store.clear()


def test_every_shape_reads_as_the_driver_parsed_it(falkordb: FalkorDBStore) -> None:
    [row] = falkordb.read(SHAPES)
    parsed = _rows(falkordb._graph.ro_query(SHAPES), falkordb.sealer)
    assert row == parsed[0]
    assert list(row) == list(parsed[0])  # the columns in their order
    assert row["id"] == ID and row["list"][3] == [PHONE]
    assert row["p"]["properties"]["tags"] == ["a", PHONE]
    assert row["map"]["m"]["deep"]["properties"] == {"placeCode": "11"}
    assert type(row["int"]) is int and type(row["double"]) is float and row["yes"] is True


def test_a_new_label_and_property_are_named_after_the_driver_learned_the_old_ones(
    falkordb: FalkorDBStore,
) -> None:
    falkordb.read("MATCH (p:Person) RETURN p")  # the driver's names cached
    falkordb.write("CREATE (:Brandnew {fresh: 1})")
    assert falkordb.read("MATCH (b:Brandnew) RETURN b")[0]["b"]["labels"] == ["Brandnew"]
    assert falkordb.read("MATCH (b:Brandnew) RETURN b")[0]["b"]["properties"] == {"fresh": 1}


def test_a_failing_read_is_a_query_error(falkordb: FalkorDBStore) -> None:
    with pytest.raises(QueryError):
        falkordb.read("RETURN 1 / 0 AS x")
    with pytest.raises(QueryError):
        falkordb.read("MATCH (p) RETURN q")
    assert falkordb.read("MATCH (p:Nothing) RETURN p") == []


def test_a_read_with_a_timeout(falkordb: FalkorDBStore) -> None:
    assert falkordb.read("RETURN 1 AS x", timeout_ms=1_000) == [{"x": 1}]
