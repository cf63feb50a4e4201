"""How many a notification would reach, before it is sent (the composer's preview).

The audience is checked and resolved exactly as :func:`citykg.notifications.send` resolves it
(:func:`citykg.audience.audience` under ``notification.send``: a scope outside the sender's
jurisdiction is Forbidden naming ``scope``, an unknown place or a bad filter a ValidationFailed),
then its members are counted in the graph, one place subtree at a time; nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import LiteralString

from citykg.access.policy import NOTIFY
from citykg.access.principals import Principal
from citykg.audience import audience
from citykg.errors import ValidationFailed
from citykg.graph import GraphStore
from citykg.ledgers import Catalog
from citykg.notifications.send import _ensure_places

count_members: LiteralString = "WITH DISTINCT x RETURN count(x) AS n"


def reach_count(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    scope: Sequence[str],
    filters: Sequence[str] = (),
) -> int:
    """The persons living now under ``scope`` (narrowed by ledger ``filters``) whom a notice
    from ``principal`` would reach; officials notified by post are not counted."""
    parsed = [catalog.parse_filter(text, path="filters") for text in filters]
    try:
        reach = audience(store, principal=principal, scope=scope, action=NOTIFY,
                         catalog=catalog, filters=parsed)  # fmt: skip
    except ValidationFailed as exc:  # the ledgers name a filter "filter"; here it is "filters"
        raise ValidationFailed([replace(v, path="filters") if v.path == "filter" else v
                                for v in exc.violations]) from exc  # fmt: skip
    _ensure_places(store, reach.roots)
    text = reach.members.text + count_members
    total = 0
    for root in reach.roots:
        rows = store.read(text, reach.members.under(root))
        total += int(rows[0]["n"] or 0) if rows else 0
    return total
