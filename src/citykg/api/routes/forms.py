"""``/forms``: form definitions, submissions, prefill and lineage; ``/terms/{term}/forms``.

Every endpoint needs a principal. Saving a form checks it against the ontology (422 with one
error per field); a submission is validated field by field in the request's language and
written atomically (201, or 200 when its id was already submitted: nothing new is written).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field, StrictInt

from citykg.access import Principal, ensure_allowed
from citykg.access.masking import masker_for
from citykg.access.policy import ensure_lookup_allowed
from citykg.api.deps import CurrentPrincipal, OntologyDep, Store
from citykg.api.errors import language
from citykg.api.keys import is_masked_key, key_from_url
from citykg.controls import (
    CompiledForm,
    FormDefinition,
    SubmissionRequest,
    SubmissionResult,
    form_lineage,
    forms_writing,
    get_compiled,
    get_form,
    list_forms,
    prefill,
    save_form,
    submit,
    submit_many,
)
from citykg.controls.models import Text
from citykg.errors import CityKGError, OutOfReach, ValidationFailed
from citykg.graph import GraphStore
from citykg.ledgers.refs import seal
from citykg.ontology import Ontology

router = APIRouter(tags=["forms"])
MAX_UPLOAD = 500
"""Submissions per batch request."""


class SavedFormOut(BaseModel):
    id: str
    version: int
    created: bool = Field(description="False when the same definition was already stored.")
    terms: list[str]


class FormSummaryOut(BaseModel):
    id: str
    version: int
    title: Text
    subject: str
    saved_at: str
    saved_by: str


class SubmissionIn(BaseModel):
    answers: dict[str, Any]
    submission_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._:-]{1,128}$",
        description="The client's id for this submission: sending it again writes nothing new.",
    )
    channel: str | None = None
    task: str | None = None
    version: StrictInt | None = Field(default=None, description="Default: the latest version.")


class EntityOut(BaseModel):
    cls: str
    key: str


class SubmissionOut(BaseModel):
    submission: str
    form: str
    version: int
    replayed: bool
    held: bool = Field(
        default=False,
        description="Held for an official's confirmation (202): see /reviews/{submission}.",
    )
    touched: list[EntityOut]


class SubmissionBatchIn(BaseModel):
    submissions: list[SubmissionIn] = Field(min_length=1, max_length=MAX_UPLOAD)
    version: StrictInt | None = Field(default=None, description="Default: the latest version.")


class ProblemOut(BaseModel):
    field: str
    message: str


class SubmissionOutcomeOut(BaseModel):
    """One submission of a batch: ``written``, ``replayed``, ``held`` (waits for an official's
    confirmation), ``rejected`` (invalid answers), ``forbidden`` (fields outside what the caller
    may write) or ``failed``."""

    submission: str
    status: str
    errors: list[ProblemOut] = []
    touched: list[EntityOut] = []


class PrefillIn(BaseModel):
    subject: str = Field(min_length=1, max_length=64, description="The clear identity key.")
    purpose: str = Field(default="", max_length=500, description="Why (kept in the audit log).")


class PrefillOut(BaseModel):
    form: str
    version: int
    subject: str
    found: bool
    values: dict[str, Any]


class TermOut(BaseModel):
    term: str
    kind: str
    iri: str
    label: Text
    fields: list[str]


class LineageOut(BaseModel):
    form: str
    version: int
    terms: list[TermOut]


class FormUseOut(BaseModel):
    form: str
    version: int
    title: Text
    fields: list[str]


@router.post("/forms", response_model=SavedFormOut, status_code=status.HTTP_201_CREATED)
def create_form(
    form: FormDefinition,
    response: Response,
    store: Store,
    ontology: OntologyDep,
    principal: CurrentPrincipal,
) -> SavedFormOut:
    """Save a form; it must fit the ontology. A changed definition becomes a new version
    (201); the same definition again changes nothing (200). Needs ``form.build``."""
    ensure_allowed(principal=principal, action="form.build")
    saved = save_form(store, ontology=ontology, form=form, principal=principal)
    if not saved.created:
        response.status_code = status.HTTP_200_OK
    return SavedFormOut(
        id=saved.id, version=saved.version, created=saved.created, terms=list(saved.terms)
    )


@router.get("/forms", response_model=list[FormSummaryOut])
def forms(store: Store, principal: CurrentPrincipal) -> list[FormSummaryOut]:
    """Every stored form, latest version."""
    return [
        FormSummaryOut(
            id=f.id,
            version=f.version,
            title=f.title,
            subject=f.subject,
            saved_at=f.saved_at,
            saved_by=f.saved_by,
        )
        for f in list_forms(store)
    ]


@router.get("/forms/{form_id}", response_model=FormDefinition)
def form(
    form_id: str, store: Store, principal: CurrentPrincipal, version: int | None = None
) -> FormDefinition:
    """One form's definition (the latest version unless ``version`` is given)."""
    return get_form(store, form_id=form_id, version=version)


@router.post(
    "/forms/{form_id}/submissions",
    response_model=SubmissionOut,
    status_code=status.HTTP_201_CREATED,
)
def create_submission(
    form_id: str,
    body: SubmissionIn,
    response: Response,
    store: Store,
    ontology: OntologyDep,
    principal: CurrentPrincipal,
) -> SubmissionOut:
    """Validate and write one submission atomically; 200 when its id was already submitted,
    202 when it is held for an official's confirmation (a move, a new person …: nothing is
    written until then). Needs ``form.submit``."""
    ensure_allowed(principal=principal, action="form.submit")
    compiled = get_compiled(store, ontology=ontology, form_id=form_id, version=body.version)
    result = submit(
        store,
        form=compiled,
        answers=body.answers,
        principal=principal,
        submission_id=body.submission_id or uuid.uuid4().hex,
        channel=body.channel,
        task=body.task,
    )
    if result.held:
        response.status_code = status.HTTP_202_ACCEPTED
    elif result.replayed:
        response.status_code = status.HTTP_200_OK
    return SubmissionOut(
        submission=result.submission,
        form=result.form,
        version=result.version,
        replayed=result.replayed,
        held=result.held,
        touched=[EntityOut(cls=e.cls, key=e.key) for e in result.touched],
    )


