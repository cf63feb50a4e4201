"""Who can do what: for a principal, a person, an organization, a role or a tag, what it may see
and do; and for one entity, who may see it.

Every answer is computed from the same sources access itself uses, so it cannot drift: the rules
file (actions per role, attribute groups per tag), the posts held now (``HOLDS_POST_IN`` without
``until``) and the jurisdiction of their organizations (``HAS_JURISDICTION_OVER``). An entity is
seen by the officials whose post's jurisdiction covers a place it hangs off (or an ancestor of
it), by the residents of its household (a person), and masked by analysts through Cypher.

Explaining needs ``access.explain`` and answers within the explainer's scope
(:func:`explain_scope`): an official learns of the persons, principals, organizations and post
holders of their jurisdiction only, and a subject outside it answers exactly like a missing one
(404), so explaining is no oracle for ID numbers or post holders elsewhere. The security role
(``access.audit``) explains, and reads the audit log, city-wide. Persons are shown by name and
masked ID number.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from pydantic import BaseModel

from citykg.access import queries
from citykg.access.check import actions_of, allowed, ensure_allowed
from citykg.access.household import household_of
from citykg.access.masking import mask
from citykg.access.policy import Reach, detail_reach, place_scope, route_decision
from citykg.access.principals import Principal
from citykg.access.rules import AccessRules, load_rules
from citykg.access.tokens import principal as load_principal
from citykg.errors import NotFound
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.ledgers import Catalog, entity_places

EXPLAIN = "access.explain"
AUDIT = "access.audit"
"""Reading the audit log, and explaining city-wide: the security role's."""


class PlaceOut(BaseModel):
    code: str
    name: str | None = None


class Grant(BaseModel):
    """What a set of roles and tags gives: actions, revealable attribute groups."""

    actions: list[str]
    reveal_groups: list[str]


class PostOut(BaseModel):
    organization: str
    organization_name: str | None
    role: str
    tags: list[str]
    places: list[PlaceOut]
    grant: Grant


class Holder(BaseModel):
    """A person holding a post now, and the principals acting as them."""

    person: str
    name: str | None
    organization: str
    organization_name: str | None
    role: str
    tags: list[str]
    principals: list[str]
    grant: Grant
    via_place: PlaceOut | None = None


class PrincipalOut(BaseModel):
    id: str
    kind: str
    name: str | None = None


class SubjectAccess(BaseModel):
    """What a principal or a person may do, and over which places."""

    subject: str
    name: str | None
    kind: str
    principals: list[str]
    posts: list[PostOut]
    grant: Grant
    scope: list[PlaceOut]
    everywhere: bool
    note: str = ""


class OrganizationAccess(BaseModel):
    credit_code: str
    name: str | None
    jurisdiction: list[PlaceOut]
    holders: list[Holder]


class RoleAccess(BaseModel):
    role: str
    grant: Grant
    holders: list[Holder]
    principals: list[PrincipalOut]


class TagAccess(BaseModel):
    tag: str
    reveal_groups: list[str]
    attributes: list[str]
    holders: list[Holder]


class EntityAccess(BaseModel):
    """Who may see one entity, and through what."""

    type: str
    places: list[str]
    officials: list[Holder]
    household: list[PrincipalOut]
    analysts: list[PrincipalOut]
    note: str
    officials_elsewhere: int = 0
    """Officials above the explainer's jurisdiction who see it too (not listed)."""


def explain_scope(explainer: Principal) -> PlaceScope:
    """The places an explainer's answers cover: the whole city for the security role
    (``access.audit``) and the operator's CLI, an official's jurisdiction, else nothing (the
    explainer then learns what roles and tags grant, and of no one who holds them)."""
    if allowed(principal=explainer, action=AUDIT):
        return PlaceScope.everywhere()
    return explainer.scope


def explain_principal(
    store: GraphStore, *, explainer: Principal, principal_id: str
) -> SubjectAccess:
    """What the principal ``principal_id`` may do now, from its roles and current posts: an
    official all of whose posts are in the explainer's scope, a resident living there (other
    principals, who have no place, only to a city-wide explainer)."""
    ensure_allowed(principal=explainer, action=EXPLAIN)
    scope = explain_scope(explainer)
    rules = load_rules()
    try:
        who = load_principal(store, principal_id)
    except NotFound:
        raise _unseen("principal") from None
    posts = _posts(store, who.person, rules, scope) if who.person else []
    if not _principal_in_scope(store, who, posts, scope):
        raise _unseen("principal")
    places = [p for post in posts for p in post.places]
    note = "" if who.kind != "resident" else "a resident sees their own household's records"
    return SubjectAccess(
        subject=who.id,
        name=who.name,
        kind=who.kind,
        principals=[who.id],
        posts=posts,
        grant=_grant(sorted(actions_of(who, rules=rules)), who.tags, rules),
        scope=places if not who.scope.all_places else [],
        everywhere=who.scope.all_places,
        note=note,
    )


