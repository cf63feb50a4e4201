"""The project's own checks on the ontology (``ontology/README.md`` as executable rules).

Each rule is a function ``(ontology, options) -> Iterable[Problem]`` registered in :data:`RULES`
with a short id; :func:`check_ontology` runs them all. SHACL-SHACL (is every shape well formed?)
runs separately in :mod:`citykg.ontology.validate`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from citykg.ontology.checkrules import CHECK_RULES
from citykg.ontology.model import (
    Attribute,
    Location,
    Ontology,
    OntologyClass,
    PropertyRule,
    RelationKind,
    RelationType,
)
from citykg.ontology.namespaces import CKG, CKG_IRI, ONTOLOGY_IRI, curie, is_project_iri

Severity = Literal["error", "warning"]

DATATYPES = frozenset(
    str(t)
    for t in (XSD.string, XSD.integer, XSD.decimal, XSD.boolean, XSD.date, XSD.dateTime, XSD.anyURI)
)
"""The XSD datatypes an attribute may range over (README, "Entity attribute")."""

RELATION_COUNTS: Mapping[RelationKind, int] = {"same-class": 25, "cross-class": 51}
"""How many relation types of each kind the City Knowledge System defines."""

SENSITIVITIES = frozenset({str(CKG.Personal), str(CKG.Sensitive)})
PLUMBING = frozenset({str(CKG.qualifiedRelation), str(CKG.relationTarget)})
REFERENCES = (
    RDFS.domain,
    RDFS.range,
    RDFS.subClassOf,
    CKG.codeList,
    CKG.identityKey,
    CKG.qualifiedBy,
    CKG.checkRule,
    CKG.sensitivity,
    SKOS.inScheme,
    SH.path,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH["class"],
    SH.node,
    SH.property,
    SH.hasValue,
)
"""Predicates whose objects must be defined terms when they are citykg IRIs."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the ontology, where it is, and which rule found it."""

    severity: Severity
    file: str
    line: int
    term: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message} [{self.rule}]"


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """Knobs of the rules (tests use small fixture ontologies with other relation counts)."""

    relation_counts: Mapping[RelationKind, int] = field(default_factory=lambda: RELATION_COUNTS)


RuleFunction = Callable[[Ontology, RuleOptions], Iterable[Problem]]


def check_ontology(ontology: Ontology, *, options: RuleOptions | None = None) -> list[Problem]:
    """Run every rule of :data:`RULES`; problems sorted by file and line."""
    opts = options or RuleOptions()
    problems = [p for _, rule in RULES for p in rule(ontology, opts)]
    return sorted(problems, key=lambda p: (p.file, p.line, p.rule, p.message))


def problem(
    rule: str, where: Location, term: str, message: str, severity: Severity = "error"
) -> Problem:
    return Problem(severity, where.file, where.line, term, message, rule)


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