@router.post("/forms/{form_id}/submissions/batch", response_model=list[SubmissionOutcomeOut])
def create_submissions(
    form_id: str,
    body: SubmissionBatchIn,
    request: Request,
    store: Store,
    ontology: OntologyDep,
    principal: CurrentPrincipal,
) -> list[SubmissionOutcomeOut]:
    """Validate and write many submissions (an offline device syncing), each atomically and on
    its own: one outcome per submission, in order. Needs ``form.submit``."""
    ensure_allowed(principal=principal, action="form.submit")
    compiled = get_compiled(store, ontology=ontology, form_id=form_id, version=body.version)
    requests = [
        SubmissionRequest(s.answers, s.submission_id or uuid.uuid4().hex, s.channel, s.task)
        for s in body.submissions
    ]
    outcomes = submit_many(store, form=compiled, requests=requests, principal=principal)
    lang = language(request)
    return [_outcome_out(r.submission_id, o, lang) for r, o in zip(requests, outcomes, strict=True)]


def _outcome_out(
    submission: str, outcome: SubmissionResult | CityKGError, lang: str
) -> SubmissionOutcomeOut:
    if isinstance(outcome, SubmissionResult):
        return SubmissionOutcomeOut(
            submission=submission,
            status="held" if outcome.held else "replayed" if outcome.replayed else "written",
            touched=[EntityOut(cls=e.cls, key=e.key) for e in outcome.touched],
        )
    status = {ValidationFailed: "rejected", OutOfReach: "forbidden"}.get(type(outcome), "failed")
    violations = getattr(outcome, "violations", [])
    errors = [ProblemOut(field=v.path, message=v.text(lang)) for v in violations] or [
        ProblemOut(field="", message=outcome.message)
    ]
    return SubmissionOutcomeOut(submission=submission, status=status, errors=errors)


@router.get("/forms/{form_id}/prefill", response_model=PrefillOut)
def form_prefill(
    form_id: str,
    subject: Annotated[
        str,
        Query(
            description="The subject's ref (from a ledger), ``me``, or an identity key that "
            "is not masked (a place code, a credit code); an ID number never "
            "travels in a URL: POST it instead."
        ),
    ],
    store: Store,
    ontology: OntologyDep,
    principal: CurrentPrincipal,
) -> PrefillOut:
    """Every field the graph already knows for ``subject``, each with its source and time;
    sensitive values masked unless they are the resident's own household's. A subject you
    may not see answers like an unknown one (``found`` false)."""
    compiled = get_compiled(store, ontology=ontology, form_id=form_id)
    top = compiled.bound.top.name
    key = key_from_url(subject, masked=is_masked_key(ontology, top), principal=principal,
                       path="subject", person=top == "Person")  # fmt: skip
    return _prefill_out(store, ontology, compiled, key, principal, shown_as=subject)


@router.post("/forms/{form_id}/prefill", response_model=PrefillOut)
def form_prefill_by_key(
    form_id: str,
    body: PrefillIn,
    store: Store,
    ontology: OntologyDep,
    principal: CurrentPrincipal,
) -> PrefillOut:
    """Prefill for a subject named by its clear identity key (an ID number read off a card):
    in the body, never in a URL; audited, and rate-limited per principal."""
    compiled = get_compiled(store, ontology=ontology, form_id=form_id)
    masked = is_masked_key(ontology, compiled.bound.top.name)
    shown_as = seal(body.subject) if masked else body.subject
    ensure_lookup_allowed(store, principal=principal, target=f"form {form_id}: {shown_as}",
                          path="subject", purpose=body.purpose)  # fmt: skip
    return _prefill_out(store, ontology, compiled, body.subject, principal, shown_as=shown_as)


def _prefill_out(
    store: GraphStore,
    ontology: Ontology,
    compiled: CompiledForm,
    key: str,
    principal: Principal,
    *,
    shown_as: str,
) -> PrefillOut:
    found = prefill(store, form=compiled, subject=key, principal=principal,
                    masker=masker_for(ontology))  # fmt: skip
    return PrefillOut(form=found.form, version=found.version, subject=shown_as,
                      found=found.found, values=found.values)  # fmt: skip


@router.get("/forms/{form_id}/lineage", response_model=LineageOut)
def lineage(
    form_id: str, store: Store, ontology: OntologyDep, principal: CurrentPrincipal
) -> LineageOut:
    """The ontology terms the form writes, each with the fields that write it."""
    compiled = get_compiled(store, ontology=ontology, form_id=form_id)
    terms = [
        TermOut(term=u.term, kind=u.kind, iri=u.iri, label=u.label, fields=list(u.fields))
        for u in form_lineage(ontology, compiled.bound)
    ]
    return LineageOut(form=compiled.form.id, version=compiled.form.version, terms=terms)


@router.get("/terms/{term:path}/forms", response_model=list[FormUseOut])
def term_forms(
    term: str, store: Store, ontology: OntologyDep, principal: CurrentPrincipal
) -> list[FormUseOut]:
    """The forms that write ``term`` (local name, ``ckg:`` CURIE or IRI), with their fields."""
    return [
        FormUseOut(form=u.form, version=u.version, title=u.title, fields=list(u.fields))
        for u in forms_writing(store, ontology=ontology, term=term)
    ]
