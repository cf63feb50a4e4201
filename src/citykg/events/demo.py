"""Events of the demo city: hotline reports about real buildings, taken by the same intake as
``POST /events`` and moved along the closed loop by the holders of the posts they are routed to,
so the queue, a case's history and the KPIs have something to show: some just in, some
dispatched, some in hand past their deadline, some answered, closed and rated, one duplicate
merged into its first report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import LiteralString

from citykg.access import Principal, principal, save_principal
from citykg.events import intake  # the module: intake imports citykg.demo, which imports us
from citykg.events.handling import Action, act
from citykg.events.models import EventView, Report
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.ontology import Ontology

GATEWAY = Principal(id="system:demo-hotline", kind="service", name="12345 热线（演示）",
                    roles=frozenset({"service"}), scope=PlaceScope.everywhere())  # fmt: skip
"""The hotline desk that types what callers say (a service account: it reports)."""
SEEDED: LiteralString = (
    "MATCH (e:Event) WHERE e.state IS NOT NULL AND e.eventClass IS NOT NULL RETURN count(e) AS n"
)
BUILDINGS: LiteralString = (
    "MATCH (b:Building)-[:PART_OF]->(c:Compound) "
    "RETURN b.placeCode AS code, c.name AS compound, b.number AS number "
    "ORDER BY code LIMIT 12"
)
HOLDER: LiteralString = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:Organization {creditCode: $org}) "
    "WHERE h.until IS NULL AND ($role IS NULL OR h.role = $role) "
    "RETURN p.idNumber AS person, h.role AS role ORDER BY role, person LIMIT 1"
)
PROBLEMS = ("楼下路灯不亮好几天了", "小区门口井盖丢了", "楼道里堆满了杂物",
            "路边垃圾好几天没人清运", "楼上漏水把我家天花板泡了", "夜里有人施工噪音太大",
            "人行道上的树倒了挡住路", "小区里有一辆僵尸车停了半年")  # fmt: skip
STEPS: tuple[tuple[Action, ...], ...] = (
    (),
    (Action(event="dispatch"),),
    (Action(event="dispatch"), Action(event="sign")),
    (Action(event="dispatch"), Action(event="sign"),
     Action(event="reply", reply="已派人处理，明日完成。")),
    (Action(event="dispatch"), Action(event="sign"), Action(event="reply", reply="已修复。"),
     Action(event="close", closure="resolved"), Action(event="visit", note="电话回访"),
     Action(event="rate", satisfaction="1", note="很满意")),
    (Action(event="dispatch"), Action(event="sign"), Action(event="reply", reply="已清理。"),
     Action(event="close", closure="resolved"), Action(event="visit", note="电话回访"),
     Action(event="rate", satisfaction="3", note="拖得太久")),
)  # fmt: skip
"""How far each demo case has got; the cases are reported 1 to 12 days ago, so the
dispatched ones not yet answered run past their stage deadlines."""
ACTORS = {"dispatch": "dispatcher", "close": "dispatcher", "visit": "dispatcher",
          "merge": "dispatcher", "sign": "handler", "reply": "handler"}  # fmt: skip


def seed_demo_events(store: GraphStore, *, ontology: Ontology, now: datetime | None = None) -> int:
    """Report and move the demo cases unless cases on the workflow are there; how many."""
    if int(store.read(SEEDED)[0]["n"]):
        return 0
    now = now or datetime.now(UTC)
    buildings = store.read(BUILDINGS)
    cases: list[EventView] = []
    for n, building in enumerate(buildings[: len(PROBLEMS)]):
        at = now - timedelta(days=12 - n, hours=3)
        text = f"我家住在{building['compound']}{building['number']}号楼，{PROBLEMS[n]}"
        call = Report(description=text, source="hotline")
        taken = intake.report(store, ontology=ontology, principal=GATEWAY, report=call, at=at)
        case = taken.event
        for step, action in enumerate(STEPS[n % len(STEPS)], start=1):
            case = act(store, principal=step_actor(store, case, action.event), event_id=case.id,
                       action=action, at=at + timedelta(hours=6 * step))  # fmt: skip
        cases.append(case)
    if cases:  # a second caller about the first case, merged by the command centre
        first = cases[0]
        text = f"{first.description}，我是邻居，也反映一下"
        call = Report(description=text, source="hotline")
        again = intake.report(store, ontology=ontology, principal=GATEWAY, report=call,
                              at=now - timedelta(days=1)).event  # fmt: skip
        merge = Action(event="merge", master=first.id)
        act(store, principal=step_actor(store, again, "merge"), event_id=again.id, action=merge,
            at=now - timedelta(hours=20))  # fmt: skip
    return len(cases) + (1 if cases else 0)


def step_actor(store: GraphStore, case: EventView, event: str) -> Principal:
    """The holder of the post the step belongs to (the command centre's or the handling
    post's), saved as a demo official; the hotline account for the caller's own steps."""
    kind = ACTORS.get(event)
    org = case.dispatcher if kind == "dispatcher" else case.department if kind else None
    role = case.role if kind == "handler" else None
    rows = store.read(HOLDER, {"org": org, "role": role}) if org else []
    if not rows:
        return GATEWAY
    pid = f"demo-events-{org}-{rows[0]['role']}".lower()
    save_principal(store, id=pid, kind="official", name=pid, person=str(rows[0]["person"]))
    return principal(store, pid)
