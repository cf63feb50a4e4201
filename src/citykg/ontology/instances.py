"""Instances as RDF: how an :class:`EntityInstance` looks to SHACL.

:func:`to_rdf` renders one instance exactly as the README's worked example: the entity typed with
its class, coded values as concept IRIs, each relation as the direct triple plus, when the
relation type has a qualification class, a qualification node with ``ckg:relationTarget`` and the
relation attributes. Each relation target is typed with its class and made a *minimal valid*
instance of it (:func:`minimal_instance`), so a SHACL run judges only the focus entity.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from citykg.errors import NotFound
from citykg.ontology.model import (
    Attribute,
    EntityInstance,
    Ontology,
    OntologyClass,
    RelationInstance,
)
from citykg.ontology.namespaces import CKG, PREFIXES, ckg_term
from citykg.ontology.samples import ValueSpace, sample_value

DEFAULT_SUBJECT = "urn:citykg:instance"
_MAX_DEPTH = 3


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_decimal(value: object) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    return _is_integer(value)


DATATYPE_TESTS: dict[str, Callable[[object], bool]] = {
    str(XSD.string): lambda v: isinstance(v, str),
    str(XSD.anyURI): lambda v: isinstance(v, str),
    str(XSD.integer): _is_integer,
    str(XSD.decimal): _is_decimal,
    str(XSD.boolean): lambda v: isinstance(v, bool),
    str(XSD.date): lambda v: isinstance(v, date) and not isinstance(v, datetime),
    str(XSD.dateTime): lambda v: isinstance(v, datetime),
}
"""Which Python values stand for a value of each README datatype (``sh:datatype`` in Python)."""


def datatype_test(datatype: str) -> Callable[[object], bool]:
    """The test for ``datatype``; a datatype outside the README's list takes strings."""
    return DATATYPE_TESTS.get(datatype, DATATYPE_TESTS[str(XSD.string)])


def values_of(value: Any) -> list[Any]:
    """An attribute value as a list of values: ``None`` is none, a list is several."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def to_rdf(
    instance: EntityInstance, ontology: Ontology, *, subject: str = DEFAULT_SUBJECT
) -> Graph:
    """The instance as an RDF graph whose focus node is ``subject``.

    Auxiliary nodes (qualification nodes, relation targets) are IRIs under ``subject``, so many
    instances with distinct subjects can be merged into one graph and validated at once.
    """
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    _render(graph, ontology, URIRef(subject), instance, depth=0)
    return graph


def code_lists_graph(ontology: Ontology) -> Graph:
    """Every code list and concept, to merge into a data graph before a SHACL run.

    The README validates instance data "with the code lists merged into the data graph": pySHACL's
    ``ont_graph`` brings in only RDFS/OWL axioms, not SKOS concepts.
    """
    graph = Graph()
    for code_list in ontology.code_lists.values():
        for iri in (code_list.iri, *(c.iri for c in code_list.concepts)):
            for triple in ontology.graph.triples((URIRef(iri), None, None)):
                graph.add(triple)
    return graph


@lru_cache(maxsize=256)
def minimal_instance(ontology: Ontology, cls: OntologyClass) -> EntityInstance:
    """The smallest valid instance of ``cls``: its required attributes and relations only.

    Values are sampled from the shapes with a generator seeded by the class name, so the same
    class always yields the same instance.
    """
    rng = random.Random(cls.name)
    attributes = {
        a.name: values[0] if len(values) == 1 else values
        for a in ontology.attributes_of(cls)
        if (values := required_values(ontology, cls, a, rng))
    }
    relations = []
    for relation in ontology.relations_from(cls):
        rules = ontology.rules_on(cls, relation.iri)
        count = ontology.cardinality(cls, relation.iri)[0]
        target = ontology.classes.get(next((r.class_ for r in rules if r.class_), relation.range))
        qualification = ontology.qualification_of(relation)
        if target is None:
            continue
        for _ in range(count):
            extra = (
                {
                    a.name: values[0] if len(values) == 1 else values
                    for a in ontology.attributes_of(qualification)
                    if (values := required_values(ontology, qualification, a, rng))
                }
                if qualification
                else {}
            )
            relations.append(RelationInstance(relation.name, target.name, "minimal", extra))
    return EntityInstance(cls.name, attributes, relations)


def required_values(
    ontology: Ontology, cls: OntologyClass, attribute: Attribute, rng: random.Random
) -> list[Any]:
    """As many sampled values of ``attribute`` as the class's shapes require (often none)."""
    count = ontology.cardinality(cls, attribute.iri)[0]
    space = ValueSpace.of(ontology, attribute, ontology.rules_on(cls, attribute.iri))
    values: list[Any] = []
    while len(values) < count:
        value = sample_value(space, rng, hint=attribute.label.zh)
        if value not in values:
            values.append(value)
    return values


