"""The fast validator: SHACL property shapes compiled to flat Python checks for the write path.

pySHACL judges an instance in milliseconds; a form submission or a bulk import cannot wait that
long. :func:`compile_validators` reads the same shapes once and precomputes, per class, every
check as a plain function of a Python value: datatype, ``minCount``/``maxCount``, pattern
(precompiled), ``minInclusive``/``maxInclusive``, ``minLength``/``maxLength``, code-list
membership, relation target class (through the class hierarchy), presence of the relation target,
and the national check rules named by ``ckg:checkRule``. Names the ontology does not know
(attributes, relations, classes) are violations too.

The verdicts agree with pySHACL on :func:`citykg.ontology.instances.to_rdf` of the instance
(``tests/ontology/test_differential.py`` holds them to that). Within one shape, only the first
failing constraint of a value is reported.
"""

from __future__ import annotations

import operator
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdflib import Literal
from rdflib.namespace import SH, SKOS

from citykg.errors import ValidationFailed, Violation
from citykg.ontology.checkrules import CHECK_RULES
from citykg.ontology.instances import datatype_test, values_of
from citykg.ontology.model import (
    Attribute,
    Bound,
    EntityInstance,
    Ontology,
    OntologyClass,
    PropertyRule,
    RelationInstance,
    RelationType,
)
from citykg.ontology.namespaces import CKG, curie, local_name
from citykg.ontology.samples import compile_pattern

Test = Callable[[Any], bool]
_UNBOUNDED = sys.maxsize


@dataclass(frozen=True, slots=True)
class _Rule:
    """One shape on one path, compiled: counts, then value tests in SHACL order."""

    path: str
    shape: str
    message: str
    message_zh: str
    min_count: int
    max_count: int
    when_present: bool
    tests: tuple[tuple[str, Test], ...]
    over: str = "maxCount"
    """The constraint named when there are more than ``max_count`` values."""
    not_above: str = ""
    """``sh:lessThanOrEquals``: the local name of the attribute no value may exceed."""


@dataclass(frozen=True, slots=True)
class _Fields:
    """The attributes of one focus (an entity class, or one relation's qualification)."""

    focus: str
    prefix: str
    fields: Mapping[str, tuple[_Rule, ...]]
    required: tuple[tuple[str, tuple[_Rule, ...]], ...]
    pairs: tuple[tuple[str, str, _Rule], ...]
    """``sh:lessThanOrEquals``: (attribute, other attribute, rule)."""


@dataclass(frozen=True, slots=True)
class _RelationPlan:
    name: str
    rules: tuple[_Rule, ...]
    qualification: _Fields | None
    target_rules: tuple[_Rule, ...]


@dataclass(frozen=True, slots=True)
class _ClassPlan:
    attributes: _Fields
    relations: Mapping[str, _RelationPlan]
    required_relations: tuple[_RelationPlan, ...]


class Validators:
    """Compiled validators for every entity class; see :func:`compile_validators`."""

    def __init__(self, plans: Mapping[str, _ClassPlan]) -> None:
        self._plans = plans

    def validate(self, instance: EntityInstance) -> list[Violation]:
        """Every violation of ``instance``; an empty list means it conforms."""
        plan = self._plans.get(instance.cls)
        if plan is None:
            return [_unknown("class", instance.cls, instance.cls, "类")]
        out: list[Violation] = []
        _check_fields(plan.attributes, instance.attributes, out)
        if not instance.relations and not plan.required_relations:
            return out
        counts = Counter(r.relation for r in instance.relations)
        for relation in instance.relations:
            _check_relation(plan, instance.cls, relation, out)
        for name, n in counts.items():
            rel_plan = plan.relations.get(name)
            if rel_plan is not None:
                _check_counts(rel_plan.rules, n, instance.cls, out)
        for rel_plan in plan.required_relations:
            if rel_plan.name not in counts:
                _check_counts(rel_plan.rules, 0, instance.cls, out)
        return out

    def validate_relation(self, cls: str, relation: RelationInstance) -> list[Violation]:
        """The violations of one relation of an entity of ``cls``: its type, target and
        attributes, not how many there are (those need the entity's other relations)."""
        plan = self._plans.get(cls)
        if plan is None:
            return [_unknown("class", cls, cls, "类")]
        out: list[Violation] = []
        _check_relation(plan, cls, relation, out)
        return out

    def check(self, instance: EntityInstance) -> None:
        """Raise :class:`~citykg.errors.ValidationFailed` unless ``instance`` conforms."""
        violations = self.validate(instance)
        if violations:
            raise ValidationFailed(violations)


