"""The place scope a principal's queries run under.

Officials see the places under the jurisdiction of the organizations where they hold a post now
(resolved in :mod:`citykg.access.tokens`). Analysts (``cypher.run``) study the whole city.
Everyone else sees no place subtree: residents reach their own household through their person,
not through places.
"""

from __future__ import annotations

from citykg.access.check import allowed
from citykg.access.principals import Principal
from citykg.geo.scope import PlaceScope


def place_scope(principal: Principal) -> PlaceScope:
    if principal.kind == "official":
        return principal.scope
    if allowed(principal=principal, action="cypher.run"):
        return PlaceScope.everywhere()
    return PlaceScope.nothing()
