"""Acting on task items: execute through the form write path, review, return, hand over.

Every action reads the item, asks the workflow where the event takes it (Conflict if the
state does not allow it, ValidationFailed naming ``reason`` if one is missing), asks the
policy whether the caller may act as the event's actor (``may_act_on_item``: the post the item
is assigned to, the level above, the household), and writes the move with its transition fact
and the parts' counters in one statement guarded by the state it read.

**Execute.** Answers go through :func:`citykg.controls.submit` with ``task=<item id>``, so they
land as standard facts with provenance; the item's subject fills the form's identity field.
The submission and the move are two writes: if the process dies between them, the item is
still in its old state and sending the same submission id again replays the submission (it
writes nothing) and makes the move. Within one process a lock per item makes two executions
of the same item queue, so the second finds it submitted and gets a Conflict before writing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from weakref import WeakValueDictionary

from citykg.access.household import household_of
from citykg.access.masking import Masker
from citykg.access.policy import ItemFacts, may_act_on_item, may_read_task_part
from citykg.access.principals import Principal
from citykg.controls import SubmissionResult, get_compiled, submit
from citykg.errors import NotFound, ValidationFailed, Violation
from citykg.geo.codes import subtree_bounds
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.ontology import Ontology
from citykg.tasks import queries
from citykg.tasks.create import ITEMS, answering, invalid, visible_task
from citykg.tasks.dispatch import visible_part
from citykg.tasks.models import BatchResult, ItemSelection, ItemView, Returned, post_key
from citykg.workflow import Actor, Move, Step, apply_move, apply_moves, workflow

PAGE = 1_000
EVERY_ITEM = ItemSelection()
DIRECT_EVENTS = ("start", "approve", "request_redo", "return_invalid")
"""Events sent as they are; submit, transfer and reassign carry more (their own functions)."""


@dataclass(frozen=True, slots=True)
class ExecuteResult:
    item: ItemView
    submission: SubmissionResult


def item_view(
    store: GraphStore, *, principal: Principal, item_id: str, allowed: bool = True
) -> ItemView:
    """One item as ``principal`` may see it, with the events they may send now."""
    item, _task = _load(store, principal, item_id)
    return _view(item, principal, _household(store, principal) if allowed else ())


def act(
    store: GraphStore,
    *,
    principal: Principal,
    item_id: str,
    event: str,
    reason: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> ItemView:
    """Send ``event`` (start, approve, request_redo, return_invalid) to one item."""
    if event not in DIRECT_EVENTS:
        raise invalid("event", f"{event!r} is sent through its own call (submit: execute with "
                      "answers; transfer: a target post; reassign: a target part)",
                      f"操作 {event!r} 须通过专门接口", event)  # fmt: skip
    return _move(store, principal, item_id, event, reason=reason, note=note, at=at)


def execute(
    store: GraphStore,
    *,
    ontology: Ontology,
    principal: Principal,
    item_id: str,
    answers: Mapping[str, Any],
    submission_id: str,
    at: datetime | None = None,
) -> ExecuteResult:
    """Fill ``item_id`` through the form write path and mark it submitted."""
    at = at or datetime.now(UTC)
    with _item_lock(item_id):
        item, task = _load(store, principal, item_id)
        form = get_compiled(store, ontology=ontology, form_id=task["form"],
                            version=int(task["formVersion"]))  # fmt: skip
        if item.get("submission") == submission_id:  # sent again after it was recorded
            done = submit(store, form=form, answers=_answers(form, item, answers),
                          principal=principal, submission_id=submission_id,
                          task=item_id)  # fmt: skip
            return ExecuteResult(_view(item, principal, ()), done)
        step = ITEMS.step(item["state"], "submit")
        household = _household(store, principal)
        may_act_on_item(principal, _facts(item), actor=step.actor, household=household).ensure()
        result = submit(store, form=form, answers=_answers(form, item, answers),
                        principal=principal, submission_id=submission_id, task=item_id,
                        at=at)  # fmt: skip
        view = _move(store, principal, item_id, "submit", at=at,
                     extra={"submission": submission_id, "held": result.held})  # fmt: skip
        return ExecuteResult(view, result)


def transfer(
    store: GraphStore,
    *,
    principal: Principal,
    item_id: str,
    organization: str,
    role: str,
    reason: str,
    at: datetime | None = None,
) -> ItemView:
    """Hand an item to another post (转交) answering for its place, with a reason."""
    item, _task = _load(store, principal, item_id)
    if organization not in answering(store, item["place"]):
        raise invalid("organization", f"{organization} does not answer for {item['place']}",
                      "该单位对该事项所在地无管辖权", organization)  # fmt: skip
    if not role.strip():
        raise invalid("role", "a post role is required", "须指定岗位角色", role)
    return _move(store, principal, item_id, "transfer", reason=reason, at=at,
                 extra={"organization": organization, "role": role.strip(),
                        "post": post_key(organization, role.strip())})  # fmt: skip


def reassign(
    store: GraphStore,
    *,
    principal: Principal,
    item_id: str,
    part_id: str,
    at: datetime | None = None,
) -> ItemView:
    """Move an item (pending, or returned to the level above) to a part under the same
    dispatcher: the level above reassigns within its scope."""
    item, _task = _load(store, principal, item_id)
    rows = store.read(queries.PART, {"id": part_id})
    current = store.read(queries.PART, {"id": item["part"]})
    target = dict(rows[0]["part"]) if rows else None
    if (
        target is None
        or target["task"] != item["task"]
        or (current and target.get("parent") != current[0]["part"].get("parent"))
    ):
        raise invalid("part", "the target is not a part of this task under the same level above",
                      "目标单元须属同一任务、同一上级", part_id)  # fmt: skip
    extra = {k: target.get(k) for k in ("level", "due", "organization", "role",
                                        "aboveOrganization", "aboveRole")}  # fmt: skip
    extra["post"] = post_key(extra["organization"], extra["role"])
    return _move(store, principal, item_id, "reassign", at=at, extra={**extra, "part": part_id})


def act_many(
    store: GraphStore,
    *,
    principal: Principal,
    task_id: str,
    selection: ItemSelection,
    event: str,
    reason: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> BatchResult:
    """Send ``event`` to every item the selection covers (not only a page): e.g. a batch
    return (无效批量退回) with one reason code. Items the caller may not act on are counted
    as refused, items that moved on meanwhile as conflicts; each page is one statement."""
    at = at or datetime.now(UTC)
    if event not in DIRECT_EVENTS:
        raise invalid("event", f"batch actions send one of {', '.join(DIRECT_EVENTS)}",
                      "批量操作仅支持：" + "、".join(DIRECT_EVENTS), event)  # fmt: skip
    spec = ITEMS.transition(event)
    ITEMS.step(spec.sources[0], event, reason=reason, note=note)  # the reason, before any write
    visible_task(store, principal=principal, task_id=task_id)
    states = [s for s in (selection.states or spec.sources) if s in spec.sources]
    if not states:  # states asked, none the event leaves: nothing selected (not every item)
        return BatchResult(event=event, selected=0, moved=0, conflicts=0, refused=0)
    household = _household(store, principal)
    selected = moved = refused = 0
    for page in _pages(store, principal, task_id, selection, states):
        moves = []
        for item in page:
            step = ITEMS.step(item["state"], event, reason=reason, note=note)
            decision = may_act_on_item(principal, _facts(item), actor=step.actor,
                                       household=household)  # fmt: skip
            if decision.allowed:
                moves.append(_as_move(item, step, at, {}))
            else:
                refused += 1
        selected += len(page)
        done = apply_moves(store, label="TaskItem", moves=moves, actor=_actor(principal, None),
                           at=at, tail=queries.count_moves,
                           params={"states": list(ITEMS.states)})  # fmt: skip
        moved += len(done)
    return BatchResult(event=event, selected=selected, moved=moved,
                       conflicts=selected - moved - refused, refused=refused)  # fmt: skip


def list_items(
    store: GraphStore,
    *,
    principal: Principal,
    task_id: str,
    selection: ItemSelection = EVERY_ITEM,
    after: str = "",
    limit: int = 100,
) -> list[ItemView]:
    """A page of the task's items ``principal`` may see (keyset by id, ``after``)."""
    page = _read_page(store, principal, task_id, selection, list(selection.states), after, limit)
    return [_view(item, principal, ()) for item in page]


