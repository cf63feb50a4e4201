"""Who is asking: a principal, with the roles, tags and place scope that decide what it sees.

An official's roles, tags and scope are not stored on the principal: they are read from the
posts its person holds (``HOLDS_POST_IN`` without ``until``) and the jurisdiction of the
organizations holding those posts (a process remembers them until a write names posts,
jurisdiction, principals or tokens: :mod:`citykg.graph.stamps`). Moving an official to another post
therefore changes what they see at the next request with no permission edit, and ending a post ends
the access it gave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from citykg.geo.scope import PlaceScope

PrincipalKind = Literal["official", "resident", "analyst", "steward", "builder", "service"]
KINDS: tuple[PrincipalKind, ...] = (
    "official",
    "resident",
    "analyst",
    "steward",
    "builder",
    "service",
)


@dataclass(frozen=True, slots=True)
class Post:
    """A post held now: the organization, the role code and the tags it carries."""

    organization: str
    role: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. ``person`` is the identity key of the Person it acts as."""

    id: str
    kind: PrincipalKind
    name: str
    person: str | None = None
    roles: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    posts: tuple[Post, ...] = ()
    scope: PlaceScope = field(default_factory=PlaceScope.nothing)

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.name})"
