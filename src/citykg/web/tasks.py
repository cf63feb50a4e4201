"""Tasks (任务): the items assigned to the viewer's posts, and a task's progress by level.

These are the first pages of the tasks area; its issue adds creation, dispatch and
transitions here, calling :mod:`citykg.tasks` as the ``/tasks`` routes do.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from citykg import tasks
from citykg.api.deps import Store
from citykg.web.auth import Viewer, officials_only
from citykg.web.render import render
from citykg.web.routing import page_router

router = page_router(officials_only)
PAGE = 50


@router.get("/console/tasks")
def my_items(request: Request, store: Store, who: Viewer) -> Response:
    items = tasks.mine(store, principal=who, limit=PAGE)
    return render(request, "tasks.html", {"items": items})


@router.get("/console/tasks/{task_id}")
def task_progress(request: Request, task_id: str, store: Store, who: Viewer) -> Response:
    view = tasks.progress(store, principal=who, task_id=task_id)
    return render(request, "progress.html", {"progress": view})
