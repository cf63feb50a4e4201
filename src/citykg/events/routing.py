"""Routing (一体派单): (category × place) → the responsible organization and post.

The rule for a category (``routes`` in ``rules.yaml``, longest code prefix) names a level of
the place tree and, at the district, a department; the organization is the one holding
jurisdiction (``HAS_JURISDICTION_OVER``) over the place's ancestor at that level. A report that
cannot be routed (no place, or nobody answers there) goes to the command centre's queue; the
command centre also dispatches every case (one door, one dispatch).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from citykg.events.config import EventRules

LEVEL_LENGTHS = {"community": 12, "street": 9, "district": 6}


@dataclass(frozen=True, slots=True)
class Routing:
    """Where a case goes: ``department`` and ``role`` (None: unroutable, the command centre's
    queue), ``dispatcher``: the command centre dispatching it."""

    department: str | None
    role: str | None
    dispatcher: str | None
    rule: str

    @property
    def routed(self) -> bool:
        return self.department is not None


class Directory:
    """Who holds jurisdiction over each place of levels 1–5, in memory (refreshed on change)."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.at: dict[str, list[tuple[str, str]]] = {}
        self.names: dict[str, str] = {}
        for row in rows:
            org, name = str(row["org"]), str(row["name"] or "")
            self.at.setdefault(str(row["place"]), []).append((org, name))
            self.names[org] = name
        for orgs in self.at.values():
            orgs.sort()

    def route(self, rules: EventRules, *, category: str, place: str | None) -> Routing:
        """The post responsible for ``category`` at ``place``, and the command centre."""
        centre = self.command_centre(rules, place)
        spec = rules.route_for(category)
        rule = next(k for k in sorted(rules.routes, key=len, reverse=True)
                    if category.startswith(k))  # fmt: skip
        length = LEVEL_LENGTHS[spec.level]
        if place is None or len(place) < length:
            return Routing(None, None, centre, rule)
        candidates = self.at.get(place[:length], [])
        if spec.department:
            candidates = [(o, n) for o, n in candidates if n.endswith(spec.department)]
        if not candidates:
            return Routing(None, None, centre, rule)
        return Routing(candidates[0][0], spec.role, centre, rule)

    def command_centre(self, rules: EventRules, place: str | None) -> str | None:
        """The command centre for ``place``'s district (any district's when there is no place)."""
        wanted = rules.command_centre.department
        districts = [place[:6]] if place and len(place) >= 6 else sorted(
            p for p in self.at if len(p) == 6
        )  # fmt: skip
        for district in districts:
            for org, name in self.at.get(district, []):
                if name.endswith(wanted):
                    return org
        return None
