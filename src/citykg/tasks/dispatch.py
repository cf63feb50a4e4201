"""Dispatching a task (自动拆分, 一键下派): the whole tree in one call, idempotent.

The task's scope is split down its rule's levels with the audience (:mod:`citykg.audience`):
one part per place of each level, assigned to the post (organization responsible by
jurisdiction + the level's role) rather than to a person, so whoever holds the post now, or
later, sees it. The parts are merged on ``task:place``; each last-level part's items are
created by one statement that also sets its counters and marks it seeded, so dispatching
twice creates nothing twice and a dispatch cut short by a crash completes when repeated.
Items per entity are created inside the graph from the audience's member source (the ledger's
filter), one statement per part, without the rows leaving the database.

A level's holder may split its own part further (:func:`split_part`): child parts are created
the same way and the part's items under each child move to it, counters in step.

Before dispatching, :func:`preview_dispatch` tells what a dispatch would make now (parts by
level, items, the units whose post nobody holds) from the same plan, refused exactly as a
dispatch is, writing nothing.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from citykg.access.policy import (
    TASK_DISPATCH,
    ItemFacts,
    audience_scope,
    may_act_on_item,
    may_read_task_part,
)
from citykg.access.principals import Post, Principal
from citykg.audience import Audience, audience
from citykg.audience.units import Unit, post_holders, units_at
from citykg.errors import NotFound
from citykg.geo.codes import LEVEL_KEYS, PlaceCode, subtree_bounds
from citykg.graph import GraphStore
from citykg.ledgers import Catalog
from citykg.tasks import queries
from citykg.tasks.create import ITEMS, get_task, invalid, resolve_split, visible_task
from citykg.tasks.models import (
    LEVELS,
    DispatchPreview,
    DispatchResult,
    SplitRule,
    UnansweredUnit,
    split_rules,
)
from citykg.workflow import Actor, Move, apply_move, workflow

PART_BATCH = 1_000


@dataclass(frozen=True, slots=True)
class _Part:
    id: str
    parent: str | None
    unit: Unit
    level: str
    role: str | None
    above: tuple[str | None, str | None]
    due: str
    parent_place: str | None = None

    def row(self, task: str) -> dict[str, Any]:
        props = {
            "task": task, "parent": self.parent, "place": self.unit.code, "name": self.unit.name,
            "level": self.level, "organization": self.unit.organization,
            "organizationName": self.unit.organization_name, "role": self.role,
            "aboveOrganization": self.above[0], "aboveRole": self.above[1], "due": self.due,
        }  # fmt: skip
        return {"id": self.id, "props": props}


def dispatch(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    task_id: str,
    at: datetime | None = None,
) -> DispatchResult:
    """Split and dispatch the whole tree of ``task_id`` in one call (a holder of the post the
    task was created through); repeated, it creates nothing twice."""
    started = time.perf_counter()
    at = at or datetime.now(UTC)
    task, post, rule, reach = _checked(store, catalog, principal, task_id)
    parts = _plan(store, reach, rule, task)
    created = _merge_parts(store, task_id, parts, at)
    leaves = [p for p in parts if p.level == rule.levels[-1]]
    items = _seed(store, reach, rule, task_id, leaves, at)
    if items:  # the first transitions of its items come right after
        store.settle()
    if task["state"] == workflow("task").initial:
        step = workflow("task").step(task["state"], "dispatch")
        actor = Actor(principal.id, *((post.organization, post.role) if post else (None, None)))
        apply_move(store, label="Task", move=Move(task_id, step, context={"within": task_id}),
                   actor=actor, at=at)  # fmt: skip
    total = sum(sum(r["counts"] or []) for r in store.read(queries.PARTS, {"task": task_id}))
    seconds = round(time.perf_counter() - started, 3)
    return DispatchResult(task=task_id, parts=len(parts), parts_created=created, items=total,
                          items_created=items, seconds=seconds)  # fmt: skip


def preview_dispatch(
    store: GraphStore, *, catalog: Catalog, principal: Principal, task_id: str
) -> DispatchPreview:
    """What :func:`dispatch` would make of ``task_id`` now, writing nothing: its parts by level
    (top down) and items, how many of each do not exist yet (0 once dispatched, unless the
    places or members changed since), and the units whose post nobody holds now (no
    organization answers for the place, or nobody holds the level's role in it). Refused
    exactly as a dispatch is (404 out of reach, 403 unless through the creating post with
    ``task.dispatch`` over the scope, 422 for a bad filter)."""
    task, _post, rule, reach = _checked(store, catalog, principal, task_id)
    planned: dict[str, _Part] = {}
    for part in _plan(store, reach, rule, task):  # one per id, the first: as the merge keeps
        planned.setdefault(part.id, part)
    parts = list(planned.values())
    existing = {str(r["id"]): r["seededAt"] is not None
                for r in store.read(queries.PARTS, {"task": task_id})}  # fmt: skip
    by_level: dict[str, int] = {}
    for part in parts:
        by_level[part.level] = by_level.get(part.level, 0) + 1
    leaves = [p for p in parts if p.level == rule.levels[-1]]
    per_leaf = _members_per_leaf(store, reach, rule, task_id, leaves)
    fresh = [p.unit.code for p in leaves if not existing.get(p.id, False)]
    return DispatchPreview(
        task=task_id, parts=len(parts), parts_by_level=by_level,
        parts_new=sum(p.id not in existing for p in parts), items=sum(per_leaf.values()),
        items_new=sum(per_leaf.get(code, 0) for code in fresh),
        unanswered=_unanswered(store, [p for p in parts if p.parent is not None]),
    )  # fmt: skip


def split_part(
    store: GraphStore,
    *,
    principal: Principal,
    part_id: str,
    level: str,
    role: str | None = None,
    at: datetime | None = None,
) -> DispatchResult:
    """Split one part further down to ``level`` (a holder of a post in the part's organization
    with ``task.dispatch``): child parts per place, the part's items moved to them."""
    started = time.perf_counter()
    at = at or datetime.now(UTC)
    part = visible_part(store, principal, part_id)
    task = get_task(store, task_id=part["task"])
    facts = ItemFacts(None, None, part["organization"], part["role"])
    may_act_on_item(principal, facts, actor="dispatcher").ensure()
    rule = resolve_split(SplitRule.model_validate_json(task["split"]))
    if rule.items == "unit" or level not in LEVELS or LEVELS[level] <= LEVELS[part["level"]]:
        raise invalid("level", f"{level!r} is not a level below {part['level']} that items "
                      "of this task can be split to", f"无法拆分到 {level!r}", level)  # fmt: skip
    scope = audience_scope(principal, codes=[part["place"]], action=TASK_DISPATCH)
    role = role or split_rules()["roles"].get(level)
    due = json.loads(task.get("levelDeadlines") or "{}").get(level, part["due"])
    children = [
        _Part(f"{task['id']}:{unit.code}", part_id, unit, level, role,
              (part["organization"], part["role"]), due)
        for unit in units_at(store, scope=scope, level=LEVELS[level], prefer_role=role)
    ]  # fmt: skip
    created = _merge_parts(store, task["id"], children, at)
    moved = 0
    for child in children:
        low, high = subtree_bounds(child.unit.code)
        rows = store.write(queries.MOVE_TO_CHILD, {"child": child.id, "parent": part_id,
                           "lo": low, "hi": high, "at": at.isoformat(),
                           "states": list(ITEMS.states)}).rows  # fmt: skip
        moved += int(rows[0]["moved"]) if rows else 0
    return DispatchResult(task=task["id"], parts=len(children), parts_created=created,
                          items=moved, items_created=0,
                          seconds=round(time.perf_counter() - started, 3))  # fmt: skip


def _checked(
    store: GraphStore, catalog: Catalog, principal: Principal, task_id: str
) -> tuple[dict[str, Any], Post | None, SplitRule, Audience]:
    """The task, the post it is dispatched through, its rule and audience, once ``principal``
    may dispatch it (what a dispatch and its preview both check, in the same order)."""
    task = visible_task(store, principal=principal, task_id=task_id)
    creator = ItemFacts(task.get("organization"), task.get("role"))
    post = may_act_on_item(principal, creator, actor="creator").ensure()
    rule = SplitRule.model_validate_json(task["split"])
    reach = audience(
        store, principal=principal, scope=task["scope"], action=TASK_DISPATCH, catalog=catalog,
        kind="household" if rule.items == "household" else "entity", type=rule.type,
        filters=[catalog.parse_filter(f, path="split.filters") for f in rule.filters],
        purpose=task.get("purpose"),
    )  # fmt: skip
    return task, post, rule, reach


def _plan(store: GraphStore, reach: Audience, rule: SplitRule, task: dict[str, Any]) -> list[_Part]:
    """The parts of the tree, top down: one per scope root, then one per place of each level."""
    deadlines = json.loads(task.get("levelDeadlines") or "{}")
    roles = {**split_rules()["roles"], **rule.roles}
    names = {r["code"]: r["name"] for r in store.read(queries.PLACE_NAMES,
                                                      {"codes": list(reach.roots)})}  # fmt: skip
    creator = (task.get("organization"), task.get("role"))
    above: list[_Part] = [
        _Part(f"{task['id']}:{code}", None,
              Unit(code, str(names.get(code, code)), len(code), creator[0], None),
              _level_name(code), creator[1], creator, task["deadline"])
        for code in reach.roots
    ]  # fmt: skip
    parts = list(above)
    for level in rule.levels:
        role = roles.get(level)
        layer = []
        for unit in reach.units(store, level=LEVELS[level], role=role):
            parent = max((p for p in above if unit.code.startswith(p.unit.code)),
                         key=lambda p: len(p.unit.code))  # fmt: skip
            layer.append(_Part(f"{task['id']}:{unit.code}", parent.id, unit, level, role,
                               (parent.unit.organization, parent.role),
                               deadlines.get(level, task["deadline"]),
                               parent.unit.code))  # fmt: skip
        parts += layer
        above = layer
    return parts


def _merge_parts(store: GraphStore, task_id: str, parts: list[_Part], at: datetime) -> int:
    created = 0
    token = uuid.uuid4().hex
    for offset in range(0, len(parts), PART_BATCH):
        rows = [p.row(task_id) for p in parts[offset : offset + PART_BATCH]]
        result = store.write(queries.MERGE_PARTS, {
            "rows": rows, "initial": workflow("task_part").initial, "at": at.isoformat(),
            "atMs": int(at.timestamp() * 1000), "states": list(ITEMS.states), "dispatch": token,
        }).rows  # fmt: skip
        created += int(result[0]["created"]) if result else 0
    return created


def _seed(
    store: GraphStore,
    reach: Audience,
    rule: SplitRule,
    task_id: str,
    leaves: list[_Part],
    at: datetime,
) -> int:
    """Create the items of each last-level part not seeded yet (one statement per part above
    them: every last level part has the same code length); how many were created."""
    common = {"initial": ITEMS.initial, "at": at.isoformat(),
              "atMs": int(at.timestamp() * 1000), "states": list(ITEMS.states)}  # fmt: skip
    if rule.items == "unit":
        rows = store.write(queries.SEED_UNITS, {**common, "parts": [p.id for p in leaves]}).rows
        return int(rows[0]["n"]) if rows else 0
    text = reach.members.text + queries.seed_members
    created = 0
    for params in _member_batches(reach, rule, task_id, leaves):
        rows = store.write(text, {**params, **common}).rows
        created += int(rows[0]["n"] or 0) if rows else 0
    return created


def _member_batches(
    reach: Audience, rule: SplitRule, task_id: str, leaves: list[_Part]
) -> Iterator[dict[str, Any]]:
    """The parameters of the member statements over ``leaves``: one per part above them (a
    street), the member source narrowed to its subtree."""
    for code in sorted({p.parent_place or p.unit.code for p in leaves}):
        yield {**reach.members.under(code), "prefix": f"{task_id}:",
               "width": len(leaves[0].unit.code), "subjectType": reach.members.type,
               "residents": rule.items == "household"}  # fmt: skip


def _members_per_leaf(
    store: GraphStore, reach: Audience, rule: SplitRule, task_id: str, leaves: list[_Part]
) -> dict[str, int]:
    """How many items :func:`_seed` would create under each of ``leaves`` (by place code) if
    none were seeded: one per place (unit), or the members counted by the same statements'
    source and grouping, read only."""
    codes = {p.unit.code for p in leaves}
    if rule.items == "unit":
        return dict.fromkeys(codes, 1)
    text = reach.members.text + queries.count_members
    found: dict[str, int] = {}
    for params in _member_batches(reach, rule, task_id, leaves):
        for row in store.read(text, params):
            if row["unit"] in codes:
                found[str(row["unit"])] = found.get(str(row["unit"]), 0) + int(row["n"])
    return found


def _unanswered(store: GraphStore, parts: list[_Part]) -> list[UnansweredUnit]:
    """The parts whose place no organization answers for, or whose post nobody holds now."""
    orgs = sorted({p.unit.organization for p in parts if p.unit.organization})
    roles = sorted({p.role for p in parts if p.role})
    holders = post_holders(store, organizations=orgs, roles=roles) if orgs else []
    held = {(h.organization, h.role) for h in holders}
    return [
        UnansweredUnit(place=p.unit.code, name=p.unit.name, level=p.level,
                       organization=p.unit.organization, role=p.role)
        for p in parts if (p.unit.organization, p.role) not in held
    ]  # fmt: skip


def visible_part(store: GraphStore, principal: Principal, part_id: str) -> dict[str, Any]:
    """The part if ``principal`` may read it (its place or its post's or the level above's
    organization); otherwise NotFound exactly as for a missing part, before any other check."""
    rows = store.read(queries.PART, {"id": part_id})
    if rows:
        part = dict(rows[0]["part"])
        place = str(part["place"])
        if may_read_task_part(principal, place=place, organization=part.get("organization")) or (
            may_read_task_part(principal, place=place, organization=part.get("aboveOrganization"))
        ):
            return part
    raise NotFound(f"part: no task part {part_id!r} (任务单元不存在)")


def _level_name(code: str) -> str:
    level = PlaceCode(code).level
    return LEVEL_KEYS[level] if level else "place"
