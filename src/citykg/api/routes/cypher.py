"""``POST /cypher``: the analysts' read-only Cypher, on the de-identified copy of the graph."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, StrictInt, field_validator

from citykg.analysis import Analysis, run_query
from citykg.analysis.runner import DEFAULT_ROWS, DEFAULT_TIMEOUT_MS, MAX_QUERY
from citykg.api.deps import CurrentPrincipal
from citykg.errors import GraphUnavailable

router = APIRouter(tags=["cypher"])


def get_analysis(request: Request) -> Analysis:
    """The app's analysts' copy; 503 in an app built without one."""
    analysis: Analysis | None = getattr(request.app.state, "analysis", None)
    if analysis is None:
        raise GraphUnavailable("this API runs without the analysts' copy (CITYKG_ANALYST_GRAPH)")
    return analysis


AnalystGraph = Annotated[Analysis, Depends(get_analysis)]


class CypherIn(BaseModel):
    query: str = Field(
        min_length=1, max_length=MAX_QUERY, examples=["MATCH (p:Person) RETURN count(p)"]
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Values of $names; no name or map key empty or with a `."
    )
    max_rows: StrictInt = DEFAULT_ROWS
    timeout_ms: StrictInt = DEFAULT_TIMEOUT_MS
    purpose: str = Field(default="", max_length=500, description="Why (kept in the audit log).")

    @field_validator("params")
    @classmethod
    def _named(cls, params: dict[str, Any]) -> dict[str, Any]:
        """FalkorDB sends names and map keys between backticks, so it refuses these (Neo4j
        would take them): refused here for both alike, a 422 rather than the client's crash."""
        if not _plain_keys(params):
            raise ValueError("a parameter name or map key is empty or holds a backtick (`)")
        return params


def _plain_keys(value: Any) -> bool:
    if isinstance(value, dict):
        return all(k and "`" not in k and _plain_keys(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_keys(item) for item in value)
    return True


class CypherOut(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    as_of: str = Field(description="Every recorded change of the city graph before this time is "
                       "in the copy the rows come from.")  # fmt: skip
    rebuilt_at: str = Field(description="When the copy was last rebuilt in full.")


@router.post("/cypher", response_model=CypherOut)
def cypher(body: CypherIn, analysis: AnalystGraph, principal: CurrentPrincipal) -> CypherOut:
    """Run one read-only query on the analysts' de-identified copy (no sensitive value, no
    audit records, principals or tokens in it); needs ``cypher.run``; audited."""
    result = run_query(
        analysis.main, analysis.copy, principal=principal, query=body.query, params=body.params,
        max_rows=body.max_rows, timeout_ms=body.timeout_ms, purpose=body.purpose,
    )  # fmt: skip
    return CypherOut(columns=result.columns, rows=result.rows, truncated=result.truncated,
                     as_of=result.as_of, rebuilt_at=result.rebuilt_at)  # fmt: skip
