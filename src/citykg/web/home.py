"""The console's home: alerts (pending reviews, open task items, unanswered requests, events
near their deadline, unread notifications), and the jurisdiction at a glance (counts rolled up
by place).

Counts come from the ``/places/{code}/stats`` route's own function, so what an official sees
here is what the API answers them (exact within their jurisdiction). Rolling up a district of
100,000 residents takes seconds, so the page loads them after itself (htmx) and keeps them a
minute, per scope and disclosure (a transfer changes the scope, hence the key), saying as of when.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from weakref import WeakKeyDictionary

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.responses import Response

from citykg import tasks
from citykg.access import Principal
from citykg.access.disclosure import smallest_count
from citykg.access.policy import place_scope
from citykg.api.deps import Store
from citykg.api.routes.places import StatsOut, read_stats
from citykg.controls.review import held_list
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.web.auth import mirrors, officials_only
from citykg.web.channels import unanswered
from citykg.web.events import near_deadline
from citykg.web.notifications import unread_messages
from citykg.web.render import render
from citykg.web.routing import page_router

router = page_router(officials_only)
COUNTED = 500
"""Alert counts stop here and show as "500+" (a home page is not a report)."""
OPEN_ITEMS = ("pending", "in_progress", "returned", "redo")
TYPES = ("Person", "Organization", "Thing")
GLANCE_TTL_S = 60.0
"""How old the home page's counts may be."""
Reviewer = Annotated[Principal, Depends(mirrors("GET /reviews"))]
StatsReader = Annotated[Principal, Depends(mirrors("GET /places/{code}/stats"))]


@dataclass(frozen=True, slots=True)
class Glance:
    """Persons, organizations and things under a place, by place one level down, as of ``at``."""

    counts: dict[str, StatsOut]
    at: datetime


_Key = tuple[PlaceScope, int | None, str]
_GLANCES: WeakKeyDictionary[GraphStore, TTLCache[_Key, Glance]] = WeakKeyDictionary()
_GLANCES_LOCK = threading.Lock()


def glance(store: Store, who: Principal, code: str) -> Glance:
    """The counts under ``code`` as ``who`` may see them, at most :data:`GLANCE_TTL_S` old."""
    scope = place_scope(who)
    key = (scope, smallest_count(who), code)
    with _GLANCES_LOCK:
        cache = _GLANCES.setdefault(store, TTLCache(maxsize=1024, ttl=GLANCE_TTL_S))
        found = cache.get(key)
    if found is None:
        found = Glance({type: read_stats(code, store, scope, who, type=type, level=None,
                                         include_past=False)
                        for type in TYPES}, datetime.now(UTC))  # fmt: skip
        with _GLANCES_LOCK:
            cache[key] = found
    return found


def chart(stats: StatsOut) -> list[tuple[str, int | None, str]]:
    """The places one level down as bars: name, count, page."""
    return [(b.name, b.count, f"/console/places/{b.code}") for b in stats.buckets]


@router.get("/console")
def home(request: Request, store: Store, who: Reviewer) -> Response:
    reviews = held_list(store, principal=who, status="pending", limit=COUNTED)
    alerts = {
        "pending_reviews": (len(reviews), "/console/reviews"),
        "open_items": (
            tasks.count_mine(store, principal=who, states=OPEN_ITEMS, up_to=COUNTED),
            "/console/tasks",
        ),
        "unanswered_requests": (len(unanswered(store, who)), "/console/channels/queue"),
        "events_due": (near_deadline(store, who, limit=COUNTED), "/console/events"),
        "unread": (len(unread_messages(store, who)), "/console/notifications#inbox"),
    }
    context = {"alerts": alerts, "limit": COUNTED, "coming": ()}
    return render(request, "home.html", context)


@router.get("/console/glance")
def jurisdiction(request: Request, store: Store, who: StatsReader) -> Response:
    """The home page's counts of the jurisdiction, loaded after the page."""
    places = [(g.counts, chart(g.counts["Person"]), g.at)
              for g in (glance(store, who, root) for root in who.scope.roots)]  # fmt: skip
    return render(request, "_glance.html", {"places": places})