def returned_to_me(
    store: GraphStore,
    *,
    principal: Principal,
    task_id: str,
    after: str = "",
    limit: int | None = None,
) -> Returned:
    """A page of ``limit`` (every one if None) of the task's returned items whose level above
    is one of the caller's organizations (the dispatcher's inbox of 无效退回), by place then id
    after the cursor ``after`` (the ``next`` of the page before), with how many there are in
    all and per reason code: two statements, whatever the number returned."""
    scope = _scope(principal)
    service = principal.kind == "service"
    above = [] if service else sorted({p.organization for p in principal.posts})
    if not service and not above:  # no organization anything could be returned to
        return Returned(items=[], by_reason={})
    if scope.roots or scope.all_places:
        roots = scope.params()
    elif principal.kind == "official":  # no jurisdiction: the items of its organizations'
        roots = {"scopeRoots": [""]}  # level, as _may_see lets it read them
    else:
        return Returned(items=[], by_reason={})
    params = {"task": task_id, "state": "returned", "above": above, **roots}
    count, page = ((queries.RETURNED_BY_REASON, queries.RETURNED_PAGE) if service else
                   (queries.RETURNED_TO_BY_REASON, queries.RETURNED_TO_PAGE))  # fmt: skip
    by_reason = {str(r["reason"]): int(r["n"]) for r in store.read(count, params)}
    total = sum(by_reason.values())
    size = total if limit is None else limit
    after_place, _, after_id = after.partition("/")
    rows = store.read(page, {**params, "afterPlace": after_place, "after": after_id,
                             "limit": size + 1})  # fmt: skip
    items = [_view(dict(r["item"]), principal, ()) for r in rows[:size]]
    last = items[-1] if len(rows) > size else None
    return Returned(items=items, by_reason=by_reason, total=total,
                    next=f"{last.place}/{last.id}" if last else None)  # fmt: skip


