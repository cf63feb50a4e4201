"""``/reviews``: held submissions (审核) waiting for an official's confirmation.

A resident's move or new household member, or an official's move-in of someone registered
elsewhere, is held instead of written (``202`` from the submission routes). The author follows
it here; officials responsible for its place list, confirm (it is then written) or decline it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from citykg.access import Principal
from citykg.api.deps import CurrentPrincipal, OntologyDep, Store
from citykg.controls.review import HeldSubmission, held_list, held_submission
from citykg.controls.service import confirm_held, decline_held
from citykg.ledgers.refs import shown

router = APIRouter(prefix="/reviews", tags=["reviews"])


class HeldOut(BaseModel):
    id: str
    form: str
    form_version: int
    author: str
    at: str
    subject: str = Field(description="The subject's key as you may see it (masked for others).")
    reason: dict[str, str]
    places: list[str] = Field(description="Places whose responsible officials may confirm it.")
    status: Literal["pending", "confirmed", "declined"]
    decided_by: str | None
    decided_at: str | None
    note: str | None


class DecisionIn(BaseModel):
    note: str = Field(default="", max_length=1000, description="Why (required to decline).")


def _out(item: HeldSubmission, principal: Principal) -> HeldOut:
    own = item.author == principal.id
    subject, _ref = shown(item.subject, masked=not own)
    return HeldOut(
        id=item.id, form=item.form, form_version=item.form_version, author=item.author,
        at=item.at, subject=subject, reason={"en": item.reason_en, "zh": item.reason_zh},
        places=list(item.confirm_at), status=item.status, decided_by=item.decided_by,
        decided_at=item.decided_at, note=item.note,
    )  # fmt: skip


@router.get("", response_model=list[HeldOut])
def list_held(
    store: Store,
    principal: CurrentPrincipal,
    status: Literal["pending", "confirmed", "declined"] | None = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[HeldOut]:
    """Held submissions you authored or may confirm (officials: by their jurisdiction)."""
    return [_out(h, principal) for h in held_list(store, principal=principal, status=status,
                                                   limit=limit)]  # fmt: skip


@router.get("/{held_id}", response_model=HeldOut)
def read_held(held_id: str, store: Store, principal: CurrentPrincipal) -> HeldOut:
    """One held submission you authored or may confirm (404 otherwise, as for none)."""
    return _out(held_submission(store, principal=principal, held_id=held_id), principal)


@router.post("/{held_id}/confirm", response_model=HeldOut)
def confirm(
    held_id: str, body: DecisionIn, store: Store, ontology: OntologyDep, principal: CurrentPrincipal
) -> HeldOut:
    """Confirm and write it, validated again against the graph as it is now (``ledger.edit``,
    responsible for its place, not its author)."""
    item = confirm_held(store, ontology=ontology, principal=principal, held_id=held_id,
                        note=body.note)  # fmt: skip
    return _out(item, principal)


@router.post("/{held_id}/decline", response_model=HeldOut)
def decline(held_id: str, body: DecisionIn, store: Store, principal: CurrentPrincipal) -> HeldOut:
    """Decline it with a note; nothing of it is written."""
    return _out(decline_held(store, principal=principal, held_id=held_id, note=body.note),
                principal)  # fmt: skip
