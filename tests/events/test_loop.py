"""The closed loop on the real engine: report → locate → route → dispatch → sign → handle →
reply → close → visit → rating, with stage times; send-back, supervision, reopen, merge, and
bad input answered with the field named and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from citykg import events
from citykg.errors import Conflict, Forbidden, NotFound, ValidationFailed
from citykg.events import Action, Report
from citykg.events.setting import setting
from citykg.workflow import history
from tests.events.conftest import T0, EventCity

COUNT = "MATCH (e:Event) RETURN count(e) AS n"


def own_building_text(city: EventCity, door: str, problem: str) -> str:
    name, number = city.buildings[door[:19]]
    return f"我家住在{name}{number}号楼，{problem}，联系人王先生"


def test_the_full_loop_with_stage_times(city: EventCity) -> None:
    resident = city.residents[0]
    text = own_building_text(city, city.doors[0], "楼下路灯不亮好几天了")
    intake = events.report(
        city.store,
        ontology=city.ontology,
        principal=resident,
        report=Report(description=text, source="photo"),
        at=T0,
    )
    case = intake.event
    assert intake.locate["building"] == city.doors[0][:19]
    assert case.place == city.doors[0][:19] and case.locate_method == "text"
    assert case.category == "0199" and not case.category_picked and case.category_word
    assert intake.routed and case.department_name and case.department_name.endswith("办事处")
    assert case.state == "accepted" and case.status == "open" and case.event_class == "Complaint"
    steps = [
        (city.centre, Action(event="dispatch"), "dispatched", 1),
        (city.street, Action(event="sign"), "handling", 2),
        (city.street, Action(event="reply", reply="已更换灯泡"), "replied", 30),
        (city.centre, Action(event="close", closure="resolved"), "closed", 31),
        (city.centre, Action(event="visit", note="电话回访"), "visited", 33),
        (resident, Action(event="rate", satisfaction="1", note="很满意"), "rated", 40),
    ]
    for who, action, state, hours in steps:
        case = events.act(
            city.store,
            principal=who,
            event_id=case.id,
            action=action,
            at=T0 + timedelta(hours=hours),
        )
        assert case.state == state
    assert case.status == "closed" and case.closure == "resolved" and case.satisfaction == "1"
    facts = history(city.store, item=case.id)
    assert [f["event"] for f in facts] == [
        "report",
        "dispatch",
        "sign",
        "reply",
        "close",
        "visit",
        "rate",
    ]
    assert [f["by"] for f in facts][1:3] == ["centre", "jd04"]
    spent = {f["from"]: f["atMs"] - f["sinceMs"] for f in facts[1:]}
    assert spent == {
        "accepted": 3_600_000,
        "dispatched": 3_600_000,
        "handling": 28 * 3_600_000,
        "replied": 3_600_000,
        "closed": 2 * 3_600_000,
        "visited": 7 * 3_600_000,
    }
    mine = events.queue(city.store, city.residents[0], now=T0 + timedelta(hours=41))
    assert [m.id for m in mine] == [case.id]
    _, timeline = events.detail(city.store, resident, case.id, now=T0)
    assert "by" not in timeline[1]  # a resident sees the public status, not who
    with pytest.raises(NotFound):
        events.detail(city.store, city.residents[1], case.id, now=T0)


def test_send_back_supervise_and_reopen(city: EventCity) -> None:
    resident = city.residents[0]
    at = T0 + timedelta(days=2)
    text = own_building_text(city, city.doors[0], "门口有人占道经营")
    case = events.report(
        city.store,
        ontology=city.ontology,
        principal=resident,
        report=Report(description=text),
        at=at,
    ).event
    act = lambda who, hours, **kw: events.act(  # noqa: E731
        city.store,
        principal=who,
        event_id=case.id,
        action=Action(**kw),
        at=at + timedelta(hours=hours),
    )
    act(city.centre, 1, event="dispatch")
    with pytest.raises(NotFound):  # another street's office: out of reach is missing
        act(city.other_street, 2, event="sign")
    with pytest.raises(Forbidden):  # the street's head sees it but does not hold the post
        act(city.street_head, 2, event="sign")
    act(city.street, 2, event="sign")
    supervised = act(city.street_head, 3, event="supervise", reason="请加快办理")
    assert supervised.state == "handling" and supervised.supervision_count == 1
    act(city.street, 4, event="reply", reply="已劝离")
    sent = act(city.centre, 5, event="send_back", reason="群众反映仍在经营")
    assert sent.state == "handling" and sent.send_backs == 1
    act(city.street, 6, event="reply", reply="已取缔")
    act(city.centre, 7, event="close", closure="resolved")
    reopened = act(resident, 48, event="reopen", reason="又来了")
    assert reopened.state == "dispatched" and reopened.reopen_count == 1
    assert reopened.closure is None
    with pytest.raises(Conflict):
        act(resident, 49, event="rate", satisfaction="3")


def test_reopen_only_within_the_window(city: EventCity) -> None:
    resident = city.residents[0]
    at = T0 + timedelta(days=5)
    case = events.report(
        city.store,
        ontology=city.ontology,
        principal=resident,
        report=Report(description="小区垃圾桶满了没人清运", place=city.doors[0]),
        at=at,
    ).event
    events.act(
        city.store,
        principal=city.centre,
        event_id=case.id,
        action=Action(event="close", closure="transferred"),
        at=at,
    )
    with pytest.raises(ValidationFailed) as failed:
        events.act(
            city.store,
            principal=resident,
            event_id=case.id,
            action=Action(event="reopen", reason="没解决"),
            at=at + timedelta(days=40),
        )
    assert failed.value.violations[0].path == "event"


def test_a_duplicate_is_proposed_then_merged_and_its_reporter_follows(city: EventCity) -> None:
    first, second = city.residents
    at = T0 + timedelta(days=10)
    name, number = city.buildings[city.doors[0][:19]]
    original = events.report(
        city.store,
        ontology=city.ontology,
        principal=first,
        report=Report(description=f"{name}{number}号楼门口井盖丢了，很危险"),
        at=at,
    ).event
    again = events.report(
        city.store,
        ontology=city.ontology,
        principal=second,
        report=Report(description=f"来电反映{name}{number}号楼门口的井盖丢了", source="hotline"),
        at=at + timedelta(hours=2),
    )
    assert again.candidates and again.candidates[0].id == original.id
    assert again.event.state == "accepted"  # never merged by itself
    merged = events.act(
        city.store,
        principal=city.centre,
        event_id=again.event.id,
        action=Action(event="merge", master=original.id),
        at=at + timedelta(hours=3),
    )
    assert merged.state == "merged" and merged.closure == "duplicate"
    assert merged.duplicate_of == original.id
    view, _ = events.detail(city.store, second, original.id, now=at)  # the follower reads it
    assert view.duplicates == [merged.id]
    mine = events.queue(city.store, second, now=at)
    assert any(m.duplicate_of == original.id for m in mine)


@pytest.mark.parametrize(
    ("report", "field"),
    [
        ({"description": "路灯坏了", "category": "9999"}, "category"),
        ({"description": "路灯坏了", "place": "110105001999"}, "place"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    city: EventCity, report: dict[str, str], field: str
) -> None:
    before = city.store.read(COUNT)[0]["n"]
    with pytest.raises(ValidationFailed) as failed:
        events.report(
            city.store,
            ontology=city.ontology,
            principal=city.residents[0],
            report=Report.model_validate(report),
            at=T0,
        )
    assert failed.value.violations[0].path == field
    assert city.store.read(COUNT)[0]["n"] == before


def test_a_step_not_allowed_from_the_stage_is_a_conflict(city: EventCity) -> None:
    case = events.report(
        city.store,
        ontology=city.ontology,
        principal=city.residents[0],
        report=Report(description="噪音扰民", place=city.doors[0]),
        at=T0,
    ).event
    with pytest.raises(Conflict, match=r"^event: 'rate' is not allowed"):  # not closed yet
        events.act(
            city.store,
            principal=city.residents[0],
            event_id=case.id,
            action=Action(event="rate", satisfaction="1"),
            at=T0,
        )
    with pytest.raises(Conflict):
        events.act(
            city.store,
            principal=city.community,
            event_id=case.id,
            action=Action(event="reply", reply="x"),
            at=T0,
        )


def test_a_door_added_seconds_ago_is_found_at_once(city: EventCity) -> None:
    """Intake keeps the places in memory and checks for changes every few seconds; a report at
    a door registered since then is located, not refused as an unknown place."""
    setting(city.store)  # the places as they are now, cached
    unit, door = city.doors[0][:21], city.doors[0][:21] + "9999"
    city.store.write(
        "MATCH (u:Place {placeCode: $unit}) "
        "CREATE (d:Place:Door {placeCode: $door, level: 9, number: 9999, name: '9999室'})"
        "-[:PART_OF]->(u)",
        {"unit": unit, "door": door},
    )
    try:
        case = events.report(city.store, ontology=city.ontology, principal=city.residents[0],
                             report=Report(description="楼道灯坏了", place=door),
                             at=T0).event  # fmt: skip
        assert case.place == door and case.locate_method == "code"
    finally:
        city.store.write("MATCH (d:Door {placeCode: $door}) DETACH DELETE d", {"door": door})
        city.store.write("MATCH (e:Event {placeCode: $door}) DETACH DELETE e", {"door": door})
