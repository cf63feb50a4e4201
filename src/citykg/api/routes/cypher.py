"""``POST /cypher``: the analysts' read-only Cypher (masked, time- and row-limited, audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from citykg.api.deps import CurrentPrincipal, Store
from citykg.api.routes.ledgers import Ledgers
from citykg.ledgers import run_query
from citykg.ledgers.analyst import DEFAULT_ROWS, DEFAULT_TIMEOUT_MS, MAX_QUERY

router = APIRouter(tags=["cypher"])


class CypherIn(BaseModel):
    query: str = Field(
        min_length=1, max_length=MAX_QUERY, examples=["MATCH (p:Person) RETURN count(p)"]
    )
    params: dict[str, Any] = Field(default_factory=dict)
    max_rows: int = DEFAULT_ROWS
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    purpose: str = Field(default="", max_length=500, description="Why (kept in the audit log).")


class CypherOut(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


@router.post("/cypher", response_model=CypherOut)
def cypher(
    body: CypherIn, store: Store, principal: CurrentPrincipal, catalog: Ledgers
) -> CypherOut:
    """Run one read-only query (the server refuses writes); needs ``cypher.run``; audited."""
    result = run_query(
        store, catalog=catalog, principal=principal, query=body.query, params=body.params,
        max_rows=body.max_rows, timeout_ms=body.timeout_ms, purpose=body.purpose,
    )  # fmt: skip
    return CypherOut(columns=result.columns, rows=result.rows, truncated=result.truncated)
