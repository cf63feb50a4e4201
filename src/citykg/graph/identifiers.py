"""Labels, relationship types and property keys that must be spliced into Cypher text.

Values always travel as parameters; only identifiers that come from the ontology (never from a
request) are spliced, and only after this check.
"""

from __future__ import annotations

import re
from typing import LiteralString

from citykg.errors import QueryError

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_identifier(name: str) -> str:
    """``name`` back-quoted for Cypher, after checking it is a plain identifier."""
    if not _IDENTIFIER.match(name):
        raise QueryError(f"not a valid label, type or property name: {name!r}")
    return f"`{name}`"


def cypher_with(template: LiteralString, **identifiers: str) -> LiteralString:
    """``template`` with ``{name}`` slots filled by checked, quoted identifiers.

    The one audited place where names enter Cypher text: values never do (they are parameters),
    and identifiers pass :func:`quote_identifier` first.
    """
    quoted = {slot: quote_identifier(name) for slot, name in identifiers.items()}
    return template.format(**quoted)
