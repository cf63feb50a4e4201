"""One renderer for every form: a bound form definition becomes widgets, and a posted HTML form
becomes the answers the controls' write path takes.

Nothing here is written per form. A widget's name is the path the write path names its field
by (``mobile_phone``, ``address.since``, ``members[1].name``), so each error the submission
raises lands on the widget with that path, and a posted HTML form reads back into answers by
the same names. Values come from what was posted (a form shown again with its errors), else
from prefill, else from the field's default. A masked prefilled value is shown masked, as a
placeholder: a new value may be typed over it, and left blank it is left out of the answers
(:func:`keep_masked`), which keeps it. A repeat row whose identity key is masked is shown, not
sent. Calculated and read-only fields are shown, not sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rdflib.namespace import XSD

from citykg.controls.binding import BoundForm, BoundGroup, BoundValue
from citykg.controls.models import PLACE_KEY, ChoiceField, RepeatField
from citykg.controls.values import CODE
from citykg.errors import Violation
from citykg.ontology import Ontology
from citykg.web.i18n import Lang

Input = Literal["text", "number", "date", "datetime-local", "boolean", "select", "checkboxes"]
INPUTS: dict[str, Input] = {
    str(XSD.integer): "number",
    str(XSD.decimal): "number",
    str(XSD.double): "number",
    str(XSD.date): "date",
    str(XSD.dateTime): "datetime-local",
    str(XSD.boolean): "boolean",
}
ROW = "__i__"
"""The row number of a repeat group's blank row template, replaced when a row is added."""


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(slots=True)
class Widget:
    """One value field as drawn: ``name`` is its answer path; ``sent`` False when the page
    shows it without posting it (masked, calculated, the subject's own key)."""

    name: str
    label: str
    hint: str
    input: Input
    value: str | list[str]
    placeholder: str = ""
    options: tuple[Option, ...] = ()
    required: bool = False
    masked: bool = False
    sent: bool = True
    computed: bool = False
    step: str | None = None
    source: str = ""
    error: str = ""


@dataclass(slots=True)
class Row:
    """An address, a related entity or one repeat row: its path and its widgets."""

    path: str
    widgets: list[Widget]
    place: Widget | None = None
    current: str = ""
    """An address's current place, in words."""
    locked: bool = False
    """Shown, not sent: its identity key is masked to the viewer."""
    error: str = ""


@dataclass(slots=True)
class Group:
    name: str
    kind: Literal["address", "relation", "repeat"]
    label: str
    hint: str
    rows: list[Row]
    blank: Row | None = None
    """A repeat group's empty row, numbered :data:`ROW`, which the page copies to add one."""
    next_row: int = 0
    required: bool = False
    error: str = ""


@dataclass(slots=True)
class FormView:
    """A whole form as drawn, with the errors no widget took (shown on top)."""

    id: str
    title: str
    description: str
    widgets: list[Widget]
    groups: list[Group]
    errors: list[str] = field(default_factory=list)
    failed: bool = False


def form_view(
    bound: BoundForm,
    ontology: Ontology,
    lang: Lang,
    *,
    known: Mapping[str, Any],
    posted: Mapping[str, Any] | None = None,
    errors: Sequence[Violation] = (),
    subject_fixed: bool = False,
) -> FormView:
    """``bound`` drawn with prefill ``known``, answers ``posted`` (shown again) and ``errors``;
    ``subject_fixed`` when the form is about a given subject, whose key is not typed again."""
    draw = _Drawer(ontology, lang, {v.path: v.text(lang) for v in errors})
    form = bound.form
    widgets = [
        draw.value(
            v, v.name, known.get(v.name), posted, fixed=subject_fixed and v is bound.identity
        )
        for v in bound.values
    ]
    groups = [draw.group(g, known.get(g.name), posted) for g in bound.groups]
    return FormView(
        id=form.id,
        title=form.title.get(lang),
        description=form.description.get(lang) if form.description else "",
        widgets=widgets,
        groups=groups,
        errors=list(draw.errors.values()),
        failed=bool(errors),
    )


