"""Live progress of a task at every node of its tree, in DHIS2's vocabulary.

Read from the parts' counters (a few hundred rows, whatever the number of items): a node's
numbers are its own items' plus the sum of its children's, so a parent always equals the sum
of its children, and both equal a direct count of item states (:func:`direct_counts`, which
tests and ``citykg tasks verify`` compare). ``expected`` leaves out returned items (invalid
until the level above reassigns them); ``done`` counts the task's done states; ``on_time``
the items done by their part's due time; ``overdue`` the items not done after it.
Completion rate = done / expected; on-time rate = on time / expected.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from citykg.access.policy import task_part_reader
from citykg.access.principals import Principal
from citykg.errors import NotFound
from citykg.geo.codes import CODE_LENGTHS
from citykg.graph import GraphStore
from citykg.ledgers import Catalog
from citykg.ledgers.export import MEDIA_TYPES, Export, _csv, _xlsx
from citykg.ledgers.selection import ensure_may_disclose
from citykg.tasks import queries
from citykg.tasks.create import ITEMS, get_task, invalid
from citykg.tasks.models import (
    LEVELS,
    AnswerCount,
    Bottlenecks,
    Progress,
    ProgressNode,
    SplitRule,
    StageStat,
)
from citykg.workflow import stage_times

HOUR_MS = 3_600_000
MAX_CACHED_TASKS = 256
_SHAPES: dict[str, dict[str, dict[str, Any]]] = {}
_SHAPES_LOCK = threading.Lock()


def progress(
    store: GraphStore, *, principal: Principal, task_id: str, at: datetime | None = None
) -> Progress:
    """Every node of the task's tree ``principal`` may see, with its subtree's numbers."""
    at = at or datetime.now(UTC)
    task = get_task(store, task_id=task_id)
    rows = _parts(store, task_id)
    readable = task_part_reader(principal)
    nodes = _rolled_up(
        rows, task["done"], at, keep=lambda r: readable(r["place"], r["organization"])
    )
    if not nodes and rows:
        raise NotFound(f"task: no task {task_id!r} (任务不存在)")
    return Progress(task=task_id, at=at.isoformat(), nodes=nodes, by_level=_by_level(nodes))


def _parts(store: GraphStore, task_id: str) -> list[dict[str, Any]]:
    """The task's parts: what never changes (place, post, due…) from a cache filled on first
    sight of a part, what does (counters, state) read every time."""
    counters = store.read(queries.PART_COUNTERS, {"task": task_id})
    with _SHAPES_LOCK:
        shapes = _SHAPES.setdefault(task_id, {})
        if any(r["id"] not in shapes for r in counters):
            shapes.update({r["id"]: r for r in store.read(queries.PARTS, {"task": task_id})})
        while len(_SHAPES) > MAX_CACHED_TASKS:
            _SHAPES.pop(next(iter(_SHAPES)))
    rows = [{**shapes[r["id"]], **r} for r in counters if r["id"] in shapes]
    return sorted(rows, key=lambda r: str(r["place"]))


def direct_counts(store: GraphStore, *, task_id: str) -> dict[str, dict[str, int]]:
    """Items per part and state, counted from the items themselves (plus ``onTime``)."""
    counts: dict[str, dict[str, int]] = {}
    for r in store.read(queries.DIRECT_COUNTS, {"task": task_id}):
        part = counts.setdefault(str(r["part"]), {})
        part[str(r["state"])] = int(r["n"])
        part["onTime"] = part.get("onTime", 0) + int(r["onTime"])
    return counts


def bottlenecks(
    store: GraphStore, *, principal: Principal, task_id: str, at: datetime | None = None
) -> Bottlenecks:
    """Time in each stage per level (median, p90, from the recorded transitions), the overdue
    nodes, and the visible units ranked by completion and by timeliness (堵点)."""
    view = progress(store, principal=principal, task_id=task_id, at=at)
    parents = {n.parent for n in view.nodes}
    units = [n for n in view.nodes if n.part not in parents]
    stages = [
        StageStat(level=str(s.group), stage=s.stage, count=s.count,
                  median_hours=round(s.median_ms / HOUR_MS, 2),
                  p90_hours=round(s.p90_ms / HOUR_MS, 2))
        for s in stage_times(store, kind="task_item", within=task_id)
    ]  # fmt: skip
    return Bottlenecks(
        task=task_id, stages=stages,
        overdue=sorted((n for n in units if n.overdue), key=lambda n: -n.overdue),
        by_completion=sorted(units, key=lambda n: (n.completion_rate, n.place)),
        by_timeliness=sorted(units, key=lambda n: (n.on_time_rate, n.place)),
    )  # fmt: skip


def answers_by_level(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    task_id: str,
    level: str,
    attribute: str,
    purpose: str | None = None,
) -> list[AnswerCount]:
    """How the done items' subjects answer ``attribute`` now, counted per place of ``level``
    (e.g. care needs of the elderly, by community); a list value counts once per element.
    Within the nodes the caller sees; a masked attribute needs the right to reveal it."""
    view = progress(store, principal=principal, task_id=task_id)
    if level not in LEVELS:
        raise invalid("level", f"unknown level {level!r}", f"未知层级 {level!r}", level)
    task = get_task(store, task_id=task_id)
    etype = catalog.entity_type(SplitRule.model_validate_json(task["split"]).type)
    if attribute not in etype.attributes:
        raise invalid("attribute", f"{etype.name} has no attribute {attribute!r}",
                      f"{etype.name} 无属性 {attribute!r}", attribute)  # fmt: skip
    ensure_may_disclose(store, catalog=catalog, principal=principal, etype=etype,
                        keys=[attribute], purpose=purpose, use="breakdown",
                        path="attribute")  # fmt: skip
    width = CODE_LENGTHS[LEVELS[level] - 1]
    names = {n.place: n.name for n in view.nodes}
    roots = sorted({n.place for n in view.nodes if n.parent not in {m.part for m in view.nodes}})
    counts: dict[tuple[str, Any], int] = {}
    params = {"task": task_id, "done": task["done"], "key": attribute, "scopeRoots": roots}
    for r in store.read(queries.ANSWERS, params):
        values = r["value"] if isinstance(r["value"], list) else [r["value"]]
        for value in values:
            key = (str(r["place"])[:width], value)
            counts[key] = counts.get(key, 0) + 1
    return [AnswerCount(place=place, name=names.get(place, ""), value=value, count=n)
            for (place, value), n in sorted(counts.items(), key=lambda kv: str(kv[0]))]  # fmt: skip


def export_progress(
    store: GraphStore,
    *,
    principal: Principal,
    task_id: str,
    format: str = "csv",
    at: datetime | None = None,
) -> Export:
    """The visible nodes' progress as CSV or XLSX (one row per node)."""
    view = progress(store, principal=principal, task_id=task_id, at=at)
    header = ["place", "name", "level", "organization", "role", "reported", "due", "expected",
              "done", "on_time", "overdue", "returned", "completion_rate", "on_time_rate",
              *ITEMS.states]  # fmt: skip
    table: list[list[Any]] = [header]
    for n in view.nodes:
        table.append([n.place, n.name, n.level, n.organization or "", n.role or "", n.reported,
                      n.due, n.expected, n.done, n.on_time, n.overdue, n.returned,
                      n.completion_rate, n.on_time_rate,
                      *(n.counts.get(s, 0) for s in ITEMS.states)])  # fmt: skip
    content = _xlsx(table, "progress") if format == "xlsx" else _csv(table)
    kind = "xlsx" if format == "xlsx" else "csv"
    return Export(content, MEDIA_TYPES[kind], f"task-{task_id}-progress.{kind}", len(table) - 1)


