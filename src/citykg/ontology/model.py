"""The ontology as typed Python values, with the lookups every compiler needs.

Everything is keyed by IRI (``ckg:idNumber`` as a full IRI string); :class:`Ontology` adds lookups
by local name (``ontology.attribute_named("idNumber")``) and the derived views the property graph
uses: node labels per class, relationship type per relation, property key per attribute.
Build one with :func:`citykg.ontology.load_ontology`; treat it (and its ``graph``) as read-only,
since loads are cached per directory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from rdflib import BNode, Graph
from rdflib.namespace import SKOS
from rdflib.term import Node

from citykg.errors import NotFound
from citykg.ontology.namespaces import CKG

Lang = Literal["zh", "en"]
Bound = int | Decimal | float | date | datetime
RelationKind = Literal["same-class", "cross-class"]


@dataclass(frozen=True, slots=True)
class Text:
    """A bilingual text (a label, a definition, a message)."""

    zh: str = ""
    en: str = ""

    def get(self, lang: Lang) -> str:
        """The text in ``lang``, falling back to the other language."""
        return (self.zh or self.en) if lang == "zh" else (self.en or self.zh)


@dataclass(frozen=True, slots=True)
class Location:
    """A path relative to the ontology folder and a 1-based line (0 when unknown)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Locator:
    """Finds where a node was written: a term's definition, else the first statement about it.

    A blank node (an inline property shape, a ``sh:sparql`` constraint) is located at the named
    subject whose statement holds it.
    """

    graph: Graph
    definitions: Mapping[str, tuple[Location, ...]]
    mentions: Mapping[str, Location]

    def __call__(self, node: Node | str) -> Location:
        seen: set[Node] = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            parent = next(iter(self.graph.subjects(None, node)), None)
            if parent is None:
                return Location("", 0)
            node = parent
        key = str(node)
        if key in self.definitions:
            return self.definitions[key][0]
        return self.mentions.get(key, Location("", 0))


@dataclass(frozen=True, slots=True)
class OntologyClass:
    """An ``owl:Class``: an entity class (under a top class) or a relation qualification class."""

    iri: str
    name: str
    label: Text
    definition: Text
    parents: tuple[str, ...]
    is_top: bool
    identity_key: str | None
    location: Location
    synonyms: tuple[str, ...] = ()
    """``skos:altLabel``s in any language: what the term is also called (search finds it)."""


@dataclass(frozen=True, slots=True)
class Attribute:
    """An attribute of an entity class, or of a relation when its domain is a qualification."""

    iri: str
    name: str
    label: Text
    definition: Text
    domains: tuple[str, ...]
    ranges: tuple[str, ...]
    code_list: str | None
    property_key: str
    sensitivity: str | None
    attribute_group: str | None
    check_rule: str | None
    location: Location
    synonyms: tuple[str, ...] = ()
    """``skos:altLabel``s in any language: what the term is also called (search finds it)."""

    @property
    def domain(self) -> str:
        """The one domain (README: exactly one); empty when missing."""
        return self.domains[0] if self.domains else ""

    @property
    def range(self) -> str:
        """The one range: an XSD datatype, or ``skos:Concept`` for a coded attribute."""
        return self.ranges[0] if self.ranges else ""

    @property
    def is_coded(self) -> bool:
        return self.code_list is not None or self.range == str(SKOS.Concept)


@dataclass(frozen=True, slots=True)
class RelationType:
    """A ``ckg:RelationType``: an object property between two entity classes."""

    iri: str
    name: str
    label: Text
    definition: Text
    domains: tuple[str, ...]
    ranges: tuple[str, ...]
    inverse_name: Text
    qualified_by: str | None
    location: Location
    synonyms: tuple[str, ...] = ()
    """``skos:altLabel``s in any language: what the term is also called (search finds it)."""

    @property
    def domain(self) -> str:
        return self.domains[0] if self.domains else ""

    @property
    def range(self) -> str:
        return self.ranges[0] if self.ranges else ""

    @property
    def graph_type(self) -> str:
        """The relationship type in the property graph: ``residesIn`` → ``RESIDES_IN``."""
        return relationship_type(self.name)


@dataclass(frozen=True, slots=True)
class Concept:
    """A ``skos:Concept`` of a code list; ``notation`` is the real code stored in the graph."""

    iri: str
    notation: str
    label: Text
    scheme: str
    location: Location


