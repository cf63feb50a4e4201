"""Opening and managing service channels (服务通道) inside the manager's jurisdiction.

Everything a channel names is checked before anything is written: its places must lie in the
creator's jurisdiction (``channel.manage``) and exist, its form must be stored, its conditions
must parse as ledger filters on a person (and be allowed to the creator, like a task's), its
departments must exist. Pausing, resuming, closing and editing are moves of the workflow kind
``channel`` (``workflow/workflows.yaml``), each recorded as a transition fact.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, LiteralString

from citykg.access.policy import CHANNEL_MANAGE, audience_scope, may_manage_channel, may_see_channel
from citykg.access.principals import Principal
from citykg.audience import member_source
from citykg.channels import queries
from citykg.channels.models import ChannelEdit, ChannelSpec, ChannelView, Text
from citykg.controls import get_form
from citykg.errors import NotFound, ValidationFailed, Violation
from citykg.geo.scope import PlaceScope
from citykg.graph import Constraint, GraphSchema, GraphStore, Index
from citykg.ledgers import Catalog
from citykg.workflow import WORKFLOW_SCHEMA, Actor, Move, apply_move, workflow

CHANNELS_SCHEMA = GraphSchema(
    constraints=(Constraint("Channel", "id"),),
    indexes=(
        Index("Channel", "id"),
        Index("ResidentRequest", "id"),
        Index("ResidentRequest", "requester"),
        Index("ResidentRequest", "organization"),
        Index("ResidentRequest", "channel"),
    ),
).merged(WORKFLOW_SCHEMA)
CHANNEL = workflow("channel")


def ensure_channels_schema(store: GraphStore) -> None:
    """The constraints and indexes channels and requests are read by (idempotent)."""
    store.apply_schema(CHANNELS_SCHEMA)


def create_channel(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    spec: ChannelSpec,
    at: datetime | None = None,
) -> ChannelView:
    """Check ``spec`` and open the channel; 4xx naming the field, nothing written, when it
    does not fit (places outside the jurisdiction: 403)."""
    at = at or datetime.now(UTC)
    scope = audience_scope(principal, codes=spec.places, action=CHANNEL_MANAGE, path="places")
    _ensure_present(store, queries.PLACES_PRESENT, scope.roots, "places", "no such place",
                    "地点不存在")  # fmt: skip
    try:
        form = get_form(store, form_id=spec.form)
    except NotFound as exc:
        raise invalid("form", f"no stored form {spec.form!r}", f"表单 {spec.form!r} 不存在",
                      spec.form) from exc  # fmt: skip
    check_conditions(store, catalog=catalog, principal=principal, scope=scope,
                     conditions=spec.conditions)  # fmt: skip
    _ensure_present(store, queries.ORGANIZATIONS_PRESENT, spec.departments, "departments",
                    "no such organization", "承办单位不存在")  # fmt: skip
    _ensure_dates(spec.opens_at, spec.expires_at)
    ensure_channels_schema(store)
    props: dict[str, Any] = {
        "id": uuid.uuid4().hex[:16], "title": spec.title.zh, "titleEn": spec.title.en,
        "description": spec.description.zh, "descriptionEn": spec.description.en,
        "category": spec.category, "form": form.id, "formVersion": form.version,
        "places": list(scope.roots), "conditions": list(spec.conditions),
        "departments": list(spec.departments), "roles": list(spec.roles),
        "opensAt": _iso(spec.opens_at), "expiresAt": _iso(spec.expires_at),
        "review": spec.review, "limit": spec.limit, "periodDays": spec.period_days,
        "state": CHANNEL.initial, "stateSince": at.isoformat(),
        "stateSinceMs": int(at.timestamp() * 1000), "createdBy": principal.id,
        "createdAt": at.isoformat(), "version": 0, "requests": 0,
    }  # fmt: skip
    store.write(queries.CREATE_CHANNEL, {"props": props, "places": list(scope.roots),
                                         "at": at.isoformat()})  # fmt: skip
    return channel_view(props)


def get_channel(store: GraphStore, *, channel_id: str) -> dict[str, Any]:
    """The stored channel's properties; NotFound naming the channel."""
    rows = store.read(queries.CHANNEL, {"id": channel_id})
    if not rows:
        raise NotFound(f"channel: no channel {channel_id!r} (服务通道不存在)")
    return dict(rows[0]["channel"])


def read_channel(store: GraphStore, *, principal: Principal, channel_id: str) -> ChannelView:
    """One channel as an official or service principal sees it (NotFound outside their area)."""
    props = get_channel(store, channel_id=channel_id)
    if not may_see_channel(principal, places=props["places"]):
        raise NotFound(f"channel: no channel {channel_id!r} (服务通道不存在)")
    return channel_view(props)


