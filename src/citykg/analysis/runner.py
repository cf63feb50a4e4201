"""The analysts' Cypher: run on the de-identified copy, never on the city graph.

* **Only the copy**: the text runs on the copy's engine (:mod:`citykg.analysis.copy`), which
  holds no sensitive value, no audit record, principal or token (:mod:`~.projection`). Whatever
  the text does (``p[$k]``, ``keys(p)``, string arithmetic on property names), there is nothing
  in clear to find, and a slow query cannot hold up the engine officials and writers use.
* **Read-only**: the copy's server runs it read-only (FalkorDB ``GRAPH.RO_QUERY``, a Neo4j READ
  transaction). Before that, clauses that write, reach the network or the disk, or switch
  database are refused by name, in zh and en (:func:`refused_clause`): ``LOAD CSV``, ``CALL`` of
  a procedure (but a few harmless ones), ``USE``, ``SHOW`` and administration commands.
* **Only with ``cypher.run``**, **time- and row-limited** (a server-side timeout of at most
  :data:`MAX_TIMEOUT_MS`, at most :data:`MAX_ROWS` rows), **audited** in the city graph's log
  *before* it runs (refused and timed-out queries too), and answered with the copy's freshness.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from citykg.access import audit
from citykg.access.check import ensure_allowed
from citykg.access.principals import Principal
from citykg.analysis.copy import AnalystCopy
from citykg.errors import GraphUnavailable, OutOfReach, ValidationFailed, Violation
from citykg.graph import GraphStore

DEFAULT_ROWS = 1_000
MAX_ROWS = 10_000
DEFAULT_TIMEOUT_MS = 10_000
MAX_TIMEOUT_MS = 30_000
MAX_QUERY = 20_000

ALLOWED_PROCEDURES = frozenset({"db.labels", "db.relationshiptypes", "db.propertykeys"})
"""What ``CALL`` may name: the copy's own vocabulary, nothing that reads files or the network."""

REFUSED = {
    "LOAD": "LOAD CSV",
    "USE": "USE",
    "CREATE": "CREATE",
    "MERGE": "MERGE",
    "SET": "SET",
    "DELETE": "DELETE",
    "DETACH": "DETACH DELETE",
    "REMOVE": "REMOVE",
    "FOREACH": "FOREACH",
    "DROP": "DROP",
    "SHOW": "SHOW",
    "GRANT": "GRANT",
    "DENY": "DENY",
    "REVOKE": "REVOKE",
    "ALTER": "ALTER",
    "RENAME": "RENAME",
    "START": "START",
    "STOP": "STOP",
    "TERMINATE": "TERMINATE",
    "ENABLE": "ENABLE",
}
"""Clause keywords an analyst's query may not use, and how the refusal names them."""

_TOKEN = re.compile(
    r"""(?P<skip>\s+|//[^\n]*|/\*.*?\*/)
      |(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      |(?P<quoted>`(?:[^`]|``)*`)
      |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<other>.)""",
    re.S | re.X,
)


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Rows of an analyst query, their columns, whether rows were cut off, and how fresh the
    copy they came from is (see :class:`citykg.analysis.copy.CopyState`)."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    as_of: str
    rebuilt_at: str


class ClauseRefused(OutOfReach):
    """A clause analysts may not run: a write, ``LOAD CSV``, a procedure, another database."""

    def __init__(self, clause: str) -> None:
        refusal = Violation(
            "query",
            f"{clause} is not allowed: analysts run only read queries on the de-identified copy "
            "(no writes, LOAD CSV, procedures or other databases)",
            f"不允许使用 {clause}：分析人员只能在脱敏副本上运行只读查询"
            "（不能写入、LOAD CSV、调用过程或访问其他数据库）",
            value=clause,
        )
        super().__init__([refusal])
        self.message = refusal.message


def run_query(
    main: GraphStore,
    copy: AnalystCopy,
    *,
    principal: Principal,
    query: str,
    params: Mapping[str, Any] | None = None,
    max_rows: int = DEFAULT_ROWS,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    purpose: str = "",
) -> QueryResult:
    """Run an analyst's read-only ``query`` on the copy; audited in ``main``. Raises Forbidden
    (ClauseRefused), ValidationFailed, QueryError, GraphUnavailable (no copy yet)."""
    ensure_allowed(principal=principal, action="cypher.run")
    if not 1 <= max_rows <= MAX_ROWS:
        raise _invalid("max_rows", f"max_rows must be 1–{MAX_ROWS}", f"max_rows 须为 1–{MAX_ROWS}",
                       max_rows)  # fmt: skip
    if not 1 <= timeout_ms <= MAX_TIMEOUT_MS:
        raise _invalid("timeout_ms", f"timeout_ms must be 1–{MAX_TIMEOUT_MS}",
                       f"timeout_ms 须为 1–{MAX_TIMEOUT_MS}", timeout_ms)  # fmt: skip
    if not query.strip() or len(query) > MAX_QUERY:
        raise _invalid("query", f"a query of 1–{MAX_QUERY} characters is required",
                       "查询语句为空或过长")  # fmt: skip
    audit.record(main, principal=principal, action="cypher.run", target="analyst-copy",
                 purpose=purpose, detail=query[:2000])  # fmt: skip
    clause = refused_clause(query)
    if clause is not None:
        raise ClauseRefused(clause)
    state = copy.state(main)
    if state is None:
        raise GraphUnavailable(
            "the analysts' copy is not built yet: run `citykg analysis refresh` "
            "(the API builds it at start)"
        )
    rows = copy.store(state.slot).read_untrusted(query, dict(params or {}), timeout_ms=timeout_ms)
    return QueryResult(list(rows[0]) if rows else [], rows[:max_rows], len(rows) > max_rows,
                       state.as_of, state.rebuilt_at)  # fmt: skip


def refused_clause(query: str) -> str | None:
    """The first clause of ``query`` analysts may not run, as the refusal names it; None if
    every clause is a read. Words in strings, comments and back-quotes, property keys
    (``n.set``), labels and types (``:Set``), parameters, aliases (``AS set``) and map keys
    (``{use: 1}``) are not clauses."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(query) if m.lastgroup != "skip"]
    for i, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        before = tokens[i - 1][1] if i else ""
        after = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if before in (".", ":", "$") or before.upper() == "AS" or after == ":":
            continue
        keyword = text.upper()
        if keyword in REFUSED:
            return REFUSED[keyword]
        if keyword == "CALL" and after != "{":
            name = _dotted_name(tokens, i + 1)
            if name.lower() not in ALLOWED_PROCEDURES:
                return f"CALL {name}".rstrip()
    return None


def _dotted_name(tokens: list[tuple[str | None, str]], start: int) -> str:
    """``db.labels`` from the tokens ``db`` ``.`` ``labels`` at ``start``."""
    parts: list[str] = []
    i = start
    while i < len(tokens) and tokens[i][0] in ("word", "quoted"):
        parts.append(tokens[i][1])
        if i + 1 < len(tokens) and tokens[i + 1][1] == ".":
            i += 2
            continue
        break
    return ".".join(parts)


def _invalid(path: str, message: str, message_zh: str, value: object = None) -> ValidationFailed:
    return ValidationFailed([Violation(path, message, message_zh, value=value)])
