"""``compile_graph_schema``: uniqueness on identity keys, indexes on what queries filter on."""

from __future__ import annotations

from citykg.graph.store import Constraint, Index
from citykg.ontology import Ontology, compile_graph_schema


def test_a_uniqueness_constraint_per_top_class(mini: Ontology) -> None:
    schema = compile_graph_schema(mini)
    assert set(schema.constraints) == {
        Constraint("Person", "idNumber"),
        Constraint("Place", "placeCode"),
        Constraint("Event", "eventCode"),
        Constraint("Thing", "thingCode"),
        Constraint("Organization", "creditCode"),
    }


def test_identity_key_indexes_on_every_class_label(mini: Ontology) -> None:
    indexes = set(compile_graph_schema(mini).indexes)
    assert {
        Index("Resident", "idNumber"),
        Index("Building", "placeCode"),
        Index("Vehicle", "thingCode"),
        Index("Enterprise", "creditCode"),
        Index("Complaint", "eventCode"),
    } <= indexes


def test_indexes_on_names_codes_and_statuses(mini: Ontology) -> None:
    indexes = set(compile_graph_schema(mini).indexes)
    assert {
        Index("Person", "name"),
        Index("Place", "name"),
        Index("Organization", "name"),
        Index("Event", "status"),
        Index("Place", "placeCode"),
    } <= indexes
    assert Index("Person", "birthDate") not in indexes


def test_real_schema_is_deterministic_and_covers_every_class(real: Ontology) -> None:
    schema = compile_graph_schema(real)
    assert schema == compile_graph_schema(real)
    assert len(schema.constraints) == 5
    labelled = {index.label for index in schema.indexes}
    assert labelled == {c.name for c in real.entity_classes}