def mine(
    store: GraphStore,
    *,
    principal: Principal,
    states: Sequence[str] = (),
    after: str = "",
    limit: int = 100,
) -> list[ItemView]:
    """Items assigned to a post ``principal`` holds now (so a successor sees them at once), or
    sent to their household; a page by id."""
    household = _household(store, principal)
    params = {"states": list(states), "after": after, "limit": limit}
    posts = _post_keys(principal)
    rows = store.read(queries.MINE_BY_POST, {**params, "posts": posts}) if posts else []
    if household:
        rows += store.read(queries.MINE_BY_SUBJECT, {**params, "household": list(household)})
    items = sorted((dict(r["item"]) for r in rows), key=lambda i: str(i["id"]))[:limit]
    return [_view(item, principal, household) for item in items]


def labels_of(
    store: GraphStore, *, principal: Principal, masker: Masker, items: Sequence[ItemView]
) -> dict[str, tuple[str, str]]:
    """Who and where each of ``items`` (already read for ``principal``) is about, as a worker
    reads them: the subject's name, masked as the ledgers mask it for ``principal``, and the
    place's address below the community (都方新村2号楼2单元201室)."""
    found: dict[str, tuple[str, str]] = {}
    for row in store.read(queries.ITEM_LABELS, {"ids": [i.id for i in items]}):
        who = ""
        if row["who"] is not None:
            name = masker.redact(principal, row["labels"] or (), {"name": row["who"]})
            who = str(name.properties["name"])
        above = sorted((a for a in row["above"] if a["name"] is not None),
                       key=lambda a: int(a["level"] or 0))  # fmt: skip
        found[str(row["id"])] = (who, "".join([*(str(a["name"]) for a in above),
                                               str(row["here"] or "")]))  # fmt: skip
    return found


def item_to_fill(
    store: GraphStore, *, principal: Principal, item_id: str
) -> tuple[ItemView, str, int, str | None]:
    """The item, its task's form (id, version) and the key of the subject the form is about
    (None for an item about a place): what a page needs to draw the form prefilled."""
    item, task = _load(store, principal, item_id)
    subject = None if item.get("subjectType") == "Place" else str(item["subject"])
    view = _view(item, principal, _household(store, principal))
    return view, str(task["form"]), int(task["formVersion"]), subject


