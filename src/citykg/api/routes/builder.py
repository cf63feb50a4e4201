"""``/terms`` and ``/forms/check``: what the form builder asks while someone builds a form.

Both need ``form.build``. A term search answers as the builder types; a check places every
problem of a draft definition at its field (by position, ``"3"`` or ``"3.1"``) and, when there
is none, lists the terms the form will write and the forms already writing each.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from citykg.api.deps import CurrentPrincipal, OntologyDep, Store
from citykg.api.routes.forms import FormUseOut
from citykg.builder import check, search_terms
from citykg.controls.models import Text

router = APIRouter(tags=["forms"])
Kind = Literal["attribute", "relation", "class"]


class TermHitOut(BaseModel):
    kind: Kind
    name: str
    label: Text
    domain: str
    range: str
    code_list: str | None
    matched: str = Field(description="What matched, when not the term's own label or name.")


class ProblemOut(BaseModel):
    at: str = Field(description='The field\'s position ("3", "3.1"); empty: the form itself.')
    property: str
    message: str
    message_zh: str


class WrittenOut(BaseModel):
    term: str
    kind: str
    label: Text
    fields: list[str]
    elsewhere: list[FormUseOut] = Field(description="Other forms already writing the term.")


class CheckOut(BaseModel):
    ok: bool
    problems: list[ProblemOut]
    writes: list[WrittenOut]


@router.get("/terms", response_model=list[TermHitOut])
def terms(
    ontology: OntologyDep,
    principal: CurrentPrincipal,
    q: Annotated[str, Query(max_length=200)],
    subject: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[list[Kind] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[TermHitOut]:
    """Terms whose label (zh/en), synonym or code contains ``q``, best first; ``subject``
    (a class) puts its own attributes and relations first."""
    hits = search_terms(ontology, q, subject=subject, limit=limit,
                        kinds=kind or ("attribute", "relation", "class"))  # fmt: skip
    return [TermHitOut(kind=h.kind, name=h.name, label=Text(zh=h.label.zh, en=h.label.en),
                       domain=h.domain, range=h.range, code_list=h.code_list, matched=h.matched)
            for h in hits]  # fmt: skip


@router.post("/forms/check", response_model=CheckOut)
def check_form(
    draft: dict[str, Any], store: Store, ontology: OntologyDep, principal: CurrentPrincipal
) -> CheckOut:
    """Check a draft definition without saving it: every problem at its field, or the terms
    it will write."""
    checked = check(store, ontology, draft)
    return CheckOut(
        ok=not checked.problems,
        problems=[
            ProblemOut(at=p.at, property=p.prop, message=p.message, message_zh=p.message_zh)
            for p in checked.problems
        ],
        writes=[
            WrittenOut(
                term=w.use.term,
                kind=w.use.kind,
                label=w.use.label,
                fields=list(w.use.fields),
                elsewhere=[
                    FormUseOut(form=f.form, version=f.version, title=f.title, fields=list(f.fields))
                    for f in w.elsewhere
                ],
            )
            for w in checked.written
        ],
    )
