"""The analysts' read-only Cypher: limited, masked and audited.

* **Read-only by construction**: the text runs through ``GraphStore.read_untrusted``, where the
  server itself refuses any write.
* **Only with ``cypher.run``** (the analyst role).
* **Time- and row-limited**: a server-side timeout (at most :data:`MAX_TIMEOUT_MS`) and at most
  :data:`MAX_ROWS` rows returned (``truncated`` says when more came back).
* **Audited**: every query is written to the audit log (who, the text, the purpose) *before* it
  runs, so failed and timed-out queries are recorded too.
* **Masked**: nodes, relationships and paths in the result go through the masker (by label, by
  relation qualification), maps (``properties(n)``) are masked by key, and a query that *names*
  a masked property (``p.idNumber``, ``{mobilePhone: …}``, ``WHERE p.phone STARTS WITH …``) is
  refused unless the caller may reveal it, since a projection, a filter or an alias would read
  the value around the masker. What remains open (dynamic access ``n[k]`` over ``keys(n)``) is
  written down in docs/privacy.md with the way to close it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from citykg.access import audit
from citykg.access.check import ensure_allowed
from citykg.access.masking import mask
from citykg.access.principals import Principal
from citykg.errors import Forbidden
from citykg.graph import GraphStore
from citykg.ledgers.catalog import Catalog, invalid

DEFAULT_ROWS = 1_000
MAX_ROWS = 10_000
DEFAULT_TIMEOUT_MS = 10_000
MAX_TIMEOUT_MS = 30_000
MAX_QUERY = 20_000
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Rows of an analyst query (masked), their columns, and whether rows were cut off."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


def run_query(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    query: str,
    params: Mapping[str, Any] | None = None,
    max_rows: int = DEFAULT_ROWS,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    purpose: str = "",
) -> QueryResult:
    """Run an analyst's read-only ``query``; raises Forbidden, ValidationFailed, QueryError."""
    ensure_allowed(principal=principal, action="cypher.run")
    if not 1 <= max_rows <= MAX_ROWS:
        raise invalid("max_rows", f"max_rows must be 1–{MAX_ROWS}", f"max_rows 须为 1–{MAX_ROWS}",
                      max_rows)  # fmt: skip
    if not 1 <= timeout_ms <= MAX_TIMEOUT_MS:
        raise invalid("timeout_ms", f"timeout_ms must be 1–{MAX_TIMEOUT_MS}",
                      f"timeout_ms 须为 1–{MAX_TIMEOUT_MS}", timeout_ms)  # fmt: skip
    if not query.strip() or len(query) > MAX_QUERY:
        raise invalid("query", f"a query of 1–{MAX_QUERY} characters is required",
                      "查询语句为空或过长")  # fmt: skip
    masked_keys = catalog.all_masked_keys()
    named = sorted(set(_WORD.findall(query)) & masked_keys)
    audit.record(store, principal=principal, action="cypher.run", target="graph",
                 fields=named, purpose=purpose, detail=query[:2000])  # fmt: skip
    if named:
        raise Forbidden(
            f"the query names masked attributes ({', '.join(named)}); analysts work on masked "
            "data: leave them out or use the ledgers with a reveal right"
        )
    rows = store.read_untrusted(query, dict(params or {}), timeout_ms=timeout_ms)
    masker = _Walker(catalog, principal, masked_keys)
    kept = [{k: masker.value(v) for k, v in row.items()} for row in rows[:max_rows]]
    return QueryResult(list(rows[0]) if rows else [], kept, len(rows) > max_rows)


class _Walker:
    """Masks every value of a result: nodes by labels, relationships by type, maps by key."""

    def __init__(self, catalog: Catalog, principal: Principal, keys: frozenset[str]) -> None:
        self.catalog = catalog
        self.principal = principal
        self.keys = keys

    def value(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "labels" in value and "properties" in value:
            seen = self.catalog.masker.redact(self.principal, value["labels"], value["properties"])
            return {**value, "properties": self._map(seen.properties, done=seen.masked)}
        if "type" in value and "properties" in value and "start" in value:
            qualification = self.catalog.qualification(str(value["type"])) or ""
            seen = self.catalog.masker.redact(self.principal, [qualification], value["properties"])
            return {**value, "properties": self._map(seen.properties, done=seen.masked)}
        if "nodes" in value and "relationships" in value:
            return {"nodes": self.value(value["nodes"]),
                    "relationships": self.value(value["relationships"])}  # fmt: skip
        return self._map(value)

    def _map(self, value: Mapping[str, Any], done: Sequence[str] = ()) -> dict[str, Any]:
        """Values under a masked key masked (unless the masker ``done`` it already)."""
        return {
            k: mask(v) if k in self.keys and k not in done and v is not None else self.value(v)
            for k, v in value.items()
        }
