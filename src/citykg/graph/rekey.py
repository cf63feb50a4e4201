"""Rotating the data key: every sealed value in the graph sealed again under the current key,
and every value still in clear (a graph written before sealing) sealed.

Run with the API stopped and a keyring whose first key is the new one and which still holds the
old ones (``CITYKG_DATA_KEY_FILE``; docs/privacy.md §7); migration 0003 runs it once on graphs
that predate sealing. Values are found by property, not by node: the platform's Cypher has no
portable node identity, but a token identifies every node and relationship that holds it, so old
values are rewritten by value. On nodes through an index on the property (created if missing, and
kept: look-ups by a sealed value want it); on relationships, which the schema does not index,
through a map from old to new, one scan per batch. Nothing outside the graph needs rewriting:
refs, cursors and the analysts' copy never hold a token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, LiteralString

from citykg.graph.identifiers import cypher_with
from citykg.graph.sealing import Sealer
from citykg.graph.store import GraphSchema, GraphStore, Index

BATCH = 2_000

LABELS: LiteralString = "CALL db.labels() YIELD label RETURN label AS name"
TYPES: LiteralString = (
    "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS name"
)
NODE: LiteralString = "MATCH (n:{name}) "
RELATIONSHIP: LiteralString = "MATCH ()-[n:{name}]->() "
KEYS: LiteralString = "UNWIND keys(n) AS k RETURN DISTINCT k"
VALUES: LiteralString = "WITH n.{key} AS v WHERE v IS NOT NULL RETURN DISTINCT v"
BY_INDEX: LiteralString = (
    "UNWIND $pairs AS pair MATCH (n:{name} {{{key}: pair.old}}) SET n.{key} = pair.new"
)
BY_MAP: LiteralString = "WITH n WHERE n.{key} IN $olds SET n.{key} = $new[n.{key}]"
LISTS: LiteralString = (
    "WITH n UNWIND $pairs AS pair WITH n, pair WHERE n.{key} = pair.old SET n.{key} = pair.new"
)


@dataclass(frozen=True, slots=True)
class Rekeyed:
    """What a rotation rewrote: properties (label or type, key) and distinct values."""

    properties: int
    values: int


@dataclass(frozen=True, slots=True)
class _Property:
    """A property key of a label (``node``) or of a relationship type, and how to reach it."""

    name: str
    key: str
    node: bool
    match: LiteralString


def rekey(store: GraphStore) -> Rekeyed:
    """Seal every value sealed under an older key, or in clear, under the current one; then
    compact the engine's files so the old forms leave the disk. Idempotent."""
    sealer = store.sealer
    properties = values = 0
    with sealer.bypassed():
        for prop in _properties(store):
            read = cypher_with(prop.match + VALUES, key=prop.key)
            stale = [row["v"] for row in store.read(read) if _stale(row["v"], sealer)]
            if stale and prop.node:
                store.apply_schema(GraphSchema(indexes=(Index(prop.name, prop.key),)))
                store.await_indexes()
            for start in range(0, len(stale), BATCH):
                _rewrite(store, prop, stale[start : start + BATCH], sealer)
            properties += bool(stale)
            values += len(stale)
    if values:
        store.compact()
    return Rekeyed(properties, values)


def _properties(store: GraphStore) -> Iterator[_Property]:
    for listing, pattern, node in ((LABELS, NODE, True), (TYPES, RELATIONSHIP, False)):
        for name in [row["name"] for row in store.read(listing)]:
            match = cypher_with(pattern, name=name)
            for row in store.read(match + KEYS):
                yield _Property(name, row["k"], node, match)


def _rewrite(store: GraphStore, prop: _Property, old: list[Any], sealer: Sealer) -> None:
    strings = [v for v in old if isinstance(v, str)]
    if strings and prop.node:
        pairs: list[dict[str, Any]] = [{"old": v, "new": sealer.resealed(v)} for v in strings]
        store.write(cypher_with(BY_INDEX, name=prop.name, key=prop.key), {"pairs": pairs})
    elif strings:
        new = {v: sealer.resealed(v) for v in strings}
        by_map = cypher_with(prop.match + BY_MAP, key=prop.key)
        store.write(by_map, {"olds": strings, "new": new})
    lists = [v for v in old if isinstance(v, list)]
    if lists:
        rows = [{"old": v, "new": _resealed(v, sealer.resealed)} for v in lists]
        store.write(cypher_with(prop.match + LISTS, key=prop.key), {"pairs": rows})


def _stale(value: Any, sealer: Sealer) -> bool:
    if isinstance(value, str):
        return sealer.stale(value)
    if isinstance(value, list):
        return any(_stale(item, sealer) for item in value)
    return False


def _resealed(value: Any, reseal: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return reseal(value)
    if isinstance(value, list):
        return [_resealed(item, reseal) for item in value]
    return value
