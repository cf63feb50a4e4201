"""Notifications (通知下发) for officials: the notices sent into the jurisdiction and the
viewer's own unread messages; compose (with a live count of whom it reaches), send; a notice's
roll-up of delivered, read and confirmed by place, its unread recipients (masked), re-send to
the unread.

Each page calls what its ``/notifications`` (or ``/me/messages``) route calls, admitted by that
route's rule; what a send refuses is shown at its field. The composer carries an idempotency
key, so a form sent twice delivers once.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from citykg import notifications
from citykg.access import Principal
from citykg.api.deps import AppSettings, Store, catalog_of
from citykg.errors import Forbidden, ValidationFailed
from citykg.geo.codes import CODE_LENGTHS
from citykg.notifications import Message, NotificationSpec
from citykg.tasks.models import LEVELS, LevelName
from citykg.web import session
from citykg.web.acting import missing_texts, refused_at, text_of, unholdable
from citykg.web.auth import mirrors, officials_only
from citykg.web.i18n import Lang, language
from citykg.web.render import render
from citykg.web.routing import page_router
from citykg.web.session import Posted

router = page_router(officials_only)
PAGE = 100
PRIORITIES = ("normal", "high", "urgent", "low")
Lister = Annotated[Principal, Depends(mirrors("GET /notifications"))]
Sender = Annotated[Principal, Depends(mirrors("POST /notifications"))]
Follower = Annotated[Principal, Depends(mirrors("GET /notifications/{notification_id}/rollup"))]
Resender = Annotated[Principal, Depends(mirrors("POST /notifications/{notification_id}/resend"))]
Recipient = Annotated[Principal, Depends(mirrors("POST /me/messages/{notification_id}/read"))]
Confirmer = Annotated[Principal, Depends(mirrors("POST /me/messages/{notification_id}/confirm"))]
TEXTS = ("title", "body")


def unread_messages(store: Store, who: Principal) -> list[Message]:
    """The viewer's own messages not read yet (officials are notified by post too)."""
    box = notifications.inbox(store, principal=who, limit=500)
    return [m for m in box.messages if m.read_at is None]


@router.get("/console/notifications")
def listing(request: Request, store: Store, who: Lister) -> Response:
    sent = notifications.sent(store, principal=who, limit=PAGE)
    context = {"sent": sent, "inbox": unread_messages(store, who)}
    return render(request, "notifications.html", context)


def _compose(
    request: Request,
    who: Principal,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    *,
    status: int = 200,
) -> Response:
    values = values or {"scope": " ".join(who.scope.roots[:1]), "priority": "normal",
                        "key": uuid.uuid4().hex}  # fmt: skip
    context = {"v": values, "errors": errors or {}, "priorities": PRIORITIES}
    return render(request, "notification_new.html", context, status=status)


@router.get("/console/notifications/new")
def compose(request: Request, who: Sender) -> Response:
    return _compose(request, who)


def _posted(posted: Any) -> dict[str, str]:
    names = ("title_zh", "title_en", "body_zh", "body_en", "priority", "scope", "filters",
             "officials", "expires_at", "key", "must_confirm")  # fmt: skip
    return {name: text_of(posted, name) for name in names}


def _spec(values: dict[str, str]) -> NotificationSpec:
    """The notice the form describes (pydantic checks it as the route's body is checked)."""
    data: dict[str, Any] = {
        "title": {"zh": values["title_zh"], "en": values["title_en"]},
        "body": {"zh": values["body_zh"], "en": values["body_en"]},
        "priority": values["priority"] or "normal",
        "must_confirm": values["must_confirm"] == "true",
        "scope": values["scope"].split(),
        "filters": [line.strip() for line in values["filters"].splitlines() if line.strip()],
        "officials": values["officials"].split(),
        "idempotency_key": values["key"] or None,
    }
    if values["expires_at"]:
        data["expires_at"] = values["expires_at"]
    return NotificationSpec.model_validate(data)


def _messages(error: Exception, lang: Lang) -> dict[str, str]:
    return refused_at(error, lang, outside="scope", texts=TEXTS)