def count_mine(
    store: GraphStore, *, principal: Principal, states: Sequence[str], up_to: int
) -> int:
    """How many items of ``states`` :func:`mine` would list, counted up to ``up_to`` (an
    alert's number, without reading the items)."""
    params = {"states": list(states), "limit": up_to}
    posts = _post_keys(principal)
    household = _household(store, principal)
    n = (
        int(store.read(queries.COUNT_MINE_BY_POST, {**params, "posts": posts})[0]["n"])
        if posts
        else 0
    )
    if household:
        rows = store.read(queries.COUNT_MINE_BY_SUBJECT, {**params, "household": list(household)})
        n += int(rows[0]["n"])
    return min(n, up_to)


def act_on_part(
    store: GraphStore,
    *,
    principal: Principal,
    part_id: str,
    event: str,
    reason: str | None = None,
    at: datetime | None = None,
) -> str:
    """Report a part up (一键上报: its holder) or reopen it (the level above, with a reason);
    the part's new state."""
    at = at or datetime.now(UTC)
    part = visible_part(store, principal, part_id)
    step = workflow("task_part").step(part["state"], event, reason=reason)
    facts = ItemFacts(part.get("organization"), part.get("role"), part.get("aboveOrganization"),
                      part.get("aboveRole"), part.get("place"))  # fmt: skip
    post = may_act_on_item(principal, facts, actor=step.actor).ensure()
    context = {"within": part["task"], "level": part["level"], "place": part["place"]}
    apply_move(store, label="TaskPart", move=Move(part_id, step, context=context),
               actor=_actor(principal, post), at=at)  # fmt: skip
    return step.target


# --- helpers ---------------------------------------------------------------------------------


