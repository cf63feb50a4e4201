"""The pure compile step: (form, answers, context) → validated entities and ONE write plan.

:func:`compile_form` binds a form (:mod:`citykg.controls.binding`) and builds its statement
text once (:mod:`citykg.controls.statement`); :meth:`CompiledForm.plan` then turns each
submission's answers into

* :class:`~citykg.ontology.EntityInstance` values (the subject with its relations, each related
  entity with its relation to the subject), every one checked by the compiled SHACL validators
  (:func:`~citykg.ontology.compile_validators`): each entity's attributes, and each relation
  with its attributes on its own, so a violation maps back to the one field or repeat row it
  came from;
* a :class:`WritePlan`: the form's statement and this submission's parameters.

Nothing here touches a store. Addresses are resolved through ``context.places`` (the service
passes a lookup that reads the place tree; without one, a place code stands for itself).
Problems are collected over the whole submission and raised together as
:class:`~citykg.errors.ValidationFailed`, one violation per field path, messages in zh and en.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, LiteralString

from rdflib.namespace import XSD

from citykg.controls.answers import Filled, GroupRow, ReadAnswers, field_problem, read_answers
from citykg.controls.binding import BoundForm, BoundGroup, BoundValue, bind_form
from citykg.controls.models import FormDefinition, Text
from citykg.controls.statement import prefill_statement, submission_statement
from citykg.controls.values import to_graph
from citykg.errors import ValidationFailed, Violation
from citykg.geo.codes import PlaceCode
from citykg.ontology import (
    EntityInstance,
    Ontology,
    RelationInstance,
    Validators,
    compile_validators,
)
from citykg.ontology.model import Attribute

LEVEL_NAMES = {
    5: ("community", "社区"),
    6: ("compound", "小区"),
    7: ("building", "楼栋"),
    8: ("unit", "单元"),
    9: ("door", "门牌号"),
}


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    """Where an address answer landed: the deepest place found, and written levels not found."""

    code: str
    cls: str
    level: int | None
    name: str = ""
    missing: tuple[str, ...] = ()


PlaceLookup = Callable[[str], ResolvedPlace | None]


def place_code_lookup(text: str) -> ResolvedPlace | None:
    """The lookup without a graph: a valid place code stands for itself."""
    try:
        code = PlaceCode.parse(text)
    except ValidationFailed:
        return None
    return ResolvedPlace(code.value, code.label, int(code.level) if code.level else None)


@dataclass(frozen=True, slots=True)
class SubmissionContext:
    """Who submits, when, through which channel or task, and how addresses are resolved."""

    submission_id: str
    author: str
    at: datetime
    today: date
    author_person: str | None = None
    channel: str | None = None
    task: str | None = None
    places: PlaceLookup = place_code_lookup


@dataclass(frozen=True, slots=True)
class EntityRef:
    """An entity a submission writes: its class and identity key value, the top class and
    property it is matched by, and the form field that gave the key (errors name it)."""

    cls: str
    key: str
    top: str = ""
    key_property: str = ""
    path: str = ""
    label: Text = field(default_factory=Text)


@dataclass(frozen=True, slots=True)
class WritePlan:
    """One statement and its parameters: a whole submission, atomically."""

    query: LiteralString
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SubmissionPlan:
    """What a submission writes: validated entities, the entities touched, the write."""

    entities: tuple[EntityInstance, ...]
    touched: tuple[EntityRef, ...]
    write: WritePlan


class CompiledForm:
    """A form bound to the ontology with its write and prefill statements; plans submissions."""

    def __init__(self, bound: BoundForm, validators: Validators) -> None:
        self.bound = bound
        self.validators = validators
        self.statement = submission_statement(bound)
        self.prefill_query = prefill_statement(bound)

    @property
    def form(self) -> FormDefinition:
        return self.bound.form

    def plan(self, answers: Mapping[str, Any], context: SubmissionContext) -> SubmissionPlan:
        """Validate ``answers`` and plan their write; raises :class:`ValidationFailed`."""
        read = read_answers(self.bound, answers, today=context.today, now=context.at)
        planner = _Planner(self, context, read)
        planner.build()
        if planner.problems:
            form = self.form.id
            raise ValidationFailed(
                planner.problems,
                f"submission to {form!r} rejected: "
                + "; ".join(f"{v.path}: {v.message}" for v in planner.problems[:5]),
            )
        return SubmissionPlan(
            tuple(planner.entities),
            tuple(planner.touched),
            WritePlan(self.statement, planner.params()),
        )


def compile_form(ontology: Ontology, form: FormDefinition) -> CompiledForm:
    """Bind ``form`` (raising :class:`ValidationFailed` if it does not fit) and compile it."""
    return CompiledForm(bind_form(ontology, form), validators_for(ontology))


@lru_cache(maxsize=4)
def validators_for(ontology: Ontology) -> Validators:
    """The compiled validators of ``ontology``, compiled once per loaded ontology."""
    return compile_validators(ontology)


# --------------------------------------------------------------------------------------------


Source = tuple[str, tuple[BoundValue, ...], str]
"""(term prefix, bound values, form prefix): the attribute ``term prefix + attribute name`` was
answered in the field ``form prefix + field name``."""


@dataclass(slots=True)
class _Paths:
    """Where the terms a check validates were answered in the form; looked up only when a
    violation needs it (most submissions have none)."""

    sources: list[Source]
    rows: dict[str, str] = field(default_factory=dict)
    """A relation (and its target) by name: the row that answered it."""

    def get(self, term: str, fallback: str) -> str:
        name = term.split(".", 1)[0]
        if name in self.rows and term in (name, f"{name}.relationTarget"):
            return self.rows[name]
        for prefix, values, form_prefix in reversed(self.sources):
            if term.startswith(prefix):
                attribute = term[len(prefix) :]
                for v in reversed(values):
                    if v.attribute.name == attribute:
                        return form_prefix + v.name
        return fallback


@dataclass(slots=True)
class _Check:
    """One piece to validate and how its violations map back to form paths."""

    instance: EntityInstance
    paths: _Paths
    fallback: str
    alone: RelationInstance | None = None
    """A relation of ``instance``'s class checked on its own (one row of a repeat)."""
    relations: list[tuple[RelationInstance, Source, str]] = field(default_factory=list)
    """Relations of this entity to check: each with where its attributes and its row are."""

    def pieces(self) -> list[_Check]:
        """This check with its relations: a relation type used once is checked with the entity,
        one used by several rows (a repeat) on its own, so each violation names its row."""
        if not self.relations:
            return [self]
        uses = Counter(relation.relation for relation, _, _ in self.relations)
        alone = []
        for relation, (_, values, form_prefix), row in self.relations:
            name = relation.relation
            source = (f"{name}.", values, form_prefix)
            if uses[name] == 1:
                self.instance.relations.append(relation)
                self.paths.sources.append(source)
                self.paths.rows[name] = row
            else:
                paths = _Paths([source], {name: row})
                alone.append(_Check(self.instance, paths, row, alone=relation))
        return [self, *alone]

    def violations(self, validators: Validators) -> list[Violation]:
        if self.alone is None:
            return validators.validate(self.instance)
        return validators.validate_relation(self.instance.cls, self.alone)


