"""Labels, relationship types and property keys that must be spliced into Cypher text.

Values always travel as parameters; only identifiers that come from the ontology (never from a
request) are spliced, and only after this check.
"""

from __future__ import annotations

import re

from citykg.errors import QueryError

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_identifier(name: str) -> str:
    """``name`` back-quoted for Cypher, after checking it is a plain identifier."""
    if not _IDENTIFIER.match(name):
        raise QueryError(f"not a valid label, type or property name: {name!r}")
    return f"`{name}`"
