"""``/health``: does the API answer, and does the graph behind it."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from citykg import __version__
from citykg.api.deps import Store
from citykg.api.errors import language, unavailable

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str
    version: str
    graph_backend: str
    graph_ok: bool
    graph_version: str
    detail: str = ""


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
def health(store: Store, request: Request) -> JSONResponse:
    """200 when the graph answers, 503 otherwise (for load balancers and uptime checks). Needs
    no token, so an outage's cause (paths, sockets) goes to the server log, not the answer."""
    checked = store.health()
    if not checked.ok:
        log.warning("graph unavailable: %s", checked.detail)
    body = HealthOut(
        status="ok" if checked.ok else "unavailable",
        version=__version__,
        graph_backend=checked.backend,
        graph_ok=checked.ok,
        graph_version=checked.version,
        detail="" if checked.ok else unavailable(language(request)),
    )
    return JSONResponse(body.model_dump(), status_code=200 if checked.ok else 503)
