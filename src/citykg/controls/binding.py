"""Binding a form to the ontology: the check a form passes when it is saved.

:func:`bind_form` resolves every field to its terms and returns a :class:`BoundForm`, or raises
:class:`~citykg.errors.ValidationFailed` with one violation per bad field (``path`` is the
form's own field path, ``members.name``; messages in zh and en). It checks:

* the subject class exists, is an entity class, and a field gives its identity key;
* every term is known and belongs where it is used (an attribute of the subject, of a related
  entity's class, or of the relation); a property key that several attributes share is
  ambiguous and must be written as the attribute's local name;
* field types match datatypes (``type: date`` on an ``xsd:date`` attribute), choice fields
  bind coded attributes and offer only codes of their code list, ``multiple`` only where the
  attribute may hold several values, defaults fit the datatype;
* a relation joins the right classes in the stated direction, a related entity's identity key
  has a field, an address relation ends at a place (and has an ``until`` to end it);
* no entity would get more relations of a type than the ontology allows;
* every attribute the ontology requires of an entity the form writes has a field;
* expressions parse and read only fields in scope (siblings, then top-level fields).

A required attribute (``sh:minCount 1``) is required in the form whatever the field says.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from rdflib.namespace import XSD

from citykg.controls.expressions import Expression, parse_expression
from citykg.controls.models import (
    PLACE_KEY,
    AddressField,
    AttributeField,
    ChoiceField,
    FormDefinition,
    RelationField,
    RepeatField,
    Text,
)
from citykg.controls.values import CODE, ValueProblem, coerce
from citykg.errors import NotFound, ValidationFailed, Violation
from citykg.ontology.model import Attribute, Ontology, OntologyClass, RelationType

ADDRESS_RELATIONS = {
    "Person": "residesIn",
    "Organization": "locatedAt",
    "Thing": "installedAt",
    "Event": "occurredAt",
}
"""The relation an address field writes by default, by the subject's top class."""

PLACE_LEVELS = {"community": 5, "compound": 6, "building": 7, "unit": 8, "door": 9}

_FIELD_TYPES: dict[str, frozenset[str]] = {
    "text": frozenset({str(XSD.string)}),
    "uri": frozenset({str(XSD.anyURI), str(XSD.string)}),
    "integer": frozenset({str(XSD.integer)}),
    "decimal": frozenset({str(XSD.decimal)}),
    "date": frozenset({str(XSD.date)}),
    "datetime": frozenset({str(XSD.dateTime)}),
    "boolean": frozenset({str(XSD.boolean)}),
}
TYPED_COMPARISONS = frozenset(
    str(t) for t in (XSD.date, XSD.dateTime, XSD.integer, XSD.decimal, XSD.double, XSD.boolean)
)
"""Datatypes whose constraints' literals must be values of the type (text compares anything)."""
NUMERIC = frozenset(str(t) for t in (XSD.integer, XSD.decimal, XSD.double))

ValueFieldModel = AttributeField | ChoiceField
GroupFieldModel = AddressField | RelationField | RepeatField


@dataclass(frozen=True, slots=True)
class BoundValue:
    """A value field bound to one attribute (of an entity, or of a relation)."""

    field: ValueFieldModel
    name: str
    path: str
    attribute: Attribute
    key: str
    """The property key the value is written under."""
    on_relation: bool
    datatype: str
    """The attribute's XSD datatype IRI, or :data:`~citykg.controls.values.CODE`."""
    multiple: bool
    codes: frozenset[str] | None
    label: Text
    required: bool | Expression
    relevant: Expression | None
    constraint: Expression | None
    calculation: Expression | None
    default: Any
    computed: bool
    """Never taken from the answers (read-only, or calculated)."""