def check_labels(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Every term (class, property, individual, code list) has zh+en labels and definitions."""
    g = ontology.graph
    terms = [iri for iri in ontology.definitions if iri.startswith(CKG_IRI)]
    terms += [*ontology.code_lists, str(ONTOLOGY_IRI)]
    for iri in terms:
        missing = [
            f"{curie(str(predicate))}@{lang}"
            for predicate in (RDFS.label, SKOS.definition)
            for lang in ("zh", "en")
            if lang not in _languages(g.objects(URIRef(iri), predicate))
        ]
        if missing:
            yield problem(
                "labels", ontology.locate(iri), iri, f"{curie(iri)} has no {', '.join(missing)}"
            )


def check_domain_range(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Exactly one domain and one range per attribute and relation, of the right kind."""
    entity = {c.iri for c in ontology.entity_classes}
    terms: list[Attribute | RelationType] = [
        *ontology.attributes.values(),
        *ontology.relations.values(),
    ]
    for term in terms:
        for what, values in (("rdfs:domain", term.domains), ("rdfs:range", term.ranges)):
            if len(values) != 1:
                found = ", ".join(curie(v) for v in values) or "none"
                yield problem(
                    "domain-range",
                    term.location,
                    term.iri,
                    f"{curie(term.iri)} needs exactly one {what}, has {found}",
                )
        if isinstance(term, RelationType):
            ends = [("domain", term.domain), ("range", term.range)]
            yield from (
                problem(
                    "domain-range",
                    term.location,
                    term.iri,
                    f"{curie(term.iri)}: {end} {curie(value)} is not an entity class",
                )
                for end, value in ends
                if value and ontology.is_defined(value) and value not in entity
            )
        elif term.range and not term.is_coded and term.range not in DATATYPES:
            yield problem(
                "domain-range",
                term.location,
                term.iri,
                f"{curie(term.iri)}: range {curie(term.range)} is not one of the README datatypes",
            )
        elif (
            term.domain and ontology.is_defined(term.domain) and term.domain not in ontology.classes
        ):
            yield problem(
                "domain-range",
                term.location,
                term.iri,
                f"{curie(term.iri)}: domain {curie(term.domain)} is not a class",
            )


def check_dangling(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Every citykg IRI used as a domain, range, code list, path, target … is defined."""
    g = ontology.graph
    for predicate in REFERENCES:
        for subject, obj in g.subject_objects(predicate):
            if (
                isinstance(obj, URIRef)
                and is_project_iri(obj)
                and not ontology.is_defined(str(obj))
            ):
                yield problem(
                    "dangling",
                    ontology.locate(subject),
                    _iri(subject),
                    f"{_name(subject)} {curie(str(predicate))} {curie(str(obj))}, "
                    "which is defined nowhere",
                )


def check_unique_names(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Terms are defined once, local names differ beyond case, property keys are unique."""
    for iri, sites in ontology.definitions.items():
        if is_project_iri(iri):
            for site in sites[1:]:
                yield problem(
                    "unique-names",
                    site,
                    iri,
                    f"{curie(iri)} is defined again (first at {sites[0]})",
                    "warning",
                )
    first_by_name: dict[str, str] = {}
    for iri in sorted(i for i in ontology.definitions if i.startswith(CKG_IRI)):
        key = iri[len(CKG_IRI) :].lower()
        if key in first_by_name:
            yield problem(
                "unique-names",
                ontology.locate(iri),
                iri,
                f"{curie(iri)} differs from {curie(first_by_name[key])} only by case",
            )
        first_by_name.setdefault(key, iri)
    reported: set[frozenset[str]] = set()
    for cls in ontology.classes.values():
        by_key: dict[str, Attribute] = {}
        for attribute in ontology.attributes_of(cls):
            other = by_key.setdefault(attribute.property_key, attribute)
            pair = frozenset({other.iri, attribute.iri})
            if other is not attribute and pair not in reported:
                reported.add(pair)  # reported at the more specific attribute, seen first
                yield problem(
                    "unique-names",
                    other.location,
                    other.iri,
                    f"{curie(other.iri)} and {curie(attribute.iri)} share the property key "
                    f"{attribute.property_key!r} on {curie(cls.iri)}",
                )


def check_code_lists(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Coded attributes name a defined code list; code lists and concepts are complete."""
    g = ontology.graph
    for attribute in ontology.attributes.values():
        where, name = attribute.location, curie(attribute.iri)
        if not attribute.is_coded:
            continue
        if (URIRef(attribute.iri), RDF.type, OWL.ObjectProperty) not in g:
            yield problem(
                "code-lists", where, attribute.iri, f"coded {name} must be an owl:ObjectProperty"
            )
        if attribute.range != str(SKOS.Concept):
            yield problem(
                "code-lists",
                where,
                attribute.iri,
                f"coded {name} must have rdfs:range skos:Concept",
            )
        if attribute.code_list is None:
            yield problem("code-lists", where, attribute.iri, f"coded {name} has no ckg:codeList")
        elif attribute.code_list not in ontology.code_lists and ontology.is_defined(
            attribute.code_list
        ):
            yield problem(
                "code-lists",
                where,
                attribute.iri,
                f"{name}: ckg:codeList {curie(attribute.code_list)} is not a skos:ConceptScheme",
            )
    for scheme in ontology.code_lists.values():
        if not scheme.source:
            yield problem(
                "code-lists",
                scheme.location,
                scheme.iri,
                f"{curie(scheme.iri)} has no dcterms:source",
            )
        if not scheme.concepts:
            yield problem(
                "code-lists", scheme.location, scheme.iri, f"{curie(scheme.iri)} has no concepts"
            )
        repeated = {n for n, k in Counter(c.notation for c in scheme.concepts).items() if k > 1}
        for concept in scheme.concepts:
            missing = [
                what
                for what, ok in (
                    ("skos:notation", concept.notation),
                    ("skos:prefLabel@zh", concept.label.zh),
                    ("skos:prefLabel@en", concept.label.en),
                )
                if not ok
            ]
            if missing:
                yield problem(
                    "code-lists",
                    concept.location,
                    concept.iri,
                    f"{curie(concept.iri)} has no {', '.join(missing)}",
                )
            if concept.notation in repeated:
                yield problem(
                    "code-lists",
                    concept.location,
                    concept.iri,
                    f"{curie(concept.iri)}: notation {concept.notation!r} is used twice "
                    f"in {curie(scheme.iri)}",
                )


def check_shape_constraints(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Shapes agree with the terms they check: datatype = range, code list, target class."""
    for rule in ontology.rules:
        attribute, relation = ontology.attributes.get(rule.path), ontology.relations.get(rule.path)
        if attribute is not None:
            yield from _attribute_shape_problems(ontology, rule, attribute)
        elif relation is not None and rule.class_ is not None and rule.class_ != relation.range:
            yield problem(
                "shape-constraints",
                rule.location,
                rule.shape,
                f"{curie(rule.shape)}: sh:class {curie(rule.class_)} differs from rdfs:range "
                f"{curie(relation.range)} of {curie(relation.iri)}",
            )
        if not (rule.message.zh and rule.message.en):
            yield problem(
                "shape-constraints",
                rule.location,
                rule.shape,
                f"{_name(rule.shape)} has no sh:message in both zh and en",
                "warning",
            )


def check_relation_shapes(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Relation shapes agree with the relation: subject class = domain, and the qualification's
    ``ckg:relationTarget`` class = range."""
    for subject in ontology.subject_rules:
        for iri in subject.target_subjects_of:
            relation = ontology.relations.get(iri)
            if relation is not None and subject.class_ != relation.domain:
                yield problem(
                    "shape-constraints",
                    subject.location,
                    subject.shape,
                    f"{curie(subject.shape)}: subject sh:class {curie(subject.class_)} differs "
                    f"from rdfs:domain {curie(relation.domain)} of {curie(relation.iri)}",
                )
    for relation in ontology.relations.values():
        qualification = ontology.qualification_of(relation)
        if qualification is None:
            continue
        for rule in ontology.rules_on(qualification, str(CKG.relationTarget)):
            if rule.class_ is not None and rule.class_ != relation.range:
                yield problem(
                    "shape-constraints",
                    rule.location,
                    rule.shape,
                    f"{curie(rule.shape)}: ckg:relationTarget sh:class {curie(rule.class_)} "
                    f"differs from rdfs:range {curie(relation.range)} of {curie(relation.iri)}",
                )


def _attribute_shape_problems(
    ontology: Ontology, rule: PropertyRule, attribute: Attribute
) -> Iterator[Problem]:
    shape, name = _name(rule.shape), curie(attribute.iri)

    def found(message: str, severity: Severity = "error") -> Problem:
        return problem("shape-constraints", rule.location, rule.shape, message, severity)

    if attribute.is_coded:
        if rule.datatype is not None:
            yield found(
                f"{shape}: coded {name} takes concepts, not sh:datatype {curie(rule.datatype)}"
            )
        if rule.in_scheme is None:
            yield found(f"{shape}: coded {name} lacks sh:node ckgsh:InScheme-<Scheme>")
        elif rule.in_scheme != attribute.code_list:
            yield found(
                f"{shape}: checks membership of {curie(rule.in_scheme)}, but {name} has "
                f"ckg:codeList {curie(attribute.code_list or '')}"
            )
    elif rule.datatype is None:
        yield found(
            f"{shape}: {name} shape has no sh:datatype (its range is {curie(attribute.range)})"
        )
    elif rule.datatype != attribute.range:
        yield found(
            f"{shape}: sh:datatype {curie(rule.datatype)} differs from rdfs:range "
            f"{curie(attribute.range)} of {name}"
        )
    domain = ontology.classes.get(attribute.domain)
    if domain is not None and rule.target_classes:
        reach = {domain.iri, *(c.iri for c in ontology.descendants(domain))}
        if not reach.intersection(rule.target_classes):
            targets = ", ".join(curie(t) for t in rule.target_classes)
            yield found(
                f"{shape} targets {targets}, outside the domain {curie(domain.iri)} of {name}",
                "warning",
            )


def check_shapes_cover(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Every attribute and every relation type has a property shape in use."""
    for attribute in ontology.attributes.values():
        if not ontology.rules_for_path(attribute.iri):
            yield problem(
                "shapes-cover",
                attribute.location,
                attribute.iri,
                f"{curie(attribute.iri)} has no property shape (sh:path) in any targeted shape",
            )
    for relation in ontology.relations.values():
        rules = ontology.rules_for_path(relation.iri)
        if not any(r.class_ is not None for r in rules):
            yield problem(
                "shapes-cover",
                relation.location,
                relation.iri,
                f"{curie(relation.iri)} has no shape checking sh:class of its target "
                f"(expected ckgsh:Rel-{relation.name})",
            )


def check_relation_counts(ontology: Ontology, options: RuleOptions) -> Iterator[Problem]:
    """The README's numbers: 25 same-class and 51 cross-class relation types."""
    counts = Counter(ontology.relation_kind(r) for r in ontology.relations.values())
    files = Counter(r.location.file for r in ontology.relations.values())
    where = Location(files.most_common(1)[0][0] if files else "relations.ttl", 0)
    for kind, expected in options.relation_counts.items():
        if counts[kind] != expected:
            yield problem(
                "relation-counts",
                where,
                "",
                f"{counts[kind]} {kind} relation types, expected {expected}",
            )


def check_identity(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Top classes name an identity key that applies to them; check rules are known ones."""
    for cls in ontology.classes.values():
        if cls.is_top and cls.identity_key is None:
            yield problem(
                "identity",
                cls.location,
                cls.iri,
                f"top class {curie(cls.iri)} has no ckg:identityKey",
            )
        key = ontology.attributes.get(cls.identity_key or "")
        lineage = {c.iri for c in ontology.lineage(cls)}
        if cls.identity_key and key is not None and key.domain not in lineage:
            yield problem(
                "identity",
                cls.location,
                cls.iri,
                f"identity key {curie(key.iri)} of {curie(cls.iri)} is an attribute of "
                f"{curie(key.domain)}, not of the class or a superclass",
            )
        elif cls.identity_key and key is None and ontology.is_defined(cls.identity_key):
            yield problem(
                "identity",
                cls.location,
                cls.iri,
                f"identity key {curie(cls.identity_key)} of {curie(cls.iri)} is not an attribute",
            )
    for attribute in ontology.attributes.values():
        if attribute.check_rule is not None and attribute.check_rule not in CHECK_RULES:
            known = ", ".join(sorted(curie(r) for r in CHECK_RULES))
            yield problem(
                "identity",
                attribute.location,
                attribute.iri,
                f"{curie(attribute.iri)}: unknown ckg:checkRule {curie(attribute.check_rule)} "
                f"(known: {known})",
            )
        if attribute.sensitivity is not None and attribute.sensitivity not in SENSITIVITIES:
            yield problem(
                "identity",
                attribute.location,
                attribute.iri,
                f"{curie(attribute.iri)}: ckg:sensitivity must be ckg:Personal or ckg:Sensitive",
            )


def check_classes(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """Classes sit under a top class or RelationQualification; qualifications are used right."""
    g = ontology.graph
    roots = {str(CKG.RelationQualification)}
    qualification = {c.iri for c in ontology.qualification_classes}
    for cls in ontology.classes.values():
        if cls.iri in roots or cls.is_top:
            continue
        if _in_cycle(ontology, cls):
            yield problem(
                "classes", cls.location, cls.iri, f"{curie(cls.iri)} is its own superclass"
            )
        elif ontology.top_class(cls) is None and cls.iri not in qualification:
            yield problem(
                "classes",
                cls.location,
                cls.iri,
                f"{curie(cls.iri)} is under no top class and is no ckg:RelationQualification",
            )
    for relation in ontology.relations.values():
        target = relation.qualified_by
        if target and ontology.is_defined(target) and target not in qualification:
            yield problem(
                "classes",
                relation.location,
                relation.iri,
                f"{curie(relation.iri)}: ckg:qualifiedBy {curie(target)} is not a subclass of "
                "ckg:RelationQualification",
            )
    kinds = set(ontology.attributes) | set(ontology.relations) | PLUMBING
    for subject in sorted(set(g.subjects(RDF.type, OWL.ObjectProperty)), key=str):
        iri = str(subject)
        if iri.startswith(CKG_IRI) and iri not in kinds:
            yield problem(
                "classes",
                ontology.locate(iri),
                iri,
                f"{curie(iri)} is an owl:ObjectProperty but neither a ckg:RelationType nor a "
                "coded attribute (rdfs:range skos:Concept + ckg:codeList)",
            )


def check_version(ontology: Ontology, _: RuleOptions) -> Iterator[Problem]:
    """The ontology header carries ``owl:versionInfo``."""
    if ontology.version is None:
        where = ontology.locate(str(ONTOLOGY_IRI))
        yield problem(
            "version", where, str(ONTOLOGY_IRI), "the owl:Ontology header has no owl:versionInfo"
        )


RULES: tuple[tuple[str, RuleFunction], ...] = (
    ("labels", check_labels),
    ("domain-range", check_domain_range),
    ("dangling", check_dangling),
    ("unique-names", check_unique_names),
    ("code-lists", check_code_lists),
    ("shape-constraints", check_shape_constraints),
    ("relation-shapes", check_relation_shapes),
    ("shapes-cover", check_shapes_cover),
    ("relation-counts", check_relation_counts),
    ("identity", check_identity),
    ("classes", check_classes),
    ("version", check_version),
)


def _languages(values: Iterable[Node]) -> set[str]:
    """The primary language tags of literals (``zh-Hans`` counts as ``zh``)."""
    return {(getattr(v, "language", None) or "").split("-")[0].lower() for v in values}


def _in_cycle(ontology: Ontology, cls: OntologyClass) -> bool:
    frontier, seen = list(cls.parents), set()
    while frontier:
        iri = frontier.pop()
        if iri == cls.iri:
            return True
        if iri not in seen and iri in ontology.classes:
            seen.add(iri)
            frontier.extend(ontology.classes[iri].parents)
    return False


def _iri(node: Node | str) -> str:
    return str(node) if isinstance(node, str | URIRef) else ""


def _name(node: Node | str) -> str:
    return curie(str(node)) if isinstance(node, str | URIRef) else "an inline shape"
