"""Ledger statistics: counts rolled up the place tree, broken down by an attribute.

    >>> ledger_stats(store, catalog=catalog, principal=head, type="Person", within="110105001",
    ...              level="community", by="gender",
    ...              filters=[Filter(key="age", op="gte", value="60")])

counts the persons aged 60 or more under the street, one bucket per community, each split by
gender. ``by`` is an attribute (coded, boolean or text) or ``ageBand`` (derived from the birth
date). It is ONE scan of the subtree: the place scope, the filters and the breakdown are all
inside the Cypher, the bucket being the prefix of the place code at the roll-up level (a place's
code starts with its ancestors' codes). Levels, code lengths and the place itself come from the
geo area (:func:`citykg.geo.get_place`, :func:`citykg.geo.parse_level`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from citykg.access.disclosure import smallest_count
from citykg.access.policy import STATS, Reach
from citykg.access.policy import read_reach as reach
from citykg.access.principals import Principal
from citykg.errors import ValidationFailed, Violation
from citykg.geo import get_place, parse_level
from citykg.geo.codes import CODE_LENGTHS, Level, subtree_bounds
from citykg.graph import GraphStore
from citykg.ledgers import queries
from citykg.ledgers.catalog import AGE_BAND, BIRTH_DATE, Catalog, age_bands, invalid
from citykg.ledgers.disclosure import suppress_small_counts
from citykg.ledgers.models import Filter, LedgerStats, StatsBucket
from citykg.ledgers.selection import ensure_may_disclose, select

NONE = "(none)"


def ledger_stats(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    type: str,
    within: str | None = None,
    level: str | int | None = None,
    by: str | None = None,
    filters: Sequence[Filter] = (),
    purpose: str | None = None,
    today: date | None = None,
) -> LedgerStats:
    """Counts of ``type`` under ``within`` (default: the principal's one jurisdiction root);
    small counts withheld for a principal who may not read the rows (an analyst)."""
    scope = reach(principal, action=STATS)
    etype = catalog.entity_type(type)
    place = get_place(store, code=within or _default_root(scope), scope=scope.scope)
    roll = _level(parse_level(level), place.level)
    attribute = catalog.breakdown_key(etype, by) if by else None
    if by:
        disclosed = [BIRTH_DATE if by == AGE_BAND else by]
        ensure_may_disclose(store, catalog=catalog, principal=principal, etype=etype,
                            keys=disclosed, purpose=purpose, use="breakdown")  # fmt: skip
    today = today or date.today()
    selection = select(
        store, catalog=catalog, principal=principal, reach=scope, type=type, within=place.code,
        filters=filters, purpose=purpose, today=today,
    )  # fmt: skip
    width = CODE_LENGTHS[roll - 1] if roll else len(place.code)
    params = {
        **selection.params,
        "width": width,
        "by": by if attribute is not None else None,
        "byAge": by == AGE_BAND,
        "bands": age_bands(today),
    }
    counts: Counter[tuple[str, str]] = Counter()
    for row in store.read(selection.text + queries.count_buckets, params):
        counts[(str(row["bucket"]), _value(row["value"], by))] += int(row["n"])
    buckets = _buckets(store, scope, place.code, roll, counts, by)
    breakdown: Counter[str] = Counter()
    for (_, value), n in counts.items():
        breakdown[value] += n
    labels = catalog.code_labels(attribute) if attribute is not None else {}
    stats = LedgerStats(
        type=etype.name,
        code=place.code,
        name=place.name,
        level=roll,
        by=by,
        total=sum(counts.values()),
        direct=sum(n for (bucket, _), n in counts.items() if len(bucket) != width),
        breakdown=dict(sorted(breakdown.items())) if by else {},
        buckets=buckets,
        labels=labels,
    )
    smallest = smallest_count(principal)
    return stats if smallest is None else suppress_small_counts(stats, smallest)


def _buckets(
    store: GraphStore,
    scope: Reach,
    code: str,
    level: int | None,
    counts: Counter[tuple[str, str]],
    by: str | None,
) -> list[StatsBucket]:
    if level is None:
        return []
    low, high = subtree_bounds(code)
    places = store.read(queries.BUCKET_PLACES, {"lo": low, "hi": high, "level": level,
                                                **scope.params()})  # fmt: skip
    out = []
    for place in places:
        split = {v: n for (b, v), n in counts.items() if b == place["code"]}
        out.append(
            StatsBucket(
                code=str(place["code"]),
                name=str(place["name"]),
                count=sum(split.values()),
                breakdown=dict(sorted(split.items())) if by else {},
            )
        )
    return out


def _level(level: int | None, place_level: int | None) -> int | None:
    if place_level is None:
        return level
    if level is None:
        return place_level + 1 if place_level < Level.DOOR else None
    if level <= place_level:
        raise ValidationFailed([Violation(
            "level", f"roll-up level {level} must be below the place's level {place_level}",
            f"汇总层级 {level} 须低于该地点的层级 {place_level}", value=level,
        )])  # fmt: skip
    return level


def _default_root(scope: Reach) -> str:
    roots = scope.scope.roots
    if len(roots) == 1 and not scope.scope.all_places:
        return roots[0]
    where = "the whole city" if scope.scope.all_places else ", ".join(roots) or "no place"
    raise invalid("within", f"give the place to count under (you may see {where})",
                  "请指定统计的地点（within）")  # fmt: skip


def _value(value: Any, by: str | None) -> str:
    if not by:
        return ""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
