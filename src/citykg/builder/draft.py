"""A form being built: the definition (plain data, as in a form file) and the edits the builder
makes to it.

The definition stays the source of truth: the builder shows it, and each edit changes only
what it names, so a definition opened and published without edits is the same definition
(round trip). Fields are addressed by their position, ``"3"`` or ``"3.1"`` (the second field of
the fourth), since names may clash while someone types. Each problem the form check finds is
placed at its field (:func:`problems`), wherever it came from: the shape of the definition
(pydantic, by position) or its fit to the ontology (the binder, by field name).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from citykg.controls.binding import local
from citykg.controls.compile import CompiledForm, compile_form
from citykg.controls.lineage import TermUse, form_lineage
from citykg.controls.models import parse_form
from citykg.controls.service import FormUse, forms_writing
from citykg.errors import NotFound, ValidationFailed, Violation
from citykg.graph import GraphStore
from citykg.ontology import Ontology
from citykg.ontology.model import OntologyClass

Draft = dict[str, Any]
TEXTS = ("title", "description", "label", "hint", "constraint_message")
"""Properties holding a text in two languages (``label.zh``, ``label.en``)."""
FLAGS = ("required", "read_only", "multiple", "ends_previous")
DEFAULTS: dict[str, Any] = {"ends_previous": True}
"""Properties whose absence means something other than empty."""
NUMBERS = ("min_count", "max_count")
GROUPS = ("address", "relation", "repeat")
_XSD_NUMBER = re.compile(r"#(integer|int|long|decimal|double|float)$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem, at a field (``at``: its position; ``""`` the form itself) and, when known,
    the property at fault (``term``, ``target``, ``constraint`` …)."""

    at: str
    prop: str
    message: str
    message_zh: str


def blank(subject: str, form_id: str = "new-form") -> Draft:
    """A new form about ``subject``, with no fields yet."""
    return {"id": form_id, "title": {"zh": "", "en": ""}, "subject": subject, "fields": []}


@dataclass(frozen=True, slots=True)
class Written:
    """A term the form writes, its fields that do, and the other forms already writing it
    ("fill once, use many times")."""

    use: TermUse
    elsewhere: tuple[FormUse, ...]


@dataclass(frozen=True, slots=True)
class Checked:
    """What the builder shows of a draft: its problems, and when it has none the compiled form
    (for the preview) and the terms it writes."""

    problems: tuple[Problem, ...]
    compiled: CompiledForm | None
    written: tuple[Written, ...]


def check(store: GraphStore | None, ontology: Ontology, draft: Draft) -> Checked:
    """Every problem with ``draft``, each at its field: first its shape, then (when the shape
    holds) its fit to the ontology, expressions included. A draft without problems is
    compiled, and (given ``store``) each term it writes is listed with the forms writing it."""
    try:
        compiled = compile_form(ontology, parse_form(draft))
    except ValidationFailed as failed:
        return Checked(tuple(_placed(draft, v) for v in failed.violations), None, ())
    written: list[Written] = []
    for use in form_lineage(ontology, compiled.bound) if store is not None else ():
        if use.kind != "code-list":
            others = forms_writing(store, ontology=ontology, term=use.term) if store else []
            written.append(Written(use, tuple(f for f in others if f.form != compiled.form.id)))
    return Checked((), compiled, tuple(written))


# --- making fields ----------------------------------------------------------------------------


def field_for(ontology: Ontology, draft: Draft, kind: str, term: str, into: str = "") -> Draft:
    """The field a picked term becomes, its name free where it goes. An attribute gives a value
    field (a choice field when it is coded); a relation to a place an address field; another
    relation a relation field holding the target's identity key (its direction from which end
    the subject is). The datatype and code list come from the term, so none is written."""
    siblings = {str(f.get("name")) for f in _fields_at(draft, into)}
    if kind == "attribute":
        attribute = ontology.attribute_named(term)
        field: Draft = {"name": _free(_snake(term), siblings), "term": term}
        if attribute.is_coded:
            field["kind"] = "choice"
        return field
    if kind != "relation":
        raise _invalid("term", f"{kind} {term!r} cannot be a field", f"{term} 不能作为字段")
    relation = ontology.relation_named(term)
    if _is_place(ontology, relation.range):
        return {"name": _free(_snake(term), siblings), "kind": "address", "relation": term}
    subject = class_named(ontology, draft.get("subject"))
    outgoing = subject is None or _within(ontology, subject, relation.domain)
    target = class_named(ontology, relation.range if outgoing else relation.domain)
    field = {"name": _free(_snake(term), siblings), "kind": "relation", "relation": term,
             "target": target.name if target else local(relation.range), "fields": []}  # fmt: skip
    if not outgoing:
        field["direction"] = "incoming"
    key = target.identity_key if target else None
    if key:
        field["fields"] = [{"name": _snake(local(key)), "term": local(key)}]
    return field


# --- edits --------------------------------------------------------------------------------------


