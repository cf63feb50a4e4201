"""Jurisdiction (管辖): who is responsible for a place, and what an organization answers for.

An organization has jurisdiction over places: ``(org)-[:HAS_JURISDICTION_OVER {since, basis}]->
(place)``. Responsibility for a place is the *nearest* jurisdiction on its path to the root, so
attaching compound b under community a makes a's residents' committee responsible for b with no
other step, and moving b moves its responsibility with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from citykg.errors import NotFound, ValidationFailed, Violation
from citykg.geo import queries
from citykg.geo.codes import subtree_bounds
from citykg.geo.models import Page, PlaceRef
from citykg.geo.places import MAX_PAGE, resolve_code
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """One organization's jurisdiction over one place on the path to the root."""

    credit_code: str
    organization: str
    labels: tuple[str, ...]
    place_code: str
    place_name: str
    level: int | None
    since: str | None = None
    basis: str | None = None


@dataclass(frozen=True, slots=True)
class Responsibility:
    """Who answers for a place: the nearest jurisdiction(s), and the whole chain above them."""

    place_code: str
    responsible: tuple[Jurisdiction, ...]
    chain: tuple[Jurisdiction, ...]


def responsible_organizations(store: GraphStore, *, code: str, scope: PlaceScope) -> Responsibility:
    """The organizations responsible for ``code``: the nearest jurisdiction on its path up."""
    current = resolve_code(store, code=code, scope=scope)
    rows = store.read(queries.JURISDICTIONS_ON_PATH, {"code": current, **scope.params()})
    chain = tuple(
        Jurisdiction(
            credit_code=str(r["creditCode"]),
            organization=str(r["name"]),
            labels=tuple(r["labels"]),
            place_code=str(r["placeCode"]),
            place_name=str(r["placeName"]),
            level=None if r["level"] is None else int(r["level"]),
            since=r["since"],
            basis=r["basis"],
        )
        for r in rows
    )
    nearest = chain[0].place_code if chain else None
    return Responsibility(current, tuple(j for j in chain if j.place_code == nearest), chain)


def places_under_jurisdiction(
    store: GraphStore,
    *,
    org: str,
    scope: PlaceScope,
    level: int | None = None,
    nearest_only: bool = False,
    skip: int = 0,
    limit: int = 1000,
) -> Page[PlaceRef]:
    """Every place under the places ``org`` (credit code) has jurisdiction over.

    With ``nearest_only`` the subtrees another organization is nearer to are left out: what
    ``org`` itself answers for.
    """
    roots = store.read(queries.JURISDICTION_ROOTS, {"org": org})
    if not roots:
        if not store.read(queries.ORGANIZATION, {"org": org}):
            raise NotFound(f"org: no organization with credit code {org}")
        return Page((), 0, skip)
    items: list[PlaceRef] = []
    total = 0
    limit = max(0, min(limit, MAX_PAGE))
    for root in roots:
        low, high = subtree_bounds(str(root["code"]))
        excluded: list[str] = []
        if nearest_only:
            others = store.read(
                queries.OTHER_JURISDICTIONS_UNDER, {"lo": low, "hi": high, "org": org}
            )
            excluded = [str(r["code"]) for r in others]
        params = {
            "lo": low,
            "hi": high,
            "level": level,
            "excluded": excluded,
            "skip": 0,
            "end": skip + limit,
            **scope.params(),
        }
        found = store.read(queries.PLACES_IN_RANGE, params)[0]
        total += int(found["total"])
        items += [PlaceRef(str(r["code"]), str(r["name"]), r["level"]) for r in found["rows"]]
    return Page(tuple(items[skip : skip + limit]), total, skip)


def assign_jurisdiction(
    store: GraphStore,
    *,
    org: str,
    code: str,
    scope: PlaceScope,
    since: str | None = None,
    basis: str | None = None,
) -> None:
    """Give ``org`` jurisdiction over the place ``code`` (idempotent; one statement)."""
    current = resolve_code(store, code=code, scope=scope)
    params = {"org": org, "code": current, "since": since, "basis": basis, **scope.params()}
    rows = store.write(queries.ASSIGN_JURISDICTION, params).rows
    if not rows or not int(rows[0]["assigned"]):
        raise ValidationFailed(
            [Violation(path="org", message=f"no organization with credit code {org}", value=org)]
        )
