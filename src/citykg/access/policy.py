"""The one policy decision point: may this principal read, use or write this, and why.

Every read and write of city data asks this module, from the API, the CLI and the applications
alike; the rules it applies are data (``rules.yaml``) and every decision carries its reason in
zh and en, which ``citykg access explain`` shows.

**Reads** (:func:`read_reach`, :func:`detail_reach`, :func:`place_scope`) compile to a
:class:`Reach`: place subtrees and, for a resident, a household, which every query takes as
parameters and applies *inside* the Cypher. Out of reach and missing answer the same.

**Masked attributes** (:func:`ensure_may_use_masked`): sorting, filtering or breaking down by a
masked attribute discloses it as surely as showing it, so each needs the reveal right, a
purpose, and is audited.

**Writes** (:func:`decide_write`) are decided by subject, on the facts as they stand *before*
the write (:class:`EntityFacts`), never on what the write itself would make true:

* a **service** principal writes anywhere;
* an **official** answers addresses only under their jurisdiction, and touches existing entities
  only when they hang off a place there (or hang off no place and are linked now to the
  subject: a household's car); new entities are theirs to create. Giving an in-scope address to
  a person who lives elsewhere is a *move-in* (迁入): held until an official of the place the
  person lives now confirms it;
* a **resident** writes about their own household as recorded. Anything else, a move, a new
  person, someone of another household, is a *request* held until the official responsible for
  the place confirms it (审核). The answer is the same whether the others exist or not, so a
  submission never tells a resident whether an ID number is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from citykg.access import audit
from citykg.access.check import allowed, ensure_allowed
from citykg.access.household import household_of
from citykg.access.principals import Post, Principal
from citykg.access.rules import RouteRule, load_rules
from citykg.errors import Forbidden, TooManyLookups, ValidationFailed, Violation
from citykg.geo.codes import PlaceCode
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore

READ = "ledger.read"
STATS = "ledger.stats"
CONFIRM = "ledger.edit"
"""Confirming a held request writes the ledger, so it needs the right to edit it."""


# --- reads -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reach:
    """Place subtrees, and identity keys of persons (a resident's household)."""

    scope: PlaceScope
    household: tuple[str, ...] = ()

    def params(self) -> dict[str, Any]:
        return {**self.scope.params(), "household": list(self.household)}


def place_scope(principal: Principal) -> PlaceScope:
    """The place subtrees ``principal`` sees: an official's jurisdiction, the whole city for an
    analyst's counts, nothing for anyone else (residents reach their household, not places)."""
    if principal.kind == "official":
        return principal.scope
    if allowed(principal=principal, action="cypher.run"):
        return PlaceScope.everywhere()
    return PlaceScope.nothing()


def read_reach(principal: Principal, *, action: str) -> Reach:
    """The places ``principal`` may ``action`` over; raises Forbidden without the action."""
    ensure_allowed(principal=principal, action=action)
    if principal.kind == "analyst" and action == STATS:
        return Reach(PlaceScope.everywhere())
    return Reach(principal.scope)


def detail_reach(store: GraphStore, principal: Principal) -> Reach:
    """What ``principal`` may open one by one: a resident their household, others by scope."""
    if principal.kind != "resident":
        return read_reach(principal, action=READ)
    if principal.person is None:
        return Reach(PlaceScope.nothing())
    return Reach(PlaceScope.nothing(), household_of(store, person=principal.person))


# --- masked attributes -----------------------------------------------------------------------

MaskedUse = Literal["filter", "sort", "breakdown"]


def ensure_may_use_masked(
    store: GraphStore,
    *,
    principal: Principal,
    target: str,
    masked: Sequence[str],
    refused: Sequence[str],
    purpose: str | None,
    use: MaskedUse,
    path: str,
) -> None:
    """Using masked attributes (``masked``, of which ``refused`` may not be revealed by
    ``principal``) in a ``use`` discloses them: Forbidden for the refused, a purpose required,
    and the use audited."""
    if not masked:
        return
    if refused:
        raise Forbidden(
            f"{principal.id} may not use masked attributes {', '.join(refused)} of {target} "
            f"in a {use} ({path}): that reveals their values; it needs the right to reveal them"
        )
    if not purpose:
        problem = Violation("purpose", f"a {use} on masked attributes needs a purpose (it is "
                            "audited)", "使用敏感属性须说明用途（将记入审计日志）")  # fmt: skip
        raise ValidationFailed([problem])
    audit.record(store, principal=principal, action="sensitive.reveal", target=target,
                 fields=list(masked), purpose=purpose, detail=use)  # fmt: skip


# --- writes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntityFacts:
    """What the graph holds about an entity a write touches, before the write."""

    key: str
    exists: bool
    is_person: bool
    places: tuple[str, ...] = ()
    """Codes of the places it hangs off now (a person's residence, a shop's location …)."""
    linked_to_subject: bool = False


@dataclass(frozen=True, slots=True)
class Refusal:
    """One touched entity or answered place that may not be written, and why."""

    key: str
    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class WriteDecision:
    """``write`` now, ``hold`` for confirmation by an official of ``confirm_at``, or ``refuse``.

    ``confirm_at`` lists the place codes whose responsible officials may confirm a held write.
    """

    outcome: Literal["write", "hold", "refuse"]
    reason_en: str = ""
    reason_zh: str = ""
    refusals: tuple[Refusal, ...] = ()
    confirm_at: tuple[str, ...] = ()


WRITE = WriteDecision("write")


def decide_write(
    principal: Principal,
    *,
    subject: EntityFacts,
    related: Sequence[EntityFacts],
    answered_places: Sequence[str],
    household: Iterable[str] = (),
) -> WriteDecision:
    """Whether ``principal`` may write a submission about ``subject`` touching ``related`` and
    answering the place codes ``answered_places``; ``household`` is a resident's, as recorded."""
    if principal.kind == "service":
        return WRITE
    if principal.kind == "official":
        return _official_write(principal.scope, subject, related, answered_places)
    if principal.kind == "resident":
        return _resident_write(set(household), subject, related, answered_places)
    return WriteDecision(
        "refuse", f"a {principal.kind} principal writes no city data",
        f"{principal.kind} 类主体不能填报城市数据",
    )  # fmt: skip


def _official_write(
    scope: PlaceScope,
    subject: EntityFacts,
    related: Sequence[EntityFacts],
    answered: Sequence[str],
) -> WriteDecision:
    outside_places = [
        Refusal(code, "this place is outside your jurisdiction", "该地址不在您的管辖范围内")
        for code in answered
        if not scope.contains(code)
    ]
    if outside_places:
        return WriteDecision("refuse", refusals=tuple(outside_places))

    def in_scope(entity: EntityFacts) -> bool:
        return any(scope.contains(code) for code in entity.places)

    subject_ok = not subject.exists or in_scope(subject)
    elsewhere = [] if subject_ok else [subject]
    for entity in related:
        if not entity.exists or in_scope(entity):
            continue
        if not entity.places and entity.linked_to_subject and subject_ok:
            continue  # a household's car: it hangs off the subject, not off a place
        elsewhere.append(entity)
    if not elsewhere:
        return WRITE
    if not answered:
        return WriteDecision("refuse", refusals=tuple(_outside(e.key) for e in elsewhere))
    # An in-scope address for people who live elsewhere (or nowhere) now: a move-in (迁入).
    places = sorted({code for e in elsewhere for code in e.places})
    return WriteDecision(
        "hold",
        "people registered elsewhere: the move-in waits for confirmation by the officials "
        "responsible for where they live now",
        "涉及登记在其他辖区的人员：迁入须经其现住地的负责人员确认",
        confirm_at=tuple(places) or tuple(answered),
    )


def _resident_write(
    household: set[str],
    subject: EntityFacts,
    related: Sequence[EntityFacts],
    answered: Sequence[str],
) -> WriteDecision:
    at_home = {code for e in (subject, *related) if e.key in household for code in e.places}

    def recorded(entity: EntityFacts) -> bool:
        if not entity.exists:
            return False
        if entity.is_person:
            return entity.key in household
        return entity.linked_to_subject

    own = subject.exists and subject.key in household
    if own and all(recorded(e) for e in related) and set(answered) <= at_home:
        return WRITE
    return WriteDecision(
        "hold",
        "this changes more than your household as recorded (a move, a new or another person): "
        "it waits for confirmation by the officials responsible for the place",
        "本次填报涉及户内已登记信息以外的变更（迁入、新增人员或他人），须经所在地负责人员审核",
        confirm_at=tuple(answered) or tuple(sorted(at_home)),
    )


def _outside(key: str) -> Refusal:
    return Refusal(key, "this record is outside what you may write", "该对象不在您可填报的范围内")


@dataclass(frozen=True, slots=True)
class Confirmer:
    """Whether ``principal`` may confirm a held write at ``places``, and why not."""

    allowed: bool
    reason_en: str = ""
    reason_zh: str = ""
    places: tuple[str, ...] = field(default_factory=tuple)


def may_confirm(principal: Principal, *, author: str, places: Sequence[str]) -> Confirmer:
    """An official with ``ledger.edit`` responsible for one of ``places``, not the author."""
    if principal.kind != "official" or not allowed(principal=principal, action=CONFIRM):
        return Confirmer(False, "only officials who may edit the ledger confirm requests",
                         "仅可编辑台账的工作人员可以审核申请")  # fmt: skip
    if principal.id == author:
        return Confirmer(False, "a request is confirmed by someone other than its author",
                         "申请须由提交人以外的人员审核")  # fmt: skip
    mine = tuple(code for code in places if principal.scope.contains(code))
    if not mine:
        return Confirmer(False, "the request's place is outside your jurisdiction",
                         "该申请涉及的地点不在您的管辖范围内")  # fmt: skip
    return Confirmer(True, places=mine)


# --- look-ups by clear identity key ----------------------------------------------------------

_LIMITER = MovingWindowRateLimiter(MemoryStorage())


def ensure_lookup_allowed(
    store: GraphStore, *, principal: Principal, target: str, path: str, purpose: str = ""
) -> None:
    """A look-up by a clear identity key is audited (``target``: the key sealed, never clear)
    and limited per principal (``lookups.limit`` in the rules), so masked keys cannot be
    rebuilt by trying candidates. Raises :class:`TooManyLookups` past the limit."""
    limit = parse(load_rules().file.lookups.limit)
    if not _LIMITER.hit(limit, "lookup", principal.id):
        raise TooManyLookups(
            f"too many look-ups by identity key ({limit}); try again later "
            f"(按证件号码查询过于频繁，请稍后再试): {path}"
        )
    audit.record(store, principal=principal, action="lookup", target=target,
                 purpose=purpose, detail=path)  # fmt: skip


# --- routes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouteDecision:
    """Whether a principal is admitted to a route (before any scoping), and why."""

    admitted: bool
    reason_en: str
    reason_zh: str


def route_decision(principal: Principal | None, rule: RouteRule) -> RouteDecision:
    """Admit ``principal`` (None: no token) to a route with ``rule``, with the reason."""
    if rule.public:
        return RouteDecision(True, "a public route", "公开接口")
    if principal is None:
        return RouteDecision(False, "needs an API token", "需要登录令牌")
    if rule.action is None:
        return RouteDecision(True, "any signed-in principal; answers are scoped",
                             "任何已登录主体均可调用，结果按权限范围限定")  # fmt: skip
    if rule.residents and principal.kind == "resident":
        return RouteDecision(True, "residents call it over their own household",
                             "居民可调用，仅限本户")  # fmt: skip
    if allowed(principal=principal, action=rule.action):
        return RouteDecision(True, f"holds {rule.action}", f"拥有 {rule.action} 权限")
    return RouteDecision(False, f"needs {rule.action}", f"需要 {rule.action} 权限")


# --- work items: tasks (channels and events reuse these) -------------------------------------

TASK_CREATE = "task.create"
TASK_DISPATCH = "task.dispatch"
TASK_EXECUTE = "task.execute"
ACTOR_ACTIONS = {
    "creator": TASK_CREATE,
    "dispatcher": TASK_DISPATCH,
    "holder": TASK_EXECUTE,
    "executor": TASK_EXECUTE,
}
"""The action each workflow actor (``workflow/workflows.yaml``) needs."""


def audience_scope(
    principal: Principal, *, codes: Sequence[str], action: str, path: str = "scope"
) -> PlaceScope:
    """The place subtrees under ``codes`` if all lie where ``principal`` may ``action``: an
    official's jurisdiction, anywhere for a service principal. An empty list is a
    ValidationFailed naming ``path``; a code outside is Forbidden naming ``path`` and the code."""
    ensure_allowed(principal=principal, action=action)
    if not codes:
        raise ValidationFailed([Violation(path, "at least one place code is required",
                                          "至少须指定一个地点")])  # fmt: skip
    checked = [PlaceCode.parse(code, field=path).value for code in codes]
    reach = PlaceScope.everywhere() if principal.kind == "service" else principal.scope
    if principal.kind not in ("official", "service"):
        reach = PlaceScope.nothing()
    outside = [code for code in checked if not reach.contains(code)]
    if outside:
        raise Forbidden(
            f"{path}: {', '.join(outside)} lies outside where {principal.id} may {action} "
            f"({reach}) (超出管辖范围，不能对该范围{_action_zh(action)})"
        )
    return PlaceScope.within(*checked)


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """A work item as the graph holds it before an action: the post it is assigned to, the
    post of the level above (which dispatched it and reviews it), its place, and the person
    whose household may answer it themselves (items sent to residents)."""

    organization: str | None
    role: str | None
    dispatcher_organization: str | None = None
    dispatcher_role: str | None = None
    place: str | None = None
    subject: str | None = None
    residents: bool = False


@dataclass(frozen=True, slots=True)
class ItemDecision:
    """Whether ``principal`` may act as ``actor`` on an item, through which post, and why."""

    allowed: bool
    reason_en: str
    reason_zh: str
    post: Post | None = None

    def ensure(self) -> Post | None:
        """The post acted through; Forbidden (with both reasons) when not allowed."""
        if not self.allowed:
            raise Forbidden(f"{self.reason_en} ({self.reason_zh})")
        return self.post


def may_act_on_item(
    principal: Principal, facts: ItemFacts, *, actor: str, household: Iterable[str] = ()
) -> ItemDecision:
    """``executor`` and ``holder``: the holder of the item's post (organization + role, so
    a successor in the post inherits it), or for an item sent to residents a member of the
    subject's household; ``dispatcher``: a holder of a post in the organization of the level
    above; ``creator``: a holder of the post the task was created through. The post's own
    role must grant the actor's action (``ACTOR_ACTIONS``). A service principal holds no post:
    it acts on any item only if its own rules grant the actor's action (the shipped rules grant
    it none, so integrations read tasks but every action on them is refused alike)."""
    action = ACTOR_ACTIONS.get(actor)
    if action is None:
        return ItemDecision(False, f"unknown actor {actor!r}", f"未知的操作主体 {actor!r}")
    if principal.kind == "service":
        if allowed(principal=principal, action=action):
            return ItemDecision(True, f"a service principal holding {action}",
                                f"系统服务拥有 {action} 权限")  # fmt: skip
        return ItemDecision(False, f"a service principal needs {action}",
                            f"系统服务需要 {action} 权限")  # fmt: skip
    if principal.kind == "resident":
        if actor == "executor" and facts.residents and facts.subject in set(household):
            return ItemDecision(True, "this item is your household's to fill in",
                                "该事项由您的家庭自行填报")  # fmt: skip
        return ItemDecision(False, "residents act only on items sent to their household",
                            "居民仅可处理发给本户的事项")  # fmt: skip
    if principal.kind != "official":
        return ItemDecision(False, f"a {principal.kind} principal does not act on tasks",
                            f"{principal.kind} 类主体不能处理任务")  # fmt: skip
    if actor == "dispatcher":
        org, role = facts.dispatcher_organization, facts.dispatcher_role
        posts = [p for p in principal.posts if p.organization == org]
        where_en, where_zh = f"the level above ({org})", f"上级单位（{org}）"
    else:
        org, role = facts.organization, facts.role
        posts = [p for p in principal.posts if (p.organization, p.role) == (org, role)]
        where_en, where_zh = f"the post {org}/{role}", f"岗位 {org}/{role}"
    granted = [p for p in posts if action in load_rules().actions_for(frozenset({p.role}))]
    if granted:
        return ItemDecision(True, f"acts through {where_en}", f"通过{where_zh}办理", granted[0])
    if posts:
        return ItemDecision(False, f"{where_en} does not grant {action}",
                            f"{where_zh}无 {action} 权限")  # fmt: skip
    return ItemDecision(False, f"only {where_en} may do this; {principal.id} does not hold it",
                        f"仅{where_zh}可办理，您不在该岗位")  # fmt: skip


def may_read_task_part(principal: Principal, *, place: str, organization: str | None) -> bool:
    """A part of a task (and its progress) is seen by officials whose jurisdiction covers its
    place or who hold a post in its organization, and by service principals. Not by analysts:
    items name the persons they are about, and analysts work on the de-identified copy."""
    return task_part_reader(principal)(place, organization)


def task_part_reader(principal: Principal) -> Callable[[str, str | None], bool]:
    """:func:`may_read_task_part` for many parts: the principal's rights are looked up once."""
    if principal.kind == "service":
        return lambda place, organization: True
    if principal.kind != "official":
        return lambda place, organization: False
    orgs = {p.organization for p in principal.posts}
    return lambda place, organization: principal.scope.contains(place) or organization in orgs


def _action_zh(action: str) -> str:
    return str(load_rules().file.actions.get(action, {}).get("zh", action))


# --- channels and notifications (citykg.channels, citykg.notifications) ----------------------

CHANNEL_MANAGE = "channel.manage"
NOTIFY = "notification.send"
REQUEST_HANDLE = "event.handle"
"""A channel request is an event (ckg:ResidentRequest): its handlers need ``event.handle``."""


def may_manage_channel(principal: Principal, *, places: Sequence[str]) -> ItemDecision:
    """A channel is edited, paused and closed by a service principal, or by an official with
    ``channel.manage`` whose jurisdiction covers every place it is offered at."""
    if principal.kind == "service":
        return ItemDecision(True, "a service principal manages any channel",
                            "系统服务可管理任何服务通道")  # fmt: skip
    if principal.kind != "official" or not allowed(principal=principal, action=CHANNEL_MANAGE):
        return ItemDecision(False, f"needs {CHANNEL_MANAGE}", f"需要 {CHANNEL_MANAGE} 权限")
    outside = [code for code in places if not principal.scope.contains(code)]
    if outside:
        return ItemDecision(False, f"places: {', '.join(outside)} lie outside your "
                            "jurisdiction", "服务通道的开放范围超出您的管辖范围")  # fmt: skip
    return ItemDecision(True, "the channel is offered within your jurisdiction",
                        "该服务通道在您的管辖范围内")  # fmt: skip


def may_see_channel(principal: Principal, *, places: Sequence[str]) -> bool:
    """Officials see the channels offered in, above or below their jurisdiction (a district's
    channel shows in each community); service principals see all; residents see theirs through
    their residence (:mod:`citykg.channels.offered`), not through this."""
    if principal.kind == "service":
        return True
    if principal.kind != "official":
        return False
    roots = principal.scope.roots
    return principal.scope.all_places or any(
        code.startswith(root) or root.startswith(code) for code in places for root in roots
    )


def may_handle_request(
    principal: Principal, *, organization: str | None, role: str | None, place: str
) -> ItemDecision:
    """A channel request is handled through the post it was routed to (organization + role,
    so a successor in the post inherits it), by a holder whose post grants ``event.handle`` and
    whose jurisdiction covers the requester's place; a service principal may act."""
    if principal.kind == "service":
        return ItemDecision(True, "a service principal acts on any request",
                            "系统服务可处理任何诉求")  # fmt: skip
    if principal.kind != "official":
        return ItemDecision(False, "only the handling post acts on a request",
                            "仅承办岗位可处理该诉求")  # fmt: skip
    posts = [p for p in principal.posts if (p.organization, p.role) == (organization, role)]
    granted = [p for p in posts if REQUEST_HANDLE in load_rules().actions_for(frozenset({p.role}))]
    if not granted:
        return ItemDecision(False, f"only the post {organization}/{role} handles this request",
                            f"仅岗位 {organization}/{role} 可办理该诉求")  # fmt: skip
    if not principal.scope.contains(place):
        return ItemDecision(False, "the requester's place is outside your jurisdiction",
                            "诉求人所在地不在您的管辖范围内")  # fmt: skip
    return ItemDecision(True, f"acts through the post {organization}/{role}",
                        f"通过岗位 {organization}/{role} 办理", granted[0])  # fmt: skip


def may_request(principal: Principal) -> ItemDecision:
    """A request to a service channel is made by a person for themselves: a resident, or an
    official acting as the resident they also are; never by an account without a person."""
    if principal.person is None or principal.kind not in ("resident", "official"):
        return ItemDecision(False, "only a person living in the city requests a service",
                            "仅本市居住人员可申请服务")  # fmt: skip
    return ItemDecision(True, "requests for themselves", "本人申请")


def notification_reach(principal: Principal) -> PlaceScope:
    """The places whose deliveries a sender's view shows (counts, unread recipients, re-send):
    the jurisdiction of an official with ``notification.send``, everywhere for a service
    principal, nothing for anyone else (residents never see others' deliveries)."""
    if principal.kind == "service":
        return PlaceScope.everywhere()
    if principal.kind == "official" and allowed(principal=principal, action=NOTIFY):
        return principal.scope
    return PlaceScope.nothing()


# --- events (citykg.events): the closed loop ------------------------------------------------

EVENT_REPORT = "event.report"
EVENT_HANDLE = "event.handle"


@dataclass(frozen=True, slots=True)
class EventFacts:
    """An event as the graph holds it before an action: its place, the post it is routed to,
    the command centre dispatching it, and the persons who reported it (merged duplicates'
    reporters follow the case, so they are here too)."""

    place: str | None
    department: str | None
    role: str | None
    dispatcher: str | None
    reporters: tuple[str, ...] = ()


def may_report_event(principal: Principal) -> ItemDecision:
    """Residents, grid workers and service accounts report (``event.report``); handlers
    register reports too (the hotline desk types what a caller says: ``event.handle``)."""
    if allowed(principal=principal, action=EVENT_REPORT) or allowed(
        principal=principal, action=EVENT_HANDLE
    ):
        return ItemDecision(True, "may report events", "可上报事件")
    return ItemDecision(False, f"needs {EVENT_REPORT}", f"需要 {EVENT_REPORT} 权限")


def may_act_on_event(principal: Principal, facts: EventFacts, *, actor: str) -> ItemDecision:
    """``handler``: a holder of the routed post (or of any post of the routed organization
    when no role is set) granting ``event.handle``; ``dispatcher``: a holder of a post in the
    command centre granting it; ``supervisor``: an official with ``event.handle`` whose
    jurisdiction covers the place, or who dispatches it, and who does not handle it;
    ``reporter``: a person who reported it. A service principal may act."""
    if principal.kind == "service":
        return ItemDecision(True, "a service principal acts on any event", "系统服务可处理任何事件")
    if actor == "reporter":
        if principal.person is not None and principal.person in facts.reporters:
            return ItemDecision(True, "you reported this case", "您是该事件的上报人")
        return ItemDecision(False, "only a reporter of the case may do this",
                            "仅该事件的上报人可进行此操作")  # fmt: skip
    if principal.kind != "official":
        return ItemDecision(False, f"a {principal.kind} principal does not handle events",
                            f"{principal.kind} 类主体不能处置事件")  # fmt: skip
    handling = [p for p in _event_posts(principal) if p.organization == facts.department
                and (facts.role is None or p.role == facts.role)]  # fmt: skip
    if actor == "handler":
        if handling:
            post = f"{facts.department}/{facts.role}"
            return ItemDecision(True, f"handles it through {post}", f"通过岗位 {post} 办理",
                                handling[0])  # fmt: skip
        return ItemDecision(False, f"only the post {facts.department}/{facts.role} handles it",
                            f"仅岗位 {facts.department}/{facts.role} 可办理")  # fmt: skip
    centre = [p for p in _event_posts(principal) if p.organization == facts.dispatcher]
    if actor == "dispatcher":
        if centre:
            return ItemDecision(True, "dispatches through the command centre",
                                "通过指挥中心调度", centre[0])  # fmt: skip
        return ItemDecision(False, "only the command centre dispatches, closes and merges cases",
                            "仅指挥中心可派单、办结和并案")  # fmt: skip
    if actor == "supervisor":
        posts = _event_posts(principal)
        covers = facts.place is not None and principal.scope.contains(facts.place)
        if posts and not handling and (covers or centre):
            return ItemDecision(True, "supervises from above the handling post",
                                "上级督办", (centre or posts)[0])  # fmt: skip
        return ItemDecision(False, "a case is supervised by a higher level covering its place",
                            "仅覆盖事发地的上级可督办")  # fmt: skip
    return ItemDecision(False, f"unknown actor {actor!r}", f"未知的操作主体 {actor!r}")


def may_read_event(principal: Principal, facts: EventFacts) -> bool:
    """Officials read the events at places under their jurisdiction and those their
    organizations handle or dispatch; residents the ones they reported; service principals all."""
    if principal.kind == "service":
        return True
    if principal.kind == "resident":
        return principal.person is not None and principal.person in facts.reporters
    if principal.kind != "official" or not allowed(principal=principal, action=EVENT_HANDLE):
        return False
    orgs = {p.organization for p in principal.posts}
    in_scope = facts.place is not None and principal.scope.contains(facts.place)
    return in_scope or bool(orgs & {facts.department, facts.dispatcher})


def event_queue_reach(principal: Principal) -> tuple[tuple[str, ...], Reach]:
    """The organizations whose queues ``principal`` sees, and the places; Forbidden unless an
    official handling events or a service principal."""
    if principal.kind == "service":
        return (), Reach(PlaceScope.everywhere())
    ensure_allowed(principal=principal, action=EVENT_HANDLE)
    return tuple(sorted({p.organization for p in principal.posts})), Reach(principal.scope)


def _event_posts(principal: Principal) -> list[Post]:
    rules = load_rules()
    return [p for p in principal.posts if EVENT_HANDLE in rules.actions_for(frozenset({p.role}))]
