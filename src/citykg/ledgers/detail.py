"""One entity with its multi-dimensional relations, navigable to the related entities.

The detail of a resident shows their residence (the door with its full address path up to the
province), household members, family, organizations, vehicles and events: every relation type
the ontology defines on the class, in both directions, each group with its total and the first
:data:`RELATED_PER_GROUP` entities (current relations first). A related entity carries a ``ref``
and an ``href`` when the caller may open it too (it hangs off a place in their scope, or is of
their household). One outside that (a reporter living in another street, a past address
elsewhere) shows its class only, marked "outside your jurisdiction" (不在您的管辖范围内): no
name, key, ref or path; what hangs off no place (a household's car) shows its key and name.

Masked values are revealed only on request, with a purpose, to whom may reveal them; every
reveal is written to the audit log. A resident sees their own record in clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from citykg.access import audit
from citykg.access.policy import Reach, detail_reach
from citykg.access.principals import Principal
from citykg.errors import NotFound
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with
from citykg.ledgers import queries
from citykg.ledgers.catalog import Catalog, EntityType, invalid
from citykg.ledgers.models import EntityDetail, PlaceStep, RelatedEntity, RelationGroup, Text
from citykg.ledgers.refs import seal, shown, unseal

RELATED_PER_GROUP = 50


def entity_detail(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    type: str,
    key: str,
    reveal: Sequence[str] = (),
    purpose: str | None = None,
) -> EntityDetail:
    """The entity of ``type`` with identity key (or ref) ``key``, as ``principal`` may see it.

    Raises :class:`NotFound` when it does not exist or lies outside what ``principal`` may see
    (the two are not told apart), :class:`Forbidden` without ``ledger.read`` (residents: their
    household only), :class:`ValidationFailed` for an unknown type or a reveal without purpose.
    """
    etype = catalog.entity_type(type)
    reach = detail_reach(store, principal)
    clear_key = unseal(key)
    if reveal and not purpose:
        raise invalid("purpose", "revealing masked values needs a purpose (it is audited)",
                      "查看敏感信息明文须说明用途（将记入审计日志）")  # fmt: skip
    record = find_entity(store, etype=etype, reach=reach, key=clear_key)
    own = principal.person is not None and principal.person == clear_key
    seen = catalog.masker.redact(
        principal, record["labels"], record["properties"], reveal=reveal, own=own
    )
    shown_key, ref = shown(clear_key, masked=etype.key in seen.masked)
    if seen.revealed:  # the audit names the entity by its ref: no clear key at rest
        named = seal(clear_key) if etype.key in etype.masked else clear_key
        audit.record(store, principal=principal, action="sensitive.reveal",
                     target=f"{etype.top.name}:{named}", fields=seen.revealed,
                     purpose=purpose or "", detail="ledger detail")  # fmt: skip
    return EntityDetail(
        type=catalog.most_specific(record["labels"]),
        key=shown_key,
        ref=ref,
        labels=sorted(record["labels"]),
        properties=seen.properties,
        masked=seen.masked,
        revealed=seen.revealed,
        relations=_relations(store, catalog, principal, etype, reach, clear_key),
    )


def find_entity(store: GraphStore, *, etype: EntityType, reach: Reach, key: str) -> dict[str, Any]:
    """The entity's labels and properties if ``reach`` covers it; else :class:`NotFound`."""
    params = {"key": key, **reach.params()}
    if etype.is_place:
        rows = store.read(queries.PLACE_ENTITY, params)
    else:
        statement = cypher_with(
            queries.ENTITY_TEMPLATE, top=etype.top.name, key=etype.key, rel=etype.attachment or ""
        )
        rows = store.read(statement, params)
    if not rows or etype.name not in rows[0]["labels"]:
        raise NotFound(f"key: no {etype.name} that you may see with this key")
    return rows[0]


def entity_places(store: GraphStore, *, etype: EntityType, reach: Reach, key: str) -> list[str]:
    """The codes of the places a visible entity hangs off now (a place: itself)."""
    find_entity(store, etype=etype, reach=reach, key=key)
    if etype.is_place:
        return [key]
    statement = cypher_with(
        queries.ATTACHMENT_PLACES_TEMPLATE, top=etype.top.name, key=etype.key,
        rel=etype.attachment or "",
    )  # fmt: skip
    return sorted(store.read(statement, {"key": key})[0]["places"])


def _relations(
    store: GraphStore,
    catalog: Catalog,
    principal: Principal,
    etype: EntityType,
    reach: Reach,
    key: str,
) -> list[RelationGroup]:
    """Every relation group of the entity; a related entity outside what ``principal`` may
    see is shown as such (:data:`OUTSIDE`), after the others so its place in the key order
    tells nothing."""
    statement = cypher_with(queries.RELATIONS_TEMPLATE, top=etype.top.name, key=etype.key)
    params = {
        "key": key,
        "types": sorted({r.graph_type for r in etype.relations}),
        "keys": sorted({t.key for t in catalog.top_types()}),
        "cap": RELATED_PER_GROUP,
        **reach.params(),
    }
    groups = []
    for row in store.read(statement, params):
        relation = catalog.relation(row["type"])
        if relation is None:
            continue
        outgoing = bool(row["outgoing"])
        label = relation.label if outgoing else relation.inverse_name
        qualification = catalog.qualification(row["type"])
        # a resident opens only their household: a member's home now is theirs to see
        home = principal.kind == "resident" and outgoing and row["type"] == "RESIDES_IN"
        items = [_related(catalog, principal, qualification, i, home=home) for i in row["items"]]
        groups.append(
            RelationGroup(
                relation=relation.name,
                type=row["type"],
                direction="out" if outgoing else "in",
                label=Text(zh=label.zh or relation.label.zh, en=label.en or relation.label.en),
                total=int(row["total"]),
                items=sorted(items, key=lambda item: item.outside is not None),
            )
        )
    return groups


OUTSIDE = Text(zh="不在您的管辖范围内", en="outside your jurisdiction")


def _related(
    catalog: Catalog,
    principal: Principal,
    qualification: str | None,
    item: dict[str, Any],
    *,
    home: bool,
) -> RelatedEntity:
    labels: list[str] = item["labels"]
    relation = catalog.masker.redact(principal, [qualification or ""], item["properties"])
    other = catalog.type_of(labels)
    current = bool(item["current"])
    if _outside(item, other, home=home and current):
        return RelatedEntity(
            type=other.top.name if other else "", key=None, ref=None, name=None,
            current=current, properties=relation.properties, outside=OUTSIDE,
        )  # fmt: skip
    summary = catalog.masker.redact(principal, labels, {"name": item["name"]})
    key, ref, href = None, None, None
    if item["key"] is not None:
        key, ref = shown(str(item["key"]), masked=other is not None and other.key in other.masked)
        if item["visible"] and other is not None:
            href = other.href(ref)
    return RelatedEntity(
        type=other.name if other else (labels[0] if labels else ""),
        key=key,
        ref=ref if href else None,
        name=summary.properties.get("name"),
        current=current,
        properties=relation.properties,
        path=[PlaceStep(code=p["code"], name=p["name"], level=p["level"]) for p in item["path"]],
        href=href,
    )


def _outside(item: dict[str, Any], other: EntityType | None, *, home: bool) -> bool:
    """Whether a related entity lies outside what the caller may see: not theirs to open, and
    a person, a place, or hanging off places (none of them in scope). What hangs off no place
    (a car) belongs to the entity it is related to, and is shown with it."""
    if item["visible"] or home:
        return False
    return bool(item["placed"]) or other is None or other.top.name == "Person" or other.is_place
