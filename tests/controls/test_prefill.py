"""Prefill: what the graph knows for a subject, through relations, with sources; who may see."""

from __future__ import annotations

from citykg.access import Principal
from citykg.access.masking import masker_for
from citykg.controls import CompiledForm, Prefill, prefill, submit
from citykg.graph import GraphStore
from citykg.ontology import load_ontology
from citykg.settings import Settings
from tests.controls.scenario import (
    CHILD,
    COMMUNITY_A,
    DOOR_A,
    DOOR_B,
    LI,
    NOW,
    SERVICE,
    WANG,
    ZHAO,
    household,
    official,
    person_id,
    resident,
)

MASKER = masker_for(load_ontology(Settings().ontology_dir))


def fill(store: GraphStore, *, form: CompiledForm, subject: str, principal: Principal) -> Prefill:
    return prefill(store, form=form, subject=subject, principal=principal, masker=MASKER)


def test_prefill_returns_what_an_earlier_different_form_wrote(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    filled = fill(
        registered, form=forms["elderly-health-check"], subject=WANG, principal=resident(WANG)
    )
    assert filled.found and filled.form == "elderly-health-check"
    name = filled.values["name"]
    assert name["value"] == "王秀英"
    assert name["source"] == {
        "submission": "hh-1",
        "form": "household-registration",
        "at": NOW.isoformat(),
    }
    assert filled.values["mobile_phone"]["value"] == "13800138000"
    assert "health_status" not in filled.values and "emergency_contact" not in filled.values


def test_prefill_walks_residence_to_building_and_community(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    address = fill(
        registered, form=forms["epidemic-screening"], subject=WANG, principal=SERVICE
    ).values["address"]
    assert address["value"] == DOOR_A
    levels = {p["level"]: p["name"] for p in address["path"]}
    assert levels[5] == "建外第1社区" and levels[7] == "1号楼" and levels[3] == "朝阳区"
    assert address["address"].endswith("建外第1社区建外1号院1号楼1单元101室")
    assert address["source"]["submission"] == "hh-1"


def test_prefill_lists_household_members_and_vehicles(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    values = fill(
        registered, form=forms["household-registration"], subject=WANG, principal=resident(WANG)
    ).values
    members = {m["key"]: m["fields"] for m in values["members"]}
    assert list(members) == [ZHAO, CHILD]  # by relation to the head (10 spouse, 20 child), stably
    assert members[ZHAO]["relation_to_head"]["value"] == "10"
    assert members[ZHAO]["name"]["source"]["form"] == "household-registration"
    assert values["vehicles"][0]["fields"]["plate"]["value"] == "京A12345"
    assert values["address"]["fields"]["since"]["value"] == "2001-05-01"


def test_facts_not_collected_by_a_form_have_no_source(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    resident = city.read("MATCH (p:Person)-[:RESIDES_IN]->(:Door) RETURN p.idNumber AS id LIMIT 1")
    filled = fill(
        city, form=forms["epidemic-screening"], subject=resident[0]["id"], principal=SERVICE
    )
    assert filled.values["name"]["source"] is None and filled.values["address"]["value"]


def test_an_unknown_subject_has_nothing_to_prefill(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    filled = fill(city, form=forms["epidemic-screening"], subject=LI, principal=SERVICE)
    assert not filled.found and filled.values == {}


def test_a_resident_sees_their_own_household_only(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    form = forms["epidemic-screening"]
    assert fill(registered, form=form, subject=WANG, principal=resident(WANG)).found
    assert fill(registered, form=form, subject=WANG, principal=resident(ZHAO)).found
    assert fill(registered, form=form, subject=ZHAO, principal=resident(CHILD)).found
    stranger = registered.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(d:Door) WHERE d.placeCode <> $door "
        "RETURN p.idNumber AS id LIMIT 1",
        {"door": DOOR_A},
    )[0]["id"]
    assert not fill(registered, form=form, subject=WANG, principal=resident(stranger)).found


def test_an_official_sees_subjects_living_in_their_jurisdiction(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    form = forms["household-registration"]
    assert fill(registered, form=form, subject=WANG, principal=official(COMMUNITY_A)).found
    assert not fill(registered, form=form, subject=WANG, principal=official(DOOR_B[:12])).found
    submit(
        registered,
        form=form,
        answers=household(address=DOOR_B),
        principal=SERVICE,
        submission_id="move",
    )
    assert not fill(registered, form=form, subject=WANG, principal=official(COMMUNITY_A)).found
    assert fill(registered, form=form, subject=WANG, principal=official(DOOR_B[:12])).found


def test_other_principals_find_nothing_to_prefill(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    """Out of reach answers like unknown: prefill tells no one whether a key is registered."""
    analyst = Principal(id="a", kind="analyst", name="分析员")
    form = forms["household-registration"]
    known = fill(registered, form=form, subject=WANG, principal=analyst)
    unknown = fill(registered, form=form, subject=person_id("19900101", 99), principal=analyst)
    assert (known.found, known.values) == (unknown.found, unknown.values) == (False, {})


def test_an_official_gets_sensitive_values_masked_and_marked(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    values = fill(
        registered,
        form=forms["household-registration"],
        subject=WANG,
        principal=official(COMMUNITY_A),
    ).values
    assert values["mobile_phone"] == {
        "value": "138****8000",
        "masked": True,
        "source": values["mobile_phone"]["source"],
    }
    assert values["id_number"]["masked"] and WANG not in str(values)
    assert values["name"] == {"value": "王秀英", "source": values["name"]["source"]}
    assert {m["key"] for m in values["members"]}.isdisjoint({ZHAO, CHILD})
