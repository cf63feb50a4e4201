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

The table is read from tallies that the statements creating and moving cases keep in the same
statement, so they never disagree with the cases and their transition facts: by department
``:EventTally`` (one per department and UTC day of report), by street or community
``:EventPlaceTally`` (one per community and UTC day; a street sums its communities). The whole
days of the period come from them, the hours around those days from the cases. The counts that
depend on ``now`` (running cases past their deadline) are the tallied running cases less the
few whose deadline is still ahead, read through an index on ``stageDueMs``; the medians are
taken over the stage times the tallies keep, and so are the deadline suggestions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, LiteralString
from weakref import WeakKeyDictionary

from citykg.access import Principal
from citykg.access.policy import event_queue_reach
from citykg.events import queries
from citykg.events.config import load_rules
from citykg.events.models import CLOSED_STATES, DeadlineSuggestion, DepartmentKpi, StageKpi
from citykg.events.setting import setting
from citykg.events.views import EVENTS
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
    """One KPI row per group (credit codes by department, place codes by level).

    The whole UTC days of the period come from the tallies the write path keeps
    (:data:`~citykg.events.queries.KPI_TALLIES`, by place
    :data:`~citykg.events.queries.KPI_PLACE_TALLIES`), the hours before the first and after the
    last whole day from the cases."""
    event_queue_reach(principal)
    lo, hi = _ms(start), _ms(end)
    ensure_tallies(store)
    days = _whole_days(lo, hi)
    reads = TALLY_READS["department" if by == "department" else "place"]
    ranges = [[lo, hi]] if days is None else _edges(lo, hi, days)
    params: dict[str, Any] = {
        "ranges": ranges, "now": _ms(now), "groups": list(groups),
        "byPlace": by != "department", "length": LENGTHS.get(by, 0),
        "closedStates": list(CLOSED_STATES),
        "finalStates": [*CLOSED_STATES, "merged"],
    }  # fmt: skip
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    stages: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)

    def stage(g: str, name: str) -> dict[str, Any]:
        """``left``: the times of visits that left the stage; ``more`` visits left besides,
        with their ``median`` (only when ``left`` is empty: the tallies' own median)."""
        return stages[g].setdefault(name, {"left": [], "more": 0, "median": None, "late": 0,
                                           "running": 0, "lateRunning": 0})  # fmt: skip

    # the independent reads at once (the server answers reads on several threads)
    edges = [queries.KPI_COUNTS, queries.KPI_STAGES, queries.KPI_RUNNING] if ranges else []
    calls: list[tuple[LiteralString, dict[str, Any]]] = [(q, params) for q in edges]
    if days is not None:
        span = {"fromDay": days[0], "toDay": days[1], "groups": params["groups"],
                "length": params["length"]}  # fmt: skip
        ahead = {"now": params["now"], "from": days[0] * DAY_MS, "to": days[1] * DAY_MS,
                 "groups": params["groups"], "runningStates": list(RUNNING),
                 "length": params["length"]}  # fmt: skip
        calls += [(reads.tallies, span), (reads.due_later, ahead)]
    codes = sorted({g for g in groups if g}) if by == "department" else []
    if codes:  # as views.names_of reads them
        calls.append((queries.ORGANIZATION_NAMES, {"codes": codes}))
    found = dict(zip([q for q, _ in calls], _read_all(store, calls), strict=True))
    for r in found.get(queries.KPI_COUNTS, []):
        for k in COUNTS:
            counts[r["grp"]][k] += int(r[k] or 0)
    for r in found.get(queries.KPI_STAGES, []):
        s = stage(r["grp"], r["stage"])
        s["left"] += list(r["durations"])
        s["late"] += int(r["lateLeft"])
    for r in found.get(queries.KPI_RUNNING, []):
        s = stage(r["grp"], r["stage"])
        s["running"] += int(r["running"])
        s["lateRunning"] += int(r["lateRunning"])
    if days is not None:
        later: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        for r in found[reads.due_later]:
            later[r["grp"]][r["stage"]] = (int(r["dueLater"]), int(r["unflagged"]))
        for r in found[reads.tallies]:
            _add_tally(r, later[r["grp"]], counts[r["grp"]], stage)
        pairs = [f"{g}|{name}" for g, by_stage in stages.items()
                 for name, s in by_stage.items() if s["left"]]  # fmt: skip
        for r in store.read(reads.visits, {**span, "pairs": pairs}):
            s = stage(r["grp"], r["stage"])
            s["late"] += int(r["lateLeft"])
            if s["left"]:
                s["left"] += list(r["durations"])
            else:
                s["more"], s["median"] = int(r["left"]), r["medianMs"]
    names = {str(r["code"]): str(r["name"]) for r in found.get(queries.ORGANIZATION_NAMES, [])}
    return [_row(g, names.get(g), counts.get(g), stages.get(g, {})) for g in groups]


COUNTS = ("received", "closed", "resolved", "transferred", "unresolvable", "dispatched",
          "signedOnTime", "closedOnTime", "replied", "sentBack", "rated", "satisfied",
          "overdue")  # fmt: skip


@dataclass(frozen=True, slots=True)
class TallyReads:
    """The statements reading one kind of tally cells."""

    tallies: LiteralString
    visits: LiteralString
    due_later: LiteralString
    durations: LiteralString