@lru_cache(maxsize=8)
def compile_validators(ontology: Ontology) -> Validators:
    """Compile the shapes of ``ontology`` into :class:`Validators` (one plan per entity class).

    Compiled once per loaded ontology (about a second for the real one) and cached.
    """
    return Validators({cls.name: _compile_class(ontology, cls) for cls in ontology.entity_classes})


# --------------------------------------------------------------------------------------------
# Compilation
# --------------------------------------------------------------------------------------------


def _compile_class(ontology: Ontology, cls: OntologyClass) -> _ClassPlan:
    relations = {r.name: _compile_relation(ontology, cls, r) for r in ontology.relations_from(cls)}
    required = tuple(
        p for p in relations.values() if any(r.min_count and not r.when_present for r in p.rules)
    )
    return _ClassPlan(_compile_fields(ontology, cls, focus=cls.name), relations, required)


def _compile_relation(
    ontology: Ontology, cls: OntologyClass, relation: RelationType
) -> _RelationPlan:
    rules = _compile_rules(ontology, cls, relation.iri, relation.name, None)
    qualification = ontology.qualification_of(relation)
    if qualification is None:
        return _RelationPlan(relation.name, rules, None, ())
    fields = _compile_fields(ontology, qualification, focus=cls.name, prefix=f"{relation.name}.")
    target_path = str(CKG.relationTarget)
    target_rules = _compile_rules(
        ontology, qualification, target_path, f"{relation.name}.relationTarget", None
    )
    return _RelationPlan(relation.name, rules, fields, target_rules)


def _compile_fields(
    ontology: Ontology, cls: OntologyClass, *, focus: str, prefix: str = ""
) -> _Fields:
    fields = {
        a.name: _compile_rules(ontology, cls, a.iri, prefix + a.name, a)
        for a in ontology.attributes_of(cls)
    }
    required = tuple(
        (name, rules)
        for name, rules in fields.items()
        if any(r.min_count and not r.when_present for r in rules)
    )
    pairs = tuple(
        (name, rule.not_above, rule)
        for name, rules in fields.items()
        for rule in rules
        if rule.not_above
    )
    return _Fields(focus, prefix, fields, required, pairs)


def _compile_rules(
    ontology: Ontology, cls: OntologyClass, path: str, label: str, attribute: Attribute | None
) -> tuple[_Rule, ...]:
    lineage = {c.iri for c in ontology.lineage(cls)}
    rules = [
        _Rule(
            path=label,
            shape=rule.shape,
            message=rule.message.en or f"{label} breaks {curie(rule.shape)}",
            message_zh=rule.message.zh,
            min_count=rule.min_count or 0,
            max_count=_UNBOUNDED if rule.max_count is None else rule.max_count,
            when_present=not lineage.intersection(rule.target_classes),
            tests=tuple(_value_tests(ontology, rule, attribute)),
            not_above=local_name(rule.less_than_or_equals or ""),
        )
        for rule in ontology.rules_on(cls, path)
    ]
    rules.extend(
        _Rule(
            path=label,
            shape=subject.shape,
            message=subject.message.en or f"{cls.name} may not have {label}",
            message_zh=subject.message.zh,
            min_count=0,
            max_count=0,
            when_present=True,
            tests=(),
            over="subjectClass",
        )
        for subject in ontology.subject_rules
        if path in subject.target_subjects_of and not _is_instance(ontology, cls, subject.class_)
    )
    check = CHECK_RULES.get(attribute.check_rule or "") if attribute else None
    if attribute is not None and check is not None:
        sparql = ontology.sparql_rules_for(attribute)
        source = sparql[0] if sparql else None
        main = rules[0] if rules else None
        rules.append(
            _Rule(
                path=label,
                shape=source.shape if source else (main.shape if main else ""),
                message=(source.message.en if source else "") or (main.message if main else label),
                message_zh=(source.message.zh if source else "")
                or (main.message_zh if main else ""),
                min_count=0,
                max_count=_UNBOUNDED,
                when_present=True,
                tests=(("checkRule", check.passes),),
            )
        )
    return tuple(rules)