@dataclass(frozen=True, slots=True)
class BoundGroup:
    """An address, relation or repeat field: the relation, the other end, and its fields."""

    field: GroupFieldModel
    slot: str
    """The group's name inside the write statement and its parameters (``g0``, ``g1``…)."""
    relation: RelationType
    outgoing: bool
    target: OntologyClass
    identity: BoundValue | None
    """The field giving the related entity's identity key (None for an address)."""
    values: tuple[BoundValue, ...]
    """Attributes of the related entity."""
    relation_values: tuple[BoundValue, ...]
    label: Text
    relevant: Expression | None
    required: bool | Expression
    top: OntologyClass
    """The related entity's top class: its MERGE label."""
    labels: tuple[str, ...] = ()
    """Further labels of the related entity (its class and superclasses below the top)."""
    min_level: int | None = None
    since: Attribute | None = None
    until: Attribute | None = None
    fields: tuple[BoundValue, ...] = dataclass_field(init=False)
    """Every value field of a row: the entity's, then the relation's."""
    answer_keys: frozenset[str] = dataclass_field(init=False)
    """The keys a row's answer may have."""

    def __post_init__(self) -> None:
        fields = self.values + self.relation_values
        place = {PLACE_KEY} if isinstance(self.field, AddressField) else set()
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "answer_keys", frozenset({v.name for v in fields} | place))

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def is_address(self) -> bool:
        return isinstance(self.field, AddressField)

    @property
    def is_repeat(self) -> bool:
        return isinstance(self.field, RepeatField)

    @property
    def ends_previous(self) -> bool:
        return isinstance(self.field, AddressField) and self.field.ends_previous


@dataclass(frozen=True, slots=True)
class BoundForm:
    """A form with every field resolved to the ontology; what compilers and lineage read."""

    form: FormDefinition
    subject: OntologyClass
    top: OntologyClass
    identity: BoundValue
    values: tuple[BoundValue, ...]
    groups: tuple[BoundGroup, ...]
    labels: tuple[str, ...]
    answer_keys: frozenset[str] = dataclass_field(init=False)
    """The keys the answers may have: the top-level field names."""

    def __post_init__(self) -> None:
        names = {v.name for v in self.values} | {g.name for g in self.groups}
        object.__setattr__(self, "answer_keys", frozenset(names))


def bind_form(ontology: Ontology, form: FormDefinition) -> BoundForm:
    """Resolve ``form`` against ``ontology``; every problem is one violation naming its field."""
    binder = _Binder(ontology, form)
    bound = binder.bind()
    if binder.problems or bound is None:
        raise ValidationFailed(binder.problems, f"form {form.id!r} does not fit the ontology")
    return bound


def class_of(ontology: Ontology, name: str) -> OntologyClass | None:
    """The entity class named ``name`` (local name, ``ckg:`` CURIE or IRI), if any."""
    try:
        cls = ontology.class_named(local(name))
    except NotFound:
        return None
    return cls if ontology.top_class(cls) is not None else None


def local(term: str) -> str:
    """``ckg:idNumber`` or a full IRI → ``idNumber``."""
    return term.rsplit("#", 1)[-1].rsplit("/", 1)[-1].removeprefix("ckg:")


# --------------------------------------------------------------------------------------------