TALLY_READS = {
    "department": TallyReads(queries.KPI_TALLIES, queries.KPI_TALLY_VISITS,
                             queries.KPI_DUE_LATER, queries.TALLY_DURATIONS),
    "place": TallyReads(queries.KPI_PLACE_TALLIES, queries.KPI_PLACE_TALLY_VISITS,
                        queries.KPI_PLACE_DUE_LATER, queries.PLACE_TALLY_DURATIONS),
}  # fmt: skip
RUNNING = {"accepted": "runAccepted", "dispatched": "runDispatched", "handling": "runHandling",
           "replied": "runReplied"}  # fmt: skip
"""The tallies' count of running cases with a deadline, per stage (the states neither closed
nor merged)."""
TALLY_VERSION = 2
"""1: by department; 2: by community as well."""
DAY_MS = 86_400_000
_READY: WeakKeyDictionary[GraphStore, bool] = WeakKeyDictionary()
_POOL = ThreadPoolExecutor(max_workers=6, thread_name_prefix="kpi")


def ensure_tallies(store: GraphStore) -> None:
    """Make sure the KPI tallies are there: on a graph from before them (or from an older
    tally version) they are built from the cases in one statement, once (13 s for 155k cases
    on the 100k city by department alone; migrations 0005 and 0006 do it on an upgrade); from
    then on the write path keeps them."""
    if _READY.get(store):
        return
    setting(store)  # the schema, the tallies' indexes with it
    found = store.read(queries.TALLY_STATE)
    if not found or found[0]["version"] != TALLY_VERSION:
        store.write(queries.BUILD_TALLIES, {"version": TALLY_VERSION})
    _READY[store] = True


def _whole_days(lo: int, hi: int) -> tuple[int, int] | None:
    """The UTC days wholly inside [lo, hi), as [first, last + 1); None when there is none."""
    first, end = -(-lo // DAY_MS), hi // DAY_MS
    return (first, end) if first < end else None


def _edges(lo: int, hi: int, days: tuple[int, int]) -> list[list[int]]:
    """The parts of [lo, hi) outside the whole days."""
    return [r for r in ([lo, days[0] * DAY_MS], [days[1] * DAY_MS, hi]) if r[0] < r[1]]


def _add_tally(r: dict[str, Any], later: dict[str, tuple[int, int]], counts: dict[str, int],
               stage: Any) -> None:  # fmt: skip
    """Add one group's whole-day tallies; a running case is late unless its deadline is still
    ahead (``later``: those few, per stage, read from the cases, and how many of them are not
    flagged overdue already)."""
    g = r["grp"]
    for k in COUNTS[:-1]:
        counts[k] += int(r[k] or 0)
    unflagged_ahead = sum(u for _, u in later.values())
    counts["overdue"] += int(r["flagged"] or 0) + int(r["openDue"] or 0) - unflagged_ahead
    for name, key in RUNNING.items():
        running = int(r[key] or 0)
        if running:
            s = stage(g, name)
            s["running"] += running
            s["lateRunning"] += running - later.get(name, (0, 0))[0]


def _read_all(store: GraphStore, calls: list[tuple[LiteralString, dict[str, Any]]]) -> list[Any]:
    """The rows of each read, the reads sent together."""
    if len(calls) < 2:
        return [store.read(q, p) for q, p in calls]
    return list(_POOL.map(lambda call: store.read(*call), calls))


def suggestions(store: GraphStore, *, principal: Principal, groups: Sequence[str],
                start: datetime, end: datetime, urgency: str = "3",
                by: By = "department") -> list[DeadlineSuggestion]:  # fmt: skip
    """For each stage, the share of visits done within N days for candidate N, beside the
    hours allowed now (normal urgency): the visits of the whole days of the period from the
    tallies' stage times, of the hours around them from the cases."""
    event_queue_reach(principal)
    lo, hi = _ms(start), _ms(end)
    ensure_tallies(store)
    days = _whole_days(lo, hi)
    reads = TALLY_READS["department" if by == "department" else "place"]
    params = {"ranges": [[lo, hi]] if days is None else _edges(lo, hi, days),
              "groups": list(groups), "stages": list(STAGES),
              "byPlace": by != "department", "length": LENGTHS.get(by, 0)}  # fmt: skip
    calls: list[tuple[LiteralString, dict[str, Any]]] = []
    if params["ranges"]:
        calls.append((queries.STAGE_DURATIONS, params))
    if days is not None:
        calls.append((reads.durations, {**params, "fromDay": days[0], "toDay": days[1]}))
    found: dict[str, list[Any]] = defaultdict(list)
    for rows in _read_all(store, calls):
        for r in rows:
            found[r["stage"]] += list(r["durations"])
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


def _row(group: str, name: str | None, c: dict[str, int] | None,
         stages: dict[str, dict[str, Any]]) -> DepartmentKpi:  # fmt: skip
    n = {k: int((c or {}).get(k) or 0) for k in COUNTS}
    per_stage = []
    for stage in EVENTS.states:
        s = stages.get(stage)
        if not s:
            continue
        visits = len(s["left"]) + s["more"] + s["running"]
        late = s["late"] + s["lateRunning"]
        median = s["median"] if s["more"] else _median(s["left"])
        hours = None if median is None else round(median / 3_600_000, 2)
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


def _median(values: list[Any]) -> Any:
    """Cypher's ``percentileDisc(v, 0.5)``: the ⌈n/2⌉-th smallest; None for no values."""
    found = sorted(v for v in values if v is not None)
    return found[(len(found) - 1) // 2] if found else None


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)