def _move(
    store: GraphStore,
    principal: Principal,
    item_id: str,
    event: str,
    *,
    reason: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ItemView:
    at = at or datetime.now(UTC)
    item, task = _load(store, principal, item_id)
    step = ITEMS.step(item["state"], event, reason=reason, note=note)
    household = _household(store, principal)
    decision = may_act_on_item(principal, _facts(item), actor=step.actor, household=household)
    post = decision.ensure()
    move = _as_move({**item, "done": task["done"]}, step, at, dict(extra or {}))
    apply_move(store, label="TaskItem", move=move, actor=_actor(principal, post), at=at,
               tail=queries.count_moves, params={"states": list(ITEMS.states)})  # fmt: skip
    return item_view(store, principal=principal, item_id=item_id)


def _as_move(item: dict[str, Any], step: Step, at: datetime, extra: dict[str, Any]) -> Move:
    due = extra.get("due", item.get("due"))
    done = step.target in (item.get("done") or ("submitted", "approved"))
    on_time = bool(done and due and at <= datetime.fromisoformat(str(due)))
    changes: dict[str, Any] = {"onTime": on_time, **extra}
    if step.event in ("return_invalid", "request_redo"):
        changes["reason"] = step.reason
    context = {"within": item["task"], "level": extra.get("level", item.get("level")),
               "place": item.get("place"), "part": extra.get("part", item.get("part"))}  # fmt: skip
    return Move(str(item["id"]), step, changes, context)


def _load(
    store: GraphStore, principal: Principal, item_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The item and its task; NotFound unless ``principal`` may see the item (out of reach
    answers like unknown)."""
    rows = store.read(queries.ITEM, {"id": item_id})
    if rows:
        item, task = dict(rows[0]["item"]), dict(rows[0]["task"])
        if _may_see(principal, item, _household(store, principal)):
            return item, task
    raise NotFound(f"item: no task item {item_id!r} (事项不存在)")


def _may_see(principal: Principal, item: Mapping[str, Any], household: Sequence[str]) -> bool:
    if item.get("residents") and item.get("subject") in household:
        return True
    if any((p.organization, p.role) == (item.get("organization"), item.get("role"))
           for p in principal.posts):  # fmt: skip
        return True
    return may_read_task_part(principal, place=str(item["place"]),
                              organization=item.get("aboveOrganization"))  # fmt: skip


def _view(item: Mapping[str, Any], principal: Principal, household: Sequence[str]) -> ItemView:
    allowed = [
        e for e in ITEMS.allowed(str(item["state"]))
        if may_act_on_item(principal, _facts(item), actor=ITEMS.transition(e).actor,
                           household=household).allowed
    ] if household or principal.posts or principal.kind == "service" else []  # fmt: skip
    return ItemView(
        id=item["id"], task=item["task"], part=item["part"], place=item["place"],
        level=item["level"], subject=None if item.get("subjectType") == "Person" else
        item.get("subject"), subject_type=item.get("subjectType"), state=item["state"],
        state_since=item.get("stateSince"), due=item.get("due"),
        organization=item.get("organization"), role=item.get("role"),
        above_organization=item.get("aboveOrganization"), reason=item.get("reason"),
        submission=item.get("submission"), version=int(item.get("version") or 0),
        allowed=allowed,
    )  # fmt: skip


def _post_keys(principal: Principal) -> list[str]:
    """The keys of the posts ``principal`` holds now (``TaskItem.post``)."""
    keys = {post_key(p.organization, p.role) for p in principal.posts}
    return sorted(k for k in keys if k is not None)


def _facts(item: Mapping[str, Any]) -> ItemFacts:
    return ItemFacts(item.get("organization"), item.get("role"), item.get("aboveOrganization"),
                     item.get("aboveRole"), item.get("place"), item.get("subject"),
                     bool(item.get("residents")))  # fmt: skip


def _household(store: GraphStore, principal: Principal) -> tuple[str, ...]:
    if principal.kind != "resident" or principal.person is None:
        return ()
    return tuple(household_of(store, person=principal.person))


def _actor(principal: Principal, post: Any) -> Actor:
    if post is None:
        return Actor(principal.id)
    return Actor(principal.id, post.organization, post.role)


def _answers(form: Any, item: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with the item's subject as the form's identity field (auto-fill); a
    different subject is refused naming the field."""
    filled = dict(answers)
    if item.get("subjectType") == "Place":
        return filled
    name = form.bound.identity.name
    given = filled.setdefault(name, item["subject"])
    if given != item["subject"]:
        raise ValidationFailed([Violation(name, "this item is about another subject",
                                          "填报对象与该事项不符", value="***")])  # fmt: skip
    return filled


def _scope(principal: Principal) -> PlaceScope:
    if principal.kind == "service":
        return PlaceScope.everywhere()
    return principal.scope


def _read_page(
    store: GraphStore,
    principal: Principal,
    task_id: str,
    selection: ItemSelection,
    states: list[str],
    after: str,
    limit: int,
) -> list[dict[str, Any]]:
    low, high = subtree_bounds(selection.within) if selection.within else ("", "~")
    scope = _scope(principal)
    household = _household(store, principal)
    params = {"task": task_id, "after": after, "lo": low, "hi": high, "states": states,
              "ids": list(selection.ids), "limit": limit, **scope.params()}  # fmt: skip
    if not scope.roots and not scope.all_places:  # no jurisdiction: own posts' items only
        params["scopeRoots"] = [""]
        rows = [dict(r["item"]) for r in store.read(queries.ITEMS, params)]
        return [i for i in rows if _may_see(principal, i, household)]
    return [dict(r["item"]) for r in store.read(queries.ITEMS, params)]


def _pages(
    store: GraphStore,
    principal: Principal,
    task_id: str,
    selection: ItemSelection,
    states: list[str],
) -> Iterator[list[dict[str, Any]]]:
    after = ""
    while True:
        page = _read_page(store, principal, task_id, selection, states, after, PAGE)
        if not page:
            return
        yield page
        after = str(page[-1]["id"])


_LOCKS: WeakValueDictionary[str, threading.Lock] = WeakValueDictionary()
_LOCKS_GUARD = threading.Lock()


def _item_lock(item_id: str) -> threading.Lock:
    with _LOCKS_GUARD:
        lock = _LOCKS.get(item_id)
        if lock is None:
            lock = threading.Lock()
            _LOCKS[item_id] = lock
        return lock
