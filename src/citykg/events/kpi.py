"""KPIs (考核问效) per department or per place of a level, over any period, and deadline
suggestions (the seeds' "a stage allowed 5 days that everyone finishes in 2 can be set to 3").

The cohort is the cases reported in ``[start, end)``, merged duplicates left out (they follow
their case). Rates are shares of the cohort, ``None`` when nothing was there to count:

* 办结率 closed / received; 按时签收率 signed by the first sign deadline / dispatched;
  按时办结率 closed by the closing deadline / closed; 发回重办率 sent back at least once /
  replied; 满意率 满意 or 基本满意 / rated; 拖延率 cases that overran any stage (or are past
  the deadline of the stage they are in) / received, and per stage: visits that overran /
  visits (a visit still running counts once its deadline has passed);
* the median time per stage, over the visits that left it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from citykg.access import Principal
from citykg.access.policy import event_queue_reach
from citykg.events import queries
from citykg.events.config import load_rules
from citykg.events.models import CLOSED_STATES, DeadlineSuggestion, DepartmentKpi, StageKpi
from citykg.events.views import EVENTS, names_of
from citykg.graph import GraphStore

By = Literal["department", "street", "community"]
LENGTHS = {"street": 9, "community": 12}
STAGES = ("accepted", "dispatched", "handling", "replied", "closed")
CANDIDATE_DAYS = (1, 2, 3, 5, 7, 10, 15)


def departments(store: GraphStore, district: str) -> list[str]:
    """The organizations holding jurisdiction in ``district`` (its departments, street offices)."""
    return [str(r["code"]) for r in store.read(queries.DEPARTMENTS_OF, {"district": district})]


def kpis(store: GraphStore, *, principal: Principal, groups: Sequence[str], start: datetime,
         end: datetime, now: datetime, by: By = "department") -> list[DepartmentKpi]:  # fmt: skip
    """One KPI row per group (credit codes by department, place codes by level)."""
    event_queue_reach(principal)
    params: dict[str, Any] = {
        "from": _ms(start), "to": _ms(end), "now": _ms(now), "groups": list(groups),
        "byPlace": by != "department", "length": LENGTHS.get(by, 0),
        "closedStates": list(CLOSED_STATES),
        "finalStates": [*CLOSED_STATES, "merged"],
    }  # fmt: skip
    counts = {r["grp"]: r for r in store.read(queries.KPI_COUNTS, params)}
    stages: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in store.read(queries.KPI_STAGES, params):
        stages[r["grp"]][r["stage"]] = {"left": int(r["left"]), "late": int(r["lateLeft"]),
                                        "median": r["medianMs"]}  # fmt: skip
    for r in store.read(queries.KPI_RUNNING, params):
        row = stages[r["grp"]].setdefault(r["stage"], {"left": 0, "late": 0, "median": None})
        row["running"], row["lateRunning"] = int(r["running"]), int(r["lateRunning"])
    names = names_of(store, list(groups)) if by == "department" else {}
    return [_row(g, names.get(g), counts.get(g), stages.get(g, {})) for g in groups]


def suggestions(store: GraphStore, *, principal: Principal, groups: Sequence[str],
                start: datetime, end: datetime, urgency: str = "3",
                by: By = "department") -> list[DeadlineSuggestion]:  # fmt: skip
    """For each stage, the share of visits done within N days for candidate N, beside the
    hours allowed now (normal urgency)."""
    event_queue_reach(principal)
    params = {"from": _ms(start), "to": _ms(end), "groups": list(groups), "stages": list(STAGES),
              "byPlace": by != "department", "length": LENGTHS.get(by, 0)}  # fmt: skip
    found = {r["stage"]: list(r["durations"]) for r in store.read(queries.STAGE_DURATIONS, params)}
    rules = load_rules()
    out = []
    for stage in STAGES:
        durations = found.get(stage, [])
        within = {str(n): _share(sum(1 for d in durations if d <= n * 86_400_000), len(durations))
                  for n in CANDIDATE_DAYS}  # fmt: skip
        allowed = rules.deadlines.hours(stage=stage, urgency=urgency, category="")
        out.append(DeadlineSuggestion(stage=stage, visits=len(durations),
                                      within_days={k: v or 0.0 for k, v in within.items()},
                                      allowed_hours=allowed))  # fmt: skip
    return out


def _row(group: str, name: str | None, c: dict[str, Any] | None,
         stages: dict[str, dict[str, Any]]) -> DepartmentKpi:  # fmt: skip
    c = c or {}
    n = {k: int(c.get(k) or 0) for k in ("received", "closed", "resolved", "transferred",
                                          "unresolvable", "dispatched", "signedOnTime",
                                          "closedOnTime", "replied", "sentBack", "rated",
                                          "satisfied", "overdue")}  # fmt: skip
    per_stage = []
    for stage in EVENTS.states:
        s = stages.get(stage)
        if not s:
            continue
        visits = s["left"] + s.get("running", 0)
        late = s["late"] + s.get("lateRunning", 0)
        hours = None if s["median"] is None else round(s["median"] / 3_600_000, 2)
        per_stage.append(
            StageKpi(
                stage=stage,
                visits=visits,
                late=late,
                delay_rate=_share(late, visits),
                median_hours=hours,
            )
        )
    return DepartmentKpi(
        group=group, name=name, received=n["received"], closed=n["closed"],
        resolved=n["resolved"], transferred=n["transferred"], unresolvable=n["unresolvable"],
        completion_rate=_share(n["closed"], n["received"]),
        on_time_sign_rate=_share(n["signedOnTime"], n["dispatched"]),
        on_time_close_rate=_share(n["closedOnTime"], n["closed"]),
        delay_rate=_share(n["overdue"], n["received"]),
        send_back_rate=_share(n["sentBack"], n["replied"]),
        satisfaction_rate=_share(n["satisfied"], n["rated"]), stages=per_stage,
    )  # fmt: skip


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)
