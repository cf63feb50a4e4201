"""A seeded generator of valid and invalid instances of any ontology (tests and ``bench/``).

``generate_cases(ontology, n=…, seed=…)`` covers every entity class and every relation type;
about half of the cases are valid, and each invalid one breaks exactly one rule, named by its
``mutation`` (``"datatype:birthDate"``, ``"target:residesIn"``, ``"check:idNumber"`` …).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from citykg.ontology import (
    Attribute,
    EntityInstance,
    Ontology,
    OntologyClass,
    RelationInstance,
    RelationType,
)
from citykg.ontology.checkrules import CHECK_RULES
from citykg.ontology.instances import values_of
from citykg.ontology.namespaces import CKG, local_name
from citykg.ontology.samples import ValueSpace, sample_value

_OPTIONAL_ATTRIBUTES = 10
"""About how many optional attributes a generated instance fills (realistic forms, not all)."""
_EXTRA_RELATIONS = 0.5
"""About how many relations an instance has besides the required and the forced ones."""
_WRONG_TYPE: dict[str, Any] = {
    "string": 12345,
    "anyURI": 42,
    "integer": "12",
    "decimal": "1.5",
    "boolean": "yes",
    "date": "2020-01-01",
    "dateTime": date(2020, 1, 1),
}


@dataclass(frozen=True, slots=True)
class Case:
    instance: EntityInstance
    valid: bool
    mutation: str = ""


@dataclass(frozen=True, slots=True)
class _Slot:
    """One attribute on one focus class: what its shapes allow."""

    attribute: Attribute
    space: ValueSpace
    min_count: int
    max_count: int | None
    typed: bool


def generate_cases(ontology: Ontology, *, n: int, seed: int = 20240501) -> list[Case]:
    """``n`` cases: even ones cycle through the classes, odd ones through the relation types."""
    generator = _Generator(ontology, random.Random(seed))
    cases = []
    classes = sorted(ontology.entity_classes, key=lambda c: c.name)
    relations = sorted(ontology.relations.values(), key=lambda r: r.name)
    for i in range(n):
        if i % 2 == 0 or not relations:
            cls, forced = classes[(i // 2) % len(classes)], None
        else:
            forced = relations[(i // 2) % len(relations)]
            domain = ontology.classes[forced.domain]
            cls = generator.rng.choice([domain, *ontology.descendants(domain)])
        instance = generator.valid(cls, forced)
        if (i // 2) % 2 == 0:
            cases.append(Case(instance, valid=True))
        else:
            mutated, mutation = generator.mutate(cls, instance, forced)
            cases.append(Case(mutated, valid=False, mutation=mutation))
    return cases


class _Generator:
    def __init__(self, ontology: Ontology, rng: random.Random) -> None:
        self.o = ontology
        self.rng = rng

    # --- valid instances ----------------------------------------------------------------------

    def slots(self, cls: OntologyClass) -> list[_Slot]:
        slots = []
        for attribute in self.o.attributes_of(cls):
            rules = self.o.rules_on(cls, attribute.iri)
            fewest, most = self.o.cardinality(cls, attribute.iri)
            space = ValueSpace.of(self.o, attribute, rules)
            typed = any(r.datatype for r in rules)
            slots.append(_Slot(attribute, space, fewest, most, typed))
        return slots

    def values(self, slot: _Slot, count: int) -> list[Any]:
        values: list[Any] = []
        for _ in range(count * 20):
            if len(values) == count:
                break
            value = sample_value(slot.space, self.rng, hint=slot.attribute.label.zh)
            if value not in values:
                values.append(value)
        return values

    def attributes(self, cls: OntologyClass) -> dict[str, Any]:
        result: dict[str, Any] = {}
        slots = self.slots(cls)
        optional = sum(1 for slot in slots if not slot.min_count)
        chance = min(0.6, _OPTIONAL_ATTRIBUTES / max(optional, 1))
        for slot in slots:
            count = slot.min_count
            if count == 0 and self.rng.random() < chance:
                count = 1
            if slot.max_count is None or slot.max_count > count:
                count += self.rng.random() < 0.15
            values = self.values(slot, count)
            if values:
                result[slot.attribute.name] = values if len(values) > 1 else values[0]
        for low, high in self.ordered_pairs(cls):
            if low in result and high in result:  # sh:lessThanOrEquals: the low end first
                ends = sorted([*values_of(result[low]), *values_of(result[high])])
                result[low], result[high] = ends[0], ends[-1]
        return result

    def ordered_pairs(self, cls: OntologyClass) -> list[tuple[str, str]]:
        return [
            (attribute.name, local_name(rule.less_than_or_equals))
            for attribute in self.o.attributes_of(cls)
            for rule in self.o.rules_on(cls, attribute.iri)
            if rule.less_than_or_equals
        ]

    def target_classes(self, cls: OntologyClass, relation: RelationType) -> list[OntologyClass]:
        """Classes every ``sh:class`` rule on the relation accepts."""
        allowed = set(self.o.entity_classes)
        for rule in self.o.rules_on(cls, relation.iri):
            target = self.o.classes.get(rule.class_ or "")
            if target is not None:
                allowed &= {target, *self.o.descendants(target)}
        return sorted(allowed, key=lambda c: c.name)

    def relation(self, cls: OntologyClass, relation: RelationType) -> RelationInstance:
        target = self.rng.choice(self.target_classes(cls, relation))
        qualification = self.o.qualification_of(relation)
        attributes = self.attributes(qualification) if qualification else {}
        key = self.o.identity_key(target)
        target_key = (
            str(self.values(self.slots(target)[0], 1)[0])
            if key is None
            else str(
                sample_value(ValueSpace.of(self.o, key, self.o.rules_on(target, key.iri)), self.rng)
            )
        )
        return RelationInstance(relation.name, target.name, target_key, attributes)

    def valid(self, cls: OntologyClass, forced: RelationType | None) -> EntityInstance:
        relations: list[RelationInstance] = []
        applicable = self.o.relations_from(cls)
        chance = _EXTRA_RELATIONS / max(len(applicable), 1)
        for relation in applicable:
            required = self.o.cardinality(cls, relation.iri)[0]
            if relation is forced or required or self.rng.random() < chance:
                relations.extend(self.relation(cls, relation) for _ in range(max(1, required)))
        return EntityInstance(cls.name, self.attributes(cls), relations)

    # --- invalid instances --------------------------------------------------------------------

    def mutate(
        self, cls: OntologyClass, instance: EntityInstance, forced: RelationType | None
    ) -> tuple[EntityInstance, str]:
        """Break one rule of ``instance``: of a relation (when one is forced) or of the entity."""
        if forced is not None and self.rng.random() < 0.7:
            index = next(i for i, r in enumerate(instance.relations) if r.relation == forced.name)
            broken = self.break_relation(cls, forced, instance.relations[index])
            if broken is not None:
                relations = list(instance.relations)
                relations[index], mutation = broken
                return replace(instance, relations=relations), mutation
        attributes, mutation = self.break_attributes(self.slots(cls), instance.attributes)
        return replace(instance, attributes=attributes), mutation

    def break_relation(
        self, cls: OntologyClass, relation: RelationType, instance: RelationInstance
    ) -> tuple[RelationInstance, str] | None:
        options: list[Callable[[], tuple[RelationInstance, str] | None]] = []
        allowed = set(self.target_classes(cls, relation))
        wrong = sorted(set(self.o.entity_classes) - allowed, key=lambda c: c.name)
        if wrong and any(r.class_ for r in self.o.rules_on(cls, relation.iri)):
            options.append(
                lambda: (
                    replace(instance, target_class=self.rng.choice(wrong).name),
                    f"target:{relation.name}",
                )
            )
        qualification = self.o.qualification_of(relation)
        if qualification is not None:
            slots = self.slots(qualification)

            def break_attribute() -> tuple[RelationInstance, str] | None:
                attributes, mutation = self.break_attributes(slots, instance.attributes)
                return replace(instance, attributes=attributes), f"{relation.name}.{mutation}"

            if any(self._breakers(slot, instance.attributes) for slot in slots):
                options.append(break_attribute)
            target_rules = self.o.rules_on(qualification, str(CKG.relationTarget))
            if any(r.min_count for r in target_rules):
                options.append(
                    lambda: (replace(instance, target_key=""), f"untargeted:{relation.name}")
                )
        return self.rng.choice(options)() if options else None

    def break_attributes(
        self, slots: list[_Slot], attributes: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        """Pick a kind of breakage first (so rare kinds are not drowned), then an attribute."""
        by_kind: dict[str, list[tuple[_Slot, Callable[[], Any]]]] = {}
        for slot in slots:
            for kind, breaker in self._breakers(slot, attributes):
                by_kind.setdefault(kind, []).append((slot, breaker))
        kind = self.rng.choice(sorted(by_kind))
        slot, breaker = self.rng.choice(by_kind[kind])
        value = breaker()
        broken = dict(attributes)
        if value is _ABSENT:
            broken.pop(slot.attribute.name, None)
        else:
            broken[slot.attribute.name] = value
        return broken, f"{kind}:{slot.attribute.name}"

    def _breakers(
        self, slot: _Slot, attributes: dict[str, Any]
    ) -> list[tuple[str, Callable[[], Any]]]:
        """(kind, make the breaking value) for each way this attribute can break a rule."""
        space, name = slot.space, slot.attribute.name
        datatype = space.datatype.rsplit("#", 1)[-1]
        ok = self.values(slot, 1) if slot.min_count or name in attributes else []
        current = values_of(attributes.get(name)) or ok
        breakers: list[tuple[str, Callable[[], Any]]] = []
        if slot.min_count and name in attributes:
            breakers.append(("missing", lambda: _ABSENT))
        if slot.max_count is not None and slot.max_count < 4:
            more = self.values(slot, slot.max_count + 1)
            if len(more) == slot.max_count + 1:
                breakers.append(("too-many", lambda: more))
        if space.codes is not None:
            breakers.append(("code", lambda: "ZZ-not-a-code"))
        elif datatype in _WRONG_TYPE and slot.typed:
            breakers.append(("datatype", lambda: _WRONG_TYPE[datatype]))
        if not current or not isinstance(current[0], str | int | Decimal | date):
            return breakers
        value = current[0]
        if isinstance(value, str):
            bad = _not_matching(space.patterns, value)
            if bad is not None:
                breakers.append(("pattern", lambda: bad))
            if space.max_length is not None and not space.patterns:
                breakers.append(("length", lambda: "长" * (space.max_length or 0) + "x"))
            if space.in_values is not None:
                breakers.append(("in", lambda: "不在列表中"))
            if space.check_rule and CHECK_RULES[space.check_rule].passes(value):
                breakers.append(("check", lambda: _wrong_check(value, space.check_rule or "")))
        elif not isinstance(value, bool):
            low, high = space.low if space.low is not None else space.above, space.high
            high = high if high is not None else space.below
            if low is not None:
                breakers.append(("range", lambda: _below(low)))
            if high is not None:
                breakers.append(("range", lambda: _above(high)))
        return breakers


class _Absent:
    pass


_ABSENT = _Absent()


def _not_matching(patterns: tuple[re.Pattern[str], ...], value: str) -> str | None:
    if not patterns:
        return None
    for candidate in (f"{value}!", f"!{value}", value[:-1] + "!", "", "~"):
        if not all(p.search(candidate) for p in patterns):
            return candidate
    return None


def _wrong_check(value: str, rule: str) -> str:
    alphabet = "0123456789X" if rule == str(CKG.GB11643) else "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return value[:17] + next(c for c in alphabet if c != value[17])


def _below(bound: Any) -> Any:
    return bound - timedelta(days=1) if isinstance(bound, date) else bound - 1


def _above(bound: Any) -> Any:
    return bound + timedelta(days=1) if isinstance(bound, date) else bound + 1