@dataclass(slots=True)
class _Planner:
    compiled: CompiledForm
    context: SubmissionContext
    read: ReadAnswers
    problems: list[Violation] = field(default_factory=list)
    entities: list[EntityInstance] = field(default_factory=list)
    touched: list[EntityRef] = field(default_factory=list)
    checks: list[_Check] = field(default_factory=list)
    groups: dict[str, Any] = field(default_factory=dict)
    place_codes: list[str] = field(default_factory=list)
    subject_row: dict[str, Any] = field(default_factory=dict)

    @property
    def bound(self) -> BoundForm:
        return self.compiled.bound

    def build(self) -> None:
        self.problems.extend(self.read.problems)
        bound = self.bound
        attributes = _attributes(self.read.subject)
        key = attributes.get(bound.identity.attribute.name)
        self.subject_row = _row(str(key), self.read.subject)
        subject = EntityInstance(bound.subject.name, attributes, [])
        checked = _Check(
            EntityInstance(subject.cls, attributes), _Paths([("", bound.values, "")]), ""
        )
        self.checks.append(checked)
        for group in bound.groups:
            self.groups[group.slot] = _empty(group)
        seen = {(bound.top.name, str(key))}
        for row in self.read.rows:
            if row.group.is_address:
                self.address(row, subject, checked)
            else:
                self.related(row, subject, checked, seen)
        self.entities.insert(0, subject)
        identity = bound.identity
        self.touched.insert(
            0,
            EntityRef(
                bound.subject.name,
                str(key),
                bound.top.name,
                identity.key,
                identity.path,
                identity.label,
            ),
        )
        self.validate()

    def address(self, row: GroupRow, subject: EntityInstance, checked: _Check) -> None:
        group = row.group
        place = self.place(row)
        if place is None:
            return
        attributes = _attributes(row.filled, relation=True)
        relation = RelationInstance(group.relation.name, place.cls, place.code, attributes)
        subject.relations.append(relation)
        checked.relations.append((relation, ("", group.relation_values, f"{row.path}."), row.path))
        self.place_codes.append(place.code)
        props = _relation_props(row.filled)
        since, until = group.since, group.until
        self.groups[group.slot] = {
            "code": place.code,
            "props": props,
            "start": {since.property_key: self.stamp(since)} if since else {},
            "end": {until.property_key: self.stamp(until)} if until else {},
        }

    def place(self, row: GroupRow) -> ResolvedPlace | None:
        group = row.group
        found = self.context.places(row.place) if row.place else None
        if row.place and found is None:
            self.problems.append(
                field_problem(
                    group.label, row.path, "no such place was found", "未找到该地址", row.place
                )
            )
        elif found is not None and found.missing:
            missing = ", ".join(found.missing)
            self.problems.append(
                field_problem(
                    group.label,
                    row.path,
                    f"found down to {found.name or found.code}, but not {missing}",
                    f"只找到「{found.name or found.code}」，未找到 {missing}",
                    row.place,
                )
            )
        elif found is not None and group.min_level and (found.level or 0) < group.min_level:
            en, zh = LEVEL_NAMES[group.min_level]
            self.problems.append(
                field_problem(
                    group.label,
                    row.path,
                    f"the address must name a {en}",
                    f"地址须具体到{zh}",
                    row.place,
                )
            )
        else:
            return found
        return None

    def related(
        self, row: GroupRow, subject: EntityInstance, checked: _Check, seen: set[tuple[str, str]]
    ) -> None:
        group = row.group
        assert group.identity is not None
        entity_filled = tuple(f for f in row.filled if not f.value.on_relation)
        attributes = _attributes(entity_filled)
        key = str(attributes.get(group.identity.attribute.name))
        if (group.top.name, key) in seen:
            self.problems.append(
                field_problem(
                    group.label, row.path, "this entity is given twice", "同一对象重复填写", key
                )
            )
            return
        seen.add((group.top.name, key))
        entity = EntityInstance(group.target.name, attributes, [])
        paths = _Paths([("", group.values, f"{row.path}.")])
        check = _Check(EntityInstance(entity.cls, attributes), paths, row.path)
        self.checks.append(check)
        rel_attributes = _attributes(row.filled, relation=True)
        if group.outgoing:
            relation = RelationInstance(group.relation.name, group.target.name, key, rel_attributes)
            subject.relations.append(relation)
        else:
            subject_key = str(self.subject_row["key"])
            relation = RelationInstance(
                group.relation.name, subject.cls, subject_key, rel_attributes
            )
            entity.relations.append(relation)
        if rel_attributes:  # the ends' classes were checked when the form was bound
            owner = checked if group.outgoing else check
            owner.relations.append(
                (relation, ("", group.relation_values, f"{row.path}."), row.path)
            )
        self.entities.append(entity)
        identity = group.identity
        self.touched.append(
            EntityRef(
                group.target.name,
                key,
                group.top.name,
                identity.key,
                f"{row.path}.{identity.name}",
                identity.label,
            )
        )
        rows: list[dict[str, Any]] = self.groups[group.slot]
        rows.append({**_row(key, entity_filled), "rel": _relation_props(row.filled)})

    def stamp(self, attribute: Attribute) -> str:
        if attribute.range == str(XSD.date):
            return self.context.today.isoformat()
        return self.context.at.isoformat()

    def validate(self) -> None:
        reported = {v.path for v in self.problems}
        for check in (piece for owner in self.checks for piece in owner.pieces()):
            for violation in check.violations(self.compiled.validators):
                path = check.paths.get(violation.path, check.fallback)
                if path not in reported:
                    reported.add(path)
                    self.problems.append(_at_field(violation, path))

    def params(self) -> dict[str, Any]:
        context, form = self.context, self.compiled.form
        return {
            "submissionId": context.submission_id,
            "formId": form.id,
            "formVersion": form.version,
            "at": context.at.isoformat(),
            "author": context.author,
            "authorPerson": context.author_person,
            "channel": context.channel,
            "task": context.task,
            "placeCodes": sorted(set(self.place_codes)),
            "subject": self.subject_row,
            "groups": self.groups,
        }


