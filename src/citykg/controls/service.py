"""Forms in the graph, submissions, and the forms that write a term.

**Forms.** Saving binds the form to the ontology first (a form that does not fit is refused,
one violation per field). Each save of a changed definition adds a ``:Form {id, version}`` node
holding the definition as JSON, its digest and the names of the terms it writes; saving an
unchanged definition returns the version already there. Builders, stewards, officials and
service principals may save forms. Compiled forms are cached per stored definition.

**Submissions.** :func:`submit` and :func:`submit_many` plan each submission with the pure
compile step (nothing is written when it is rejected) and write the plans through the store's
group commit (:mod:`citykg.controls.writer`), many submissions per statement. A submission is
not written when its id was seen before (a replay: the result says so) or when an answered
place code is not in the graph (reported on the address field). Free-text addresses are
resolved through the gazetteer and the place tree before planning
(:func:`citykg.geo.enter_address`, never creating places); place codes are taken as they are
and checked by the statement itself.

The submission's author is the principal; ``channel`` and ``task`` name where it came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from citykg.access import Principal
from citykg.controls import queries
from citykg.controls.answers import field_problem
from citykg.controls.binding import local
from citykg.controls.compile import (
    CompiledForm,
    EntityRef,
    PlaceLookup,
    ResolvedPlace,
    SubmissionContext,
    SubmissionPlan,
    compile_form,
    place_code_lookup,
)
from citykg.controls.lineage import form_lineage, term_names
from citykg.controls.models import FormDefinition, Text, load_form, parse_form
from citykg.controls.permissions import decide
from citykg.controls.review import HeldSubmission, decide_held, ensure_may_decide, held, hold
from citykg.controls.unholdable import offences
from citykg.controls.writer import QueuedWrite, group_commit
from citykg.controls.xlsform import read_xlsform
from citykg.errors import (
    CityKGError,
    Conflict,
    Forbidden,
    NotFound,
    OutOfReach,
    ValidationFailed,
)
from citykg.geo import GazetteerCache, PlaceScope, enter_address
from citykg.geo.codes import PlaceCode
from citykg.graph import Constraint, GraphSchema, GraphStore, Index
from citykg.ontology import Ontology
from citykg.settings import REPO_ROOT

EXAMPLES_DIR = REPO_ROOT / "examples" / "forms"
FORM_EDITORS = frozenset({"builder", "steward", "official", "service"})
CONTROLS_SCHEMA = GraphSchema(
    constraints=(Constraint("Submission", "id"),),
    indexes=(Index("Submission", "id"), Index("Form", "id")),
)
_EVERYWHERE = PlaceScope.everywhere()


@dataclass(frozen=True, slots=True)
class SavedForm:
    """The stored version of a saved form (``created`` False: the same content was there)."""

    id: str
    version: int
    created: bool
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormSummary:
    """One form in the list: its latest version."""

    id: str
    version: int
    title: Text
    subject: str
    saved_at: str
    saved_by: str


@dataclass(frozen=True, slots=True)
class FormUse:
    """A form that writes a term, and its fields that do."""

    form: str
    version: int
    title: Text
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    """What a submission did; ``replayed`` when its id had been submitted before, ``held``
    when it waits for an official's confirmation (:mod:`citykg.controls.review`)."""

    submission: str
    form: str
    version: int
    replayed: bool
    touched: tuple[EntityRef, ...]
    held: bool = False


def ensure_controls_schema(store: GraphStore) -> None:
    """The uniqueness constraint on submission ids and the indexes form lookups use
    (applied by every :func:`save_form`; idempotent)."""
    store.apply_schema(CONTROLS_SCHEMA)


# --- forms -----------------------------------------------------------------------------------


def save_form(
    store: GraphStore, *, ontology: Ontology, form: FormDefinition, principal: Principal
) -> SavedForm:
    """Check ``form`` against the ontology and store it as a new version if it changed."""
    if principal.kind not in FORM_EDITORS:
        raise Forbidden(f"{principal} may not save forms")
    compiled = compile_form(ontology, form)
    terms = term_names(form_lineage(ontology, compiled.bound))
    ensure_controls_schema(store)
    row = store.write(
        queries.SAVE_FORM,
        {
            "id": form.id,
            "digest": form.digest(),
            "subject": form.subject,
            "title": form.title.zh,
            "titleEn": form.title.en,
            "definition": _stored_text(form),
            "terms": terms,
            "at": _now().isoformat(),
            "author": principal.id,
        },
    ).rows[0]
    return SavedForm(form.id, int(row["version"]), bool(row["created"]), tuple(terms))


def get_form(store: GraphStore, *, form_id: str, version: int | None = None) -> FormDefinition:
    """The stored form (its latest version unless ``version`` is given)."""
    row = _form_row(store, form_id, version)
    return _definition(str(row["definition"]), int(row["version"]))


