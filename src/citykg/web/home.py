"""The console's home: alerts (pending reviews, open task items, unanswered requests, events
near their deadline, unread notifications), and the jurisdiction at a glance (counts rolled up
by place).

Counts come from the ``/places/{code}/stats`` route's own function, so what an official sees
here is what the API answers them (exact within their jurisdiction).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from citykg import tasks
from citykg.access import Principal
from citykg.access.policy import place_scope
from citykg.api.deps import Store
from citykg.api.routes.places import StatsOut, read_stats
from citykg.controls.review import held_list
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
Reviewer = Annotated[Principal, Depends(mirrors("GET /reviews"))]


def glance(store: Store, who: Principal, code: str) -> dict[str, StatsOut]:
    """Persons, organizations and things under ``code``, by place one level down."""
    scope = place_scope(who)
    return {
        type: read_stats(code, store, scope, who, type=type, level=None, include_past=False)
        for type in TYPES
    }


def chart(stats: StatsOut) -> list[tuple[str, int | None, str]]:
    """The places one level down as bars: name, count, page."""
    return [(b.name, b.count, f"/console/places/{b.code}") for b in stats.buckets]


@router.get("/console")
def home(request: Request, store: Store, who: Reviewer) -> Response:
    reviews = held_list(store, principal=who, status="pending", limit=COUNTED)
    items = tasks.mine(store, principal=who, states=OPEN_ITEMS, limit=COUNTED)
    alerts = {
        "pending_reviews": (len(reviews), "/console/reviews"),
        "open_items": (len(items), "/console/tasks"),
        "unanswered_requests": (len(unanswered(store, who)), "/console/channels/queue"),
        "events_due": (len(near_deadline(store, who)), "/console/events"),
        "unread": (len(unread_messages(store, who)), "/console/notifications#inbox"),
    }
    places = [
        (counts, chart(counts["Person"]))
        for counts in (glance(store, who, root) for root in who.scope.roots)
    ]
    context = {
        "alerts": alerts,
        "limit": COUNTED,
        "places": places,
        "coming": (),
    }
    return render(request, "home.html", context)
