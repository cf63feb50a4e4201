"""``/places``: one place (by current or former code), its children, roll-ups, address parsing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, StrictBool

from citykg.access import ensure_allowed
from citykg.access.disclosure import exact, perturbed, smallest_count
from citykg.access.policy import place_scope
from citykg.api.deps import CurrentPrincipal, Store
from citykg.geo import (
    GazetteerCache,
    PlaceScope,
    enter_address,
    get_place,
    list_children,
    parse_level,
    rollup,
)
from citykg.geo.address import ParsedAddress

router = APIRouter(prefix="/places", tags=["places"])


def get_place_scope(principal: CurrentPrincipal) -> PlaceScope:
    """The places the caller may see (from their posts' jurisdiction; see access.policy)."""
    return place_scope(principal)


Scope = Annotated[PlaceScope, Depends(get_place_scope)]


# --- models -----------------------------------------------------------------------------------


class PlaceRefOut(BaseModel):
    code: str
    name: str
    level: int | None = None
    kind: str = ""


class PlaceOut(BaseModel):
    code: str
    name: str
    level: int | None
    kind: str
    parent: str | None
    ancestors: list[PlaceRefOut]
    short_name: str | None = None
    former_names: list[str] = []
    former_codes: list[str] = []
    source: str | None = None
    resolved_from: str | None = Field(
        default=None, description="The code asked for, when it is a former code of this place."
    )


class ChildrenOut(BaseModel):
    code: str
    total: int
    skip: int
    items: list[PlaceRefOut]


class BucketOut(BaseModel):
    code: str
    name: str
    count: int | None


class StatsOut(BaseModel):
    code: str
    name: str
    type: str
    level: int | None
    total: int | None
    direct: int | None = Field(description="Entities attached above the roll-up level.")
    buckets: list[BucketOut]
    suppressed_below: int | None = Field(
        default=None, description="Published counts below this are withheld (None)."
    )
    perturbed: bool = Field(
        default=False,
        description="Counts are perturbed by the cell key method (±2; the same entities always "
        "give the same number), for those who may not read the rows.",
    )


class ParseIn(BaseModel):
    address: str = Field(min_length=1, max_length=500, examples=["北京市朝阳区望京街道花家地社区"])
    within: str | None = Field(default=None, description="Prefer places under this code on ties.")


class LevelOut(BaseModel):
    level: int
    key: str
    code: str | None
    name: str
    text: str
    inferred: bool
    abbreviated: bool


class ParseOut(BaseModel):
    text: str
    normalized: str
    place_code: str | None
    levels: list[LevelOut]
    remainder: str
    alternatives: list[str]


class ResolveIn(ParseIn):
    create: StrictBool = Field(
        default=False, description="Create missing compound/building/unit/door."
    )


class ResolveOut(BaseModel):
    parsed: ParseOut
    place: PlaceRefOut | None
    path: list[PlaceRefOut]
    created: list[PlaceRefOut]
    missing: list[LevelOut]
    note: str


# --- routes -----------------------------------------------------------------------------------


@router.get("/{code}", response_model=PlaceOut)
def read_place(code: str, store: Store, scope: Scope) -> PlaceOut:
    """One place; a former code answers with the current place and ``resolved_from``."""
    place = get_place(store, code=code, scope=scope)
    return PlaceOut(
        code=place.code,
        name=place.name,
        level=place.level,
        kind=place.kind,
        parent=place.parent,
        ancestors=[PlaceRefOut(**_ref(a)) for a in place.ancestors],
        short_name=place.short_name,
        former_names=list(place.former_names),
        former_codes=list(place.former_codes),
        source=place.source,
        resolved_from=place.resolved_from,
    )


@router.get("/{code}/children", response_model=ChildrenOut)
def read_children(
    code: str,
    store: Store,
    scope: Scope,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ChildrenOut:
    """The places directly under ``code``, ordered by code."""
    page = list_children(store, code=code, scope=scope, skip=skip, limit=limit)
    current = get_place(store, code=code, scope=scope).code
    return ChildrenOut(
        code=current,
        total=page.total,
        skip=page.skip,
        items=[PlaceRefOut(**_ref(c)) for c in page.items],
    )


@router.get("/{code}/stats", response_model=StatsOut)
def read_stats(
    code: str,
    store: Store,
    scope: Scope,
    principal: CurrentPrincipal,
    type: Annotated[str, Query(description="Entity type: Person, Thing, Event…")] = "Person",
    level: Annotated[
        str | None, Query(description="Roll-up level: 1–9 or city/district/street/community…")
    ] = None,
    include_past: bool = False,
) -> StatsOut:
    """Counts of ``type`` under ``code``, rolled up by place at ``level`` (default: below):
    exact for a caller who may read the rows, perturbed (the cell key method) and small ones
    withheld for one who may not (an analyst)."""
    smallest = smallest_count(principal)
    result = rollup(
        store,
        code=code,
        scope=scope,
        entity=type,
        level=parse_level(level),
        include_past=include_past,
        members=smallest is not None,
    )
    places = [(b.code, "") for b in result.buckets]
    total: int | None
    direct: int | None
    if smallest is None or result.members is None:
        measure = exact({(b.code, ""): b.count for b in result.buckets})
        total, direct = result.total, result.direct
    else:
        measure = perturbed(
            {(bucket, ""): keys for bucket, keys in result.members.items()}, smallest=smallest
        )
        total = measure(measure.cells)
        direct = measure(measure.cells - set(places)) if result.level is not None else 0
    return StatsOut(
        code=result.code,
        name=result.name,
        type=result.entity,
        level=result.level,
        total=total,
        direct=direct,
        buckets=[
            BucketOut(code=b.code, name=b.name, count=measure({cell} & measure.cells))
            for b, cell in zip(result.buckets, places, strict=True)
        ],
        suppressed_below=smallest,
        perturbed=measure.perturbed,
    )


@router.post("/parse", response_model=ParseOut)
def parse_address(
    body: ParseIn, request: Request, store: Store, principal: CurrentPrincipal
) -> ParseOut:
    """Parse a free-text address: each level found, the matched places and what is left."""
    parsed = _gazetteers(request).get(store).parse(body.address, within=body.within)
    return _parsed(parsed)


@router.post("/resolve", response_model=ResolveOut)
def resolve_address(
    body: ResolveIn, request: Request, store: Store, scope: Scope, principal: CurrentPrincipal
) -> ResolveOut:
    """Resolve an address to a place node; with ``create`` (needs ``place.edit``, within the
    caller's scope) make the missing levels 6–9."""
    if body.create:
        ensure_allowed(principal=principal, action="place.edit")
    entry = enter_address(
        store,
        address=body.address,
        gazetteer=_gazetteers(request).get(store),
        scope=scope,
        create=body.create,
        author=principal.id,
        within=body.within,
    )
    return ResolveOut(
        parsed=_parsed(entry.parsed),
        place=PlaceRefOut(**_ref(entry.place)) if entry.place else None,
        path=[PlaceRefOut(**_ref(p)) for p in entry.path],
        created=[PlaceRefOut(**_ref(p)) for p in entry.created],
        missing=[LevelOut(**m.as_dict()) for m in entry.missing],
        note=entry.note,
    )


def _gazetteers(request: Request) -> GazetteerCache:
    cache: GazetteerCache | None = getattr(request.app.state, "gazetteers", None)
    if cache is None:
        cache = GazetteerCache()
        request.app.state.gazetteers = cache
    return cache


def _parsed(parsed: ParsedAddress) -> ParseOut:
    return ParseOut(
        text=parsed.text,
        normalized=parsed.normalized,
        place_code=parsed.place_code,
        levels=[LevelOut(**m.as_dict()) for m in parsed.levels],
        remainder=parsed.remainder,
        alternatives=list(parsed.alternatives),
    )


def _ref(ref: Any) -> dict[str, Any]:
    return {"code": ref.code, "name": ref.name, "level": ref.level, "kind": ref.kind}
