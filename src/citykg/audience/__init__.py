"""Audience (受众): what a scope in the place tree covers, within what the caller may reach.

A scope (one or more place codes), plus an optional ledger filter, becomes: the places under
it by level, the organizations responsible for them (jurisdiction) and their posts, and the
members: persons living there now (or the entities a ledger filter selects, or households).
A scope outside the caller's jurisdiction is refused before anything is read or written
(:func:`citykg.access.policy.audience_scope`). Tasks split with it; notifications target with it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from citykg.access.policy import audience_scope
from citykg.access.principals import Principal
from citykg.audience.members import (
    Member,
    MemberKind,
    MemberSource,
    member_source,
    read_members,
)
from citykg.audience.units import PostHolder, Unit, places_at, post_holders, units_at
from citykg.geo.codes import Level
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.ledgers import Catalog, Filter


@dataclass(frozen=True)
class Audience:
    """A checked scope (``roots``, all within the caller's reach) and who it reaches."""

    roots: tuple[str, ...]
    scope: PlaceScope
    members: MemberSource

    def places(self, store: GraphStore, *, level: Level) -> list[tuple[str, str]]:
        """``(code, name)`` of the places of ``level`` covered."""
        return places_at(store, scope=self.scope, level=level)

    def units(self, store: GraphStore, *, level: Level, role: str | None = None) -> list[Unit]:
        """The places of ``level`` covered, each with the organization responsible for it
        (where several are, one holding ``role`` first)."""
        return units_at(store, scope=self.scope, level=level, prefer_role=role)

    def posts(
        self, store: GraphStore, *, level: Level, roles: Sequence[str] = ()
    ) -> list[PostHolder]:
        """Who holds posts (of ``roles``) in the organizations responsible at ``level``."""
        orgs = sorted({u.organization for u in self.units(store, level=level) if u.organization})
        return post_holders(store, organizations=orgs, roles=roles)

    def stream(
        self, store: GraphStore, *, level: Level = Level.COMMUNITY
    ) -> Iterator[list[Member]]:
        """The members, one batch per place of ``level`` (a root below it: one batch)."""
        units = [code for code, _ in self.places(store, level=level)]
        units += [r for r in self.roots if not any(u.startswith(r) for u in units)]
        return read_members(store, self.members, units=sorted(units))


def audience(
    store: GraphStore,
    *,
    principal: Principal,
    scope: Sequence[str],
    action: str,
    catalog: Catalog,
    kind: MemberKind = "entity",
    type: str = "Person",
    filters: Sequence[Filter] = (),
    purpose: str | None = None,
) -> Audience:
    """The audience of ``scope`` for ``principal`` doing ``action``: Forbidden (naming
    ``scope``) when a code lies outside their jurisdiction, ValidationFailed when it is empty
    or malformed, or a filter is bad; nothing is read before the checks."""
    checked = audience_scope(principal, codes=scope, action=action)
    source = member_source(store, catalog=catalog, principal=principal, scope=checked,
                           kind=kind, type=type, filters=filters, purpose=purpose)  # fmt: skip
    return Audience(checked.roots, checked, source)


__all__ = [
    "Audience",
    "Member",
    "MemberKind",
    "MemberSource",
    "PostHolder",
    "Unit",
    "audience",
    "member_source",
    "post_holders",
]