def list_channels(
    store: GraphStore,
    *,
    principal: Principal,
    states: Sequence[str] = (),
    limit: int = 100,
) -> list[ChannelView]:
    """The channels offered in, above or below the caller's jurisdiction, newest first."""
    scope = PlaceScope.everywhere() if principal.kind == "service" else principal.scope
    if principal.kind not in ("official", "service"):
        return []
    rows = store.read(queries.CHANNELS_IN_SCOPE, {**scope.params(), "states": list(states),
                                                  "limit": limit})  # fmt: skip
    return [channel_view(dict(r["channel"])) for r in rows]


def change_channel(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    channel_id: str,
    event: str,
    edit: ChannelEdit | None = None,
    at: datetime | None = None,
) -> ChannelView:
    """Send ``event`` (pause, resume, close, edit with ``edit``) to a channel the caller may
    manage; Conflict (409) when its state does not allow it (a closed channel stays closed)."""
    at = at or datetime.now(UTC)
    props = get_channel(store, channel_id=channel_id)
    decision = may_manage_channel(principal, places=props["places"])
    if not decision.allowed and not may_see_channel(principal, places=props["places"]):
        raise NotFound(f"channel: no channel {channel_id!r} (服务通道不存在)")
    post = decision.ensure()
    step = CHANNEL.step(props["state"], event)
    changes = _changes(store, catalog, principal, props, edit) if edit else {}
    actor = Actor(principal.id, *((post.organization, post.role) if post else (None, None)))
    context = {"within": channel_id}
    apply_move(store, label="Channel", move=Move(channel_id, step, set=changes, context=context),
               actor=actor, at=at)  # fmt: skip
    version = int(props.get("version") or 0) + 1
    return channel_view({**props, **changes, "state": step.target, "version": version})


def check_conditions(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    scope: PlaceScope,
    conditions: Sequence[str],
) -> None:
    """Conditions are ledger filters on a person, checked (and allowed to ``principal``) the
    way a ledger's or a task's are; a bad one is a ValidationFailed naming ``conditions``."""
    if not conditions:
        return
    filters = [catalog.parse_filter(text, path="conditions") for text in conditions]
    try:
        member_source(store, catalog=catalog, principal=principal, scope=scope, type="Person",
                      filters=filters)  # fmt: skip
    except ValidationFailed as exc:
        raise ValidationFailed([Violation("conditions", v.message, v.message_zh, value=v.value)
                                for v in exc.violations]) from exc  # fmt: skip


def channel_view(props: dict[str, Any]) -> ChannelView:
    return ChannelView(
        id=props["id"], title=Text(zh=props["title"] or "", en=props.get("titleEn") or ""),
        description=Text(zh=props.get("description") or "",
                         en=props.get("descriptionEn") or ""),
        category=props.get("category") or "", form=props["form"],
        form_version=int(props["formVersion"]), places=list(props["places"]),
        conditions=list(props.get("conditions") or []),
        departments=list(props.get("departments") or []), roles=list(props["roles"]),
        opens_at=props.get("opensAt"), expires_at=props.get("expiresAt"),
        review=bool(props.get("review")), limit=props["limit"],
        period_days=props.get("periodDays"), status=props["state"],
        created_by=props["createdBy"], created_at=props["createdAt"],
        version=int(props.get("version") or 0),
    )  # fmt: skip


def invalid(path: str, en: str, zh: str, value: object) -> ValidationFailed:
    return ValidationFailed([Violation(path, en, zh, value=value)])


def _changes(
    store: GraphStore,
    catalog: Catalog,
    principal: Principal,
    props: dict[str, Any],
    edit: ChannelEdit,
) -> dict[str, Any]:
    if edit.conditions is not None:
        check_conditions(store, catalog=catalog, principal=principal,
                         scope=PlaceScope.within(*props["places"]),
                         conditions=edit.conditions)  # fmt: skip
    opens = _iso(edit.opens_at) if edit.opens_at else props.get("opensAt")
    expires = _iso(edit.expires_at) if edit.expires_at else props.get("expiresAt")
    _ensure_dates(_parsed(opens), _parsed(expires))
    changes: dict[str, Any] = {"opensAt": opens, "expiresAt": expires}
    if edit.title is not None:
        changes.update(title=edit.title.zh, titleEn=edit.title.en)
    if edit.description is not None:
        changes.update(description=edit.description.zh, descriptionEn=edit.description.en)
    for key, value in (("category", edit.category), ("review", edit.review)):
        if value is not None:
            changes[key] = value
    if edit.conditions is not None:
        changes["conditions"] = list(edit.conditions)
    if edit.roles is not None:
        changes["roles"] = list(edit.roles)
    return changes


def _ensure_present(
    store: GraphStore, query: LiteralString, codes: Sequence[str], path: str, en: str, zh: str
) -> None:
    if not codes:
        return
    found = set(store.read(query, {"codes": list(codes)})[0]["codes"])
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationFailed([Violation(path, f"{en}: {code}", f"{zh}：{code}", value=code)
                                for code in missing])  # fmt: skip


def _ensure_dates(opens: datetime | None, expires: datetime | None) -> None:
    if opens and expires and expires <= opens:
        raise invalid("expires_at", "the expiry must come after the opening",
                      "截止时间须晚于开放时间", expires.isoformat())  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _parsed(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
