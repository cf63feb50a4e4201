"""Every statement the ledgers assemble passes each backend's planner, for every kind of entity."""

from __future__ import annotations

from typing import LiteralString

import pytest

from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with
from citykg.ledgers import Catalog, queries
from citykg.ledgers.models import FILTER_OPS, MAX_PAGE
from tests.planner import planned

KINDS = ("Person", "Organization", "Thing", "Event", "Place")


def test_the_literal_page_limit_is_the_largest_page_plus_one() -> None:
    assert queries.PAGE_LIMIT == MAX_PAGE + 1
    assert f"LIMIT {queries.PAGE_LIMIT} " in queries.order_ascending
    assert f"LIMIT {queries.PAGE_LIMIT} " in queries.order_descending


def statements(catalog: Catalog, kind: str) -> list[LiteralString]:
    etype = catalog.entity_type(kind)
    if etype.is_place:
        source = cypher_with(queries.from_places_template, label=kind)
        walk = cypher_with(queries.from_places_sliced_template, label=kind)
        one: list[LiteralString] = [queries.PLACE_ENTITY]
    else:
        rel = etype.attachment or ""
        source = cypher_with(queries.from_attached_template, label=kind, rel=rel)
        walk = cypher_with(queries.from_attached_sliced_template, label=kind, rel=rel)
        slots = {"top": etype.top.name, "key": etype.key, "rel": rel}
        one = [
            cypher_with(template, **slots)
            for template in (
                queries.ENTITY_TEMPLATE,
                queries.ATTACHMENT_PLACES_TEMPLATE,
                queries.END_ENTITY_TEMPLATE,
            )
        ]
    conditions: LiteralString = queries.where_conditions
    for position, op in enumerate(FILTER_OPS):
        conditions += queries.and_filter(op, position)
    narrowed = source + conditions + queries.and_search + queries.where_created_by
    pages = [
        narrowed + queries.sort_value + after + order + queries.page_rows + ret
        for after, order, ret in (
            (queries.after_ascending, queries.order_ascending, queries.return_ascending),
            (queries.after_descending, queries.order_descending, queries.return_descending),
        )
    ]
    walked = walk + conditions + queries.and_search + queries.where_created_by
    pages += [
        walked + queries.address_key + after + queries.address_rows
        for after in ("", queries.after_address)
    ]
    relations = cypher_with(queries.RELATIONS_TEMPLATE, top=etype.top.name, key=etype.key)
    counts = [source + queries.count_buckets, narrowed + queries.count_buckets]
    return [*pages, *counts, relations, *one]


@pytest.mark.parametrize("kind", KINDS)
def test_every_assembled_statement_is_accepted(
    kind: str, catalog: Catalog, store: GraphStore
) -> None:
    for statement in statements(catalog, kind):
        assert planned(store, statement), statement


@pytest.mark.parametrize("name", ["BUCKET_PLACES", "DIVISIONS_AFTER"])
def test_fixed_queries_are_accepted(name: str, store: GraphStore) -> None:
    assert planned(store, getattr(queries, name))