def edited(ontology: Ontology, draft: Draft, values: Mapping[str, str]) -> Draft:
    """``draft`` with the builder's inputs applied: ``values`` maps ``"<at>:<property>"``
    (``"3:label.zh"``, ``":title.en"``) to what is typed. A property is changed only when its
    value differs from what the definition holds (an empty input and an absent property are
    the same), so nothing that was not edited changes."""
    draft = copy.deepcopy(draft)
    for key, text in values.items():
        at, _, prop = key.partition(":")
        try:
            target = draft if at == "" else _field(draft, at)
        except NotFound:
            continue
        _set(target, prop, text, _number_term(ontology, target))
    return draft


def add(draft: Draft, field: Draft, into: str = "") -> tuple[Draft, str]:
    """``draft`` with ``field`` appended to the form (or to the group at ``into``), and the
    new field's position."""
    draft = copy.deepcopy(draft)
    siblings = _fields_at(draft, into)
    siblings.append(field)
    return draft, _join(into, len(siblings) - 1)


def remove(draft: Draft, at: str) -> Draft:
    draft = copy.deepcopy(draft)
    parent, index = _parent(draft, at)
    del parent[index]
    return draft


def move(draft: Draft, at: str, to: str) -> tuple[Draft, str]:
    """``draft`` with the field at ``at`` moved to position ``to`` (``"2"``: third in the form;
    ``"4.0"``: first in the group at ``4``; one past the end appends), and its new position.
    A group cannot go inside a group, nor a field into itself."""
    draft = copy.deepcopy(draft)
    field = _field(draft, at)
    into, _, slot = to.rpartition(".")
    if not (slot.isascii() and slot.isdigit()) or len(slot) > 6:
        raise NotFound(f"field: no position {to!r} (位置不存在)")
    if into and (field.get("kind") in GROUPS or f"{into}.".startswith(f"{at}.")):
        raise _invalid(at, "a group cannot go inside a group", "分组不能放入分组")
    if into and _field(draft, into).get("kind") not in GROUPS:
        raise _invalid(into, "only a group holds fields", "只有分组可以包含字段")
    siblings = _fields_at(draft, into)  # the same list after the field leaves its own
    parent, index = _parent(draft, at)
    position = int(slot)
    if parent is siblings and index < position:
        position -= 1  # the field leaves a slot before its destination
    del parent[index]
    siblings.insert(max(0, min(position, len(siblings))), field)
    return draft, next(p for p in positions(draft) if _field(draft, p) is field)


def shifted(draft: Draft, at: str, offset: int) -> tuple[Draft, str]:
    """The field moved ``offset`` places among its siblings (the keyboard's up and down)."""
    parent, index = _parent(draft, at)
    position = max(0, min(index + offset, len(parent) - 1))
    slot = position + 1 if offset > 0 else position  # past itself when going down
    return move(draft, at, _join(_parent_path(at), slot))


def as_kind(draft: Draft, at: str, kind: str) -> Draft:
    """A relation field made a repeat group, or back (one related entity or several)."""
    draft = copy.deepcopy(draft)
    field = _field(draft, at)
    if field.get("kind") not in ("relation", "repeat") or kind not in ("relation", "repeat"):
        raise _invalid(at, "only a relation field can become a repeat group",
                       "只有关系字段可以改为重复组")  # fmt: skip
    field["kind"] = kind
    if kind == "relation":
        field.pop("min_count", None)
        field.pop("max_count", None)
    return draft


def end_of(draft: Draft, into: str) -> str:
    """The position one past the last field of the form (``into`` empty) or of a group."""
    return _join(into, len(_fields_at(draft, into)))


def positions(draft: Draft) -> list[str]:
    """Every field's position, in order (groups before their fields)."""
    found: list[str] = []
    for i, field in children(draft):
        found.append(str(i))
        found += [f"{i}.{j}" for j, _ in children(field)]
    return found


# --- helpers --------------------------------------------------------------------------------------


def _set(target: Draft, prop: str, text: str, number: bool) -> None:
    name, _, lang = prop.partition(".")
    if name in TEXTS and lang in ("zh", "en"):
        current = target.get(name)
        texts = {"zh": current, "en": current} if isinstance(current, str) else dict(current or {})
        if (texts.get(lang) or "") == text:
            return
        texts[lang] = text
        if any(texts.values()):
            target[name] = {"zh": texts.get("zh") or "", "en": texts.get("en") or ""}
        else:
            target.pop(name, None)
        return
    value: Any = text.strip()
    current = target.get(name, DEFAULTS.get(name))
    if isinstance(current, bool | int | float) and value in (str(current), json.dumps(current)):
        return  # a yes/no or number shown as text ("True", "1.5") and left as it was
    if name in FLAGS:
        value = True if value == "true" else False if value in ("", "false") else value
    elif name in NUMBERS:
        value = (
            int(value)
            if value.isascii() and value.isdigit() and len(value) < 10
            else (None if value == "" else value)
        )
    elif name == "default" and number:
        value = _number(value)
    default = DEFAULTS.get(name)
    if _plain(target.get(name, default)) == _plain(value):
        return  # not edited: an empty input and an absent property are the same
    if _plain(value) == _plain(default):
        target.pop(name, None)
    else:
        target[name] = value


