"""Sending a statement through the graph's planner, as the platform would run it."""

from __future__ import annotations

import re
from typing import Any

from citykg.graph import GraphStore

PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)(\.?)")


def planned(store: GraphStore, query: str) -> str:
    """The plan of ``query`` with a value for every parameter (a map where one is read as a
    map): FalkorDB refuses to explain a cached plan whose parameters are missing."""
    found = PARAMETER.findall(query)
    maps = {name for name, dotted in found if dotted}
    params: dict[str, Any] = {name: {} if name in maps else 1 for name, _ in found}
    return store.explain(query, params)
