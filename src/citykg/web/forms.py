"""Forms: the list, and one page that fills any form (:mod:`citykg.web.formview` draws it).

Officials and residents fill through the same page: ``?subject=`` names who the form is about
(a ref from a ledger, or ``me``), prefilled by :func:`citykg.controls.prefill` as the
``/forms/{id}/prefill`` route does, and the answers go through :func:`citykg.controls.submit`
as the ``/forms/{id}/submissions`` route sends them: same checks, same write, or the same hold
for an official's confirmation.
"""

from __future__ import annotations

import copy
import uuid
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from citykg.access import Principal, allowed
from citykg.access.masking import masker_for
from citykg.api.deps import AppSettings, Store, ontology_of
from citykg.api.keys import is_masked_key, key_from_url
from citykg.controls import CompiledForm, get_compiled, list_forms, prefill, submit
from citykg.controls.models import PLACE_KEY
from citykg.errors import NotFound, OutOfReach, ValidationFailed
from citykg.ledgers.refs import seal
from citykg.ontology import Ontology
from citykg.web import session
from citykg.web.auth import mirrors, officials_only
from citykg.web.formview import answers_from, form_view, keep_masked
from citykg.web.i18n import language
from citykg.web.render import render
from citykg.web.routing import page_router
from citykg.web.session import Posted

console = page_router(officials_only)
shared = page_router()
Lister = Annotated[Principal, Depends(mirrors("GET /forms"))]
Prefiller = Annotated[Principal, Depends(mirrors("GET /forms/{form_id}/prefill"))]
Submitter = Annotated[Principal, Depends(mirrors("POST /forms/{form_id}/submissions"))]


@console.get("/console/forms")
def forms(request: Request, store: Store, who: Lister) -> Response:
    may_build = allowed(principal=who, action="form.build")
    return render(request, "forms.html", {"forms": list_forms(store), "may_build": may_build})


@shared.get("/fill/{form_id}")
def fill(
    request: Request,
    form_id: str,
    store: Store,
    settings: AppSettings,
    who: Prefiller,
    subject: str = "",
) -> Response:
    """The form, prefilled for ``subject`` when one is named (not found: the not-found page)."""
    ontology = ontology_of(settings)
    compiled = get_compiled(store, ontology=ontology, form_id=form_id)
    known = known_of(store, ontology, compiled, who, subject)
    view = form_view(
        compiled.bound, ontology, language(request), known=known, subject_fixed=bool(subject)
    )
    context = {"form": view, "subject": subject, "submission": uuid.uuid4().hex}
    return render(request, "fill.html", context)


@shared.post("/fill/{form_id}")
def send(
    request: Request,
    form_id: str,
    store: Store,
    settings: AppSettings,
    who: Submitter,
    posted: Posted,
) -> Response:
    """Submit; a refused submission comes back with each error at its field (422)."""
    ontology = ontology_of(settings)
    compiled = get_compiled(store, ontology=ontology, form_id=form_id)
    subject = str(posted.get("subject") or "")
    submission = str(posted.get("submission") or uuid.uuid4().hex)
    known = known_of(store, ontology, compiled, who, subject)
    answers = answers_from(compiled.bound, {k: [str(v) for v in posted.getlist(k)] for k in posted})
    keep_masked(compiled.bound, answers, known)
    try:
        result = submit(
            store,
            form=compiled,
            answers=as_submitted(ontology, compiled, answers, known, who, subject),
            principal=who,
            submission_id=submission,
        )
    except (ValidationFailed, OutOfReach) as refused:
        view = form_view(
            compiled.bound,
            ontology,
            language(request),
            known=known,
            posted=answers,
            errors=refused.violations,
            subject_fixed=bool(subject),
        )
        context = {"form": view, "subject": subject, "submission": submission}
        return render(request, "fill.html", context, status=422)
    if result.held:
        session.flash(request, "held")
        return RedirectResponse(
            "/my/requests" if who.kind == "resident" else "/console/forms", status_code=303
        )
    session.flash(request, "saved")
    top = compiled.bound.top.name
    key = result.touched[0].key
    ref = seal(key) if is_masked_key(ontology, top) else key
    return RedirectResponse(f"/entities/{top}/{ref}", status_code=303)


def _subject_key(ontology: Ontology, compiled: CompiledForm, who: Principal, subject: str) -> str:
    top = compiled.bound.top.name
    return key_from_url(
        subject,
        masked=is_masked_key(ontology, top),
        principal=who,
        path="subject",
        person=top == "Person",
    )


def known_of(
    store: Store, ontology: Ontology, compiled: CompiledForm, who: Principal, subject: str
) -> dict[str, Any]:
    """What prefill knows of ``subject`` (nothing without one); a subject the viewer may not
    see is NotFound, as an unknown one."""
    if not subject:
        return {}
    key = _subject_key(ontology, compiled, who, subject)
    found = prefill(store, form=compiled, subject=key, principal=who, masker=masker_for(ontology))
    if not found.found:
        raise NotFound(f"form {compiled.form.id}: no subject {subject!r} that you may see")
    return found.values


def as_submitted(
    ontology: Ontology,
    compiled: CompiledForm,
    answers: dict[str, Any],
    known: dict[str, Any],
    who: Principal,
    subject: str,
) -> dict[str, Any]:
    """The answers as submitted: the named subject's own key, and an address left as it was
    prefilled sent as its place code (its words are for reading)."""
    sent = copy.deepcopy(answers)
    bound = compiled.bound
    if subject:
        sent[bound.identity.name] = _subject_key(ontology, compiled, who, subject)
    for group in bound.groups:
        row, seen = sent.get(group.name), known.get(group.name)
        if (
            group.is_address
            and isinstance(row, dict)
            and isinstance(seen, dict)
            and row.get(PLACE_KEY) == seen.get("address")
        ):
            row[PLACE_KEY] = seen.get("value")
    return sent
