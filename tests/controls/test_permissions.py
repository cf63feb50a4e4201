"""Who may write what: officials within their jurisdiction, residents within their household."""

from __future__ import annotations

import pytest

from citykg.access import Principal
from citykg.controls import CompiledForm, SubmissionResult, submit
from citykg.controls.review import held_list
from citykg.controls.service import confirm_held
from citykg.errors import Forbidden, OutOfReach
from citykg.graph import GraphStore
from citykg.ontology import Ontology
from tests.controls.scenario import (
    COMMUNITY_A,
    COMMUNITY_B,
    DOOR_A,
    DOOR_B,
    LI,
    NOW,
    SERVICE,
    WANG,
    ZHAO,
    count_nodes,
    household,
    official,
    person_id,
    resident,
)

WORKER_A = official(COMMUNITY_A, id="worker-a")
WORKER_B = official(COMMUNITY_B, id="worker-b")
NEW_CONTACT = person_id("19900101", 41)
RESIDENT_WANG = resident(WANG)


def check_up(key: str = WANG, name: str = "王秀英", contact: str = ZHAO) -> dict[str, object]:
    """The elderly health check sign-up, without an address; the contact is 王's spouse."""
    return {
        "id_number": key,
        "name": name,
        "gender": "2",
        "health_status": "2",
        "emergency_contact": {"id_number": contact, "name": "联系人", "phone": "13900000000"},
    }


def li() -> dict[str, object]:
    """李四 signs up for the check; he is of no household of 王's."""
    return check_up(LI, "李四", NEW_CONTACT)


def send(
    store: GraphStore, form: CompiledForm, answers: dict[str, object], who: Principal, sid: str
) -> SubmissionResult:
    return submit(store, form=form, answers=answers, principal=who, submission_id=sid, at=NOW)


def homes(store: GraphStore, key: str) -> list[str]:
    rows = store.read(
        "MATCH (:Person {idNumber: $id})-[r:RESIDES_IN]->(d:Place) WHERE r.until IS NULL "
        "RETURN d.placeCode AS door",
        {"id": key},
    )
    return [r["door"] for r in rows]


def refused_fields(exc: pytest.ExceptionInfo[OutOfReach]) -> list[str]:
    return [v.path for v in exc.value.violations]


def test_an_official_registers_a_household_in_their_community(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    send(city, forms["household-registration"], household(), WORKER_A, "a-1")
    assert city.read("MATCH (s:Submission {id: 'a-1'}) RETURN s.author AS a") == [{"a": "worker-a"}]


def test_an_address_outside_the_jurisdiction_is_refused_and_nothing_written(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    nodes = count_nodes(city)
    with pytest.raises(OutOfReach) as refused:
        send(city, forms["household-registration"], household(), WORKER_B, "b-1")
    assert refused_fields(refused) == ["address"]
    assert refused.value.violations[0].message_zh.endswith("该地址不在您的管辖范围内")
    assert count_nodes(city) == nodes


def test_an_official_cannot_write_a_resident_living_elsewhere(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    with pytest.raises(OutOfReach) as refused:
        send(registered, forms["elderly-health-check"], check_up(), WORKER_B, "b-2")
    assert sorted(refused_fields(refused)) == ["emergency_contact.id_number", "id_number"]
    send(registered, forms["elderly-health-check"], check_up(), WORKER_A, "a-2")


def test_a_move_in_is_held_until_the_old_community_confirms(
    registered: GraphStore, forms: dict[str, CompiledForm], ontology: Ontology
) -> None:
    """F2: an in-scope address does not pull a person registered elsewhere into scope."""
    nodes = count_nodes(registered)
    moved = household(address={"place": DOOR_B, "since": "2026-11-01", "is_head": True})
    result = send(registered, forms["household-registration"], moved, WORKER_B, "b-3")
    assert result.held and count_nodes(registered) == nodes + 1  # the held request only
    assert homes(registered, WANG) == [DOOR_A]
    with pytest.raises(Forbidden):  # the author cannot confirm their own move-in
        confirm_held(registered, ontology=ontology,
                     principal=WORKER_B, held_id="b-3")  # fmt: skip
    assert [h.id for h in held_list(registered, principal=WORKER_A)] == ["b-3"]
    done = confirm_held(registered, ontology=ontology,
                        principal=WORKER_A, held_id="b-3")  # fmt: skip
    assert done.status == "confirmed" and done.decided_by == "worker-a"
    assert homes(registered, WANG) == [DOOR_B]
    author = registered.read("MATCH (s:Submission {id: 'b-3'}) RETURN s.author AS a")
    assert author == [{"a": "worker-b"}]


def test_a_member_living_elsewhere_is_held_for_their_community(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    send(registered, forms["elderly-health-check"], li(), SERVICE, "li")
    li_lives_in_b = household(
        id_number=LI,
        name="李四",
        address=DOOR_B,
        members=[],
        vehicles=[],
    )
    send(registered, forms["household-registration"], li_lives_in_b, SERVICE, "li-b")
    members = [{"id_number": LI, "name": "李四", "gender": "1", "relation_to_head": "10"}]
    result = send(registered, forms["household-registration"], household(members=members),
                  WORKER_A, "a-3")  # fmt: skip
    assert result.held
    assert [h.confirm_at for h in held_list(registered, principal=WORKER_B)] == [(DOOR_B,)]


def test_a_resident_writes_their_household_and_asks_for_the_rest(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    assert not send(registered, forms["elderly-health-check"], check_up(), RESIDENT_WANG,
                    "w-1").held  # fmt: skip
    assert not send(registered, forms["household-registration"], household(), RESIDENT_WANG,
                    "w-2").held  # fmt: skip
    send(registered, forms["elderly-health-check"], li(), SERVICE, "li")
    nodes = count_nodes(registered)
    assert send(registered, forms["elderly-health-check"], li(), RESIDENT_WANG, "w-3").held
    assert count_nodes(registered) == nodes + 1


def test_a_resident_moving_in_anywhere_is_held(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    """F1: a resident cannot move into another household by answering its door."""
    moved = household(address={"place": DOOR_B, "since": "2026-11-01", "is_head": True})
    assert send(registered, forms["household-registration"], moved, RESIDENT_WANG, "w-4").held
    assert homes(registered, WANG) == [DOOR_A]


def test_a_resident_gets_the_same_answer_for_a_new_and_a_registered_person(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    """F8: submitting someone else tells a resident nothing about whether they exist."""
    send(registered, forms["elderly-health-check"], li(), SERVICE, "li")
    known = send(registered, forms["elderly-health-check"], li(), RESIDENT_WANG, "w-5")
    unknown = send(registered, forms["elderly-health-check"],
                   check_up(person_id("19500101", 77), "陌生人", NEW_CONTACT), RESIDENT_WANG,
                   "w-6")  # fmt: skip
    assert (known.held, known.touched) == (unknown.held, unknown.touched) == (True, ())
