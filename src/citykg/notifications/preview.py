"""How many a notification would reach, before it is sent (the composer's preview and
``POST /notifications/preview``).

The audience is checked and resolved exactly as :func:`citykg.notifications.send` resolves it
(:func:`~citykg.notifications.send.resolve`: a scope outside the sender's jurisdiction is
Forbidden naming ``scope``, an unknown place or a bad filter a ValidationFailed), then its
members are counted in the graph, one place of the scope at a time; nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import LiteralString, cast

from citykg.access.principals import Principal
from citykg.geo.codes import LEVEL_KEYS, PlaceCode
from citykg.graph import GraphStore
from citykg.ledgers import Catalog
from citykg.notifications.models import PlaceReach, ReachPreview
from citykg.notifications.send import resolve
from citykg.tasks.models import LevelName

count_members: LiteralString = "WITH DISTINCT x RETURN count(x) AS n"


def reach_count(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    scope: Sequence[str],
    filters: Sequence[str] = (),
) -> ReachPreview:
    """The persons living now under ``scope`` (narrowed by ledger ``filters``) whom a notice
    from ``principal`` would reach, under each place of the scope (nested places collapse into
    the widest) and in all; officials notified by post are not counted."""
    reach, names = resolve(store, catalog=catalog, principal=principal, scope=scope,
                           filters=filters)  # fmt: skip
    text = reach.members.text + count_members
    places = []
    for root in reach.roots:
        rows = store.read(text, reach.members.under(root))
        level = PlaceCode.parse(root).level
        places.append(PlaceReach(
            place=root, name=names.get(root, ""),
            level=cast(LevelName, LEVEL_KEYS[level]) if level else None,
            residents=int(rows[0]["n"] or 0) if rows else 0,
        ))  # fmt: skip
    return ReachPreview(residents=sum(p.residents for p in places), places=places)
