"""Which entities a ledger view covers: one Cypher prefix and its parameters.

A :class:`Selection` is built from what was asked (type, place, filters, search, creating
organization) and the principal's :class:`~citykg.access.policy.Reach`; lists, exports and
roll-ups append their own tail to it. Filtering on a masked attribute is itself a disclosure,
so it needs the right to reveal that attribute and is written to the audit log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, LiteralString

from citykg.access.policy import MaskedUse, Reach, ensure_may_use_masked
from citykg.access.principals import Principal
from citykg.geo import resolve_code
from citykg.geo.codes import PlaceCode, subtree_bounds
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with
from citykg.ledgers import queries
from citykg.ledgers.catalog import AGE, BIRTH_DATE, Catalog, EntityType, invalid
from citykg.ledgers.models import Filter


@dataclass(frozen=True)
class Selection:
    """The entities of one ledger view: a Cypher prefix binding ``x`` and ``place``.

    ``fingerprint`` identifies what was asked (not who asked), for cursors. ``walk`` is the same
    selection read slice by slice (``$slices``, see :mod:`citykg.ledgers.queries`), and
    ``roots`` the subtrees the view covers (the asked place, else the scope's roots), for the
    address order.
    """

    etype: EntityType
    text: LiteralString
    params: dict[str, Any]
    fingerprint: str = field(default="")
    walk: LiteralString = field(default="")
    roots: tuple[str, ...] = field(default=())


def select(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    reach: Reach,
    type: str,
    within: str | None = None,
    filters: Sequence[Filter] = (),
    q: str | None = None,
    created_by: str | None = None,
    purpose: str | None = None,
    today: date | None = None,
) -> Selection:
    """The selection for a ledger view; bad input raises ValidationFailed naming the parameter.

    ``within`` must be a place ``principal`` may see (former codes resolve to the current one).
    """
    etype = catalog.entity_type(type)
    compiled = catalog.compile_filters(etype, filters, today=today or date.today())
    ensure_may_disclose(
        store, catalog=catalog, principal=principal, etype=etype, purpose=purpose,
        keys=[BIRTH_DATE if f.key == AGE else f.key for f in filters], use="filter",
    )  # fmt: skip
    if within:
        code = PlaceCode.parse(within, field="within").value
        place = resolve_code(store, code=code, scope=reach.scope)
        low, high = subtree_bounds(place)
        roots: tuple[str, ...] = (place,)
    else:
        low, high = "", "~"  # the scope roots alone bound the places read
        roots = _outermost(reach.params()["scopeRoots"])
    if len(compiled) > queries.MAX_FILTERS:
        raise invalid("filter", f"at most {queries.MAX_FILTERS} filters",
                      f"至多 {queries.MAX_FILTERS} 个筛选条件")  # fmt: skip
    if etype.is_place:
        text = cypher_with(queries.from_places_template, label=etype.name)
        walk = cypher_with(queries.from_places_sliced_template, label=etype.name)
    else:
        rel = etype.attachment or ""
        text = cypher_with(queries.from_attached_template, label=etype.name, rel=rel)
        walk = cypher_with(queries.from_attached_sliced_template, label=etype.name, rel=rel)
    params: dict[str, Any] = {"key": etype.key, "lo": low, "hi": high, **reach.params()}
    search = (q or "").strip()
    conditions: LiteralString = ""
    if compiled or search:
        conditions += queries.where_conditions
    for position, condition in enumerate(compiled):
        conditions += queries.and_filter(condition["op"], position)
    if compiled:
        params["filters"] = compiled
    if search:
        conditions += queries.and_search
        params.update(q=search.lower(), exact=search, searchKeys=list(etype.search_keys))
    if created_by:
        conditions += queries.where_created_by
        params["createdBy"] = created_by
    asked = [etype.name, within, [f.model_dump() for f in filters], q, created_by]
    digest = hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()[:16]
    return Selection(etype, text + conditions, params, digest, walk + conditions, roots)


def _outermost(roots: Sequence[str]) -> tuple[str, ...]:
    """The scope's roots in code order, without those inside another one."""
    kept: list[str] = []
    for root in sorted(set(roots)):
        if not any(root.startswith(outer) for outer in kept):
            kept.append(root)
    return tuple(kept)


def ensure_may_disclose(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    etype: EntityType,
    keys: Sequence[str],
    purpose: str | None,
    use: MaskedUse,
    path: str = "filter",
) -> None:
    """Filtering, sorting or breaking down by a masked attribute discloses its values: the
    policy allows it only to whom may reveal it, with a purpose, and audits it."""
    masked = sorted(set(keys) & etype.masked)
    refused = [k for k in masked if not catalog.may_reveal(principal, etype, k)]
    ensure_may_use_masked(store, principal=principal, target=etype.name, masked=masked,
                          refused=refused, purpose=purpose, use=use, path=path)  # fmt: skip
