"""The generated city checked against the ontology before it is written.

The generator writes in bulk (``UNWIND`` batches), not through forms; this applies the same
compiled validators the forms use to every entity it made and every relation it links, so a
generated city is never written with a value the ontology refuses. Counts (how many residences
a person has) are properties of the whole city and are checked by the generator's tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from citykg.errors import ValidationFailed, Violation
from citykg.ontology import Ontology, RelationInstance, compile_validators
from citykg.ontology.instances import instance_from_graph, relation_from_graph
from citykg.ontology.namespaces import local_name

if TYPE_CHECKING:  # the generator imports this module
    from citykg.demo.generate import City

RELATION_TARGETS: Mapping[str, tuple[str, str]] = {
    "RESIDES_IN": ("residesIn", "Door"),
    "SPOUSE_OF": ("spouseOf", "Person"),
    "PARENT_OF": ("parentOf", "Person"),
    "HOUSEHOLD_HEAD_OF": ("householdHeadOf", "Person"),
    "HAS_JURISDICTION_OVER": ("hasJurisdictionOver", "Place"),
    "LOCATED_AT": ("locatedAt", "Place"),
    "HOLDS_POST_IN": ("holdsPostIn", "Organization"),
    "OWNED_BY_PERSON": ("ownedByPerson", "Person"),
    "INSTALLED_AT": ("installedAt", "Compound"),
    "MAINTAINED_BY": ("maintainedBy", "GovernmentDepartment"),
    "OCCURRED_AT": ("occurredAt", "Place"),
    "REPORTED_BY": ("reportedBy", "Person"),
}
"""Each relation type the generator writes: its ontology relation and the class of its targets."""

PERSON_KINDS = {"Resident": None, "ElderlyPerson": "elderly", "Minor": "minor",
                "FloatingPerson": "floating"}  # fmt: skip
"""The person classes and the row flag that says a person is one (None: every person)."""

SHOWN = 20
"""Violations reported at most: the first ones say what is wrong with the generator."""


def validate_city(city: City, ontology: Ontology) -> None:
    """Raise :class:`ValidationFailed` unless every entity and relation of ``city`` conforms."""
    validators = compile_validators(ontology)
    problems: list[Violation] = []
    for cls, rows in entity_rows(city):
        for row in rows:
            problems += validators.validate(instance_from_graph(ontology, cls, row["props"]))
        if len(problems) >= SHOWN:
            break
    for graph_type, rows in city.relations.items():
        name, _ = RELATION_TARGETS[graph_type]
        source = local_name(ontology.relation_named(name).domain)
        for row in rows:
            problems += validators.validate_relation(source, as_relation(ontology, graph_type, row))
        if len(problems) >= SHOWN:
            break
    if problems:
        raise ValidationFailed(problems[:SHOWN], "the generated city does not fit the ontology")


def entity_rows(city: City) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(class, rows) for every kind of entity the city holds; a person under each class it
    is (every person is a Resident; some also elderly, minors, floating)."""
    for cls, flag in PERSON_KINDS.items():
        yield cls, [p for p in city.persons if flag is None or p[flag]]
    for group in (city.organizations, city.things, city.events):
        yield from group.items()


def as_relation(ontology: Ontology, graph_type: str, row: Mapping[str, Any]) -> RelationInstance:
    """A generated relation row as an ontology relation instance."""
    name, target = RELATION_TARGETS[graph_type]
    return relation_from_graph(ontology, name, target, row["to"], row["props"])