def get_compiled(
    store: GraphStore, *, ontology: Ontology, form_id: str, version: int | None = None
) -> CompiledForm:
    """The stored form, compiled (cached per definition and version)."""
    row = _form_row(store, form_id, version)
    return _compiled(ontology, str(row["definition"]), int(row["version"]))


def list_forms(store: GraphStore) -> list[FormSummary]:
    """The latest version of every stored form, by id."""
    return [
        FormSummary(
            id=str(r["id"]),
            version=int(r["version"]),
            title=Text(zh=r["title"] or "", en=r["titleEn"] or ""),
            subject=str(r["subject"]),
            saved_at=str(r["savedAt"]),
            saved_by=str(r["savedBy"]),
        )
        for r in store.read(queries.LATEST_FORMS)
    ]


def forms_writing(store: GraphStore, *, ontology: Ontology, term: str) -> list[FormUse]:
    """The stored forms (latest versions) that write ``term``, with the fields that do."""
    name = local(term)
    uses = []
    for row in store.read(queries.FORMS_WRITING, {"term": name}):
        compiled = _compiled(ontology, str(row["definition"]), int(row["version"]))
        lineage = form_lineage(ontology, compiled.bound)
        fields = next((use.fields for use in lineage if use.term == name), ())
        form = compiled.form
        uses.append(FormUse(form.id, form.version, form.title, fields))
    return uses


def load_examples(
    store: GraphStore, *, ontology: Ontology, principal: Principal, directory: Path = EXAMPLES_DIR
) -> list[SavedForm]:
    """Save every example form (``*.yaml``, ``*.json``, ``*.xlsx``) found in ``directory``."""
    paths = sorted(
        p for p in directory.iterdir() if p.suffix in (".yaml", ".yml", ".json", ".xlsx")
    )
    forms = [read_xlsform(p) if p.suffix == ".xlsx" else load_form(p) for p in paths]
    return [save_form(store, ontology=ontology, form=f, principal=principal) for f in forms]


# --- submissions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmissionRequest:
    """One submission to write: its answers, id, where it came from and when."""

    answers: Mapping[str, Any]
    submission_id: str
    channel: str | None = None
    task: str | None = None
    at: datetime | None = None


def submit(
    store: GraphStore,
    *,
    form: CompiledForm,
    answers: Mapping[str, Any],
    principal: Principal,
    submission_id: str,
    channel: str | None = None,
    task: str | None = None,
    at: datetime | None = None,
) -> SubmissionResult:
    """Validate ``answers`` and write them in one statement; nothing is written if rejected.

    Raises :class:`ValidationFailed` (one violation per field, nothing written); a replayed
    ``submission_id`` writes nothing and returns ``replayed=True``.
    """
    request = SubmissionRequest(answers, submission_id, channel, task, at)
    outcome = submit_many(store, form=form, requests=[request], principal=principal)[0]
    if isinstance(outcome, CityKGError):
        raise outcome
    return outcome


def submit_many(
    store: GraphStore,
    *,
    form: CompiledForm,
    requests: Sequence[SubmissionRequest],
    principal: Principal,
) -> list[SubmissionResult | CityKGError]:
    """Validate and write each request atomically, many per statement; one outcome each, in
    order: its result, or the error that rejected it (nothing of it written): invalid answers,
    or fields outside what ``principal`` may write (:mod:`citykg.controls.permissions`).

    Concurrent callers share statements through :func:`~citykg.controls.writer.group_commit`.
    """
    with group_commit(store).planning() as write:
        planned, outcomes = _planned(store, form, requests, principal)
        queued = write(list(planned.values()))
    for (i, plan), done in zip(planned.items(), queued, strict=True):
        outcomes[i] = _outcome(store, form, plan, done)
    return outcomes


def _planned(
    store: GraphStore,
    form: CompiledForm,
    requests: Sequence[SubmissionRequest],
    principal: Principal,
) -> tuple[dict[int, SubmissionPlan], list[SubmissionResult | CityKGError]]:
    """Each request's plan by position, and an outcome for each: final if it was rejected or
    held, else a placeholder until its write settles."""
    planned: dict[int, SubmissionPlan] = {}
    outcomes: list[SubmissionResult | CityKGError] = []
    for i, request in enumerate(requests):
        context = _context(store, request, principal.id, principal.person)
        unfit = list(offences(request.answers))
        if unfit:  # the edge lets a batch's rows through, to refuse only these
            outcomes.append(ValidationFailed(unfit))
            continue
        try:
            plan = form.plan(request.answers, context)
            decision = decide(store, principal=principal, form=form, plan=plan)
        except (ValidationFailed, OutOfReach) as exc:
            outcomes.append(exc)
            continue
        if decision.outcome == "hold":
            created = hold(store, form=form, plan=plan, context=context,
                           answers=dict(request.answers), decision=decision)  # fmt: skip
            version = form.form.version
            outcomes.append(SubmissionResult(request.submission_id, form.form.id, version,
                                             not created, (), held=True))  # fmt: skip
            continue
        planned[i] = plan
        outcomes.append(Conflict(f"submission {request.submission_id!r} was not written"))
    return planned, outcomes


