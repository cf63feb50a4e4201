"""The three citykg namespaces (see ``ontology/README.md``).

``CKG`` lists the vocabulary the compiler reads (annotation properties, marker classes, the five top
classes, the qualified-relation plumbing); a typo there fails at import, as in rdflib's ``SH``.
Domain terms (``ckg:idNumber``, ``ckg:residesIn`` …) are data, not code: build their IRIs with
:func:`ckg_term`. Shapes and code lists are open namespaces.
"""

from __future__ import annotations

import re

from rdflib.namespace import (
    DCTERMS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
    Namespace,
)
from rdflib.term import URIRef

CKG_IRI = "https://w3id.org/citykg/ontology#"
CKGSH_IRI = "https://w3id.org/citykg/shapes#"
CODE_IRI = "https://w3id.org/citykg/code/"
ONTOLOGY_IRI = URIRef("https://w3id.org/citykg/ontology")


class CKG(DefinedNamespace):
    """The citykg annotation vocabulary, marker classes and top classes (``core.ttl``)."""

    _fail = True
    _NS = Namespace(CKG_IRI)

    TopClass: URIRef  # marks one of the five top entity classes
    RelationType: URIRef  # marks an owl:ObjectProperty that is a relation between entities
    RelationQualification: URIRef  # superclass of every qualification class
    identityKey: URIRef  # the attribute that identifies an entity of a class
    checkRule: URIRef  # national-standard check an attribute value must pass
    codeList: URIRef  # the skos:ConceptScheme of a coded attribute
    sensitivity: URIRef  # ckg:Personal or ckg:Sensitive
    attributeGroup: URIRef  # access-rule group of an attribute
    qualifiedBy: URIRef  # the qualification class of a relation type
    propertyKey: URIRef  # graph property key of an attribute
    inverseName: URIRef  # name of a relation read backwards
    qualifiedRelation: URIRef  # subject -> qualification node
    relationTarget: URIRef  # qualification node -> relation object
    Personal: URIRef  # sensitivity: identifies a person
    Sensitive: URIRef  # sensitivity: sensitive personal information
    GB11643: URIRef  # check rule: resident ID number check character
    GB32100: URIRef  # check rule: unified social credit code check character
    Person: URIRef
    Place: URIRef
    Event: URIRef
    Thing: URIRef
    Organization: URIRef


CKGSH = Namespace(CKGSH_IRI)
CODE = Namespace(CODE_IRI)


def ckg_term(local_name: str) -> URIRef:
    """The IRI of the ckg: term with this local name."""
    return URIRef(CKG_IRI + local_name)


PREFIXES: dict[str, str] = {
    "ckg": CKG_IRI,
    "ckgsh": CKGSH_IRI,
    "code": CODE_IRI,
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "sh": str(SH),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
}
"""The prefixes of ``ontology/README.md``, for compact names in messages and docs."""


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``."""
    return re.split(r"[#/]", iri)[-1]


def curie(iri: str) -> str:
    """``ckg:idNumber`` for the full IRI; other IRIs are returned unchanged."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def is_project_iri(iri: str) -> bool:
    """Whether an IRI lies in one of the three citykg namespaces."""
    return str(iri).startswith((CKG_IRI, CKGSH_IRI, CODE_IRI))
