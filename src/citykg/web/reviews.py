"""Reviews (审核): held submissions an official may confirm (then written) or decline.

The list and the decisions call what the ``/reviews`` routes call, under the same rules.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from citykg.access import Principal
from citykg.api.deps import AppSettings, Store, ontology_of
from citykg.controls.review import HeldSubmission, held_list
from citykg.controls.service import confirm_held, decline_held
from citykg.errors import Conflict, ValidationFailed, Violation
from citykg.ledgers.refs import shown
from citykg.web import session
from citykg.web.auth import mirrors, officials_only
from citykg.web.render import render
from citykg.web.routing import page_router
from citykg.web.session import Posted

router = page_router(officials_only)
PAGE = 100
Lister = Annotated[Principal, Depends(mirrors("GET /reviews"))]
Confirmer = Annotated[Principal, Depends(mirrors("POST /reviews/{held_id}/confirm"))]
Decliner = Annotated[Principal, Depends(mirrors("POST /reviews/{held_id}/decline"))]


def subject_shown(item: HeldSubmission, who: Principal) -> str:
    """The subject's key as the viewer may see it: masked unless they wrote it."""
    return shown(item.subject, masked=item.author != who.id)[0]


@router.get("/console/reviews")
def reviews(request: Request, store: Store, who: Lister) -> Response:
    held = held_list(store, principal=who, status="pending", limit=PAGE)
    rows = [(item, subject_shown(item, who)) for item in held]
    return render(request, "reviews.html", {"rows": rows})


@router.post("/console/reviews/{held_id}/confirm")
def confirm(
    request: Request,
    held_id: str,
    store: Store,
    settings: AppSettings,
    who: Confirmer,
    posted: Posted,
) -> Response:
    note = str(posted.get("note") or "")
    try:
        confirm_held(
            store, ontology=ontology_of(settings), principal=who, held_id=held_id, note=note
        )
    except Conflict as done:
        raise ValidationFailed([Violation("held", done.message, "该事项已处理")]) from None
    session.flash(request, "decided")
    return RedirectResponse("/console/reviews", status_code=303)


@router.post("/console/reviews/{held_id}/decline")
def decline(
    request: Request, held_id: str, store: Store, who: Decliner, posted: Posted
) -> Response:
    note = str(posted.get("note") or "").strip()
    if not note:
        raise ValidationFailed(
            [Violation("note", "a decline needs a note saying why", "退回须填写说明")]
        )
    decline_held(store, principal=who, held_id=held_id, note=note)
    session.flash(request, "decided")
    return RedirectResponse("/console/reviews", status_code=303)