def _rolled_up(
    rows: Sequence[dict[str, Any]], done: Sequence[str], at: datetime,
    keep: Callable[[dict[str, Any]], bool],
) -> list[ProgressNode]:  # fmt: skip
    """Each part's own numbers plus its descendants' (children added before parents), for
    the parts ``keep`` keeps (all are summed; a community's worker gets one node of 812)."""
    states = ITEMS.states
    total: dict[str, list[int]] = {}
    for r in rows:
        counts = [int(c) for c in (r["counts"] or [])][: len(states)]
        counts += [0] * (len(states) - len(counts))
        late = bool(r["due"]) and at > datetime.fromisoformat(str(r["due"]))
        undone = sum(c for s, c in zip(states, counts, strict=True)
                     if s not in done and s != "returned")  # fmt: skip
        total[r["id"]] = [*counts, int(r["onTime"] or 0), undone if late else 0]
    for r in sorted(rows, key=lambda r: -len(str(r["place"]))):  # deepest first
        parent = total.get(r["parent"] or "")
        if parent is not None:
            for k, value in enumerate(total[r["id"]]):
                parent[k] += value
    returned, finished = states.index("returned"), [states.index(s) for s in done]
    nodes = []
    for r in filter(keep, rows):
        c = total[r["id"]]
        expected = sum(c[: len(states)]) - c[returned]
        finish, on_time = sum(c[k] for k in finished), c[len(states)]
        nodes.append(ProgressNode(
            part=r["id"], parent=r["parent"], place=r["place"], name=r["name"] or "",
            level=r["level"], organization=r["organization"], role=r["role"],
            reported=r["state"] == "reported", due=str(r["due"] or ""),
            counts=dict(zip(states, c, strict=False)), expected=expected, done=finish,
            on_time=on_time, overdue=c[len(states) + 1], returned=c[returned],
            completion_rate=round(finish / expected, 4) if expected else 0.0,
            on_time_rate=round(on_time / expected, 4) if expected else 0.0,
        ))  # fmt: skip
    return nodes


def _by_level(nodes: Sequence[ProgressNode]) -> dict[str, dict[str, Any]]:
    """Totals per level over the visible nodes of that level, and how many have reported."""
    levels: dict[str, dict[str, Any]] = {}
    for n in nodes:
        row = levels.setdefault(n.level, {"nodes": 0, "reported": 0, "expected": 0, "done": 0,
                                          "on_time": 0, "overdue": 0, "returned": 0})  # fmt: skip
        row["nodes"] += 1
        row["reported"] += int(n.reported)
        for key in ("expected", "done", "on_time", "overdue", "returned"):
            row[key] += getattr(n, key)
    for row in levels.values():
        row["completion_rate"] = round(row["done"] / row["expected"], 4) if row["expected"] else 0
        row["on_time_rate"] = round(row["on_time"] / row["expected"], 4) if row["expected"] else 0
    return levels