def _render(
    graph: Graph, ontology: Ontology, node: URIRef, instance: EntityInstance, depth: int
) -> None:
    graph.add((node, RDF.type, _class_iri(ontology, instance.cls)))
    _render_attributes(graph, ontology, node, instance.attributes)
    for i, relation in enumerate(instance.relations):
        target = URIRef(f"{node}/target/{i}")
        graph.add((node, ckg_term(relation.relation), target))
        _render_target(graph, ontology, target, relation.target_class, depth)
        try:
            qualification = ontology.qualification_of(ontology.relation_named(relation.relation))
        except NotFound:
            qualification = None
        if qualification is None:
            continue
        qualified = URIRef(f"{node}/qualification/{i}")
        graph.add((node, CKG.qualifiedRelation, qualified))
        graph.add((qualified, RDF.type, URIRef(qualification.iri)))
        if relation.target_key:
            graph.add((qualified, CKG.relationTarget, target))
        _render_attributes(graph, ontology, qualified, relation.attributes)


def _render_target(
    graph: Graph, ontology: Ontology, node: URIRef, class_name: str, depth: int
) -> None:
    try:
        cls = ontology.class_named(class_name)
    except NotFound:
        graph.add((node, RDF.type, ckg_term(class_name)))
        return
    if depth >= _MAX_DEPTH:
        graph.add((node, RDF.type, URIRef(cls.iri)))
        return
    _render(graph, ontology, node, minimal_instance(ontology, cls), depth + 1)


def _render_attributes(
    graph: Graph, ontology: Ontology, node: URIRef, attributes: dict[str, Any]
) -> None:
    for name, value in attributes.items():
        try:
            attribute: Attribute | None = ontology.attribute_named(name)
        except NotFound:
            attribute = None
        predicate = URIRef(attribute.iri) if attribute else ckg_term(name)
        for v in values_of(value):
            graph.add((node, predicate, _value_term(ontology, attribute, v)))


def _value_term(ontology: Ontology, attribute: Attribute | None, value: Any) -> Node:
    """A coded notation becomes its concept IRI; a value of the attribute's datatype a typed
    literal of it; anything else its natural literal, which SHACL will then reject."""
    if attribute is not None and attribute.is_coded and isinstance(value, str):
        code_list = ontology.code_list_of(attribute)
        concept = code_list.by_notation.get(value) if code_list else None
        if concept is not None:
            return URIRef(concept.iri)
        return URIRef(f"{attribute.code_list or attribute.iri}/not-a-code/{quote(value, safe='')}")
    if attribute is not None and not attribute.is_coded and datatype_test(attribute.range)(value):
        if isinstance(value, Decimal | float):  # plain notation: xsd:decimal has no exponent
            return Literal(
                format(Decimal(repr(value)) if isinstance(value, float) else value, "f"),
                datatype=XSD.decimal,
            )
        if attribute.range == str(XSD.string):  # a simple literal, as sh:in lists are written
            return Literal(value)
        return Literal(value, datatype=URIRef(attribute.range))
    return Literal(value)


def _class_iri(ontology: Ontology, name: str) -> URIRef:
    try:
        return URIRef(ontology.class_named(name).iri)
    except NotFound:
        return ckg_term(name)


def instance_from_graph(ontology: Ontology, cls: str, props: Mapping[str, Any]) -> EntityInstance:
    """Properties as written to the graph, as an instance of ``cls`` for the validators
    (attribute names from property keys, dates typed): bulk writers check what they write."""
    return EntityInstance(cls, _graph_attributes(ontology, cls, props), [])


def relation_from_graph(
    ontology: Ontology, relation: str, target_class: str, to: str, props: Mapping[str, Any]
) -> RelationInstance:
    """A relation as written to the graph (its attributes keyed by property key)."""
    qualification = ontology.qualification_of(ontology.relation_named(relation))
    attributes = _graph_attributes(ontology, qualification.name, props) if qualification else {}
    return RelationInstance(relation, target_class, to, attributes)


def _graph_attributes(ontology: Ontology, cls: str, props: Mapping[str, Any]) -> dict[str, Any]:
    by_key = _attributes_by_key(ontology, cls)
    out: dict[str, Any] = {}
    for key, value in props.items():
        attribute = by_key.get(key)
        name = attribute.name if attribute else key  # unknown: the validator names it
        out[name] = _typed(attribute.range if attribute else "", value)
    return out


@lru_cache(maxsize=512)
def _attributes_by_key(ontology: Ontology, cls: str) -> dict[str, Attribute]:
    return {a.property_key: a for a in ontology.attributes_of(ontology.class_named(cls))}


def _typed(datatype: str, value: Any) -> Any:
    if datatype == str(XSD.date):
        return date.fromisoformat(value)
    if datatype == str(XSD.dateTime):
        return datetime.fromisoformat(value)
    return value