def _value_tests(
    ontology: Ontology, rule: PropertyRule, attribute: Attribute | None
) -> Iterable[tuple[str, Test]]:
    """The value constraints of one property shape, datatype first (it guards the others)."""
    if rule.datatype is not None:
        yield "datatype", datatype_test(rule.datatype)
    if rule.node_kind is not None:
        yield "nodeKind", _node_kind_test(rule.node_kind, attribute)
    if rule.in_values is not None:
        members = tuple((type(v), v) for v in rule.in_values)
        yield "in", lambda v: (type(v), v) in members
    scheme = rule.in_scheme or (
        attribute.code_list if attribute and rule.class_ == str(SKOS.Concept) else None
    )
    if scheme is not None:
        code_list = ontology.code_lists.get(scheme)
        codes = frozenset(c.notation for c in code_list.concepts) if code_list else frozenset()
        yield "inScheme", lambda v: isinstance(v, str) and v in codes
    elif rule.class_ is not None and attribute is None:
        target = ontology.classes.get(rule.class_)
        allowed = frozenset(
            c.name for c in ((target, *ontology.descendants(target)) if target else ())
        )
        yield "class", lambda r: r.target_class in allowed
    if rule.pattern is not None:
        pattern = compile_pattern(rule.pattern, rule.flags)
        yield (
            "pattern",
            lambda v: pattern.search(v if isinstance(v, str) else _lexical(v)) is not None,
        )
    bounds = (
        ("minInclusive", rule.min_inclusive, operator.ge),
        ("maxInclusive", rule.max_inclusive, operator.le),
        ("minExclusive", rule.min_exclusive, operator.gt),
        ("maxExclusive", rule.max_exclusive, operator.lt),
    )
    for name, bound, compare in bounds:
        if bound is not None:
            yield name, _bound_test(bound, compare)
    if rule.min_length is not None:
        shortest = rule.min_length
        yield "minLength", lambda v: len(v if isinstance(v, str) else _lexical(v)) >= shortest
    if rule.max_length is not None:
        longest = rule.max_length
        yield "maxLength", lambda v: len(v if isinstance(v, str) else _lexical(v)) <= longest


def _bound_test(bound: Bound, compare: Callable[[Any, Any], Any]) -> Test:
    return lambda value: _compares(value, bound, compare)


def _compares(value: Any, other: Any, compare: Callable[[Any, Any], Any]) -> bool:
    try:
        return bool(compare(value, other))
    except TypeError:  # incomparable (a string against a number): SHACL fails it too
        return False


_IRI_KINDS = {str(SH.IRI), str(SH.BlankNodeOrIRI)}
_LITERAL_KINDS = {str(SH.Literal), str(SH.BlankNodeOrLiteral)}


def _node_kind_test(kind: str, attribute: Attribute | None) -> Test:
    """As :func:`~citykg.ontology.instances.to_rdf` renders them, relation targets and known
    coded notations are IRIs, every other value a literal."""
    coded = attribute is None or attribute.is_coded

    def is_iri(value: Any) -> bool:
        return attribute is None or (coded and isinstance(value, str))

    if kind in _IRI_KINDS:
        return is_iri
    if kind in _LITERAL_KINDS:
        return lambda v: not is_iri(v)
    return lambda _: kind == str(SH.IRIOrLiteral)


