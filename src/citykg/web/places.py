"""The place tree (nine levels, within scope) and a place's page: counts, places below, and
who is responsible for it. Reads go through the ``/places`` routes' own functions and the geo
functions under the viewer's place scope, as the API does."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from citykg.access import Principal
from citykg.access.policy import place_scope
from citykg.api.deps import Store
from citykg.api.routes.places import read_children, read_place
from citykg.geo import responsible_organizations
from citykg.web.auth import mirrors, officials_only
from citykg.web.home import glance
from citykg.web.render import render
from citykg.web.routing import page_router

router = page_router(officials_only)
CHILDREN = 500
"""Places listed below one place (a community has a few dozen; a street a few hundred)."""
PlaceReader = Annotated[Principal, Depends(mirrors("GET /places/{code}/children"))]


@router.get("/console/places")
def tree(request: Request, store: Store, who: PlaceReader) -> Response:
    """The roots of the viewer's jurisdiction, each opening onto the places below."""
    scope = place_scope(who)
    roots = [read_place(code, store, scope) for code in who.scope.roots]
    if len(roots) == 1:
        return RedirectResponse(f"/console/places/{roots[0].code}", status_code=303)
    return render(request, "places.html", {"roots": roots})


@router.get("/console/places/{code}/children")
def children(request: Request, code: str, store: Store, who: PlaceReader) -> Response:
    """The places directly under ``code``: a branch of the tree, opened in place by htmx."""
    page = read_children(code, store, place_scope(who), skip=0, limit=CHILDREN)
    return render(request, "_place_children.html", {"children": page})


@router.get("/console/places/{code}")
def place(request: Request, code: str, store: Store, who: PlaceReader) -> Response:
    scope = place_scope(who)
    here = read_place(code, store, scope)
    counts = glance(store, who, here.code).counts
    context = {
        "place": here,
        "ancestors": [a for a in here.ancestors if scope.contains(a.code)],
        "counts": counts,
        "counted": {
            type: {b.code: b.count for b in stats.buckets} for type, stats in counts.items()
        },
        "children": read_children(here.code, store, scope, skip=0, limit=CHILDREN),
        "responsible": responsible_organizations(store, code=here.code, scope=scope),
    }
    return render(request, "place.html", context)