def explain_person(store: GraphStore, *, explainer: Principal, person: str) -> SubjectAccess:
    """What the person with ID number ``person`` may do through the posts they hold now in the
    explainer's scope; a person living there or holding a post there."""
    ensure_allowed(principal=explainer, action=EXPLAIN)
    scope = explain_scope(explainer)
    rules = load_rules()
    rows = store.read(queries.PERSON_SUMMARY, {"person": person, **scope.params()})
    posts = _posts(store, person, rules, scope)
    if not rows or not (scope.all_places or rows[0]["homes"] or posts):
        raise _unseen("person")
    roles = frozenset(p.role for p in posts if p.role)
    tags = frozenset(t for p in posts for t in p.tags)
    return SubjectAccess(
        subject=str(mask(person)),
        name=rows[0]["name"],
        kind="official" if posts else "person",
        principals=sorted(rows[0]["principals"]),
        posts=posts,
        grant=_grant(sorted(rules.actions_for(roles)), tags, rules),
        scope=[p for post in posts for p in post.places],
        everywhere=False,
        note="" if posts else "no post held now: as a resident, their own household only",
    )


def explain_organization(
    store: GraphStore, *, explainer: Principal, credit_code: str
) -> OrganizationAccess:
    """The jurisdiction of an organization in the explainer's scope and who holds posts in it
    now, with what they may do."""
    ensure_allowed(principal=explainer, action=EXPLAIN)
    scope = explain_scope(explainer)
    rows = store.read(queries.ORGANIZATION_EXPLAINED, {"org": credit_code, **scope.params()})
    if not rows:
        raise _unseen("organization")
    return OrganizationAccess(
        credit_code=credit_code,
        name=rows[0]["name"],
        jurisdiction=[PlaceOut(**p) for p in rows[0]["places"]],
        holders=_holders(store, scope, org=credit_code),
    )


def explain_role(store: GraphStore, *, explainer: Principal, role: str) -> RoleAccess:
    """The actions ``role`` grants (``SQ0*`` names every SQ0 role) and who in the explainer's
    scope has it now."""
    ensure_allowed(principal=explainer, action=EXPLAIN)
    scope = explain_scope(explainer)
    rules = load_rules()
    held = [str(r["role"]) for r in store.read(queries.ROLES_HELD) if r["role"]]
    roles = sorted({role, *(r for r in held if fnmatchcase(r, role))})
    return RoleAccess(
        role=role,
        grant=_grant(sorted(rules.actions_for(frozenset({role}))), frozenset(), rules),
        holders=_holders(store, scope, roles=roles),
        principals=_placeless_principals(store, scope, roles),
    )


def explain_tag(
    store: GraphStore, *, explainer: Principal, tag: str, catalog: Catalog
) -> TagAccess:
    """The attribute groups a post tag lets its holders reveal, those attributes, and the
    holders in the explainer's scope."""
    ensure_allowed(principal=explainer, action=EXPLAIN)
    groups = sorted(load_rules().groups_for(frozenset({tag})))
    attributes = sorted(
        {
            a.property_key
            for a in catalog.ontology.attributes.values()
            if a.attribute_group in groups
        }
    )
    holders = _holders(store, explain_scope(explainer), tag=tag)
    return TagAccess(tag=tag, reveal_groups=groups, attributes=attributes, holders=holders)


def who_can_see(
    store: GraphStore, *, explainer: Principal, catalog: Catalog, type: str, key: str
) -> EntityAccess:
    """Who may see the entity ``type``/``key`` (one in the explainer's scope): the officials
    whose jurisdiction lies in that scope by name, those above it counted only."""
    ensure_allowed(principal=explainer, action=EXPLAIN)
    scope = explain_scope(explainer)
    etype = catalog.entity_type(type)
    places = entity_places(store, etype=etype, reach=Reach(scope), key=key)
    rules = load_rules()
    readers = [
        row
        for row in store.read(queries.JURISDICTION_HOLDERS, {"places": places, **scope.params()})
        if "ledger.read" in rules.actions_for(frozenset({row["role"] or ""}))
    ]
    household: list[PrincipalOut] = []
    if etype.top.name == "Person":
        persons = list(household_of(store, person=key))
        rows = store.read(queries.RESIDENT_PRINCIPALS, {"persons": persons, **scope.params()})
        household = [PrincipalOut(id=r["id"], kind="resident", name=r["name"]) for r in rows]
    return EntityAccess(
        type=etype.name,
        places=places,
        officials=[_holder(row, rules) for row in readers if row["person"] is not None],
        officials_elsewhere=sum(row["person"] is None for row in readers),
        household=household,
        analysts=_placeless_principals(store, scope, rules.roles_granting("cypher.run")),
        note="officials by jurisdiction over its places (needs ledger.read); residents of its "
        "household; analysts through Cypher, masked",
    )


