"""The places an audience covers at one level and who answers for each (管辖).

Responsibility is the nearest current ``HAS_JURISDICTION_OVER`` on a place's path to the root,
read once for all units and their ancestors, so a street's hundred communities cost one query.
Where several organizations answer for the same place, the one in which the wanted role is
held comes first, then by credit code, so the choice is stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from citykg.audience import queries
from citykg.geo.codes import LEVEL_LABELS, Level, PlaceCode
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with


@dataclass(frozen=True, slots=True)
class Unit:
    """A place at one level and the organization responsible for it (None: nobody is)."""

    code: str
    name: str
    level: int
    organization: str | None
    organization_name: str | None


@dataclass(frozen=True, slots=True)
class PostHolder:
    """A person holding a post (organization + role) now."""

    organization: str
    role: str
    person: str
    name: str


def places_at(store: GraphStore, *, scope: PlaceScope, level: Level) -> list[tuple[str, str]]:
    """``(code, name)`` of the places of ``level`` under the scope's roots."""
    query = cypher_with(queries.PLACES_AT_LEVEL_TEMPLATE, label=LEVEL_LABELS[level])
    rows = store.read(query, scope.params())
    return [(str(r["code"]), str(r["name"])) for r in rows]


def units_at(
    store: GraphStore, *, scope: PlaceScope, level: Level, prefer_role: str | None = None
) -> list[Unit]:
    """The places of ``level`` under the scope, each with its responsible organization."""
    places = places_at(store, scope=scope, level=level)
    return responsible(store, places=places, level=level, prefer_role=prefer_role)


def responsible(
    store: GraphStore,
    *,
    places: Sequence[tuple[str, str]],
    level: int,
    prefer_role: str | None = None,
) -> list[Unit]:
    """``places`` (code, name) with the nearest organization answering for each."""
    wanted = {code for code, _ in places}
    for code, _ in places:
        wanted.update(a.value for a in PlaceCode(code).ancestors())
    rows = store.read(queries.JURISDICTIONS, {"codes": sorted(wanted)})
    orgs: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        orgs.setdefault(str(r["code"]), []).append((str(r["organization"]), str(r["name"])))
    staffed: set[str] = set()
    if prefer_role:
        every = sorted({org for found in orgs.values() for org, _ in found})
        staffed = {h.organization for h in post_holders(store, organizations=every,
                                                        roles=[prefer_role])}  # fmt: skip
    units = []
    for code, name in places:
        path = [code, *(a.value for a in PlaceCode(code).ancestors())]
        found = next((orgs[c] for c in path if c in orgs), [])
        ranked = sorted(found, key=lambda o: (o[0] not in staffed, o[0]))
        org, org_name = ranked[0] if ranked else (None, None)
        units.append(Unit(code, name, level, org, org_name))
    return units


def post_holders(
    store: GraphStore, *, organizations: Sequence[str], roles: Sequence[str] = ()
) -> list[PostHolder]:
    """Who holds posts in ``organizations`` now (only ``roles`` when given)."""
    rows = store.read(queries.POSTS, {"organizations": list(organizations), "roles": list(roles)})
    return [
        PostHolder(str(r["organization"]), str(r["role"] or ""), str(r["person"]),
                   str(r["name"] or ""))
        for r in rows
    ]  # fmt: skip
