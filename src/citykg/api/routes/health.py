"""``/health``: does the API answer, and does the graph behind it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from citykg import __version__
from citykg.api.deps import Store

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str
    version: str
    graph_backend: str
    graph_ok: bool
    graph_version: str
    detail: str = ""


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
def health(store: Store) -> JSONResponse:
    """200 when the graph answers, 503 otherwise (for load balancers and uptime checks)."""
    checked = store.health()
    body = HealthOut(
        status="ok" if checked.ok else "unavailable",
        version=__version__,
        graph_backend=checked.backend,
        graph_ok=checked.ok,
        graph_version=checked.version,
        detail="" if checked.ok else checked.detail,
    )
    return JSONResponse(body.model_dump(), status_code=200 if checked.ok else 503)
