"""KPIs equal direct counts over the recorded transition facts; an overdue case counts in
拖延率; deadline suggestions are shares of stage visits done within N days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from citykg import events
from citykg.events import Action, Report, kpi, queries
from citykg.events.config import load_rules
from citykg.events.kpi import TALLY_VERSION, departments, ensure_tallies, kpis, suggestions
from citykg.events.models import CLOSED_STATES
from citykg.graph import GraphStore
from citykg.workflow import history
from tests.events.conftest import STREETS, EventCity

START = datetime(2025, 6, 1, tzinfo=UTC)
END = datetime(2025, 7, 1, tzinfo=UTC)
NOW = datetime(2025, 6, 30, tzinfo=UTC)
H = timedelta(hours=1)

# (hours after report of each step; sign at 30h overruns the 24h dispatched deadline)
SCRIPTS = {
    "fast": [
        ("dispatch", 1),
        ("sign", 2),
        ("reply", 20),
        ("close", 21),
        ("visit", 22),
        ("rate1", 23),
    ],
    "late_sign": [("dispatch", 1), ("sign", 30), ("reply", 40), ("close", 41), ("rate3", 50)],
    "sent_back": [
        ("dispatch", 1),
        ("sign", 2),
        ("reply", 5),
        ("send_back", 6),
        ("reply", 9),
        ("close", 10),
    ],
    "open": [("dispatch", 1), ("sign", 2)],
    "waiting": [("dispatch", 1)],  # never signed: past its deadline at NOW
}


def run(city: EventCity, script: str, at: datetime) -> str:
    case = events.report(
        city.store,
        ontology=city.ontology,
        principal=city.residents[0],
        report=Report(description="门口有人占道经营", place=city.doors[0]),
        at=at,
    ).event
    for step, hours in SCRIPTS[script]:
        who, action = {
            "dispatch": (city.centre, Action(event="dispatch")),
            "sign": (city.street, Action(event="sign")),
            "reply": (city.street, Action(event="reply", reply="已处理")),
            "send_back": (city.centre, Action(event="send_back", reason="未处理到位")),
            "close": (city.centre, Action(event="close", closure="resolved")),
            "visit": (city.centre, Action(event="visit")),
            "rate1": (city.residents[0], Action(event="rate", satisfaction="1")),
            "rate3": (city.residents[0], Action(event="rate", satisfaction="3")),
        }[step]
        events.act(city.store, principal=who, event_id=case.id, action=action, at=at + hours * H)
    return case.id


def test_kpis_equal_direct_counts(city: EventCity) -> None:
    ids = [
        run(city, script, START + timedelta(days=i))
        for i, script in enumerate(["fast", "late_sign", "sent_back", "open", "waiting", "fast"])
    ]
    department = events.detail(city.store, city.centre, ids[0], now=NOW)[0].department
    assert department
    [row] = kpis(
        city.store, principal=city.centre, groups=[department], start=START, end=END, now=NOW
    )
    facts = {i: history(city.store, item=i) for i in ids}
    states = {i: f[-1]["to"] for i, f in facts.items()}
    closed = [i for i, s in states.items() if s in ("closed", "visited", "rated")]
    assert (row.received, row.closed) == (len(ids), len(closed)) == (6, 4)
    assert row.completion_rate == round(4 / 6, 4)
    late_leaving = {
        (i, f["from"])
        for i, fs in facts.items()
        for f in fs[1:]
        if f["from"] != f["to"] and f["atMs"] > f.get("dueMs", f["atMs"])
    }
    assert late_leaving == {(ids[1], "dispatched")}
    hours = load_rules().deadlines.hours
    still_late = {
        i
        for i, fs in facts.items()
        if i not in closed
        and fs[-1]["atMs"] + 3_600_000 * (hours(stage=states[i], urgency="3", category="0504") or 0)
        < NOW.timestamp() * 1000
    }  # the open and the waiting case are past their stage's deadline now
    assert len(still_late) == 2
    assert row.delay_rate == round(len({i for i, _ in late_leaving} | still_late) / 6, 4)
    dispatched = next(s for s in row.stages if s.stage == "dispatched")
    visits = sum(1 for fs in facts.values() for f in fs[1:] if f["from"] == "dispatched")
    assert (dispatched.visits, dispatched.late) == (visits + 1, 2)  # + the one still waiting
    signed_on_time = sum(
        1
        for i in ids
        if any(f["event"] == "sign" and f["atMs"] <= f.get("dueMs", 0) for f in facts[i])
    )
    assert row.on_time_sign_rate == round(signed_on_time / 6, 4)
    replied = [i for i in ids if any(f["event"] == "reply" for f in facts[i])]
    sent = [i for i in ids if any(f["event"] == "send_back" for f in facts[i])]
    assert row.send_back_rate == round(len(sent) / len(replied), 4)
    assert row.satisfaction_rate == round(2 / 3, 4)  # two 满意 of three ratings
    handling = sorted(
        f["atMs"] - f["sinceMs"]
        for fs in facts.values()
        for f in fs[1:]
        if f["from"] == "handling" and f["to"] != "handling"
    )
    median = next(s for s in row.stages if s.stage == "handling").median_hours
    assert median == round(handling[(len(handling) - 1) // 2] / 3_600_000, 2)
    advice = {
        s.stage: s
        for s in suggestions(
            city.store, principal=city.centre, groups=[department], start=START, end=END
        )
    }
    assert advice["handling"].visits == len(handling)
    assert advice["handling"].within_days["1"] == round(
        sum(1 for d in handling if d <= 86_400_000) / len(handling), 4
    )


TALLIES = "MATCH (t:EventTally) RETURN properties(t) AS t"
PLACE_TALLIES = "MATCH (t:EventPlaceTally) RETURN properties(t) AS t"


def tallies(store: GraphStore) -> dict[str, tuple[dict[str, Any], list[tuple[Any, ...]]]]:
    """Each cell's counters and its stage visits (in any order), by department and by
    community; a cell emptied by a move (all zero, no visits) is the same as no cell."""
    found = {}
    for kind, query in (("department", TALLIES), ("place", PLACE_TALLIES)):
        for r in store.read(query):
            t = dict(r["t"])
            visits = sorted(zip(*(t.pop(k, []) for k in VISITS), strict=True))
            counters = {k: v for k, v in t.items() if v}
            if visits or set(counters) - {"key", "department", "place", "day"}:
                found[f"{kind}:{t['key']}"] = (counters, visits)
    return found


VISITS = ("visitCase", "visitStage", "visitMs", "visitLate")
CASE_PLACES = (
    "MATCH (e:Event) WHERE e.placeCode IS NOT NULL AND e.state IS NOT NULL "
    "RETURN DISTINCT e.placeCode AS code"
)


def test_tallies_equal_a_direct_count_after_every_kind_of_move(
    city: EventCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counters the write path keeps equal the same counters built afresh from the cases,
    after intake, moves, a re-dispatch to another department, a merge and a reopen; the KPI
    table read from them equals the one counted from the cases, over whole and partial days."""
    ensure_tallies(city.store)
    assert list(CLOSED_STATES) == ["closed", "visited", "rated"]  # the tallies' literal
    start = datetime(2025, 8, 1, 7, 30, tzinfo=UTC)
    ids = [run(city, s, start + timedelta(days=i, hours=3 * i)) for i, s in enumerate(SCRIPTS)]
    fast, late, _, open_, waiting = ids
    other = next(
        g
        for g in departments(city.store, "110105")
        if g != events.detail(city.store, city.centre, waiting, now=NOW)[0].department
    )
    act = events.act
    at = start + timedelta(days=6)
    act(city.store, principal=city.centre, event_id=waiting, at=at,
        action=Action(event="redispatch", department=other, reason="非本单位职责"))  # fmt: skip
    act(city.store, principal=city.street_head, event_id=open_, at=at + H,
        action=Action(event="supervise", reason="请加快办理"))  # fmt: skip
    act(city.store, principal=city.residents[0], event_id=late, at=at + 2 * H,
        action=Action(event="reopen", reason="没有修好"))  # fmt: skip
    again = run(city, "waiting", start + timedelta(days=2))
    act(city.store, principal=city.centre, event_id=again, at=at + 3 * H,
        action=Action(event="merge", master=fast))  # fmt: skip
    kept = tallies(city.store)
    assert {k.split(":")[0] for k in kept} == {"department", "place"}
    city.store.write(queries.BUILD_TALLIES, {"version": TALLY_VERSION})
    assert tallies(city.store) == kept
    groups = departments(city.store, "110105")
    now = start + timedelta(days=9)
    periods = [
        (start, start + timedelta(days=10)),  # partial first and last day
        (datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 8, 9, tzinfo=UTC)),  # whole days
        (start + timedelta(days=2, hours=1), start + timedelta(days=2, hours=9)),  # no whole day
    ]
    places = {str(r["code"]) for r in city.store.read(CASE_PLACES)}
    assert any(len(code) > 12 for code in places)  # cases below their community
    views: list[tuple[kpi.By, list[str]]] = [
        ("department", groups),
        ("street", sorted({code[:9] for code in places} | set(STREETS))),
        ("community", sorted({code[:12] for code in places})),
    ]

    def tables() -> list[Any]:
        return [
            kpis(city.store, principal=city.centre, groups=g, start=a, end=b, now=now, by=by)
            for by, g in views
            for a, b in periods
        ] + [
            suggestions(city.store, principal=city.centre, groups=g, start=a, end=b, by=by)
            for by, g in views
            for a, b in periods
        ]

    read = tables()
    monkeypatch.setattr(kpi, "_whole_days", lambda lo, hi: None)
    counted = tables()
    assert read == counted
    assert sum(r.received for r in read[0]) == len(ids)  # the merged one follows its case
    assert {r.group for r in read[0] if r.received} >= {other}
    by_street, by_community = read[len(periods)], read[2 * len(periods)]
    assert sum(r.received for r in by_street) == sum(r.received for r in by_community) == len(ids)
    assert sum(s.visits for s in read[3 * len(periods)]) > 0  # suggestions from stage visits
