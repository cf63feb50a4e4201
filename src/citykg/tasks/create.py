"""Creating a task, and reading one back.

A task is created from a stored form (``form``, its latest version unless one is named) and a
split rule: one item per place of the last level, per entity a ledger query selects (creating
"from a ledger query"), or per household. Everything is checked before anything is written:
the form must exist, the scope must be non-empty and inside the creator's jurisdiction, the
ledger filter must parse and be allowed, the levels must lie below the scope, the done states
must be states of an item. The creator acts through a post (organization + role) whose role
grants ``task.create`` and whose jurisdiction covers the scope; the task's top parts are
assigned to that post.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from citykg.access.policy import TASK_CREATE, audience_scope
from citykg.access.principals import Post, Principal
from citykg.access.rules import load_rules
from citykg.audience import member_source
from citykg.controls import get_form
from citykg.errors import Forbidden, NotFound, ValidationFailed, Violation
from citykg.geo.codes import LEVEL_OF_LENGTH, Level, PlaceCode
from citykg.graph import Constraint, GraphSchema, GraphStore, Index
from citykg.ledgers import Catalog
from citykg.tasks import queries
from citykg.tasks.models import LEVELS, SplitRule, TaskSpec, TaskView, Text, split_rules
from citykg.workflow import WORKFLOW_SCHEMA, workflow

TASKS_SCHEMA = GraphSchema(
    constraints=(Constraint("Task", "id"), Constraint("TaskPart", "id")),
    indexes=(
        Index("Task", "id"),
        Index("Task", "event"),
        Index("TaskPart", "id"),
        Index("TaskPart", "task"),
        Index("TaskItem", "id"),
        Index("TaskItem", "task"),
        Index("TaskItem", "part"),
        Index("TaskItem", "organization"),
        Index("TaskItem", "post"),
        Index("TaskItem", "aboveOrganization"),
        Index("TaskItem", "subject"),
    ),
).merged(WORKFLOW_SCHEMA)
ITEMS = workflow("task_item")


def ensure_tasks_schema(store: GraphStore) -> None:
    """The constraints and indexes tasks read by (idempotent)."""
    store.apply_schema(TASKS_SCHEMA)


def create_task(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    spec: TaskSpec,
    at: datetime | None = None,
    event: str | None = None,
) -> TaskView:
    """Check ``spec`` and store it as a task in ``draft`` (dispatch it with
    :func:`citykg.tasks.dispatch`); 4xx naming the field, nothing written, when it does not fit.
    ``event``: the case it does the field work of (:mod:`citykg.events.fieldwork`)."""
    at = at or datetime.now(UTC)
    rule = resolve_split(spec.split)
    scope = audience_scope(principal, codes=spec.scope, action=TASK_CREATE)
    post = creator_post(store, principal=principal, scope=scope.roots)
    try:
        form = get_form(store, form_id=spec.form, version=spec.form_version)
    except NotFound as exc:
        raise invalid("form", f"no stored form {spec.form!r}", f"表单 {spec.form!r} 不存在",
                       spec.form) from exc  # fmt: skip
    top = max(len(code) for code in scope.roots)
    for name in rule.levels:
        if LEVELS[name] <= _level_of(top):
            raise invalid("split.levels", f"{name} does not lie below the scope",
                           f"拆分层级 {name} 须低于任务范围", name)  # fmt: skip
    if rule.items == "entity":  # the filter is checked as a ledger's
        member_source(store, catalog=catalog, principal=principal, scope=scope, type=rule.type,
                      filters=[catalog.parse_filter(f, path="split.filters") for f in
                               rule.filters], purpose=spec.purpose)  # fmt: skip
    done = list(spec.done or (("approved",) if spec.review else ("submitted", "approved")))
    unknown = [s for s in done if s not in ITEMS.states]
    if unknown:
        raise invalid("done", f"not states of an item: {unknown}; states: {ITEMS.states}",
                       f"不是事项状态：{unknown}", unknown)  # fmt: skip
    ensure_tasks_schema(store)
    task_id = uuid.uuid4().hex[:16]
    props: dict[str, Any] = {
        "id": task_id, "title": spec.title.zh, "titleEn": spec.title.en,
        "description": spec.description.zh, "descriptionEn": spec.description.en,
        "form": form.id, "formVersion": form.version, "scope": list(scope.roots),
        "split": rule.model_dump_json(), "deadline": spec.deadline.isoformat(),
        "levelDeadlines": json.dumps({k: v.isoformat() for k, v in spec.level_deadlines.items()}),
        "review": spec.review, "done": done, "purpose": spec.purpose,
        "state": workflow("task").initial, "stateSince": at.isoformat(),
        "createdAt": at.isoformat(), "createdBy": principal.id,
        "organization": post.organization if post else None, "role": post.role if post else None,
        "event": event,
    }  # fmt: skip
    store.write(queries.CREATE_TASK, {"props": props, "atMs": int(at.timestamp() * 1000)})
    return task_view(props)


def get_task(store: GraphStore, *, task_id: str) -> dict[str, Any]:
    """The stored task's properties; NotFound naming the task."""
    rows = store.read(queries.TASK, {"id": task_id})
    if not rows:
        raise NotFound(f"task: no task {task_id!r} (任务不存在)")
    return dict(rows[0]["task"])