@dataclass(frozen=True)
class CodeList:
    """A ``skos:ConceptScheme`` and its concepts (ordered by notation)."""

    iri: str
    name: str
    label: Text
    definition: Text
    source: str
    concepts: tuple[Concept, ...]
    location: Location

    @cached_property
    def by_notation(self) -> Mapping[str, Concept]:
        return {concept.notation: concept for concept in self.concepts}


@dataclass(frozen=True, slots=True)
class PropertyRule:
    """The constraints of one SHACL property shape, in the context of the node shape holding it.

    ``target_classes`` / ``target_subjects_of`` are the targets that make the rule apply (the node
    shape's, or the property shape's own when it stands alone). ``in_scheme`` is the code list
    named by ``sh:node ckgsh:InScheme-<Scheme>``; ``class_`` is ``sh:class``; ``in_values`` is
    ``sh:in`` (as Python values); ``less_than_or_equals`` the other path of
    ``sh:lessThanOrEquals``.
    """

    shape: str
    node_shape: str | None
    target_classes: tuple[str, ...]
    target_subjects_of: tuple[str, ...]
    path: str
    datatype: str | None
    min_count: int | None
    max_count: int | None
    pattern: str | None
    flags: str
    min_inclusive: Bound | None
    max_inclusive: Bound | None
    min_exclusive: Bound | None
    max_exclusive: Bound | None
    min_length: int | None
    max_length: int | None
    in_scheme: str | None
    in_values: tuple[object, ...] | None
    class_: str | None
    node_kind: str | None
    less_than_or_equals: str | None
    message: Text
    location: Location


@dataclass(frozen=True, slots=True)
class SubjectRule:
    """A node-level ``sh:class`` of a shape: what class the focus itself must have.

    Relation shapes use it to check the subject of ``sh:targetSubjectsOf`` the relation.
    """

    shape: str
    target_classes: tuple[str, ...]
    target_subjects_of: tuple[str, ...]
    class_: str
    message: Text
    location: Location


@dataclass(frozen=True, slots=True)
class SparqlRule:
    """A SHACL-SPARQL constraint (``sh:sparql``) and the shape and targets it belongs to."""

    shape: str
    target_classes: tuple[str, ...]
    target_subjects_of: tuple[str, ...]
    path: str | None
    select: str
    message: Text
    location: Location


