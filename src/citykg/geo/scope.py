"""Which places a caller may see: a set of place-code subtrees.

Every geo function that returns city data takes a required keyword ``scope: PlaceScope`` and
applies it *inside* the Cypher as a parameterised predicate on ``$scopeRoots`` (a place is
visible when its code starts with one of the roots; everywhere is the one root ``""``), never by
filtering rows afterwards. Because a place's code always starts with its parent's code
(see :mod:`citykg.geo.codes`), "under root r" is "code starts with r".

The permissions issue builds principals on top: an official's posts compile to the roots of
the places under their jurisdiction; system jobs use :meth:`PlaceScope.everywhere` explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citykg.geo.codes import PlaceCode


@dataclass(frozen=True, slots=True)
class PlaceScope:
    """The subtrees (by root code) a caller may see; ``everywhere`` sees the whole city."""

    roots: tuple[str, ...] = ()
    all_places: bool = False

    @classmethod
    def everywhere(cls) -> PlaceScope:
        """Every place: for system jobs, imports and tools run by an operator."""
        return cls((), True)

    @classmethod
    def within(cls, *codes: str) -> PlaceScope:
        """The subtrees under ``codes`` (checked); nested roots collapse into their ancestor."""
        checked = sorted({PlaceCode.parse(code, field="scope").value for code in codes})
        kept: list[str] = []
        for code in checked:  # sorted, so an ancestor comes before its descendants
            if not any(code.startswith(root) for root in kept):
                kept.append(code)
        return cls(tuple(kept), False)

    @classmethod
    def nothing(cls) -> PlaceScope:
        """No place at all (a principal with no jurisdiction)."""
        return cls((), False)

    def contains(self, code: str) -> bool:
        """Whether the place with ``code`` is visible (the same test the Cypher predicate runs)."""
        return self.all_places or any(code.startswith(root) for root in self.roots)

    def params(self) -> dict[str, Any]:
        """The ``$scopeRoots`` parameter of every scoped query (``[""]`` matches every code)."""
        return {"scopeRoots": [""] if self.all_places else list(self.roots)}

    def __str__(self) -> str:
        return "everywhere" if self.all_places else "within " + (", ".join(self.roots) or "nothing")