def visible_task(store: GraphStore, *, principal: Principal, task_id: str) -> dict[str, Any]:
    """The task if ``principal`` may see it (:func:`may_see_task`); otherwise NotFound exactly
    as for a missing task, so a task out of reach is never told apart from one that does not
    exist."""
    task = get_task(store, task_id=task_id)
    if may_see_task(store, principal, task):
        return task
    raise NotFound(f"task: no task {task_id!r} (任务不存在)")


def may_see_task(store: GraphStore, principal: Principal, task: dict[str, Any]) -> bool:
    """Whether ``principal`` holds the post the task was created through or may read one of
    its parts (its place, its post's or the level above's organization)."""
    if any((p.organization, p.role) == (task.get("organization"), task.get("role"))
           for p in principal.posts):  # fmt: skip
        return True
    return task["id"] in with_readable_parts(store, principal, [task["id"]])


def with_readable_parts(store: GraphStore, principal: Principal, task_ids: list[str]) -> set[str]:
    """Of ``task_ids``, those with a part ``principal`` may read (the rule of
    :func:`~citykg.access.policy.task_part_reader`, its place or either organization), asked
    of the graph in one statement rather than reading every part of every task."""
    if principal.kind == "service":
        return set(task_ids)
    if principal.kind != "official" or not task_ids:
        return set()
    orgs = sorted({p.organization for p in principal.posts})
    params = {"tasks": task_ids, "roots": principal.scope.params()["scopeRoots"], "orgs": orgs}
    return {str(r["id"]) for r in store.read(queries.PARTS_SEEN, params)}


def resolve_split(split: SplitRule | str) -> SplitRule:
    """A split rule as given, or the one of that name in ``tasks/rules.yaml``."""
    if isinstance(split, SplitRule):
        return split
    named = split_rules()["splits"]
    if split not in named:
        raise invalid("split", f"no split rule {split!r}; one of {', '.join(named)}",
                       f"拆分规则 {split!r} 不存在", split)  # fmt: skip
    try:
        return SplitRule.model_validate(named[split])
    except ValidationError as exc:  # the rules file itself is wrong
        raise invalid("split", str(exc), "拆分规则有误", split) from exc


def creator_post(store: GraphStore, *, principal: Principal, scope: tuple[str, ...]) -> Post | None:
    """The post ``principal`` creates through: one whose role grants ``task.create`` and whose
    organization's jurisdiction covers the whole scope (None for a service principal)."""
    if principal.kind == "service":
        return None
    rules = load_rules()
    for post in principal.posts:
        if TASK_CREATE not in rules.actions_for(frozenset({post.role})):
            continue
        if all(post.organization in answering(store, code) for code in scope):
            return post
    raise Forbidden(f"scope: none of {principal.id}'s posts both grants task.create and answers "
                    "for the whole scope (没有可创建该范围任务的岗位)")  # fmt: skip


def task_view(props: dict[str, Any]) -> TaskView:
    return TaskView(
        id=props["id"], title=Text(zh=props["title"] or "", en=props["titleEn"] or ""),
        description=Text(zh=props.get("description") or "", en=props.get("descriptionEn") or ""),
        form=props["form"], form_version=int(props["formVersion"]), scope=list(props["scope"]),
        split=SplitRule.model_validate_json(props["split"]), deadline=props["deadline"],
        level_deadlines=json.loads(props.get("levelDeadlines") or "{}"),
        review=bool(props.get("review")), done=list(props["done"]), state=props["state"],
        created_by=props["createdBy"], created_at=props["createdAt"],
        organization=props.get("organization"), role=props.get("role"), event=props.get("event"),
    )  # fmt: skip


def answering(store: GraphStore, code: str) -> set[str]:
    """The organizations whose jurisdiction covers the place ``code`` (it or an ancestor)."""
    codes = [code, *(a.value for a in PlaceCode(code).ancestors())]
    return {str(r["organization"]) for r in store.read(queries.ANSWERING, {"codes": codes})}


def _level_of(code_length: int) -> int:
    return int(LEVEL_OF_LENGTH.get(code_length, Level.DOOR))


def invalid(path: str, en: str, zh: str, value: object) -> ValidationFailed:
    return ValidationFailed([Violation(path, en, zh, value=value)])