def answers_from(bound: BoundForm, data: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The answers a posted HTML form gives (``data``: every value posted under each name).

    Only the names the form has are read; a name not posted is left out (unchanged), a posted
    blank is a blank answer; repeat rows come in the order of their numbers."""
    answers: dict[str, Any] = {}
    _values(answers, bound.values, "", data)
    for group in bound.groups:
        if group.is_repeat:
            pattern = re.compile(rf"^{re.escape(group.name)}\[(\d+)\]\.")
            numbers = sorted({int(m.group(1)) for name in data if (m := pattern.match(name))})
            rows = [_row(group, f"{group.name}[{n}].", data) for n in numbers]
            if rows:
                answers[group.name] = rows
        elif row := _row(group, f"{group.name}.", data):
            answers[group.name] = row
    return answers


def keep_masked(bound: BoundForm, answers: dict[str, Any], known: Mapping[str, Any]) -> None:
    """Leave out the blank answers of fields prefilled masked: the write path keeps them."""

    def drop(into: dict[str, Any], values: Sequence[BoundValue], shown: Mapping[str, Any]) -> None:
        for v in values:
            value = shown.get(v.name)
            if isinstance(value, Mapping) and value.get("masked") and into.get(v.name) in ("", []):
                del into[v.name]

    drop(answers, bound.values, known)
    for group in bound.groups:
        row, seen = answers.get(group.name), known.get(group.name)
        if isinstance(row, dict) and isinstance(seen, Mapping):
            drop(row, group.fields, seen.get("fields", {}))


def _row(group: BoundGroup, prefix: str, data: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if group.is_address and (place := data.get(prefix + PLACE_KEY)):
        row[PLACE_KEY] = place[0]
    _values(row, group.fields, prefix, data)
    return row


def _values(
    into: dict[str, Any],
    values: Sequence[BoundValue],
    prefix: str,
    data: Mapping[str, Sequence[str]],
) -> None:
    for v in values:
        given = data.get(prefix + v.name)
        if given is None or v.computed:
            continue
        into[v.name] = [g for g in given if g] if v.multiple and v.codes else given[0]


class _Drawer:
    def __init__(self, ontology: Ontology, lang: Lang, errors: dict[str, str]) -> None:
        self.ontology = ontology
        self.lang = lang
        self.errors = errors

    def text(self, value: Any) -> str:
        return value.get(self.lang) if value is not None else ""

    def value(
        self,
        v: BoundValue,
        path: str,
        known: Any,
        posted: Mapping[str, Any] | None,
        *,
        fixed: bool = False,
    ) -> Widget:
        options = self.options(v)
        widget = Widget(
            name=path,
            label=v.label.get(self.lang),
            hint=self.text(v.field.hint),
            input=("checkboxes" if v.multiple else "select") if options else self.input(v),
            value=[] if v.multiple else "",
            options=options,
            required=v.required is True,
            computed=v.computed,
            sent=not (v.computed or fixed),
            step="any" if v.datatype in (str(XSD.decimal), str(XSD.double)) else None,
            error=self.errors.pop(path, ""),
        )
        if isinstance(known, Mapping):
            widget.masked = bool(known.get("masked"))
            widget.source = _source(known.get("source"))
        answer = _at(posted, path) if posted is not None and widget.sent else None
        if answer is not None:
            widget.value = _shown(answer, v.multiple)
        elif widget.masked:  # typed anew, or left blank to keep
            widget.placeholder = str(known["value"]) if isinstance(known, Mapping) else ""
        elif isinstance(known, Mapping) and known.get("value") is not None:
            widget.value = _shown(known["value"], v.multiple)
        elif v.default is not None:
            widget.value = _shown(v.default, v.multiple)
        if widget.input != "checkboxes" and isinstance(widget.value, list):
            widget.value = " ".join(widget.value)  # a multi-valued text: space-separated
        return widget

    def input(self, v: BoundValue) -> Input:
        return INPUTS.get(v.datatype, "text")

    def options(self, v: BoundValue) -> tuple[Option, ...]:
        if v.datatype != CODE:
            return ()
        code_list = self.ontology.code_list_of(v.attribute)
        concepts = code_list.by_notation if code_list else {}
        chosen = v.field.choices if isinstance(v.field, ChoiceField) else ()
        if chosen:
            return tuple(
                Option(c.value, self.text(c.label) or self.concept(concepts, c.value))
                for c in chosen
            )
        codes = v.codes or frozenset(concepts)
        return tuple(Option(c, self.concept(concepts, c)) for c in concepts if c in codes)

    def concept(self, concepts: Mapping[str, Any], code: str) -> str:
        found = concepts.get(code)
        return f"{found.label.get(self.lang)}" if found else code

    def group(self, g: BoundGroup, known: Any, posted: Mapping[str, Any] | None) -> Group:
        kind: Literal["address", "relation", "repeat"] = (
            "address" if g.is_address else "repeat" if g.is_repeat else "relation"
        )
        group = Group(
            name=g.name,
            kind=kind,
            label=g.label.get(self.lang),
            hint=self.text(g.field.hint),
            rows=[],
            required=g.required is True
            or (isinstance(g.field, RepeatField) and g.field.min_count > 0),
            error=self.errors.pop(g.name, "") if g.is_repeat else "",
        )
        if g.is_repeat:
            known_rows = known if isinstance(known, list) else []
            shown = [k for k in known_rows if _locked(g, k)]
            locked = [
                self.row(g, f"{g.name}.shown[{i}]", k, None, locked=True)
                for i, k in enumerate(shown)
            ]
            sent_known = [k for k in known_rows if not _locked(g, k)]
            answered = _at(posted, g.name) if posted is not None else None
            if isinstance(answered, list):
                rows = [self.row(g, f"{g.name}[{i}]", None, posted) for i in range(len(answered))]
            else:
                rows = [self.row(g, f"{g.name}[{i}]", k, None) for i, k in enumerate(sent_known)]
            group.rows = locked + rows
            group.next_row = len(rows)
            group.blank = self.row(g, f"{g.name}[{ROW}]", None, None)
        else:
            group.rows = [self.row(g, g.name, known, posted)]
        return group

    def row(
        self,
        g: BoundGroup,
        path: str,
        known: Any,
        posted: Mapping[str, Any] | None,
        *,
        locked: bool = False,
    ) -> Row:
        fields = known.get("fields", {}) if isinstance(known, Mapping) else {}
        widgets = [self.value(v, f"{path}.{v.name}", fields.get(v.name), posted) for v in g.fields]
        if locked:  # drawn under a path of their own, so each label names one output
            for widget in widgets:
                widget.sent = False
        row = Row(path=path, widgets=widgets, locked=locked, error=self.errors.pop(path, ""))
        if g.is_address:
            current = str(known.get("address") or "") if isinstance(known, Mapping) else ""
            answer = _at(posted, f"{path}.{PLACE_KEY}") if posted is not None else None
            row.current = current
            row.place = Widget(
                name=f"{path}.{PLACE_KEY}",
                label=g.label.get(self.lang),
                hint=self.text(g.field.hint),
                input="text",
                value=str(answer) if answer is not None else current,
                required=g.required is True,
                source=_source(known.get("source")) if isinstance(known, Mapping) else "",
            )
        return row


def _locked(g: BoundGroup, known: Any) -> bool:
    """A prefilled related entity whose identity key the viewer sees masked."""
    if not isinstance(known, Mapping) or g.identity is None:
        return False
    key = known.get("fields", {}).get(g.identity.name)
    return isinstance(key, Mapping) and bool(key.get("masked"))


def _at(answers: Mapping[str, Any] | None, path: str) -> Any:
    """The answer at ``path`` (``members[1].name``) in nested answers, or None."""
    current: Any = answers
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            current = current[index] if isinstance(current, list) and index < len(current) else None
        else:
            current = current.get(part) if isinstance(current, Mapping) else None
        if current is None:
            return None
    return current


def _shown(value: Any, multiple: bool) -> str | list[str]:
    """A known value as an input holds it: text, ``true``/``false``, a list of codes."""
    if multiple:
        items = value if isinstance(value, list | tuple) else str(value).split()
        return [_shown(item, False) for item in items]  # type: ignore[misc]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _source(source: Any) -> str:
    """Where a prefilled value came from: the form and the day it was submitted."""
    if not isinstance(source, Mapping):
        return ""
    return " ".join(
        str(part) for part in (source.get("form"), str(source.get("at") or "")[:10]) if part
    )
