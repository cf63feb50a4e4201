"""Loading: the typed model, lookups, the class hierarchy, and where each term is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from citykg.errors import ConfigError, NotFound, ValidationFailed
from citykg.ontology import Ontology, load_ontology
from citykg.ontology.load import statement_subjects
from citykg.ontology.model import relationship_type
from citykg.ontology.namespaces import CKG, ckg_term
from tests.ontology.conftest import MINI, Edit, line_of


def test_terms_are_typed_and_found_by_local_name(mini: Ontology) -> None:
    gender = mini.attribute_named("gender")
    assert gender.is_coded and gender.code_list == "https://w3id.org/citykg/code/Gender"
    assert gender.label.zh == "性别" and gender.label.en == "gender"
    assert mini.attribute_named("personName").property_key == "name"
    assert mini.attribute_named("birthDate").property_key == "birthDate"
    assert mini.relation_named("residesIn").qualified_by == str(ckg_term("Residence"))
    assert mini.code_list_named("Gender").by_notation["1"].label.en == "male"
    assert mini.version == "0.1.0"
    with pytest.raises(NotFound):
        mini.class_named("Nope")


def test_hierarchy_labels_and_inherited_attributes(mini: Ontology) -> None:
    resident = mini.class_named("Resident")
    assert [c.name for c in mini.ancestors(resident)] == ["Person"]
    assert mini.graph_labels(resident) == ("Resident", "Person")
    assert mini.top_class(resident) is mini.class_named("Person")
    names = [a.name for a in mini.attributes_of(resident)]
    assert names[0] == "registeredSince" and "idNumber" in names  # own first, then inherited
    assert mini.identity_key(resident) is mini.attribute_named("idNumber")
    assert {c.name for c in mini.top_classes} == {
        "Person",
        "Place",
        "Event",
        "Thing",
        "Organization",
    }
    assert {c.name for c in mini.qualification_classes} == {"Residence", "Employment"}
    assert [a.name for a in mini.attributes_of_relation(mini.relation_named("worksFor"))] == [
        "employmentKind",
        "employmentTitle",
    ]


@pytest.mark.parametrize(
    ("name", "graph_type"),
    [
        ("residesIn", "RESIDES_IN"),
        ("partOf", "PART_OF"),
        ("hasIDCard", "HAS_ID_CARD"),
        ("knows", "KNOWS"),
    ],
)
def test_relationship_types(name: str, graph_type: str) -> None:
    assert relationship_type(name) == graph_type


def test_relations_are_same_or_cross_class(mini: Ontology) -> None:
    kinds = {r.name: mini.relation_kind(r) for r in mini.relations.values()}
    assert kinds["knows"] == kinds["partOf"] == "same-class"
    assert kinds["residesIn"] == kinds["reportedBy"] == "cross-class"


def test_each_term_knows_its_file_and_line(mini: Ontology) -> None:
    gender = mini.attribute_named("gender")
    assert gender.location.file == "person.ttl"
    assert gender.location.line == line_of(MINI / "person.ttl", "ckg:gender a owl:ObjectProperty")
    concept = mini.code_list_named("Gender").by_notation["2"]
    assert concept.location.line == line_of(MINI / "codes/person.ttl", "code:Gender-2 a")
    person = mini.class_named("Person")
    assert person.location == mini.locate(CKG.Person)
    assert (
        str(person.location) == f"core.ttl:{line_of(MINI / 'core.ttl', 'ckg:Person a owl:Class')}"
    )
    check = next(s for s in mini.sparql_rules if "GB11643" in s.shape)  # an inline sh:sparql node
    assert check.location.line == line_of(MINI / "shapes/core.ttl", "ckgsh:CheckRule-GB11643 a")


def test_property_rules_carry_the_shape_constraints(mini: Ontology) -> None:
    person = mini.class_named("Person")
    (rule,) = mini.rules_on(person, mini.attribute_named("heightCm").iri)
    assert (rule.min_inclusive, rule.max_inclusive, rule.max_count) == (30, 260, 1)
    assert rule.message.zh.startswith("身高") and rule.message.en.startswith("height")
    assert rule.location.line == line_of(MINI / "shapes/person.ttl", "ckgsh:Person-heightCm a")
    assert mini.cardinality(person, mini.attribute_named("idNumber").iri) == (1, 1)
    assert mini.cardinality(person, mini.attribute_named("nickname").iri) == (0, None)
    (gender,) = mini.rules_on(person, mini.attribute_named("gender").iri)
    assert gender.in_scheme == "https://w3id.org/citykg/code/Gender"
    residence = mini.class_named("Residence")
    (since,) = mini.rules_on(residence, mini.attribute_named("residenceSince").iri)
    assert since.less_than_or_equals == str(ckg_term("residenceUntil"))
    employment = mini.class_named("Employment")
    (kind,) = mini.rules_on(employment, mini.attribute_named("employmentKind").iri)
    assert kind.in_values == ("全职", "兼职")
    subjects = {
        s.class_ for s in mini.subject_rules if str(ckg_term("residesIn")) in s.target_subjects_of
    }
    assert subjects == {str(CKG.Person)}


def test_statement_subjects_skip_strings_comments_and_blank_nodes() -> None:
    text = (
        "@prefix a: <http://x/#> .\n"
        "PREFIX b: <http://y/#>\n"
        "# a: comment . with a dot\n"
        'a:one a:p """multi . line\n'
        'string""" ; a:q [ a:r "x . y" ] .\n'
        "[ a:s a:t ] .\n"
        "b:two a:p 1.5 .\n"
        "<http://z/three> a:p a:four.\n"
    )
    assert list(statement_subjects(text)) == [
        ("http://x/#one", 4),
        ("http://y/#two", 7),
        ("http://z/three", 8),
    ]


def test_loads_are_cached_until_a_file_changes(mini_copy: Path) -> None:
    first = load_ontology(mini_copy)
    assert load_ontology(mini_copy) is first
    path = mini_copy / "person.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_ontology(mini_copy) is not first


def test_bad_turtle_is_reported_with_file_and_line(edit: Edit, mini_copy: Path) -> None:
    line = edit(
        "thing.ttl",
        "ckg:plateNumber a owl:DatatypeProperty ;",
        "ckg:plateNumber a owl:DatatypeProperty ;;;; ]",
    )
    with pytest.raises(ValidationFailed) as caught:
        load_ontology(mini_copy)
    (violation,) = caught.value.violations
    assert violation.details == {"file": "thing.ttl", "line": line}


def test_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_ontology(tmp_path / "missing")
    with pytest.raises(ConfigError):
        load_ontology(tmp_path)  # no Turtle in it


def test_public_names_are_exported_explicitly() -> None:
    import citykg.ontology as package

    assert package.__all__ == sorted(package.__all__)
    assert all(hasattr(package, name) for name in package.__all__)
