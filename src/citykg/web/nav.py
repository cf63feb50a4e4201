"""The navigation, as data: one entry per area of the console and of the resident page.

A new area is a template, a module of routes registered in :mod:`citykg.web.mount`, and its
``href`` here. An area whose pages are not built yet is listed without one: the navigation
shows it greyed out, marked "coming soon", at the place its pages will take.
"""

from __future__ import annotations

from dataclasses import dataclass

from citykg.access import Principal


@dataclass(frozen=True, slots=True)
class Area:
    """A navigation entry: its text key, its page (None until its pages exist) and the paths
    that belong to it."""

    key: str
    href: str | None = None
    under: tuple[str, ...] = ()

    def active(self, path: str) -> bool:
        return path == self.href or path.startswith(self.under)


CONSOLE = (
    Area("home", "/console"),
    Area("places", "/console/places", ("/console/places",)),
    Area("ledgers", "/console/ledgers/Person", ("/console/ledgers", "/entities/")),
    Area("forms", "/console/forms", ("/console/forms", "/console/builder", "/fill/")),
    Area("reviews", "/console/reviews", ("/console/reviews",)),
    Area("tasks", "/console/tasks", ("/console/tasks",)),
    Area("channels", "/console/channels", ("/console/channels",)),
    Area("notifications", "/console/notifications", ("/console/notifications",)),
    Area("events", "/console/events", ("/console/events",)),
)
RESIDENT = (
    Area("services", "/my", ("/fill/", "/my/channels/", "/my/report")),
    Area("requests", "/my/requests"),
    Area("messages", "/my/messages"),
    Area("my", "/my/me", ("/entities/",)),
)


def areas(principal: Principal) -> tuple[Area, ...]:
    return RESIDENT if principal.kind == "resident" else CONSOLE


def home_of(principal: Principal) -> str:
    return "/my" if principal.kind == "resident" else "/console"
