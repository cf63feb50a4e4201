"""Sending a statement through the graph's planner, as the platform would run it.

Both engines want every ``$parameter`` of an explained statement bound (FalkorDB refuses a cached
plan without them), and Neo4j type-checks the values against their use: a list where the
statement unwinds or searches one, a map where it reads a key, a boolean where it branches, an
integer where it slices or limits. :func:`sample_parameters` reads each parameter's type from
its use, the way the platform's call sites fill it; a call site's real values can be given too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from citykg.graph import GraphStore

PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

# The shapes of use that fix a parameter's type ({p} is the parameter's name).
USES: tuple[tuple[Any, tuple[str, ...]], ...] = (
    ([], (r"UNWIND\s+\${p}\b", r"\bIN\s+\${p}\b", r"\${p}\[\d")),
    ({}, (r"\${p}\.\w", r"\+=\s*\${p}\b")),
    (
        False,
        (
            r"\bWHEN\s+\${p}\s+THEN\b",
            r"\bTHEN\s+(?:true|false)\s+ELSE\s+\${p}\s+END\b",
            r"\${p}\s+(?:OR|AND)\b",
            r"\b(?:OR|AND|NOT)\s+\${p}\b",
        ),
    ),
    (
        1,
        (
            r"\b(?:LIMIT|SKIP)\s+\${p}\b",
            r"\[\s*\${p}\s*\.\.",
            r"\.\.\s*\${p}\s*\]",
            r"substring\([^()]*,\s*\${p}\s*\)",
        ),
    ),
)


def sample_parameters(query: str) -> dict[str, Any]:
    """A value of the right type for every parameter of ``query``: a string unless its use
    says otherwise (see :data:`USES`)."""
    params: dict[str, Any] = {}
    for name in dict.fromkeys(PARAMETER.findall(query)):
        escaped = re.escape(name)
        params[name] = next(
            (
                value
                for value, patterns in USES
                if any(re.search(p.format(p=escaped), query) for p in patterns)
            ),
            "x",
        )
    return params


def planned(store: GraphStore, query: str, params: Mapping[str, Any] | None = None) -> str:
    """The plan of ``query``; ``params`` (a call site's values) override the sampled ones."""
    return store.explain(query, {**sample_parameters(query), **(params or {})})
