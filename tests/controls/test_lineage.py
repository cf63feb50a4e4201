"""Lineage (血缘): the terms a form writes, and the stored forms that write a term."""

from __future__ import annotations

from citykg.controls import CompiledForm, form_lineage, forms_writing
from citykg.graph import GraphStore
from citykg.ontology import Ontology


def test_a_form_lists_every_term_it_writes(
    ontology: Ontology, forms: dict[str, CompiledForm]
) -> None:
    uses = {u.term: u for u in form_lineage(ontology, forms["household-registration"].bound)}
    assert uses["Resident"].kind == "class" and uses["Resident"].fields == ("members",)
    assert uses["residesIn"].fields == ("address",)
    assert uses["residenceSince"].fields == ("address.since",)
    assert uses["ownedByPerson"].kind == "relation" and uses["Car"].kind == "class"
    assert uses["FuelType"].kind == "code-list" and uses["FuelType"].fields == ("vehicles.fuel",)
    assert uses["personName"].label.zh == "姓名"
    assert uses["idNumber"].iri == "https://w3id.org/citykg/ontology#idNumber"


def test_the_forms_writing_a_term_are_found_in_the_graph(
    city: GraphStore, ontology: Ontology
) -> None:
    writers = {u.form: u.fields for u in forms_writing(city, ontology=ontology, term="idNumber")}
    assert writers["household-registration"] == ("id_number", "members.id_number")
    assert writers["elderly-health-check"] == ("id_number", "emergency_contact.id_number")
    assert writers["dog-registration"] == ("idNumber",)
    assert "shop-safety-inspection" in writers  # its contact person
    full_iri = "https://w3id.org/citykg/ontology#shopUsesGas"
    assert [u.form for u in forms_writing(city, ontology=ontology, term=full_iri)] == [
        "shop-safety-inspection"
    ]
    assert forms_writing(city, ontology=ontology, term="petBreed")[0].fields == ("dogs.petBreed",)