def _attributes(filled: tuple[Filled, ...], *, relation: bool = False) -> dict[str, Any]:
    """Typed values by attribute name: of the entity, or of the relation."""
    return {f.value.attribute.name: f.typed for f in filled if f.value.on_relation == relation}


def _row(key: str, filled: tuple[Filled, ...]) -> dict[str, Any]:
    props = {f.value.key: to_graph(f.typed) for f in filled if not f.value.on_relation}
    return {"key": key, "props": props}


def _relation_props(filled: tuple[Filled, ...]) -> dict[str, Any]:
    return {f.value.key: to_graph(f.typed) for f in filled if f.value.on_relation}


def _empty(group: BoundGroup) -> Any:
    if group.is_address:
        return {"code": None, "props": {}, "start": {}, "end": {}}
    return []


def _at_field(violation: Violation, path: str) -> Violation:
    """An ontology violation restated at the form field it came from."""
    shown = "" if violation.value is None else str(violation.value)
    return Violation(
        path=path,
        message=violation.message.replace("{?value}", shown).replace("{$value}", shown),
        message_zh=violation.message_zh.replace("{?value}", shown).replace("{$value}", shown),
        value=violation.value if isinstance(violation.value, str | int | float | bool) else None,
        source_shape=violation.source_shape,
        details=violation.details,
    )
