"""``diff_ontologies``: what changed between two versions and whether it breaks existing data."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from citykg.errors import ConfigError
from citykg.ontology import Change, Ontology, diff_ontologies, load_ontology, load_source
from citykg.ontology.namespaces import curie
from tests.ontology.conftest import MINI, CliRun, Edit

GENDER_9 = (
    'code:Gender-9 a skos:Concept ; skos:inScheme code:Gender ; skos:notation "9" ;\n'
    '    skos:prefLabel "未说明的性别"@zh , "not stated"@en .\n'
)


def changes(old: Ontology, new: Ontology) -> dict[tuple[str, str, str], bool]:
    """(kind, term, facet) → breaking."""
    return {(c.kind, curie(c.term), c.facet): c.breaking for c in diff_ontologies(old, new).changes}


def test_no_change(mini: Ontology) -> None:
    assert diff_ontologies(mini, mini).changes == ()


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        # removing a term breaks, adding one does not
        (
            "thing.ttl",
            "ckg:electric a owl:DatatypeProperty ;",
            "ckg:isElectric a owl:DatatypeProperty ;",
            {("removed", "ckg:electric", ""): True, ("added", "ckg:isElectric", ""): False},
        ),
        # label and definition edits do not break
        (
            "person.ttl",
            '"出生日期"@zh , "birth date"@en',
            '"出生日期"@zh , "date of birth"@en',
            {("changed", "ckg:birthDate", "label"): False},
        ),
        # narrowing a datatype breaks, widening integer → decimal does not
        (
            "place.ttl",
            "rdfs:domain ckg:Building ; rdfs:range xsd:decimal .",
            "rdfs:domain ckg:Building ; rdfs:range xsd:integer .",
            {("changed", "ckg:buildingHeight", "range"): True},
        ),
        (
            "person.ttl",
            "rdfs:domain ckg:Person ; rdfs:range xsd:integer ;",
            "rdfs:domain ckg:Person ; rdfs:range xsd:decimal ;",
            {("changed", "ckg:heightCm", "range"): False},
        ),
        # narrowing a relation's range to a subclass breaks; widening it to the top class does not
        (
            "relations.ttl",
            "rdfs:domain ckg:Person ; rdfs:range ckg:Thing .",
            "rdfs:domain ckg:Person ; rdfs:range ckg:Vehicle .",
            {("changed", "ckg:owns", "range"): True},
        ),
        (
            "relations.ttl",
            'rdfs:domain ckg:Person ; rdfs:range ckg:Place ;\n    ckg:inverseName "常住人口"',
            'rdfs:domain ckg:Person ; rdfs:range ckg:Place ;\n    ckg:inverseName "常住者"',
            {("changed", "ckg:residesIn", "inverseName"): False},
        ),
        # changing a property key breaks
        (
            "place.ttl",
            'ckg:propertyKey "name" .',
            'ckg:propertyKey "title" .',
            {("changed", "ckg:placeName", "propertyKey"): True},
        ),
        # removing a concept breaks
        (
            "codes/person.ttl",
            GENDER_9,
            "",
            {("removed", "code:Gender-9", ""): True},
        ),
    ],
)
def test_terms(
    file: str,
    old: str,
    new: str,
    expected: dict[tuple[str, str, str], bool],
    edit: Edit,
    mini_copy: Path,
    mini: Ontology,
) -> None:
    edit(file, old, new)
    found = changes(mini, load_ontology(mini_copy))
    assert {k: v for k, v in found.items() if " @ " not in k[1]} == expected  # shapes aside


@pytest.mark.parametrize(
    ("old", "new", "facet", "breaking"),
    [
        (
            "sh:datatype xsd:integer ; sh:maxCount 1 ; sh:minInclusive 30",
            "sh:datatype xsd:integer ; sh:minCount 1 ; sh:maxCount 1 ; sh:minInclusive 30",
            "minCount",
            True,
        ),
        (
            "sh:datatype xsd:string ; sh:maxCount 2 ;",
            "sh:datatype xsd:string ; sh:maxCount 1 ;",
            "maxCount",
            True,
        ),
        (
            "sh:datatype xsd:string ; sh:maxCount 2 ;",
            "sh:datatype xsd:string ; sh:maxCount 3 ;",
            "maxCount",
            False,
        ),
        (
            "sh:minInclusive 30 ; sh:maxInclusive 260",
            "sh:minInclusive 40 ; sh:maxInclusive 260",
            "minInclusive",
            True,
        ),
        (
            "sh:minInclusive 30 ; sh:maxInclusive 260",
            "sh:minInclusive 20 ; sh:maxInclusive 260",
            "minInclusive",
            False,
        ),
        (
            "sh:maxCount 1 ; sh:minLength 1 ; sh:maxLength 50",
            "sh:maxCount 1 ; sh:minLength 1 ; sh:maxLength 40",
            "maxLength",
            True,
        ),
        ('sh:pattern "^1[3-9][0-9]{9}$"', 'sh:pattern "^1[3-8][0-9]{9}$"', "pattern", True),
        ('sh:message "别名最多20字"@zh', 'sh:message "别名不超过20字"@zh', "message", False),
    ],
)
def test_shape_constraints(
    old: str, new: str, facet: str, breaking: bool, edit: Edit, mini_copy: Path, mini: Ontology
) -> None:
    edit("shapes/person.ttl", old, new)
    found = diff_ontologies(mini, load_ontology(mini_copy)).changes
    assert [(c.kind, c.facet, c.breaking) for c in found] == [("changed", facet, breaking)]


def test_a_new_required_attribute_on_an_existing_class_breaks(
    edit: Edit, mini_copy: Path, mini: Ontology
) -> None:
    edit(
        "shapes/thing.ttl",
        "sh:property ckgsh:Vehicle-plateNumber ,",
        "sh:property ckgsh:Vehicle-vin , ckgsh:Vehicle-plateNumber ,",
    )
    with (mini_copy / "shapes/thing.ttl").open("a", encoding="utf-8") as out:
        out.write(
            "\nckgsh:Vehicle-vin a sh:PropertyShape ; sh:path ckg:vin ; sh:datatype xsd:string ;\n"
            '    sh:minCount 1 ; sh:message "车架号必填"@zh , "VIN is required"@en .\n'
        )
    with (mini_copy / "thing.ttl").open("a", encoding="utf-8") as out:
        out.write(
            '\nckg:vin a owl:DatatypeProperty ; rdfs:label "车架号"@zh , "VIN"@en ;\n'
            '    skos:definition "车辆识别代号。"@zh , "Vehicle identification number."@en ;\n'
            "    rdfs:domain ckg:Vehicle ; rdfs:range xsd:string .\n"
        )
    result = diff_ontologies(mini, load_ontology(mini_copy))
    assert [(c.kind, c.term_kind, c.breaking) for c in result.breaking] == [
        ("added", "shape", True)
    ]
    assert ("added", "attribute", False) in [
        (c.kind, c.term_kind, c.breaking) for c in result.changes
    ]


def test_changes_read_well(edit: Edit, mini_copy: Path, mini: Ontology) -> None:
    edit("place.ttl", 'ckg:propertyKey "name" .', 'ckg:propertyKey "title" .')
    (change,) = diff_ontologies(mini, load_ontology(mini_copy)).changes
    assert isinstance(change, Change)
    assert str(change) == "BREAKING changed attribute ckg:placeName propertyKey: name → title"


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(mini_copy: Path) -> Path:
    """A throwaway git repository whose ``ontology/`` folder is the fixture, committed once."""
    root = mini_copy.parent
    git(root, "init", "-q")
    git(root, "add", "ontology")
    git(root, "commit", "-q", "-m", "fixture")
    return root


def test_git_revision_against_the_working_tree(repo: Path, edit: Edit, mini: Ontology) -> None:
    edit("place.ttl", 'ckg:propertyKey "name" .', 'ckg:propertyKey "title" .')
    folder = repo / "ontology"
    old = load_source("HEAD", directory=folder)
    assert diff_ontologies(old, mini).changes == ()
    new = load_source(str(folder), directory=folder)
    assert [c.facet for c in diff_ontologies(old, new).breaking] == ["propertyKey"]


def test_unknown_revision_is_a_config_error(repo: Path) -> None:
    with pytest.raises(ConfigError):
        load_source("no-such-revision", directory=repo / "ontology")


def test_cli_diff(repo: Path, edit: Edit, run_cli: CliRun) -> None:
    edit(
        "codes/person.ttl",
        GENDER_9,
        "",
    )
    folder = str(repo / "ontology")
    code, output = run_cli("ontology", "diff", "--dir", folder, "HEAD", folder)
    assert code == 0
    assert "BREAKING removed concept code:Gender-9" in output
    assert "0.1.0 → 0.1.0: 1 changes, 1 breaking" in output
    code, output = run_cli("ontology", "diff", "--dir", folder, "nope", folder)
    assert code == 2 and "not a folder nor a git revision" in output


def test_fixture_folder_diffs_against_itself(run_cli: CliRun) -> None:
    code, output = run_cli("ontology", "diff", str(MINI), str(MINI))
    assert code == 0 and "0 changes" in output
