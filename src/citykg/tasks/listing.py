"""The tasks a principal follows: those created through its posts and those that reached its
jurisdiction, newest first, a page at a time.

The same rule as a task's own page (:func:`citykg.tasks.create.may_see_task`), so the list
never names a task whose page would answer 404: candidates come from the task nodes (a scope
that overlaps the caller's jurisdiction), then one statement keeps those with a part the
caller may read.
"""

from __future__ import annotations

from typing import Any

from citykg.access import Principal
from citykg.graph import GraphStore
from citykg.tasks import queries
from citykg.tasks.create import task_view, with_readable_parts
from citykg.tasks.models import TaskView


def followed(
    store: GraphStore, *, principal: Principal, before: str = "", limit: int = 20
) -> list[TaskView]:
    """Up to ``limit`` tasks ``principal`` may see, created before the cursor ``before``
    (:func:`cursor` of the last task of the previous page); none for residents and analysts."""
    if principal.kind not in ("official", "service"):
        return []
    everything = principal.kind == "service" or principal.scope.all_places
    posts = [f"{p.organization}|{p.role}" for p in principal.posts]
    roots = list(principal.scope.roots)
    params: dict[str, Any] = {"all": everything, "posts": posts, "roots": roots, "limit": limit}
    found: list[TaskView] = []
    while len(found) < limit:
        rows = [dict(r["task"]) for r in store.read(queries.FOLLOWED, {**params, "before": before})]
        if not rows:
            break
        mine = {t["id"] for t in rows if everything or f"{t['organization']}|{t['role']}" in posts}
        seen = with_readable_parts(store, principal, [t["id"] for t in rows if t["id"] not in mine])
        found += [task_view(t) for t in rows if t["id"] in mine or t["id"] in seen]
        before = cursor(task_view(rows[-1]))
        if len(rows) < limit:
            break
    return found[:limit]


def cursor(task: TaskView) -> str:
    """Where the next page starts: after ``task`` in the newest-first order."""
    return f"{task.created_at}|{task.id}"