def confirm_held(
    store: GraphStore, *, ontology: Ontology, principal: Principal, held_id: str, note: str = ""
) -> HeldSubmission:
    """Write a held submission as its author sent it (validated again against the graph as it
    is now), then record ``principal``'s confirmation; Forbidden unless they may confirm it."""
    row = held(store, principal=principal, held_id=held_id)
    ensure_may_decide(principal, row)
    form = get_compiled(store, ontology=ontology, form_id=str(row["form"]),
                        version=int(row["formVersion"]))  # fmt: skip
    request = SubmissionRequest(json.loads(str(row["answers"])), str(row["id"]), row["channel"],
                                row["task"], datetime.fromisoformat(str(row["at"])))  # fmt: skip
    plan = form.plan(request.answers, _context(store, request, str(row["author"]),
                                               row["authorPerson"]))  # fmt: skip
    written = _outcome(store, form, plan, group_commit(store).write([plan])[0])
    if isinstance(written, CityKGError):
        raise written
    return decide_held(store, principal=principal, held_id=held_id, confirm=True, note=note)


def decline_held(
    store: GraphStore, *, principal: Principal, held_id: str, note: str
) -> HeldSubmission:
    """Decline a held submission with ``note`` (why); nothing of it is written."""
    return decide_held(store, principal=principal, held_id=held_id, confirm=False, note=note)


def _context(
    store: GraphStore, request: SubmissionRequest, author: str, author_person: str | None
) -> SubmissionContext:
    now = request.at or _now()
    return SubmissionContext(
        submission_id=request.submission_id,
        author=author,
        at=now,
        today=now.astimezone().date(),
        author_person=author_person,
        channel=request.channel,
        task=request.task,
        places=_place_lookup(store),
    )


def _outcome(
    store: GraphStore, form: CompiledForm, plan: SubmissionPlan, write: QueuedWrite
) -> SubmissionResult | CityKGError:
    """What became of one write: written, replayed, or why not."""
    if write.written:
        return SubmissionResult(
            write.submission_id, form.form.id, form.form.version, False, plan.touched
        )
    if isinstance(write.error, Conflict | None):  # not written: a replay, or a place missing
        try:
            return _unwritten(store, form, plan, write.submission_id)
        except CityKGError as exc:
            return exc
    return write.error


def _unwritten(
    store: GraphStore, form: CompiledForm, plan: SubmissionPlan, submission_id: str
) -> SubmissionResult:
    """Why the statement wrote nothing: a replay, or an answered place that is not there."""
    if store.read(queries.SUBMISSION, {"id": submission_id}):
        return SubmissionResult(submission_id, form.form.id, form.form.version, True, plan.touched)
    params = plan.write.params
    found = store.read(queries.PLACES_PRESENT, {"codes": params["placeCodes"]})[0]["codes"]
    missing = [
        field_problem(group.label, group.name, "no such place was found", "未找到该地址", code)
        for group in form.bound.groups
        if group.is_address
        and (code := params["groups"][group.slot]["code"]) is not None
        and code not in found
    ]
    if missing:
        raise ValidationFailed(missing)
    raise Conflict(f"submission {submission_id!r} was not written; send it again")


# --- helpers ---------------------------------------------------------------------------------

_GAZETTEERS: WeakKeyDictionary[GraphStore, GazetteerCache] = WeakKeyDictionary()


def _place_lookup(store: GraphStore) -> PlaceLookup:
    """Addresses through the place tree: a code as given, free text through the gazetteer."""

    def lookup(text: str) -> ResolvedPlace | None:
        by_code = place_code_lookup(text)
        if by_code is not None:
            return by_code
        gazetteer = _GAZETTEERS.setdefault(store, GazetteerCache()).get(store)
        entry = enter_address(store, address=text, gazetteer=gazetteer, scope=_EVERYWHERE)
        place = entry.place
        if place is None:
            return None
        cls = place.kind or PlaceCode(place.code).label
        missing = tuple(f"{m.key} {m.name}" for m in entry.missing)
        return ResolvedPlace(place.code, cls, place.level, place.name, missing)

    return lookup


def _form_row(store: GraphStore, form_id: str, version: int | None) -> dict[str, Any]:
    rows = store.read(queries.FORM, {"id": form_id, "version": version})
    if not rows:
        which = f"version {version} of " if version is not None else ""
        raise NotFound(f"no {which}form {form_id!r}")
    return rows[0]


@lru_cache(maxsize=256)
def _compiled(ontology: Ontology, definition: str, version: int) -> CompiledForm:
    return compile_form(ontology, _definition(definition, version))


def _definition(text: str, version: int) -> FormDefinition:
    return parse_form({**json.loads(text), "version": version})


def _stored_text(form: FormDefinition) -> str:
    return form.model_copy(update={"version": 1}).model_dump_json(exclude_none=True)


def _now() -> datetime:
    return datetime.now(UTC)
