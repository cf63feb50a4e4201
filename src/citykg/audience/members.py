"""Who an audience reaches: the entities a ledger filter selects, or the households, living
(attached) under its places now.

A member source is a Cypher prefix binding ``x`` (the entity) and ``place`` (where it hangs
off), built by the ledgers' own selection (:func:`citykg.ledgers.selection.select`), so a
task's "every person over 60" is the ledger's filter syntax and compilation, scoped the same
way. Callers read it in batches, one place subtree at a time, or append their own writes to it
(a task creates one item per member without the rows leaving the graph).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, LiteralString

from citykg.access.policy import Reach
from citykg.access.principals import Principal
from citykg.audience import queries
from citykg.geo.codes import subtree_bounds
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.ledgers import Catalog, Filter
from citykg.ledgers.selection import select

MemberKind = Literal["entity", "household"]


@dataclass(frozen=True, slots=True)
class Member:
    """One member: its identity key and the code of the place it lives at or hangs off."""

    key: str
    place: str


@dataclass(frozen=True)
class MemberSource:
    """The Cypher prefix selecting the members (``x``, ``place``) of an audience and its
    parameters; :meth:`under` narrows it to one place subtree."""

    kind: MemberKind
    type: str
    text: LiteralString
    params: dict[str, Any]

    def under(self, code: str) -> dict[str, Any]:
        """The parameters that restrict the source to the subtree of ``code``."""
        low, high = subtree_bounds(code)
        return {**self.params, "lo": low, "hi": high}


def member_source(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    scope: PlaceScope,
    kind: MemberKind = "entity",
    type: str = "Person",
    filters: Sequence[Filter] = (),
    purpose: str | None = None,
) -> MemberSource:
    """The members of ``scope``: entities of ``type`` matching ``filters`` (checked like a
    ledger's: a bad filter is a ValidationFailed naming ``filter``), or household heads."""
    if kind == "household":
        params = {"key": "idNumber", "lo": "", "hi": "~", **scope.params()}
        return MemberSource(kind, "Person", queries.households_source, params)
    selection = select(store, catalog=catalog, principal=principal, reach=Reach(scope),
                       type=type, filters=filters, purpose=purpose)  # fmt: skip
    return MemberSource(kind, selection.etype.name, selection.text, selection.params)


def read_members(
    store: GraphStore, source: MemberSource, *, units: Sequence[str]
) -> Iterator[list[Member]]:
    """The members under each of ``units`` (place codes), one batch per unit."""
    text = source.text + queries.one_per_member + queries.return_members
    for code in units:
        rows = store.read(text, source.under(code))
        if rows:
            yield [Member(str(r["key"]), str(r["place"])) for r in rows]
