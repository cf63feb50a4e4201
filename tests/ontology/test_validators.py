"""The fast validator, and ``to_rdf``, the rendering pySHACL judges the same instance on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from citykg.errors import ValidationFailed, Violation
from citykg.ontology import (
    EntityInstance,
    Ontology,
    RelationInstance,
    compile_validators,
    minimal_instance,
    to_rdf,
)
from citykg.ontology.namespaces import CKG, CODE, ckg_term
from tests.ontology.reference import shacl_results

SHAPES = "https://w3id.org/citykg/shapes#"


def resident(**changes: object) -> EntityInstance:
    attributes: dict[str, object] = {
        "idNumber": "11010519491231002X",
        "personName": "张三",
        "gender": "1",
        "birthDate": date(1949, 12, 31),
        "heightCm": 172,
        "mobilePhone": ["13912345678", "18612345678"],
        "nickname": ["老张", "张师傅"],
        "registeredSince": datetime(2020, 1, 1, 8, 0),
    }
    attributes.update(changes)
    return EntityInstance(
        "Resident",
        {k: v for k, v in attributes.items() if v is not None},
        [
            RelationInstance(
                "residesIn",
                "Building",
                "110105001001001",
                {
                    "residenceSince": date(2020, 5, 1),
                    "residenceUntil": date(2024, 5, 1),
                    "residenceType": "1",
                    "householdHead": True,
                },
            ),
            RelationInstance(
                "worksFor", "Enterprise", "91350100M000100Y43", {"employmentKind": "全职"}
            ),
        ],
    )


def violations(mini: Ontology, instance: EntityInstance) -> list[tuple[str, str]]:
    return [
        (v.path, str(v.details["constraint"])) for v in compile_validators(mini).validate(instance)
    ]


def test_a_valid_instance(mini: Ontology) -> None:
    assert compile_validators(mini).validate(resident()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"birthDate": "1949-12-31"}, ("birthDate", "datatype")),
        ({"heightCm": True}, ("heightCm", "datatype")),  # a bool is no integer
        ({"registeredSince": date(2020, 1, 1)}, ("registeredSince", "datatype")),
        ({"personName": None}, ("personName", "minCount")),
        ({"personName": ["张三", "张叁"]}, ("personName", "maxCount")),
        ({"mobilePhone": "1391234567"}, ("mobilePhone", "pattern")),
        ({"heightCm": 300}, ("heightCm", "maxInclusive")),
        ({"birthDate": date(1899, 12, 31)}, ("birthDate", "minInclusive")),
        ({"nickname": "长" * 21}, ("nickname", "maxLength")),
        ({"gender": "7"}, ("gender", "inScheme")),
        ({"gender": 1}, ("gender", "inScheme")),
        ({"idNumber": "110105194912310021"}, ("idNumber", "checkRule")),
        ({"idNumber": "110105194902300028"}, ("idNumber", "checkRule")),  # 30 February
        ({"shoeSize": 42}, ("shoeSize", "knownAttribute")),
    ],
)
def test_each_rule(mini: Ontology, changes: dict[str, object], expected: tuple[str, str]) -> None:
    assert violations(mini, resident(**changes)) == [expected]


def test_violations_carry_the_shape_and_both_languages(mini: Ontology) -> None:
    (violation,) = compile_validators(mini).validate(resident(heightCm=300))
    assert violation == Violation(
        path="heightCm",
        message="height must be between 30 and 260 cm",
        message_zh="身高须在30至260厘米之间",
        focus="Resident",
        value=300,
        source_shape=f"{SHAPES}Person-heightCm",
        details={"constraint": "maxInclusive"},
    )
    (check,) = compile_validators(mini).validate(resident(idNumber="110105194912310021"))
    assert check.source_shape == f"{SHAPES}CheckRule-GB11643" and "GB 11643" in check.message_zh


def relation(instance: EntityInstance, index: int, **changes: Any) -> EntityInstance:
    """The instance with relation ``index`` changed; ``attributes`` are merged (None removes)."""
    relations = list(instance.relations)
    old = relations[index]
    updates = changes.pop("attributes", {})
    assert isinstance(updates, dict)
    merged = {k: v for k, v in {**old.attributes, **updates}.items() if v is not None}
    relations[index] = replace(old, attributes=merged, **changes)
    return replace(instance, relations=relations)


@pytest.mark.parametrize(
    ("index", "changes", "expected"),
    [
        (
            0,
            {"target_class": "Vehicle"},
            [("residesIn", "class"), ("residesIn.relationTarget", "class")],
        ),
        (0, {"target_class": "Community"}, []),  # a subclass of the range is fine
        (0, {"target_key": ""}, [("residesIn.relationTarget", "minCount")]),
        (0, {"attributes": {"residenceSince": None}}, [("residesIn.residenceSince", "minCount")]),
        (
            0,
            {"attributes": {"residenceUntil": date(2019, 1, 1)}},
            [("residesIn.residenceSince", "lessThanOrEquals")],
        ),
        (0, {"attributes": {"residenceType": "9"}}, [("residesIn.residenceType", "inScheme")]),
        (1, {"attributes": {"employmentKind": "临时"}}, [("worksFor.employmentKind", "in")]),
        (
            1,
            {"relation": "owns", "target_class": "Vehicle", "attributes": {"employmentKind": None}},
            [],
        ),
        (
            1,
            {
                "relation": "reportedBy",
                "target_class": "Person",
                "attributes": {"employmentKind": None},
            },
            [("reportedBy", "knownRelation")],
        ),
    ],
)
def test_relations(
    mini: Ontology, index: int, changes: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert violations(mini, relation(resident(), index, **changes)) == expected


def test_relation_counts_and_the_subject_class(mini: Ontology) -> None:
    building = EntityInstance(
        "Building",
        {"placeCode": "110105001001001", "buildingHeight": Decimal("0")},
        [
            RelationInstance("partOf", "Community", "110105001001", {}),
            RelationInstance("partOf", "Community", "110105001002", {}),
        ],
    )
    assert violations(mini, building) == [
        ("buildingHeight", "minExclusive"),
        ("partOf", "maxCount"),
    ]


def test_unknown_class_and_check(mini: Ontology) -> None:
    validators = compile_validators(mini)
    assert [v.details["constraint"] for v in validators.validate(EntityInstance("Dragon"))] == [
        "knownClass"
    ]
    with pytest.raises(ValidationFailed) as caught:
        validators.check(resident(heightCm=300))
    assert caught.value.violations[0].path == "heightCm"
    validators.check(resident())


def test_to_rdf_follows_the_readme_example(mini: Ontology) -> None:
    graph = to_rdf(resident(), mini, subject="urn:x:p1")
    p1, q0, t0 = URIRef("urn:x:p1"), URIRef("urn:x:p1/qualification/0"), URIRef("urn:x:p1/target/0")
    assert (p1, RDF.type, ckg_term("Resident")) in graph
    assert (p1, ckg_term("gender"), CODE["Gender-1"]) in graph
    assert (p1, ckg_term("birthDate"), Literal(date(1949, 12, 31), datatype=XSD.date)) in graph
    assert (p1, ckg_term("personName"), Literal("张三")) in graph
    assert (p1, ckg_term("residesIn"), t0) in graph
    assert (p1, CKG.qualifiedRelation, q0) in graph
    assert (q0, RDF.type, ckg_term("Residence")) in graph
    assert (q0, CKG.relationTarget, t0) in graph
    assert (q0, ckg_term("residenceSince"), Literal(date(2020, 5, 1), datatype=XSD.date)) in graph
    assert (t0, RDF.type, ckg_term("Building")) in graph
    assert (t0, ckg_term("placeCode"), None) in graph  # the target is a minimal valid Building


def test_minimal_instances_are_valid_and_stable(mini: Ontology) -> None:
    building = mini.class_named("Building")
    assert minimal_instance(mini, building) == minimal_instance(mini, building)
    instances = [minimal_instance(mini, c) for c in mini.entity_classes]
    validators = compile_validators(mini)
    assert [v for i in instances for v in validators.validate(i)] == []
    assert shacl_results(mini, instances) == [[] for _ in instances]


def test_minimal_instances_of_the_real_ontology_are_valid(real: Ontology) -> None:
    instances = [
        minimal_instance(real, c) for c in sorted(real.entity_classes, key=lambda c: c.name)
    ]
    validators = compile_validators(real)
    assert [v for i in instances for v in validators.validate(i)] == []
    assert [r for r in shacl_results(real, instances) if r] == []
