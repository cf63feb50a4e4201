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
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, LiteralString

from citykg.access.disclosure import Cell, exact, perturbed, smallest_count
from citykg.access.policy import STATS, Reach
from citykg.access.policy import read_reach as reach
from citykg.access.principals import Principal
from citykg.errors import ValidationFailed, Violation
from citykg.geo import get_place, parse_level
from citykg.geo.codes import CODE_LENGTHS, Level, subtree_bounds
from citykg.graph import GraphStore
from citykg.ledgers import queries
from citykg.ledgers.catalog import AGE_BAND, BIRTH_DATE, Catalog, age_bands, invalid
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
    """Counts of ``type`` under ``within`` (default: the principal's one jurisdiction root):
    exact for a principal who may read the rows, perturbed and small ones withheld for one who
    may not (an analyst; :mod:`citykg.access.disclosure`)."""
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
    smallest = smallest_count(principal)
    measure = (
        exact(_counts(store, selection.text, params, by))
        if smallest is None
        else perturbed(_members(store, selection.text, params, by), smallest=smallest)
    )
    labels = catalog.code_labels(attribute) if attribute is not None else {}
    # withheld counts of values beyond the attribute's domain are left out: a listed value with
    # a withheld count would tell that someone has it
    domain = (
        set(labels) | {b["label"] for b in params["bands"] if by == AGE_BAND} | {NONE}
        if measure.perturbed and by
        else set()
    )

    in_bucket: dict[str, list[Cell]] = {}
    for cell in measure.cells:
        in_bucket.setdefault(cell[0], []).append(cell)

    def breakdown(cells: Collection[Cell]) -> dict[str, int | None]:
        values = sorted(domain | {v for _, v in cells}) if by else []
        shown = {v: measure([(b, w) for b, w in cells if w == v]) for v in values}
        return {v: n for v, n in shown.items() if n is not None or v in domain}

    return LedgerStats(
        type=etype.name,
        code=place.code,
        name=place.name,
        level=roll,
        by=by,
        total=measure(measure.cells),
        direct=measure([(b, v) for b, v in measure.cells if len(b) != width]),
        breakdown=breakdown(measure.cells),
        buckets=[
            StatsBucket(
                code=code,
                name=name,
                breakdown=breakdown(in_bucket.get(code, [])),
                count=measure(in_bucket.get(code, [])),
            )
            for code, name in _bucket_places(store, scope, place.code, roll)
        ],
        labels=labels,
        suppressed_below=smallest,
        perturbed=measure.perturbed,
    )


def _counts(
    store: GraphStore, text: LiteralString, params: dict[str, Any], by: str | None
) -> Counter[Cell]:
    counts: Counter[Cell] = Counter()
    for row in store.read(text + queries.count_buckets, params):
        counts[(str(row["bucket"]), _value(row["value"], by))] += int(row["n"])
    return counts


def _members(
    store: GraphStore, text: LiteralString, params: dict[str, Any], by: str | None
) -> dict[Cell, frozenset[str]]:
    members: dict[Cell, frozenset[str]] = {}
    for row in store.read(text + queries.member_buckets, params):
        cell = (str(row["bucket"]), _value(row["value"], by))
        members[cell] = members.get(cell, frozenset()) | {str(m) for m in row["members"]}
    return members


def _bucket_places(
    store: GraphStore, scope: Reach, code: str, level: int | None
) -> list[tuple[str, str]]:
    if level is None:
        return []
    low, high = subtree_bounds(code)
    places = store.read(queries.BUCKET_PLACES, {"lo": low, "hi": high, "level": level,
                                                **scope.params()})  # fmt: skip
    return [(str(p["code"]), str(p["name"])) for p in places]


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