def _plain(value: Any) -> Any:
    return None if value is None or value is False or value == "" else value


def _number(text: str) -> Any:
    """A typed default as a number when it reads as a finite one (else as typed: the check
    then names it)."""
    try:
        return int(text) if len(text) < 19 else text
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return text
        return number if math.isfinite(number) else text


def _number_term(ontology: Ontology, target: Draft) -> bool:
    term = target.get("term") or target.get("name")
    if not isinstance(term, str):
        return False
    try:
        return bool(_XSD_NUMBER.search(ontology.attribute_named(local(term)).range))
    except NotFound:
        return False


def _placed(draft: Draft, violation: Violation) -> Problem:
    """A violation at its field's position: pydantic paths go by position (``fields.3.relation.
    target``), the binder's by name (``members.id_number``)."""
    parts = violation.path.split(".")
    if parts[0] == "fields" and len(parts) > 1 and parts[1].isdigit():
        at, rest = parts[1], parts[2:]
        if len(rest) > 2 and rest[0] in GROUPS and rest[1] == "fields" and rest[2].isdigit():
            at, rest = f"{at}.{rest[2]}", rest[3:]
        if rest and rest[0] in ("attribute", "choice", *GROUPS):
            rest = rest[1:]  # the field's kind (pydantic's tag), not one of its properties
        return Problem(at, ".".join(rest), violation.message, violation.message_zh)
    named = _named(draft, parts)
    if named is None:
        return Problem("", violation.path, violation.message, violation.message_zh)
    depth = named.count(".") + 1
    return Problem(named, ".".join(parts[depth:]), violation.message, violation.message_zh)


def _named(draft: Draft, parts: list[str]) -> str | None:
    for i, field in children(draft):
        if field.get("name") != parts[0]:
            continue
        if len(parts) > 1:
            for j, inner in children(field):
                if inner.get("name") == parts[1]:
                    return f"{i}.{j}"
        return str(i)
    return None


def children(owner: Draft) -> list[tuple[int, Draft]]:
    """The fields of a form or a group, by position (whatever else a malformed draft holds
    there is skipped: its shape is reported, not stepped into)."""
    fields = owner.get("fields")
    return (
        [(i, f) for i, f in enumerate(fields) if isinstance(f, dict)]
        if isinstance(fields, list)
        else []
    )


def _fields_at(draft: Draft, into: str) -> list[Draft]:
    return _fields_at_owner(draft if into == "" else _field(draft, into))


def _fields_at_owner(owner: Draft) -> list[Draft]:
    fields = owner.setdefault("fields", [])
    if not isinstance(fields, list):
        raise _invalid("fields", "fields must be a list", "fields 必须是列表")
    return fields


def field_at(draft: Draft, at: str) -> Draft:
    """The field at position ``at`` (NotFound when there is none)."""
    return _field(draft, at)


def _field(draft: Draft, at: str) -> Draft:
    parent, index = _parent(draft, at)
    return parent[index]


def _parent(draft: Draft, at: str) -> tuple[list[Draft], int]:
    steps = at.split(".")
    if not all(s.isascii() and s.isdigit() and len(s) < 7 for s in steps) or len(steps) > 2:
        raise NotFound(f"field: no field at {at!r} (字段不存在)")
    owner = draft
    for step in steps[:-1]:
        owner = dict(children(owner)).get(int(step), {})
    fields = _fields_at_owner(owner)
    index = int(steps[-1])
    if index not in dict(children(owner)):
        raise NotFound(f"field: no field at {at!r} (字段不存在)")
    return fields, index


def _parent_path(at: str) -> str:
    return at.rpartition(".")[0]


def _join(into: str, index: int) -> str:
    return f"{into}.{index}" if into else str(index)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _free(name: str, taken: Iterable[str]) -> str:
    used = set(taken)
    if name not in used:
        return name
    return next(f"{name}_{n}" for n in range(2, len(used) + 3) if f"{name}_{n}" not in used)


def class_named(ontology: Ontology, name: object) -> OntologyClass | None:
    if not isinstance(name, str) or not name:
        return None
    found = ontology.classes.get(name) or next(
        (c for c in ontology.classes.values() if c.name == local(name)), None
    )
    return found


def _within(ontology: Ontology, cls: OntologyClass, iri: str) -> bool:
    return any(c.iri == iri for c in ontology.lineage(cls))


def _is_place(ontology: Ontology, iri: str) -> bool:
    cls = ontology.classes.get(iri)
    top = ontology.top_class(cls) if cls else None
    return top is not None and top.name == "Place"


def _invalid(path: str, en: str, zh: str) -> ValidationFailed:
    return ValidationFailed([Violation(path=path, message=en, message_zh=zh)])
