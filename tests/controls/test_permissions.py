"""Who may write what: officials within their jurisdiction, residents within their household."""

from __future__ import annotations

import pytest

from citykg.access import Principal
from citykg.controls import CompiledForm, submit
from citykg.errors import OutOfReach
from citykg.graph import GraphStore
from tests.controls.scenario import (
    COMMUNITY_A,
    COMMUNITY_B,
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
) -> None:
    submit(store, form=form, answers=answers, principal=who, submission_id=sid, at=NOW)


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
    assert refused_fields(refused) == ["id_number"]
    send(registered, forms["elderly-health-check"], check_up(), WORKER_A, "a-2")


def test_a_move_in_is_registered_by_the_new_community(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    moved = household(address={"place": DOOR_B, "since": "2026-11-01", "is_head": True})
    send(registered, forms["household-registration"], moved, WORKER_B, "b-3")
    homes = registered.read(
        "MATCH (:Person {idNumber: $id})-[r:RESIDES_IN]->(d:Place) WHERE r.until IS NULL "
        "RETURN d.placeCode AS door",
        {"id": WANG},
    )
    assert homes == [{"door": DOOR_B}]


def test_a_new_member_living_elsewhere_is_refused_by_name(
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
    with pytest.raises(OutOfReach) as refused:
        send(registered, forms["household-registration"], household(members=members),
             WORKER_A, "a-3")  # fmt: skip
    assert refused_fields(refused) == ["members[0].id_number"]


def test_a_resident_writes_their_household_only(
    registered: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    send(registered, forms["elderly-health-check"], check_up(), RESIDENT_WANG, "w-1")
    send(registered, forms["household-registration"], household(), RESIDENT_WANG, "w-2")
    send(registered, forms["elderly-health-check"], li(), SERVICE, "li")
    with pytest.raises(OutOfReach) as refused:
        send(registered, forms["elderly-health-check"], li(), RESIDENT_WANG,
             "w-3")  # fmt: skip
    assert refused_fields(refused) == ["id_number"]