def _principal_in_scope(
    store: GraphStore, who: Principal, posts: list[PostOut], scope: PlaceScope
) -> bool:
    if scope.all_places:
        return True
    if who.kind == "official":
        held = {(p.organization, p.role) for p in who.posts}
        return bool(held) and held == {(p.organization, p.role) for p in posts}
    if who.kind == "resident" and who.person:
        rows = store.read(queries.PERSON_SUMMARY, {"person": who.person, **scope.params()})
        return bool(rows and rows[0]["homes"])
    return False


def _placeless_principals(
    store: GraphStore, scope: PlaceScope, roles: list[str]
) -> list[PrincipalOut]:
    """Principals holding ``roles`` themselves (analysts …): they have no place, so only a
    city-wide explainer learns of them."""
    if not scope.all_places:
        return []
    rows = store.read(queries.PRINCIPALS_WITH_ROLES, {"roles": roles})
    return [PrincipalOut(**row) for row in rows]


def _unseen(what: str) -> NotFound:
    """The one answer for a subject that is missing or outside the explainer's scope."""
    return NotFound(f"{what}: none that you may explain by this key")


def _posts(store: GraphStore, person: str, rules: AccessRules, scope: PlaceScope) -> list[PostOut]:
    return [
        PostOut(
            organization=row["organization"],
            organization_name=row["organizationName"],
            role=row["role"] or "",
            tags=_tags(row["tags"]),
            places=[PlaceOut(**p) for p in row["places"]],
            grant=_grant(
                sorted(rules.actions_for(frozenset({row["role"] or ""}))),
                frozenset(_tags(row["tags"])),
                rules,
            ),
        )
        for row in store.read(queries.POSTS_EXPLAINED, {"person": person, **scope.params()})
    ]


def _holders(
    store: GraphStore, scope: PlaceScope, *, org: str | None = None,
    roles: list[str] | None = None, tag: str | None = None,
) -> list[Holder]:  # fmt: skip
    rules = load_rules()
    params = {"org": org, "roles": roles or [], "tag": tag, **scope.params()}
    return [_holder(row, rules) for row in store.read(queries.POST_HOLDERS, params)]


def _holder(row: dict[str, Any], rules: AccessRules) -> Holder:
    tags = _tags(row["tags"])
    role = row["role"] or ""
    via = PlaceOut(code=row["place"], name=row["placeName"]) if "place" in row else None
    return Holder(
        person=str(mask(row["person"])),
        name=row["name"],
        organization=row["organization"],
        organization_name=row["organizationName"],
        role=role,
        tags=tags,
        principals=sorted(row["principals"]),
        grant=_grant(sorted(rules.actions_for(frozenset({role}))), frozenset(tags), rules),
        via_place=via,
    )


def _grant(actions: list[str], tags: frozenset[str], rules: AccessRules) -> Grant:
    groups = sorted(rules.groups_for(tags)) if "sensitive.reveal" in actions else []
    return Grant(actions=actions, reveal_groups=groups)


def _tags(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [t.strip() for t in str(value or "").split(",") if t.strip()]


class RouteAccess(BaseModel):
    """Whether a principal may call a route, what its answers reach, and, for one entity,
    whether it lies within that reach."""

    route: str
    rule: dict[str, Any]
    principal: str
    admitted: bool
    why: dict[str, str]
    reach: list[str]
    reach_everywhere: bool
    household: int
    entity: str | None = None
    entity_in_reach: bool | None = None


def explain_route(
    store: GraphStore,
    *,
    explainer: Principal,
    route: str,
    principal_id: str,
    catalog: Catalog,
    entity: tuple[str, str] | None = None,
) -> RouteAccess:
    """Explain ``route`` (``GET /ledgers/{type}``) for ``principal_id`` and, optionally, one
    entity (type, key): the same rule and policy the API applies to that principal."""
    ensure_allowed(principal=explainer, action=EXPLAIN)
    rule = load_rules().file.routes.get(route)
    if rule is None:
        raise NotFound(f"route: no rule for {route!r} (routes are named like 'GET /ledgers')")
    who = load_principal(store, principal_id)
    decision = route_decision(who, rule)
    reach = Reach(PlaceScope.nothing())
    if decision.admitted:
        reach = detail_reach(store, who) if rule.residents else Reach(place_scope(who))
    in_reach = None
    if entity is not None and decision.admitted:
        etype = catalog.entity_type(entity[0])
        try:
            entity_places(store, etype=etype, reach=reach, key=entity[1])
            in_reach = True
        except NotFound:
            in_reach = False
    return RouteAccess(
        route=route,
        rule=rule.model_dump(),
        principal=who.id,
        admitted=decision.admitted,
        why={"en": decision.reason_en, "zh": decision.reason_zh},
        reach=list(reach.scope.roots),
        reach_everywhere=reach.scope.all_places,
        household=len(reach.household),
        entity=f"{entity[0]}:{mask(entity[1])}" if entity else None,
        entity_in_reach=in_reach,
    )