@dataclass(frozen=True, eq=False)
class Ontology:
    """One version of the City Knowledge System, loaded from a folder of Turtle files."""

    directory: Path
    graph: Graph
    version: str | None
    files: tuple[str, ...]
    classes: Mapping[str, OntologyClass]
    attributes: Mapping[str, Attribute]
    relations: Mapping[str, RelationType]
    code_lists: Mapping[str, CodeList]
    rules: tuple[PropertyRule, ...]
    subject_rules: tuple[SubjectRule, ...]
    sparql_rules: tuple[SparqlRule, ...]
    locate: Locator
    """``ontology.locate(node)``: where an IRI or blank node was written."""

    # --- lookups by local name ------------------------------------------------------------

    def class_named(self, name: str) -> OntologyClass:
        return _named(self._classes_by_name, name, "class")

    def attribute_named(self, name: str) -> Attribute:
        return _named(self._attributes_by_name, name, "attribute")

    def relation_named(self, name: str) -> RelationType:
        return _named(self._relations_by_name, name, "relation type")

    def code_list_named(self, name: str) -> CodeList:
        return _named(self._code_lists_by_name, name, "code list")

    @property
    def definitions(self) -> Mapping[str, tuple[Location, ...]]:
        """Every place a term is defined (a statement about it in a file typing it), file order."""
        return self.locate.definitions

    def is_defined(self, iri: str) -> bool:
        """Whether ``iri`` has an ``rdf:type`` in some file."""
        return iri in self.locate.definitions

    # --- the class hierarchy -----------------------------------------------------------------

    def ancestors(self, cls: OntologyClass) -> tuple[OntologyClass, ...]:
        """Every superclass, nearest first, each once (cycles are cut)."""
        return self._ancestors[cls.iri]

    def lineage(self, cls: OntologyClass) -> tuple[OntologyClass, ...]:
        """The class itself, then its ancestors."""
        return (cls, *self.ancestors(cls))

    def descendants(self, cls: OntologyClass) -> tuple[OntologyClass, ...]:
        """Every subclass, at any depth."""
        return self._descendants.get(cls.iri, ())

    def is_subclass(self, cls: OntologyClass, of: OntologyClass) -> bool:
        """Whether ``cls`` is ``of`` or one of its subclasses."""
        return cls.iri == of.iri or of.iri in self._ancestor_iris[cls.iri]

    def top_class(self, cls: OntologyClass) -> OntologyClass | None:
        """The top class (Person, Place, Event, Thing, Organization) ``cls`` falls under."""
        return next((c for c in self.lineage(cls) if c.is_top), None)

    @cached_property
    def top_classes(self) -> tuple[OntologyClass, ...]:
        return tuple(c for c in self.classes.values() if c.is_top)

    @cached_property
    def entity_classes(self) -> tuple[OntologyClass, ...]:
        """Classes under a top class (the top classes included)."""
        return tuple(c for c in self.classes.values() if self.top_class(c) is not None)

    @cached_property
    def qualification_classes(self) -> tuple[OntologyClass, ...]:
        """Strict subclasses of ``ckg:RelationQualification``."""
        base = self.classes.get(str(CKG.RelationQualification))
        if base is None:
            return ()
        return self.descendants(base)

    def graph_labels(self, cls: OntologyClass) -> tuple[str, ...]:
        """Node labels in the property graph: the class's local name and every superclass's."""
        return tuple(c.name for c in self.lineage(cls))

    def identity_key(self, cls: OntologyClass) -> Attribute | None:
        """The nearest identity key declared on the class or a superclass."""
        for c in self.lineage(cls):
            if c.identity_key is not None and c.identity_key in self.attributes:
                return self.attributes[c.identity_key]
        return None

    # --- attributes ----------------------------------------------------------------------------

    def own_attributes(self, cls: OntologyClass) -> tuple[Attribute, ...]:
        return self._attributes_by_domain.get(cls.iri, ())

    def attributes_of(self, cls: OntologyClass) -> tuple[Attribute, ...]:
        """The class's own attributes, then those inherited from each ancestor, nearest first."""
        return tuple(a for c in self.lineage(cls) for a in self.own_attributes(c))

    @cached_property
    def entity_attributes(self) -> tuple[Attribute, ...]:
        entity = {c.iri for c in self.entity_classes}
        return tuple(a for a in self.attributes.values() if a.domain in entity)

    @cached_property
    def relation_attributes(self) -> tuple[Attribute, ...]:
        qualification = {c.iri for c in self.qualification_classes}
        return tuple(a for a in self.attributes.values() if a.domain in qualification)

    def code_list_of(self, attribute: Attribute) -> CodeList | None:
        return self.code_lists.get(attribute.code_list) if attribute.code_list else None

    # --- relations -----------------------------------------------------------------------------

    def qualification_of(self, relation: RelationType) -> OntologyClass | None:
        return self.classes.get(relation.qualified_by) if relation.qualified_by else None

    def attributes_of_relation(self, relation: RelationType) -> tuple[Attribute, ...]:
        """The relation's attributes: those of its qualification class."""
        qualification = self.qualification_of(relation)
        return self.own_attributes(qualification) if qualification else ()

    def relations_from(self, cls: OntologyClass) -> tuple[RelationType, ...]:
        """Relation types an entity of ``cls`` may have (domain is the class or an ancestor)."""
        lineage = {c.iri for c in self.lineage(cls)}
        return tuple(r for r in self.relations.values() if r.domain in lineage)

    def relation_kind(self, relation: RelationType) -> RelationKind | None:
        """Same-class (both ends under one top class) or cross-class; None if an end is unknown."""
        ends = [self.classes.get(relation.domain), self.classes.get(relation.range)]
        tops = [self.top_class(c) if c else None for c in ends]
        if tops[0] is None or tops[1] is None:
            return None
        return "same-class" if tops[0] is tops[1] else "cross-class"

    # --- shapes --------------------------------------------------------------------------------

    def rules_for_path(self, path: str) -> tuple[PropertyRule, ...]:
        return self._rules_by_path.get(path, ())

    def rules_on(self, cls: OntologyClass, path: str) -> tuple[PropertyRule, ...]:
        """Rules judging ``path`` on an entity of ``cls``: targeting the class or an ancestor, or
        targeting subjects of ``path`` itself (those apply only when the entity has a value)."""
        lineage = {c.iri for c in self.lineage(cls)}
        return tuple(
            r
            for r in self.rules_for_path(path)
            if lineage.intersection(r.target_classes) or path in r.target_subjects_of
        )

    def cardinality(self, cls: OntologyClass, path: str) -> tuple[int, int | None]:
        """(fewest, most) values of ``path`` an entity of ``cls`` may have; most None = any."""
        rules = self.rules_on(cls, path)
        fewest = max((r.min_count or 0 for r in rules if r.target_classes), default=0)
        maxes = [r.max_count for r in rules if r.max_count is not None]
        return fewest, min(maxes) if maxes else None

    def sparql_rules_for(self, attribute: Attribute) -> tuple[SparqlRule, ...]:
        """SHACL-SPARQL rules that apply to an attribute (its path, or subjects of it)."""
        return tuple(
            s
            for s in self.sparql_rules
            if s.path == attribute.iri or attribute.iri in s.target_subjects_of
        )

    # --- private indexes -----------------------------------------------------------------------

    @cached_property
    def _ancestors(self) -> Mapping[str, tuple[OntologyClass, ...]]:
        result: dict[str, tuple[OntologyClass, ...]] = {}
        for cls in self.classes.values():
            seen: list[OntologyClass] = []
            frontier = [cls]
            while frontier:
                parents = [
                    self.classes[p]
                    for c in frontier
                    for p in c.parents
                    if p in self.classes and self.classes[p] not in seen and p != cls.iri
                ]
                parents = list(dict.fromkeys(parents))
                seen.extend(parents)
                frontier = parents
            result[cls.iri] = tuple(seen)
        return result

    @cached_property
    def _ancestor_iris(self) -> Mapping[str, frozenset[str]]:
        return {iri: frozenset(c.iri for c in found) for iri, found in self._ancestors.items()}

    @cached_property
    def _descendants(self) -> Mapping[str, tuple[OntologyClass, ...]]:
        result: dict[str, list[OntologyClass]] = {}
        for cls in self.classes.values():
            for ancestor in self._ancestor_iris[cls.iri]:
                result.setdefault(ancestor, []).append(cls)
        return {k: tuple(v) for k, v in result.items()}

    @cached_property
    def _attributes_by_domain(self) -> Mapping[str, tuple[Attribute, ...]]:
        result: dict[str, list[Attribute]] = {}
        for attribute in self.attributes.values():
            result.setdefault(attribute.domain, []).append(attribute)
        return {k: tuple(v) for k, v in result.items()}

    @cached_property
    def _rules_by_path(self) -> Mapping[str, tuple[PropertyRule, ...]]:
        result: dict[str, list[PropertyRule]] = {}
        for rule in self.rules:
            result.setdefault(rule.path, []).append(rule)
        return {k: tuple(v) for k, v in result.items()}

    @cached_property
    def _classes_by_name(self) -> Mapping[str, OntologyClass]:
        return {c.name: c for c in self.classes.values()}

    @cached_property
    def _attributes_by_name(self) -> Mapping[str, Attribute]:
        return {a.name: a for a in self.attributes.values()}

    @cached_property
    def _relations_by_name(self) -> Mapping[str, RelationType]:
        return {r.name: r for r in self.relations.values()}

    @cached_property
    def _code_lists_by_name(self) -> Mapping[str, CodeList]:
        return {c.name: c for c in self.code_lists.values()}


def relationship_type(name: str) -> str:
    """``residesIn`` → ``RESIDES_IN``; ``hasIDCard`` → ``HAS_ID_CARD``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", words).upper()


def _named[T](index: Mapping[str, T], name: str, kind: str) -> T:
    try:
        return index[name]
    except KeyError:
        raise NotFound(f"no {kind} named {name!r} in the ontology") from None


@dataclass(frozen=True, slots=True)
class RelationInstance:
    """One relation of an entity being written: its type, target and relation attributes.

    ``relation`` and attribute keys are term local names; coded values are notations.
    """

    relation: str
    target_class: str
    target_key: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EntityInstance:
    """One entity being written, as typed Python values.

    ``cls`` and attribute keys are term local names; coded values are code notations (strings),
    dates are ``datetime.date``, date-times ``datetime.datetime``, multi-valued attributes lists.
    """

    cls: str
    attributes: dict[str, Any] = field(default_factory=dict)
    relations: list[RelationInstance] = field(default_factory=list)