class _Binder:
    def __init__(self, ontology: Ontology, form: FormDefinition) -> None:
        self.ontology = ontology
        self.form = form
        self.problems: list[Violation] = []

    def problem(self, path: str, en: str, zh: str, value: object = None) -> None:
        self.problems.append(Violation(path=path, message=en, message_zh=zh, value=value))

    def bind(self) -> BoundForm | None:
        form = self.form
        subject = class_of(self.ontology, form.subject)
        if subject is None:
            self.problem(
                "subject",
                f"unknown entity class {form.subject!r}",
                f"本体中没有实体类 {form.subject!r}",
                form.subject,
            )
            return None
        top = self.ontology.top_class(subject)
        assert top is not None
        self._unique_names("", [f.name for f in form.fields])
        top_names = frozenset(f.name for f in form.fields)
        candidates = self.ontology.attributes_of(subject)
        values = tuple(
            v
            for f in form.fields
            if isinstance(f, AttributeField | ChoiceField)
            and (v := self.value(f, f.name, candidates, (), subject, top_names, frozenset()))
        )
        groups = tuple(
            g
            for i, f in enumerate(
                f for f in form.fields if not isinstance(f, AttributeField | ChoiceField)
            )
            if (g := self.group(f, f"g{i}", subject, top_names))
        )
        identity = self.identity(subject, values, "fields")
        self.required_covered(subject, values, "fields")
        self.cardinality(subject, groups)
        if identity is None:
            return None
        labels = _extra_labels(self.ontology, subject, top)
        return BoundForm(form, subject, top, identity, values, groups, labels)

    # --- value fields ------------------------------------------------------------------------

    def value(
        self,
        field: ValueFieldModel,
        path: str,
        entity: tuple[Attribute, ...],
        relation: tuple[Attribute, ...],
        owner: OntologyClass,
        outer: frozenset[str],
        siblings: frozenset[str],
    ) -> BoundValue | None:
        attribute = self.term(field.term_name, entity + relation, path, owner)
        if attribute is None:
            return None
        on_relation = attribute in relation
        focus = self._focus(attribute, owner)
        if focus is None:
            return None
        fewest, most = self.ontology.cardinality(focus, attribute.iri)
        multiple = most != 1
        datatype = CODE if attribute.is_coded else attribute.range
        codes = self.codes(field, attribute, path, multiple)
        if codes is None and attribute.is_coded:
            return None
        if isinstance(field, AttributeField) and not self.type_fits(field, attribute, path):
            return None
        scope = siblings | outer
        label = field.label or Text(zh=attribute.label.zh, en=attribute.label.en)
        bound = BoundValue(
            field=field,
            name=field.name,
            path=path,
            attribute=attribute,
            key=attribute.property_key,
            on_relation=on_relation,
            datatype=datatype,
            multiple=multiple,
            codes=codes,
            label=label,
            required=True if fewest else self.condition(field.required, path, scope),
            relevant=self.expression(field.relevant, path, scope),
            constraint=self.expression(field.constraint, path, scope),
            calculation=self.expression(field.calculation, path, scope),
            default=field.default,
            computed=field.read_only or field.calculation is not None,
        )
        self.default_fits(bound)
        self.comparisons_fit(bound)
        return bound

    def term(
        self, term: str, candidates: tuple[Attribute, ...], path: str, owner: OntologyClass
    ) -> Attribute | None:
        name = local(term)
        by_name = [a for a in candidates if a.name == name]
        if by_name:
            return by_name[0]
        by_key = list(dict.fromkeys(a for a in candidates if a.property_key == name))
        if len(by_key) == 1:
            return by_key[0]
        if by_key:
            names = ", ".join(a.name for a in by_key)
            self.problem(
                path,
                f"term {term!r} is ambiguous here; use one of {names}",
                f"术语 {term!r} 有歧义，请写明：{names}",
                term,
            )
            return None
        if name in {a.name for a in self.ontology.attributes.values()}:
            self.problem(
                path,
                f"{name!r} is not an attribute of {owner.name} here",
                f"{name!r} 不是 {owner.label.zh or owner.name} 在此处可用的属性",
                term,
            )
        else:
            self.problem(path, f"unknown term {term!r}", f"本体中没有术语 {term!r}", term)
        return None

    def _focus(self, attribute: Attribute, owner: OntologyClass) -> OntologyClass | None:
        """The class whose shapes judge the attribute: the owner, or a qualification class."""
        if attribute.domain in {c.iri for c in self.ontology.lineage(owner)}:
            return owner
        return self.ontology.classes.get(attribute.domain)

    def codes(
        self, field: ValueFieldModel, attribute: Attribute, path: str, multiple: bool
    ) -> frozenset[str] | None:
        if not attribute.is_coded:
            if isinstance(field, ChoiceField):
                self.problem(
                    path,
                    f"{attribute.name} is not coded; use an attribute field",
                    f"{attribute.label.zh} 不是代码型属性，请用普通字段",
                    attribute.name,
                )
            return None
        if not isinstance(field, ChoiceField):
            self.problem(
                path,
                f"{attribute.name} is coded; use a choice field",
                f"{attribute.label.zh} 是代码型属性，请用选择字段",
                attribute.name,
            )
            return None
        if field.multiple and not multiple:
            self.problem(
                path,
                f"{attribute.name} holds one value; 'multiple' is not allowed",
                f"{attribute.label.zh} 只能取一个值，不能多选",
                attribute.name,
            )
            return None
        code_list = self.ontology.code_list_of(attribute)
        known = frozenset(code_list.by_notation) if code_list else frozenset()
        offered = [c.value for c in field.choices]
        unknown = [c for c in offered if c not in known]
        if unknown:
            self.problem(
                path,
                f"codes {unknown} are not in the code list of {attribute.name}",
                f"代码 {unknown} 不在 {attribute.label.zh} 的代码表中",
                unknown,
            )
            return None
        return frozenset(offered) or known

    def type_fits(self, field: AttributeField, attribute: Attribute, path: str) -> bool:
        if field.type is None or attribute.range in _FIELD_TYPES[field.type]:
            return True
        datatype = attribute.range.rsplit("#", 1)[-1]
        self.problem(
            path,
            f"type {field.type!r} does not match the datatype of {attribute.name} ({datatype})",
            f"字段类型 {field.type!r} 与 {attribute.label.zh} 的数据类型 （{datatype}）不符",
            field.type,
        )
        return False

    def default_fits(self, bound: BoundValue) -> None:
        if bound.default is None:
            return
        result = coerce(
            bound.default, datatype=bound.datatype, multiple=bound.multiple, codes=bound.codes
        )
        if isinstance(result, ValueProblem):
            self.problem(bound.path, f"default: {result.en}", f"默认值：{result.zh}", bound.default)

    def comparisons_fit(self, bound: BoundValue) -> None:
        """A constraint comparing a date, number or yes/no value with a literal that is not
        one (``. > 3`` on a date) never holds as meant: named at the field."""
        if bound.constraint is None or bound.datatype not in TYPED_COMPARISONS:
            return
        numeric = bound.datatype in NUMERIC
        for literal in bound.constraint.compared:
            if numeric and isinstance(literal, int | float):
                continue  # 2.5 compares with whole numbers as meant
            if isinstance(coerce(literal, datatype=bound.datatype, multiple=False,
                                 codes=bound.codes), ValueProblem):  # fmt: skip
                kind = bound.datatype.rsplit("#", 1)[-1]
                self.problem(
                    f"{bound.path}.constraint",
                    f"the constraint compares this {kind} value with {literal!r}, "
                    f"which is not a {kind}",
                    f"约束将 {kind} 类型的值与 {literal!r} 比较，而它不是 {kind}",
                    bound.constraint.text,
                )

    def expression(self, text: str | None, path: str, scope: frozenset[str]) -> Expression | None:
        if text is None:
            return None
        try:
            parsed = parse_expression(text)
        except ValidationFailed as exc:
            for v in exc.violations:
                self.problem(path, v.message, v.message_zh, text)
            return None
        missing = sorted(parsed.references - scope)
        if missing:
            self.problem(
                path,
                f"expression {text!r} reads unknown fields {missing}",
                f"表达式 {text!r} 引用了不存在的字段 {missing}",
                text,
            )
        return parsed

    def condition(self, value: bool | str, path: str, scope: frozenset[str]) -> bool | Expression:
        if isinstance(value, bool):
            return value
        return self.expression(value, path, scope) or False

    # --- groups ------------------------------------------------------------------------------

    def group(
        self, field: GroupFieldModel, slot: str, subject: OntologyClass, outer: frozenset[str]
    ) -> BoundGroup | None:
        if isinstance(field, AddressField):
            return self.address(field, slot, subject, outer)
        return self.related(field, slot, subject, outer)

    def relation(self, name: str, path: str) -> RelationType | None:
        try:
            return self.ontology.relation_named(local(name))
        except NotFound:
            self.problem(path, f"unknown relation {name!r}", f"本体中没有关系 {name!r}", name)
            return None

    def address(
        self, field: AddressField, slot: str, subject: OntologyClass, outer: frozenset[str]
    ) -> BoundGroup | None:
        path = field.name
        top = self.ontology.top_class(subject)
        default = ADDRESS_RELATIONS.get(top.name if top else "")
        if field.relation is None and default is None:
            self.problem(
                path,
                f"{subject.name} has no default address relation; name one",
                f"{subject.label.zh} 没有默认的地址关系，请指定 relation",
                subject.name,
            )
            return None
        relation = self.relation(field.relation or str(default), path)
        place = self.ontology.class_named("Place")
        target = self.ontology.classes.get(relation.range) if relation else None
        if relation is None or target is None:
            return None
        if not self.ontology.is_subclass(target, place):
            self.problem(
                path,
                f"relation {relation.name} does not lead to a place",
                f"关系 {relation.label.zh} 的客体不是地点",
                relation.name,
            )
            return None
        if not self.joins(relation, subject, target, outgoing=True, path=path):
            return None
        rel_values = self.subfields(field, (), relation, target, outer)
        if PLACE_KEY in {f.name for f in field.fields}:
            self.problem(
                f"{path}.{PLACE_KEY}",
                f"{PLACE_KEY!r} is the address itself; rename the field",
                f"{PLACE_KEY!r} 是地址本身，请改用其他字段名",
                PLACE_KEY,
            )
        until = _relation_attribute(self.ontology, relation, "until")
        if field.ends_previous and until is None:
            self.problem(
                path,
                f"relation {relation.name} has no 'until' to end the previous place",
                f"关系 {relation.label.zh} 没有截止日期，无法结束原地址",
                relation.name,
            )
        label = field.label or Text(zh=relation.label.zh, en=relation.label.en)
        return BoundGroup(
            field=field,
            slot=slot,
            relation=relation,
            outgoing=True,
            target=target,
            identity=None,
            values=(),
            relation_values=rel_values,
            label=label,
            relevant=self.expression(field.relevant, path, outer),
            required=self.condition(field.required, path, outer),
            top=place,
            min_level=PLACE_LEVELS[field.level] if field.level else None,
            since=_relation_attribute(self.ontology, relation, "since"),
            until=until,
        )

    def related(
        self,
        field: RelationField | RepeatField,
        slot: str,
        subject: OntologyClass,
        outer: frozenset[str],
    ) -> BoundGroup | None:
        path = field.name
        relation = self.relation(field.relation, path)
        target = class_of(self.ontology, field.target)
        if target is None:
            self.problem(
                path,
                f"unknown entity class {field.target!r}",
                f"本体中没有实体类 {field.target!r}",
                field.target,
            )
        outgoing = field.direction == "outgoing"
        if relation is None or target is None:
            return None
        if not self.joins(relation, subject, target, outgoing=outgoing, path=path):
            return None
        entity = self.ontology.attributes_of(target)
        bound = self.subfields(field, entity, relation, target, outer)
        values = tuple(v for v in bound if not v.on_relation)
        identity = self.identity(target, values, path)
        self.required_covered(target, values, path)
        label = field.label or Text(zh=relation.label.zh, en=relation.label.en)
        top = self.ontology.top_class(target)
        assert top is not None
        return BoundGroup(
            field=field,
            slot=slot,
            relation=relation,
            outgoing=outgoing,
            target=target,
            identity=identity,
            values=values,
            relation_values=tuple(v for v in bound if v.on_relation),
            label=label,
            relevant=self.expression(field.relevant, path, outer),
            required=self.condition(field.required, path, outer),
            top=top,
            labels=_extra_labels(self.ontology, target, top),
        )

    def subfields(
        self,
        field: GroupFieldModel,
        entity: tuple[Attribute, ...],
        relation: RelationType,
        target: OntologyClass,
        outer: frozenset[str],
    ) -> tuple[BoundValue, ...]:
        self._unique_names(f"{field.name}.", [f.name for f in field.fields])
        siblings = frozenset(f.name for f in field.fields)
        relation_attributes = self.ontology.attributes_of_relation(relation)
        return tuple(
            v
            for f in field.fields
            if (
                v := self.value(
                    f,
                    f"{field.name}.{f.name}",
                    entity,
                    relation_attributes,
                    target,
                    outer,
                    siblings,
                )
            )
        )

    def joins(
        self,
        relation: RelationType,
        subject: OntologyClass,
        target: OntologyClass,
        *,
        outgoing: bool,
        path: str,
    ) -> bool:
        source, end = (subject, target) if outgoing else (target, subject)
        domain = self.ontology.classes.get(relation.domain)
        range_ = self.ontology.classes.get(relation.range)
        if domain is None or range_ is None:
            return False
        ok = self.ontology.is_subclass(source, domain) and self.ontology.is_subclass(end, range_)
        if not ok:
            self.problem(
                path,
                f"relation {relation.name} goes from {domain.name} to {range_.name}; "
                f"it cannot join {source.name} to {end.name}",
                f"关系 {relation.label.zh} 连接 {domain.label.zh} 与 {range_.label.zh}，"
                f"不能连接 {source.label.zh} 与 {end.label.zh}",
                relation.name,
            )
        return ok

    # --- whole-entity checks -----------------------------------------------------------------

    def identity(
        self, cls: OntologyClass, values: tuple[BoundValue, ...], path: str
    ) -> BoundValue | None:
        key = self.ontology.identity_key(cls)
        found = next((v for v in values if key is not None and v.attribute == key), None)
        if found is None and key is not None:
            self.problem(
                path,
                f"no field gives the identity key {key.name} of {cls.name}",
                f"缺少 {cls.label.zh} 的标识属性「{key.label.zh}」字段",
                key.name,
            )
        return found

    def required_covered(
        self, cls: OntologyClass, values: tuple[BoundValue, ...], path: str
    ) -> None:
        bound = {v.attribute.iri for v in values}
        key = self.ontology.identity_key(cls)
        for attribute in self.ontology.attributes_of(cls):
            if attribute == key or attribute.iri in bound:
                continue  # a missing identity key is reported on its own
            if self.ontology.cardinality(cls, attribute.iri)[0]:
                self.problem(
                    path,
                    f"{cls.name} requires {attribute.name}; the form has no field for it",
                    f"{cls.label.zh} 必须有「{attribute.label.zh}」，表单缺少该字段",
                    attribute.name,
                )

    def cardinality(self, subject: OntologyClass, groups: tuple[BoundGroup, ...]) -> None:
        totals: Counter[str] = Counter()
        for group in groups:
            if not group.outgoing:
                continue  # each related entity gets one relation to the subject
            totals[group.relation.name] += _most_rows(group)
            most = self.ontology.cardinality(subject, group.relation.iri)[1]
            if most is not None and totals[group.relation.name] > most:
                self.problem(
                    group.name,
                    f"{subject.name} may have at most {most} {group.relation.name} relation(s)",
                    f"{subject.label.zh} 至多有 {most} 个「{group.relation.label.zh}」关系",
                    group.relation.name,
                )

    def _unique_names(self, prefix: str, names: list[str]) -> None:
        for name, n in Counter(names).items():
            if n > 1:
                self.problem(
                    prefix + name,
                    f"field name {name!r} is used {n} times",
                    f"字段名 {name!r} 重复 {n} 次",
                    name,
                )


def _extra_labels(ontology: Ontology, cls: OntologyClass, top: OntologyClass) -> tuple[str, ...]:
    return tuple(label for label in ontology.graph_labels(cls) if label != top.name)


def _most_rows(group: BoundGroup) -> int:
    field = group.field
    if isinstance(field, RepeatField):
        return field.max_count or 1_000_000
    return 1


def _relation_attribute(ontology: Ontology, relation: RelationType, key: str) -> Attribute | None:
    return next(
        (a for a in ontology.attributes_of_relation(relation) if a.property_key == key), None
    )
