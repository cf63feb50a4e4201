"""JSON Schema (draft 2020-12) for form renderers: one per entity class, one per relation type.

Keys are graph property keys (what a submission writes); every field names its term in
``x-term``, carries ``title`` (en) and ``x-title-zh``, and coded fields are an ``enum`` of the
code list's notations with their labels in ``x-enum-labels``. A class schema includes inherited
attributes; a relation schema holds the attributes of its qualification class.
"""

from __future__ import annotations

from typing import Any

from rdflib.namespace import XSD

from citykg.ontology.model import Attribute, Ontology, OntologyClass, RelationType
from citykg.ontology.namespaces import local_name

DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE = "https://w3id.org/citykg/schema/"
JsonSchema = dict[str, Any]

_TYPES: dict[str, JsonSchema] = {
    str(XSD.string): {"type": "string"},
    str(XSD.anyURI): {"type": "string", "format": "uri"},
    str(XSD.integer): {"type": "integer"},
    str(XSD.decimal): {"type": "number"},
    str(XSD.boolean): {"type": "boolean"},
    str(XSD.date): {"type": "string", "format": "date"},
    str(XSD.dateTime): {"type": "string", "format": "date-time"},
}


def json_schemas(ontology: Ontology) -> dict[str, JsonSchema]:
    """Every schema by relative file name: ``entities/<Class>.json``, ``relations/<name>.json``."""
    schemas = {
        f"entities/{cls.name}.json": entity_schema(ontology, cls)
        for cls in sorted(ontology.entity_classes, key=lambda c: c.name)
    }
    schemas.update(
        (f"relations/{r.name}.json", relation_schema(ontology, r))
        for r in sorted(ontology.relations.values(), key=lambda r: r.name)
    )
    return schemas


def entity_schema(ontology: Ontology, cls: OntologyClass) -> JsonSchema:
    """The schema of one entity class, inherited attributes included."""
    return {
        "$schema": DIALECT,
        "$id": f"{BASE}entities/{cls.name}.json",
        **_titles(cls.iri, cls.label.en, cls.label.zh, cls.definition.en),
        "x-labels": list(ontology.graph_labels(cls)),
        **_object(ontology, cls, ontology.attributes_of(cls)),
    }


def relation_schema(ontology: Ontology, relation: RelationType) -> JsonSchema:
    """The schema of one relation type's attributes (empty when it has no qualification)."""
    qualification = ontology.qualification_of(relation)
    attributes = ontology.attributes_of_relation(relation)
    return {
        "$schema": DIALECT,
        "$id": f"{BASE}relations/{relation.name}.json",
        **_titles(relation.iri, relation.label.en, relation.label.zh, relation.definition.en),
        "x-relationship-type": relation.graph_type,
        "x-domain": local_name(relation.domain),
        "x-range": local_name(relation.range),
        **_object(ontology, qualification, attributes),
    }


def attribute_schema(ontology: Ontology, cls: OntologyClass, attribute: Attribute) -> JsonSchema:
    """One field: its value schema (an array when it may hold several values) and annotations."""
    fewest, most = ontology.cardinality(cls, attribute.iri)
    value = _value(ontology, attribute, cls)
    schema = _titles(attribute.iri, attribute.label.en, attribute.label.zh, attribute.definition.en)
    if most == 1:
        schema.update(value)
    else:
        schema.update({"type": "array", "items": value, "uniqueItems": True})
        schema.update({"minItems": fewest} if fewest > 1 else {})
        schema.update({"maxItems": most} if most is not None else {})
    extras = {
        "x-sensitivity": local_name(attribute.sensitivity or ""),
        "x-attribute-group": attribute.attribute_group or "",
        "x-check-rule": local_name(attribute.check_rule or ""),
    }
    schema.update({k: v for k, v in extras.items() if v})
    return schema


def _object(
    ontology: Ontology, cls: OntologyClass | None, attributes: tuple[Attribute, ...]
) -> JsonSchema:
    properties = (
        {a.property_key: attribute_schema(ontology, cls, a) for a in attributes} if cls else {}
    )
    required = [a.property_key for a in attributes if cls and ontology.cardinality(cls, a.iri)[0]]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _value(ontology: Ontology, attribute: Attribute, cls: OntologyClass) -> JsonSchema:
    if attribute.is_coded:
        code_list = ontology.code_list_of(attribute)
        concepts = code_list.concepts if code_list else ()
        return {
            "type": "string",
            "enum": [c.notation for c in concepts],
            "x-enum-labels": {c.notation: {"zh": c.label.zh, "en": c.label.en} for c in concepts},
            "x-code-list": attribute.code_list,
        }
    schema = dict(_TYPES.get(attribute.range, {"type": "string"}))
    numeric = schema["type"] in ("integer", "number")
    for rule in ontology.rules_on(cls, attribute.iri):
        bounds = {
            "pattern": rule.pattern,
            "minLength": rule.min_length,
            "maxLength": rule.max_length,
            "minimum" if numeric else "x-minimum": _json(rule.min_inclusive),
            "maximum" if numeric else "x-maximum": _json(rule.max_inclusive),
        }
        schema.update({k: v for k, v in bounds.items() if v is not None})
    return schema


def _titles(iri: str, en: str, zh: str, description: str) -> JsonSchema:
    return {"title": en, "x-title-zh": zh, "description": description, "x-term": iri}


def _json(value: object) -> object:
    if value is None or isinstance(value, int | float):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return float(str(value))
