"""The visual form builder (数字化控件): pick ontology terms, arrange fields by dragging or with the
keyboard, see problems at their field and the form as it will be filled, and publish.

The page is a view of a form definition carried in the page (``definition``, the same JSON as a
form file) plus the inputs that edit it (``p:<position>:<property>``); every request applies
the inputs first (:func:`citykg.builder.draft.edited`), then its action, so the definition is
always the source of truth. Typing asks ``/console/builder/check`` for the problems, the
preview and the terms written; adding, removing and moving fields redraw the editor. The
preview is drawn by the one form renderer (:mod:`citykg.web.formview`), optionally prefilled
for a sample subject. Publishing calls :func:`citykg.controls.save_form` as ``POST /forms``
does. Every page needs ``form.build``, as ``POST /forms/check`` does.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from citykg.access import Principal
from citykg.access.policy import ensure_lookup_allowed
from citykg.api.deps import AppSettings, Store, ontology_of
from citykg.api.keys import ME
from citykg.builder import Draft, Problem, check, class_terms, search_terms
from citykg.builder import draft as drafts
from citykg.controls import get_form, parse_form, read_xlsform, save_form
from citykg.controls.binding import local
from citykg.controls.unholdable import offences
from citykg.errors import NotFound, OutOfReach, TooManyLookups, ValidationFailed, Violation
from citykg.ledgers.refs import PREFIX, seal
from citykg.ontology import Ontology
from citykg.web import session
from citykg.web.auth import mirrors, officials_only
from citykg.web.forms import known_of
from citykg.web.formview import form_view
from citykg.web.i18n import Lang, language
from citykg.web.render import render
from citykg.web.routing import page_router
from citykg.web.session import Posted

router = page_router(officials_only)
Builder = Annotated[Principal, Depends(mirrors("POST /forms/check"))]
MAX_UPLOAD = 2_000_000
"""Bytes of an uploaded XLSForm, YAML or JSON file."""
VALUE_KINDS = ("attribute", "choice")


@dataclass(frozen=True, slots=True)
class Card:
    """One field as the editor shows it: where it is, what it binds, its problems."""

    at: str
    field: Draft
    kind: str
    term: str
    term_label: str
    problems: tuple[Problem, ...]
    cards: tuple[Card, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.kind in drafts.GROUPS


@dataclass(slots=True)
class Editor:
    """Everything the editor region draws."""

    draft: Draft
    cards: list[Card]
    problems: list[Problem]
    preview: Any = None
    written: tuple[Any, ...] = ()
    sample: str = ""
    sample_error: str = ""
    notice: str = ""
    focus: str = ""
    groups: list[tuple[str, str]] = field(default_factory=list)

    @property
    def flat(self) -> list[Card]:
        """Every card, groups before their fields."""
        return [card for c in self.cards for card in (c, *c.cards)]

    @property
    def definition(self) -> str:
        return json.dumps(self.draft, ensure_ascii=False)


@router.get("/console/builder")
def start(
    request: Request,
    store: Store,
    settings: AppSettings,
    who: Builder,
    form: str = "",
    subject: str = "",
) -> Response:
    """The builder on an existing form (``?form=``: its latest version, to become the next),
    on a blank form about ``?subject=``, or the start page choosing one of those."""
    ontology = ontology_of(settings)
    if form:
        draft = get_form(store, form_id=form).model_dump(mode="json", exclude_none=True)
    elif subject:
        if drafts.class_named(ontology, subject) is None:
            raise NotFound(f"class: no class {subject!r} (类不存在)")
        draft = drafts.blank(subject)
    else:
        return render(request, "builder_start.html", _choices(ontology))
    return _page(request, store, ontology, who, draft)


@router.post("/console/builder/open")
async def open_file(
    request: Request, store: Store, settings: AppSettings, who: Builder, posted: Posted
) -> Response:
    """The builder on an uploaded file: an XLSForm workbook, or a YAML or JSON form file."""
    ontology = ontology_of(settings)
    upload = posted.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise _invalid("file", "choose a file to open", "请选择要打开的文件")
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise _invalid("file", "the file is larger than 2 MB", "文件超过 2 MB")
    return _page(request, store, ontology, who, _read_upload(upload.filename, data))


@router.post("/console/builder")
def act(
    request: Request, store: Store, settings: AppSettings, who: Builder, posted: Posted
) -> Response:
    """Apply the inputs and one action (``add:<kind>:<term>``, ``remove:<at>``, ``up:<at>``,
    ``down:<at>``, ``move:<at>><to>``, ``relocate:<at>``, ``kind:<at>:<kind>``, ``publish``),
    then draw the editor again; a refused action is told at the top and changes nothing."""
    ontology = ontology_of(settings)
    draft = _posted(ontology, posted)
    verb, _, argument = str(posted.get("action") or "").partition(":")
    focus, notice = "", ""
    try:
        if verb == "publish":
            return _publish(request, store, ontology, who, draft, posted)
        draft, focus = _acted(ontology, draft, verb, argument, posted)
    except (ValidationFailed, NotFound) as refused:
        notice = _message(refused, language(request))
    editor = _editor(request, store, ontology, who, draft, str(posted.get("sample") or ""))
    editor.notice, editor.focus = notice, focus
    return render(request, "_builder.html", {"editor": editor, **_choices(ontology)})


@router.post("/console/builder/check")
def check_draft(
    request: Request, store: Store, settings: AppSettings, who: Builder, posted: Posted
) -> Response:
    """The problems at each field, the preview and the terms written, for what is typed now."""
    ontology = ontology_of(settings)
    draft = _posted(ontology, posted)
    editor = _editor(request, store, ontology, who, draft, str(posted.get("sample") or ""))
    return render(request, "_builder_check.html", {"editor": editor})


@router.post("/console/builder/yaml")
def export_yaml(settings: AppSettings, who: Builder, posted: Posted) -> Response:
    """The definition as a YAML form file (the same data: opened again, it is the same form)."""
    draft = _posted(ontology_of(settings), posted)
    name = str(draft.get("id") or "form")
    text = yaml.safe_dump(draft, allow_unicode=True, sort_keys=False)
    return Response(text, media_type="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="{_safe(name)}.yaml"'})  # fmt: skip


@router.get("/console/builder/terms")
def terms(
    request: Request,
    settings: AppSettings,
    who: Builder,
    q: str = "",
    subject: str = "",
    browse: bool = False,
) -> Response:
    """Terms matching ``q`` as the builder types (or, browsing, every term of the form's
    class), each a button adding it as a field."""
    ontology = ontology_of(settings)
    if browse:
        hits = class_terms(ontology, subject[:200])
    else:
        hits = search_terms(ontology, q[:200], subject=subject[:200] or None,
                            kinds=("attribute", "relation"))  # fmt: skip
    return render(request, "_builder_terms.html", {"hits": hits, "q": q or browse})


# --------------------------------------------------------------------------------------------


def _page(
    request: Request, store: Store, ontology: Ontology, who: Principal, draft: Draft
) -> Response:
    editor = _editor(request, store, ontology, who, draft, "")
    return render(request, "builder.html", {"editor": editor, **_choices(ontology)})


def _acted(
    ontology: Ontology, draft: Draft, verb: str, argument: str, posted: FormData
) -> tuple[Draft, str]:
    if verb == "add":
        kind, _, term = argument.partition(":")
        into = str(posted.get("into") or "")
        return drafts.add(draft, drafts.field_for(ontology, draft, kind, term, into), into)
    if verb == "remove":
        return drafts.remove(draft, argument), ""
    if verb in ("up", "down"):
        return drafts.shifted(draft, argument, -1 if verb == "up" else 1)
    if verb == "move":
        at, _, to = argument.partition(">")
        return drafts.move(draft, at, to)
    if verb == "relocate":
        into = str(posted.get(f"dest:{argument}") or "")
        return drafts.move(draft, argument, drafts.end_of(draft, into))
    if verb == "kind":
        at, _, kind = argument.partition(":")
        return drafts.as_kind(draft, at, kind), at
    return draft, ""


def _publish(
    request: Request,
    store: Store,
    ontology: Ontology,
    who: Principal,
    draft: Draft,
    posted: FormData,
) -> Response:
    """Save a new version (nothing when unchanged) and go to the forms list; a form with
    problems is drawn again with them, nothing saved."""
    checked = check(None, ontology, draft)
    if checked.problems:
        editor = _editor(request, store, ontology, who, draft, str(posted.get("sample") or ""))
        editor.notice = _message(ValidationFailed([]), language(request), publish=True)
        return render(request, "_builder.html", {"editor": editor, **_choices(ontology)})
    saved = save_form(store, ontology=ontology, form=parse_form(draft), principal=who)
    session.flash(request, "form_published" if saved.created else "form_unchanged")
    return Response(status_code=204, headers={"HX-Redirect": f"/console/forms#{saved.id}"})


def _editor(
    request: Request, store: Store, ontology: Ontology, who: Principal, draft: Draft, sample: str
) -> Editor:
    checked = check(store, ontology, draft)
    at: dict[str, list[Problem]] = {}
    for problem in checked.problems:
        at.setdefault(problem.at, []).append(problem)
    editor = Editor(draft, _cards(ontology, draft, "", at), at.get("", []), sample=sample,
                    written=checked.written)  # fmt: skip
    editor.groups = [(c.at, str(c.field.get("name") or "")) for c in editor.cards if c.is_group]
    if checked.compiled is not None:
        known: dict[str, Any] = {}
        if sample:
            try:
                editor.sample = _as_ref(store, who, sample)
                known = known_of(store, ontology, checked.compiled, who, editor.sample)
            except TooManyLookups:
                editor.sample_error = "too_many_lookups"
            except (NotFound, OutOfReach, ValidationFailed):
                editor.sample_error = "sample_not_found"
        editor.preview = form_view(checked.compiled.bound, ontology, language(request), known=known,
                                   subject_fixed=bool(known))  # fmt: skip
    return editor


def _as_ref(store: Store, who: Principal, sample: str) -> str:
    """A sample named by its clear ID number is a look-up (audited, limited, as ``POST
    /forms/{id}/prefill``), made once: the page then carries the ref, so the checks that follow
    each keystroke look nothing up again."""
    if sample == ME or sample.startswith(PREFIX) or len(sample) > 64:
        return sample
    ref = seal(sample)
    ensure_lookup_allowed(store, principal=who, target=ref, path="sample",
                          purpose="form builder preview")  # fmt: skip
    return ref


def _cards(
    ontology: Ontology, owner: Draft, prefix: str, problems: dict[str, list[Problem]]
) -> list[Card]:
    cards = []
    for i, f in drafts.children(owner):
        at = f"{prefix}.{i}" if prefix else str(i)
        kind = str(f.get("kind") or "attribute")
        term = str(f.get("relation") or "") if kind in drafts.GROUPS else str(
            f.get("term") or f.get("name") or "")  # fmt: skip
        inner = tuple(_cards(ontology, f, at, problems)) if kind in drafts.GROUPS else ()
        cards.append(Card(at, f, kind, term, _term_label(ontology, kind, term),
                          tuple(problems.get(at, ())), inner))  # fmt: skip
    return cards


def _term_label(ontology: Ontology, kind: str, term: str) -> str:
    try:
        if kind in VALUE_KINDS:
            return ontology.attribute_named(local(term)).label.zh
        return ontology.relation_named(local(term)).label.zh if term else ""
    except NotFound:
        return ""


def _posted(ontology: Ontology, posted: FormData) -> Draft:
    """The definition carried in the page with the inputs applied (``definition`` malformed:
    refused, naming it)."""
    try:
        draft = json.loads(str(posted.get("definition") or ""))
    except (ValueError, RecursionError):
        raise _invalid("definition", "the form definition is not valid JSON",
                       "表单定义不是有效的 JSON") from None  # fmt: skip
    if not isinstance(draft, dict):
        raise _invalid("definition", "the form definition must be an object", "表单定义必须是对象")
    values = {k[2:]: str(v) for k, v in posted.multi_items() if k.startswith("p:")}
    return _holdable(drafts.edited(ontology, draft, values))


def _holdable(draft: Draft) -> Draft:
    """``draft`` when every text and number in it can be stored (no NUL, no unpaired
    surrogate, no NaN); else refused, naming where."""
    try:
        found = list(offences(draft, "definition"))
    except RecursionError:
        raise _invalid("definition", "the form definition is nested too deeply",
                       "表单定义嵌套过深") from None  # fmt: skip
    if found:
        raise ValidationFailed(found)
    return draft


def _read_upload(filename: str, data: bytes) -> Draft:
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xls"):
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            handle.write(data)
            handle.flush()
            form = read_xlsform(Path(handle.name))
        return form.model_dump(mode="json", exclude_none=True)
    try:
        text = data.decode("utf-8")
        loaded = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (ValueError, RecursionError, yaml.YAMLError):
        raise _invalid("file", "the file is not a form file (XLSForm, YAML or JSON)",
                       "文件不是表单文件（XLSForm、YAML 或 JSON）") from None  # fmt: skip
    if not isinstance(loaded, dict):
        raise _invalid("file", "the file does not hold a form definition", "文件中没有表单定义")
    return _holdable(loaded)


def _choices(ontology: Ontology) -> dict[str, Any]:
    subjects = sorted(ontology.entity_classes, key=lambda c: c.name)
    return {"subjects": [(c.name, c.label) for c in subjects]}


def _message(error: ValidationFailed | NotFound, lang: Lang, *, publish: bool = False) -> str:
    if publish:
        return ("发布前请先修正标出的问题；未保存任何内容。" if lang == "zh" else
                "Fix the problems shown before publishing; nothing was saved.")  # fmt: skip
    if isinstance(error, NotFound):
        return str(error)
    return "；".join((v.message_zh if lang == "zh" else v.message) for v in error.violations)


def _safe(name: str) -> str:
    return "".join(ch for ch in name if ch.isalnum() or ch in "-_")[:64] or "form"


def _invalid(path: str, en: str, zh: str) -> ValidationFailed:
    return ValidationFailed([Violation(path=path, message=en, message_zh=zh)])
