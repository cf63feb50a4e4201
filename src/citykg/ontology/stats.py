"""How big the City Knowledge System is: the numbers the mission brief promises."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from rdflib.namespace import RDF, SH

from citykg.ontology.model import Ontology

SHAPE_PREDICATES = (SH.targetClass, SH.targetSubjectsOf, SH.property, SH.path, SH.sparql)
"""A subject of any of these is a shape, typed or not (SHACL 2.1)."""


@dataclass(frozen=True, slots=True)
class OntologyStats:
    """Term counts of one ontology version.

    ``classes`` counts entity classes (the top classes included); qualification classes, which
    carry relation attributes, are counted apart. ``shapes`` counts node and property shapes,
    inline ones included.
    """

    version: str
    classes: int
    top_classes: int
    qualification_classes: int
    relation_types: int
    same_class_relation_types: int
    cross_class_relation_types: int
    entity_attributes: int
    relation_attributes: int
    attributes: int
    coded_attributes: int
    code_lists: int
    concepts: int
    shapes: int

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


def ontology_stats(ontology: Ontology) -> OntologyStats:
    """Count the terms of ``ontology``."""
    kinds = Counter(ontology.relation_kind(r) for r in ontology.relations.values())
    attributes = (*ontology.entity_attributes, *ontology.relation_attributes)
    g = ontology.graph
    shapes = {s for t in (SH.NodeShape, SH.PropertyShape) for s in g.subjects(RDF.type, t)}
    shapes |= {s for p in SHAPE_PREDICATES for s in g.subjects(p)}
    return OntologyStats(
        version=ontology.version or "",
        classes=len(ontology.entity_classes),
        top_classes=len(ontology.top_classes),
        qualification_classes=len(ontology.qualification_classes),
        relation_types=len(ontology.relations),
        same_class_relation_types=kinds["same-class"],
        cross_class_relation_types=kinds["cross-class"],
        entity_attributes=len(ontology.entity_attributes),
        relation_attributes=len(ontology.relation_attributes),
        attributes=len(attributes),
        coded_attributes=sum(1 for a in attributes if a.is_coded),
        code_lists=len(ontology.code_lists),
        concepts=sum(len(c.concepts) for c in ontology.code_lists.values()),
        shapes=len(shapes),
    )
