"""Finding terms as a form builder types: by label in either language, synonym or code, the
form's own class first."""

from __future__ import annotations

import pytest

from citykg.builder import class_terms, search_terms
from citykg.ontology import Ontology, load_ontology
from citykg.settings import Settings


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology(Settings().ontology_dir)


def first(ontology: Ontology, query: str, **options: object) -> tuple[str, str]:
    hit = search_terms(ontology, query, **options)[0]  # type: ignore[arg-type]
    return hit.name, hit.matched


def test_terms_are_found_by_label_synonym_code_and_concept(ontology: Ontology) -> None:
    assert first(ontology, "公民身份号码") == ("idNumber", "")  # its label
    assert first(ontology, "ID card number") == ("idNumber", "id card number")  # a synonym
    assert first(ontology, "身份证", subject="Resident") == ("idNumber", "身份证")
    assert first(ontology, "personMobile") == ("personMobilePhone", "")  # its code
    assert first(ontology, "汉族") == ("ethnicity", "汉族")  # a concept of its code list
    assert first(ontology, "RESIDES") == ("residesIn", "")  # any case


def test_exact_before_prefix_before_anywhere_and_the_subject_s_terms_first(
    ontology: Ontology,
) -> None:
    ranked = [h.name for h in search_terms(ontology, "gender", limit=100)]
    assert ranked[0] == "gender"  # the exact code before terms merely containing it
    resident = [h.domain for h in search_terms(ontology, "手机", subject="Resident")]
    person = ontology.class_named("Person").iri
    assert resident[0] == person
    assert search_terms(ontology, "   ") == []
    assert len(search_terms(ontology, "a", limit=5)) == 5
    kinds = {h.kind for h in search_terms(ontology, "住", kinds=("relation",), limit=50)}
    assert kinds == {"relation"}


def test_browsing_a_class_lists_its_attributes_then_its_relations(ontology: Ontology) -> None:
    hits = class_terms(ontology, "Resident")
    kinds = [h.kind for h in hits]
    assert kinds == sorted(kinds)  # attributes, then relations
    names = {h.name for h in hits}
    assert {"idNumber", "personName", "gender", "residesIn", "householdHeadOf"} <= names
    assert "vehiclePlateNumber" not in names
