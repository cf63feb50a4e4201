"""``validate_ontology`` and ``citykg ontology validate``: each seeded mistake is reported with
the file and line a steward opens, by the rule that owns it."""

from __future__ import annotations

from pathlib import Path

import pytest

from citykg.errors import ConfigError
from citykg.ontology import Ontology, Problem, validate_ontology
from citykg.ontology.rules import check_ontology
from tests.ontology.conftest import MINI, MINI_OPTIONS, CliRun, Edit


def problems(directory: Path) -> list[Problem]:
    return validate_ontology(directory, options=MINI_OPTIONS)


def only(found: list[Problem], rule: str) -> Problem:
    matching = [p for p in found if p.rule == rule]
    assert len(matching) == 1, found
    return matching[0]


def test_the_fixture_is_clean() -> None:
    assert problems(MINI) == []


def test_the_real_ontology_is_clean(
    real: Ontology, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache = tmp_path_factory.mktemp("shacl-cache")
    found = validate_ontology(real.directory, cache_dir=cache)
    assert [str(p) for p in found if p.severity == "error"] == []
    assert validate_ontology(real.directory, cache_dir=cache) == found  # the cached run agrees


def test_missing_label(edit: Edit, mini_copy: Path) -> None:
    line = edit("person.ttl", 'rdfs:label "性别"@zh , "gender"@en ;', 'rdfs:label "gender"@en ;')
    found = only(problems(mini_copy), "labels")
    assert (found.file, found.line) == ("person.ttl", line - 1)  # ckg:gender a owl:ObjectProperty
    assert "ckg:gender has no rdfs:label@zh" in found.message


def test_missing_definition_of_a_code_list(edit: Edit, mini_copy: Path) -> None:
    edit(
        "codes/event.ttl",
        '    skos:definition "12345 闭环处置的阶段。"@zh , '
        '"Stages of the 12345 closed loop."@en ;\n',
        "",
    )
    found = only(problems(mini_copy), "labels")
    assert (
        found.file == "codes/event.ttl"
        and "code:EventStatus has no skos:definition@zh" in found.message
    )


def test_dangling_range(edit: Edit, mini_copy: Path) -> None:
    line = edit(
        "relations.ttl",
        "rdfs:domain ckg:Person ; rdfs:range ckg:Place ;",
        "rdfs:domain ckg:Person ; rdfs:range ckg:Plaice ;",
    )
    found = [p for p in problems(mini_copy) if p.rule == "dangling"]
    assert [(p.file, p.line) for p in found] == [("relations.ttl", line - 3)]  # ckg:residesIn a …
    assert "ckg:residesIn rdfs:range ckg:Plaice, which is defined nowhere" in found[0].message


def test_dangling_shape_path(edit: Edit, mini_copy: Path) -> None:
    line = edit("shapes/thing.ttl", "sh:path ckg:electric ;", "sh:path ckg:isElectric ;")
    found = [p for p in problems(mini_copy) if p.rule == "dangling"]
    assert [(p.file, p.line) for p in found] == [("shapes/thing.ttl", line)]


def test_bad_datatype_in_a_shape(edit: Edit, mini_copy: Path) -> None:
    line = edit(
        "shapes/person.ttl",
        "sh:datatype xsd:integer ; sh:maxCount 1 ; sh:minInclusive 30",
        "sh:datatype xsd:decimal ; sh:maxCount 1 ; sh:minInclusive 30",
    )
    found = only(problems(mini_copy), "shape-constraints")
    assert (found.file, found.line) == ("shapes/person.ttl", line - 1)  # ckgsh:Person-heightCm a …
    assert (
        "sh:datatype xsd:decimal differs from rdfs:range xsd:integer of ckg:heightCm"
        in found.message
    )


def test_relation_shape_subject_differs_from_domain(edit: Edit, mini_copy: Path) -> None:
    line = edit(
        "shapes/relations.ttl",
        "sh:targetSubjectsOf ckg:owns ; sh:class ckg:Person ;",
        "sh:targetSubjectsOf ckg:owns ; sh:class ckg:Resident ;",
    )
    found = only(problems(mini_copy), "shape-constraints")
    assert (found.file, found.line) == ("shapes/relations.ttl", line)
    assert "subject sh:class ckg:Resident differs from rdfs:domain ckg:Person" in found.message


def test_missing_code_list(edit: Edit, mini_copy: Path) -> None:
    line = edit(
        "person.ttl",
        "rdfs:range skos:Concept ; ckg:codeList code:Gender .",
        "rdfs:range skos:Concept .",
    )
    found = [p for p in problems(mini_copy) if p.rule == "code-lists"]
    assert [(p.file, p.line) for p in found] == [("person.ttl", line - 3)]
    assert found[0].message == "coded ckg:gender has no ckg:codeList"


def test_concept_without_english_label(edit: Edit, mini_copy: Path) -> None:
    line = edit(
        "codes/person.ttl", 'skos:prefLabel "女性"@zh , "female"@en .', 'skos:prefLabel "女性"@zh .'
    )
    found = only(problems(mini_copy), "code-lists")
    assert (found.file, found.line) == ("codes/person.ttl", line - 1)
    assert "code:Gender-2 has no skos:prefLabel@en" in found.message


def test_attribute_without_shape(edit: Edit, mini_copy: Path) -> None:
    edit(
        "shapes/thing.ttl",
        "ckgsh:Vehicle-plateNumber , ckgsh:Vehicle-electric .",
        "ckgsh:Vehicle-plateNumber .",
    )
    found = [p for p in problems(mini_copy) if p.rule == "shapes-cover"]
    assert [(p.file, p.message) for p in found] == [
        ("thing.ttl", "ckg:electric has no property shape (sh:path) in any targeted shape")
    ]


def test_two_domains_and_a_clashing_property_key(edit: Edit, mini_copy: Path) -> None:
    line = edit(
        "place.ttl",
        "rdfs:domain ckg:Building ; rdfs:range xsd:integer .",
        "rdfs:domain ckg:Building , ckg:Community ; rdfs:range xsd:integer ;"
        ' ckg:propertyKey "name" .',
    )
    found = problems(mini_copy)
    assert (only(found, "domain-range").file, only(found, "domain-range").line) == (
        "place.ttl",
        line - 3,
    )
    clash = only(found, "unique-names")
    assert "share the property key 'name'" in clash.message and clash.line == line - 3


def test_unknown_check_rule_and_missing_identity_key(edit: Edit, mini_copy: Path) -> None:
    line = edit("organization.ttl", "ckg:checkRule ckg:GB32100 .", "ckg:checkRule ckg:GB00000 .")
    edit("core.ttl", "    ckg:identityKey ckg:thingCode .", "    .")
    found = problems(mini_copy)
    messages = {
        (p.rule, p.file, p.line if p.file != "core.ttl" else 0, p.message.split(" (")[0])
        for p in found
    }
    assert (
        "identity",
        "organization.ttl",
        line - 3,
        "ckg:creditCode: unknown ckg:checkRule ckg:GB00000",
    ) in messages
    assert ("identity", "core.ttl", 0, "top class ckg:Thing has no ckg:identityKey") in messages
    assert (
        "dangling",
        "organization.ttl",
        line - 3,
        "ckg:creditCode ckg:checkRule ckg:GB00000, which is defined nowhere",
    ) in messages


def test_missing_version(edit: Edit, mini_copy: Path) -> None:
    edit("core.ttl", '    owl:versionInfo "0.1.0" ;\n', "")
    assert only(problems(mini_copy), "version").file == "core.ttl"


def test_shape_breaking_shacl_shacl(edit: Edit, mini_copy: Path) -> None:
    line = edit(
        "shapes/event.ttl",
        "sh:minCount 1 ; sh:maxCount 1 ; sh:minLength 6",
        'sh:minCount "one" ; sh:maxCount 1 ; sh:minLength 6',
    )
    found = only(problems(mini_copy), "shacl-shacl")
    assert (found.file, found.line) == ("shapes/event.ttl", line - 1)
    assert found.message.startswith("ckgsh:Event-eventCode")


def test_relation_counts_follow_the_readme(mini: Ontology) -> None:
    found = [str(p) for p in check_ontology(mini) if p.rule == "relation-counts"]
    assert found == [
        "relations.ttl:0: error: 2 same-class relation types, expected 25 [relation-counts]",
        "relations.ttl:0: error: 5 cross-class relation types, expected 51 [relation-counts]",
    ]


def test_turtle_syntax_error_is_one_problem(edit: Edit, mini_copy: Path) -> None:
    line = edit(
        "event.ttl",
        "ckg:eventCode a owl:DatatypeProperty ;",
        "ckg:eventCode a owl:DatatypeProperty ;; ;; ]",
    )
    assert [(p.rule, p.file, p.line) for p in problems(mini_copy)] == [
        ("turtle", "event.ttl", line)
    ]


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        validate_ontology(tmp_path / "nope")


def test_cli_exit_codes(edit: Edit, mini_copy: Path, tmp_path: Path, run_cli: CliRun) -> None:
    code, output = run_cli("ontology", "validate", "--dir", str(MINI), "--no-cache")
    assert code == 1  # the fixture has 7 relation types, not 76
    assert "relations.ttl:0: error: 2 same-class relation types, expected 25" in output
    line = edit("person.ttl", 'rdfs:label "性别"@zh , "gender"@en ;', 'rdfs:label "gender"@en ;')
    code, output = run_cli("ontology", "validate", "--dir", str(mini_copy), "--no-cache")
    assert code == 1 and f"person.ttl:{line - 1}: error: ckg:gender has no rdfs:label@zh" in output
    code, output = run_cli("ontology", "validate", "--dir", str(tmp_path / "nope"))
    assert code == 2 and "ontology folder not found" in output


def test_cli_validates_the_real_ontology(run_cli: CliRun) -> None:
    code, output = run_cli("ontology", "validate")
    assert code == 0, output
    assert "0 errors" in output
