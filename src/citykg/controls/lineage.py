"""Lineage (血缘): which ontology terms a form writes, and which forms write a term.

A form writes its subject class, every attribute its fields bind (of entities and of
relations), every relation and related class, and draws codes from the code lists of its
choice fields. :func:`form_lineage` lists them from a bound form, each with the field paths
that write it; the saved :class:`Form` node keeps the term names (``terms``), so the forms
writing a term are found with one indexed query (:func:`citykg.controls.service.forms_writing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from citykg.controls.binding import BoundForm, BoundValue
from citykg.controls.models import Text
from citykg.ontology.model import Attribute, Ontology, OntologyClass, RelationType

TermKind = Literal["class", "attribute", "relation", "code-list"]


@dataclass(frozen=True, slots=True)
class TermUse:
    """One term a form writes, and the form's fields that write it."""

    term: str
    kind: TermKind
    iri: str
    label: Text
    fields: tuple[str, ...]


def form_lineage(ontology: Ontology, bound: BoundForm) -> tuple[TermUse, ...]:
    """Every term ``bound`` writes, in form order, with the fields writing it."""
    uses: dict[str, tuple[TermKind, str, Text, list[str]]] = {}

    def add(kind: TermKind, name: str, iri: str, label: Text, path: str) -> None:
        entry = uses.setdefault(name, (kind, iri, label, []))
        if path and path not in entry[3]:
            entry[3].append(path)

    def add_class(cls: OntologyClass, path: str) -> None:
        add("class", cls.name, cls.iri, Text(zh=cls.label.zh, en=cls.label.en), path)

    def add_relation(relation: RelationType, path: str) -> None:
        label = Text(zh=relation.label.zh, en=relation.label.en)
        add("relation", relation.name, relation.iri, label, path)

    def add_value(value: BoundValue) -> None:
        attribute: Attribute = value.attribute
        add("attribute", attribute.name, attribute.iri, _label(attribute), value.path)
        code_list = ontology.code_list_of(attribute)
        if code_list is not None:
            label = Text(zh=code_list.label.zh, en=code_list.label.en)
            add("code-list", code_list.name, code_list.iri, label, value.path)

    add_class(bound.subject, "")  # the form's subject: no field of its own
    for value in bound.values:
        add_value(value)
    for group in bound.groups:
        add_relation(group.relation, group.name)
        if not group.is_address:
            add_class(group.target, group.name)
        for value in group.fields:
            add_value(value)
    return tuple(
        TermUse(name, kind, iri, label, tuple(paths))
        for name, (kind, iri, label, paths) in uses.items()
    )


def _label(attribute: Attribute) -> Text:
    return Text(zh=attribute.label.zh, en=attribute.label.en)


def term_names(uses: tuple[TermUse, ...]) -> list[str]:
    """The names stored on a saved form, for :func:`~citykg.controls.service.forms_writing`."""
    return [use.term for use in uses]