def _is_instance(ontology: Ontology, cls: OntologyClass, class_iri: str) -> bool:
    target = ontology.classes.get(class_iri)
    return target is not None and ontology.is_subclass(cls, target)


def _lexical(value: object) -> str:
    return str(Literal(value))


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------


def _check_relation(
    plan: _ClassPlan, cls: str, relation: RelationInstance, out: list[Violation]
) -> None:
    rel_plan = plan.relations.get(relation.relation)
    if rel_plan is None:
        out.append(_unknown("relation", relation.relation, cls, "关系"))
        return
    _check_values(rel_plan.rules, [relation], cls, out, count=False)
    if rel_plan.qualification is not None:
        _check_fields(rel_plan.qualification, relation.attributes, out)
        present = [relation] if relation.target_key else []
        _check_values(rel_plan.target_rules, present, cls, out)
    elif relation.attributes:
        name = next(iter(relation.attributes))
        out.append(_unknown("attribute", f"{relation.relation}.{name}", cls, "属性"))


def _check_fields(plan: _Fields, values: Mapping[str, Any], out: list[Violation]) -> None:
    fields, focus = plan.fields, plan.focus
    for name, value in values.items():
        rules = fields.get(name)
        if rules is None:
            out.append(_unknown("attribute", plan.prefix + name, focus, "属性"))
        elif not rules:
            continue
        elif value is None or isinstance(value, list):
            _check_values(rules, values_of(value), focus, out)
        else:  # one value, by far the most common: the same checks without a list
            _check_one(rules, value, focus, out)
    for name, rules in plan.required:
        if name not in values:
            _check_counts(rules, 0, plan.focus, out)
    for name, other, rule in plan.pairs:
        if name in values and other in values:
            limits = values_of(values[other])
            for value in values_of(values[name]):
                if not all(_compares(value, limit, operator.le) for limit in limits):
                    out.append(_violation(rule, plan.focus, "lessThanOrEquals", value))


def _check_values(
    rules: tuple[_Rule, ...],
    values: list[Any],
    focus: str,
    out: list[Violation],
    count: bool = True,
) -> None:
    if count:
        _check_counts(rules, len(values), focus, out)
    for rule in rules:
        for value in values:
            for constraint, test in rule.tests:
                if not test(value):
                    out.append(_violation(rule, focus, constraint, value))
                    break


def _check_one(rules: tuple[_Rule, ...], value: Any, focus: str, out: list[Violation]) -> None:
    for rule in rules:
        if rule.min_count > 1:
            out.append(_violation(rule, focus, "minCount", 1))
        elif rule.max_count < 1:
            out.append(_violation(rule, focus, rule.over, 1))
    for rule in rules:
        for constraint, test in rule.tests:
            if not test(value):
                out.append(_violation(rule, focus, constraint, value))
                break


def _check_counts(rules: tuple[_Rule, ...], n: int, focus: str, out: list[Violation]) -> None:
    for rule in rules:
        if rule.when_present and n == 0:
            continue
        if n < rule.min_count:
            out.append(_violation(rule, focus, "minCount", n))
        elif n > rule.max_count:
            out.append(_violation(rule, focus, rule.over, n))


def _violation(rule: _Rule, focus: str, constraint: str, value: object) -> Violation:
    return Violation(
        path=rule.path,
        message=rule.message,
        message_zh=rule.message_zh,
        focus=focus,
        value=value,
        source_shape=rule.shape,
        details={"constraint": constraint},
    )


def _unknown(kind: str, name: str, focus: str, kind_zh: str) -> Violation:
    return Violation(
        path=name,
        message=f"unknown {kind} {name!r} for {focus}",
        message_zh=f"{focus} 没有名为 {name} 的{kind_zh}",
        focus=focus,
        value=name,
        details={"constraint": f"known{kind.title()}"},
    )
