"""A resident's reach: their household now, looked up when asked so a move counts at once."""

from __future__ import annotations

from citykg.access import queries
from citykg.graph import GraphStore


def household_of(store: GraphStore, *, person: str) -> tuple[str, ...]:
    """The ID numbers of ``person``'s household now: themselves, those linked by household
    headship (either way or under the same head) and those living at the same place."""
    rows = store.read(queries.HOUSEHOLD, {"person": person})
    return tuple(dict.fromkeys(rows[0]["household"])) if rows else ()