@router.post("/console/notifications/preview")
def preview(
    request: Request, store: Store, settings: AppSettings, who: Sender, posted: Posted
) -> Response:
    """The count of whom the scope and filters reach now (an htmx fragment)."""
    values = _posted(posted)
    lang = language(request)
    if errors := unholdable(values, lang):
        return HTMLResponse(
            f'<span class="field-error" role="alert">{_escape(" ".join(errors.values()))}</span>'
        )
    try:
        filters = [f for f in values["filters"].splitlines() if f.strip()]
        n = notifications.reach_count(store, catalog=catalog_of(settings), principal=who,
                                      scope=values["scope"].split(),
                                      filters=filters).residents  # fmt: skip
    except (ValidationFailed, Forbidden) as problem:
        errors = _messages(problem, lang)
        text = "；".join(errors.values()) if lang == "zh" else "; ".join(errors.values())
        return HTMLResponse(f'<span class="field-error" role="alert">{_escape(text)}</span>')
    words = f"将送达 {n} 人" if lang == "zh" else f"Reaches {n} residents"
    return HTMLResponse(f'<b class="count" data-reach="{n}">{n}</b> <span>{words}</span>')


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@router.post("/console/notifications")
def send(
    request: Request, store: Store, settings: AppSettings, who: Sender, posted: Posted
) -> Response:
    values = _posted(posted)
    lang = language(request)
    if errors := unholdable(values, lang) or missing_texts(values, TEXTS, lang):
        return _compose(request, who, values, errors, status=422)
    try:
        result = notifications.send(store, catalog=catalog_of(settings), principal=who,
                                    spec=_spec(values))  # fmt: skip
    except (ValidationFailed, ValidationError, Forbidden) as problem:
        return _compose(request, who, values, _messages(problem, lang), status=422)
    session.flash(request, "sent")
    return RedirectResponse(f"/console/notifications/{result.notification}", status_code=303)


def default_level(scope: list[str]) -> LevelName:
    """One level below the notice's widest place, at most the building."""
    widest = min((len(code) for code in scope), default=CODE_LENGTHS[4])
    level = next((i + 1 for i, n in enumerate(CODE_LENGTHS) if n >= widest), 5)
    names: list[LevelName] = list(LEVELS)  # type: ignore[arg-type]
    return names[min(level + 1, 7) - 1]


@router.get("/console/notifications/{notification_id}")
def notification_page(
    request: Request, notification_id: str, store: Store, who: Follower, level: str = ""
) -> Response:
    found = notifications.notification_view(store, principal=who,
                                            notification_id=notification_id)  # fmt: skip
    chosen: LevelName = level if level in LEVELS else default_level(found.scope)  # type: ignore[assignment]
    rollup = notifications.rollup(store, principal=who, notification_id=notification_id,
                                  level=chosen)  # fmt: skip
    unread = notifications.unread(store, principal=who, notification_id=notification_id,
                                  limit=PAGE)  # fmt: skip
    context = {"n": found, "rollup": rollup, "unread": unread, "levels": list(LEVELS)}
    return render(request, "notification.html", context)


@router.post("/console/notifications/{notification_id}/resend")
def resend(
    request: Request, notification_id: str, store: Store, who: Resender, posted: Posted
) -> Response:
    result = notifications.resend(store, principal=who, notification_id=notification_id)
    session.flash(request, "resent" if result.reached else "resent_none")
    return RedirectResponse(f"/console/notifications/{notification_id}", status_code=303)


@router.post("/console/notifications/inbox/{notification_id}/read")
def read(
    request: Request, notification_id: str, store: Store, who: Recipient, posted: Posted
) -> Response:
    notifications.mark(store, principal=who, notification_id=notification_id)
    session.flash(request, "marked_read")
    return RedirectResponse("/console/notifications", status_code=303)


@router.post("/console/notifications/inbox/{notification_id}/confirm")
def confirm(
    request: Request, notification_id: str, store: Store, who: Confirmer, posted: Posted
) -> Response:
    try:
        notifications.mark(store, principal=who, notification_id=notification_id, confirm=True)
    except ValidationFailed:  # a notice asking for no confirmation: reading it is enough
        notifications.mark(store, principal=who, notification_id=notification_id)
    session.flash(request, "marked_confirmed")
    return RedirectResponse("/console/notifications", status_code=303)
