"""Intake (一门受理): every report through one door, located, classified, routed, checked for
duplicates, validated by the ontology's compiled validators and written in one statement.

A report becomes an instance of the Event class its source maps to (``HotlineCase``,
``Complaint``, ``Incident``, ``SensorAlarm``), linked to its place (``OCCURRED_AT``), its
reporter (``REPORTED_BY``, a resident's own person) and the thing it concerns
(``CONCERNS_THING``), with its intake recorded as the first transition fact. Bad input (an
unknown category or place code) is a ValidationFailed naming the field; nothing is written.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from citykg.access import Principal
from citykg.access.policy import may_report_event
from citykg.errors import ValidationFailed, Violation
from citykg.events import duplicates, queries
from citykg.events.classify import Classification, classify
from citykg.events.config import EventRules, load_rules
from citykg.events.duplicates import Candidate
from citykg.events.locate import NOWHERE, Location
from citykg.events.models import STATUS_CODES, CandidateView, IntakeView, Report
from citykg.events.routing import Routing
from citykg.events.setting import Setting, setting
from citykg.events.views import Case, names_of, view
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with
from citykg.ontology import Ontology, compile_validators
from citykg.ontology.instances import instance_from_graph


@dataclass(frozen=True, slots=True)
class Planned:
    """One report made ready to write: its row, and what intake found out about it."""

    row: dict[str, Any]
    event_class: str
    location: Location
    classification: Classification
    routing: Routing
    ask: duplicates.Ask
    candidates: list[Candidate]


def report(store: GraphStore, *, ontology: Ontology, principal: Principal, report: Report,
           at: datetime) -> IntakeView:  # fmt: skip
    """Take one report; the intake view (with duplicate candidates, never merged)."""
    return report_many(store, ontology=ontology, principal=principal, reports=[report], at=at)[0]


def report_many(store: GraphStore, *, ontology: Ontology, principal: Principal,
                reports: Sequence[Report], at: datetime) -> list[IntakeView]:  # fmt: skip
    """Take many reports in one statement per event class; all are checked before any is
    written, so one bad report writes none (its violations name ``reports[i].field``)."""
    may_report_event(principal).ensure()
    rules = load_rules()
    here = setting(store)
    validators = compile_validators(ontology)
    plans: list[Planned] = []
    problems: list[Violation] = []
    for i, item in enumerate(reports):
        try:
            plans.append(_plan(store, here, rules, ontology, principal, item, at))
        except ValidationFailed as exc:
            prefix = f"reports[{i}]." if len(reports) > 1 else ""
            problems += [Violation(prefix + v.path, v.message, v.message_zh, value=v.value)
                         for v in exc.violations]  # fmt: skip
            continue
        ontology_props = {k: v for k, v in plans[-1].row["props"].items() if k in _ONTOLOGY_KEYS}
        found = validators.validate(
            instance_from_graph(ontology, plans[-1].event_class, ontology_props)
        )
        problems += found
    if problems:
        raise ValidationFailed(problems)
    # the candidates (cases reported before ``at``) and the names are read while the batch is
    # written: the statements do not depend on each other, and the ranking runs meanwhile
    asks = [p.ask for p in plans]
    nearby = _POOL.submit(duplicates.candidates, store, rules=rules.duplicates, asks=asks)
    names = _POOL.submit(names_of, store, [p.routing.department for p in plans])
    try:
        by_class: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for plan in plans:
            by_class[plan.event_class].append(plan.row)
        for cls, rows in by_class.items():
            a, b = (*[n for n in ontology.graph_labels(ontology.class_named(cls)) if n != "Event"],
                    cls)[:2]  # fmt: skip
            linked = any(r["reporter"] is not None or r["thing"] is not None for r in rows)
            create = queries.CREATE_EVENTS if linked else queries.CREATE_PLACED_EVENTS
            store.write(cypher_with(create, a=a, b=b), {"rows": rows})
    finally:
        wait([nearby])
        wait([names])
    plans = [replace(plan, candidates=near)
             for plan, near in zip(plans, nearby.result(), strict=True)]  # fmt: skip
    return [_intake_view(plan, principal, at, names.result()) for plan in plans]


_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="intake")
"""Reads sent beside a batch's write (two a request: several requests at once wait here)."""


_ONTOLOGY_KEYS = frozenset({
    "eventCode", "title", "description", "category", "source", "status", "urgency",
    "reportedAt", "acceptedAt", "address", "latitude", "longitude", "serviceCode",
    "reporterName", "reporterPhone", "anonymous", "replyRequested", "expectedAt",
    "acceptDue", "dispatchDue", "closeDue", "updatedAt", "statusNotes", "agencyResponsible",
})  # fmt: skip


def _plan(store: GraphStore, here: Setting, rules: EventRules, ontology: Ontology,
          principal: Principal, item: Report, at: datetime) -> Planned:  # fmt: skip
    location, here = _located(store, here, item)
    text = " ".join(t for t in (item.title, item.description) if t)
    classification = classify(ontology, rules, text=text, source=item.source,
                              picked=item.category)  # fmt: skip
    routing = here.directory.route(rules, category=classification.category, place=location.place)
    lat, lon = item.lat, item.long
    ask = duplicates.Ask(text, classification.category, location, lat, lon, at)
    event_id = f"SJ{at:%Y%m%d}{uuid.uuid4().hex[:10].upper()}"
    hours = rules.deadlines.hours
    stage_due = at + timedelta(hours=hours(stage="accepted", urgency=item.urgency,
                                           category=classification.category) or 0)  # fmt: skip
    to_close = sum(hours(stage=s, urgency=item.urgency, category=classification.category) or 0
                   for s in ("accepted", "dispatched", "handling", "replied"))  # fmt: skip
    close_due = at + timedelta(hours=to_close)
    at_ms = int(at.timestamp() * 1000)
    title = item.title or _title(item.description)
    props: dict[str, Any] = {
        "eventCode": event_id, "id": event_id, "title": title, "description": item.description,
        "category": classification.category, "source": rules.sources[item.source],
        "status": STATUS_CODES["accepted"], "urgency": item.urgency,
        "reportedAt": at.isoformat(), "acceptedAt": at.isoformat(), "updatedAt": at.isoformat(),
        "anonymous": item.anonymous, "replyRequested": item.reply_requested,
        "acceptDue": stage_due.isoformat(), "closeDue": close_due.isoformat(),
        "expectedAt": close_due.isoformat(),
        "eventClass": classification.event_class, "categoryPicked": classification.picked,
        "state": "accepted", "version": 0, "stateSince": at.isoformat(), "stateSinceMs": at_ms,
        "reportedAtMs": at_ms, "stageDue": stage_due.isoformat(),
        "stageDueMs": int(stage_due.timestamp() * 1000),
        "closeDueMs": int(close_due.timestamp() * 1000),
        "stages": ["accepted"], "locateMethod": location.method,
        "locateConfidence": location.confidence, "alternatives": list(location.alternatives),
    }  # fmt: skip
    optional = {
        "address": item.address, "latitude": lat, "longitude": lon,
        "serviceCode": item.service_code, "reporterName": item.reporter_name,
        "reporterPhone": item.reporter_phone, "categoryWord": classification.matched,
        "placeCode": location.place, "department": routing.department, "role": routing.role,
        "dispatcher": routing.dispatcher,
        "dupPlace": duplicates.place_key(location.compound_or_community or location.place,
                                         classification.category),
        "dupCell": duplicates.cell_key(lat, lon, classification.category,
                                       radius_m=rules.duplicates.radius_m),
    }  # fmt: skip
    props |= {k: v for k, v in optional.items() if v is not None}
    fact = {
        "id": uuid.uuid4().hex, "kind": "event", "item": event_id, "event": "report",
        "to": "accepted", "by": principal.id, "at": at.isoformat(), "atMs": at_ms,
        "note": f"source {item.source}", "month": f"{at:%Y-%m}",
        "department": routing.department or "", "place": location.place or "",
        "within": f"{routing.department or routing.dispatcher or ''}|{at:%Y-%m}",
    }  # fmt: skip
    row = {
        "props": props, "fact": fact, "place": location.place,
        "located": {k: v for k, v in {"address": item.address or location.matched or None,
                                      "lat": lat, "long": lon,
                                      "parsed": location.method == "text"}.items()
                    if v is not None},
        "reporter": principal.person if principal.kind == "resident" else None,
        "report": {"channel": rules.channels[item.source], "reportedAt": at.isoformat(),
                   "anonymous": item.anonymous, "wantsReply": item.reply_requested},
        "thing": item.thing,
    }  # fmt: skip
    return Planned(row, classification.event_class, location, classification, routing, ask, [])


def _located(store: GraphStore, here: Setting, item: Report) -> tuple[Location, Setting]:
    """The report's place; one not found in the cached setting is looked for again in a fresh
    one (a building added seconds ago is known, not refused until the cache's next check)."""
    try:
        found = _locate(here.locator, item)
    except ValidationFailed:
        found = NOWHERE
    if found.place is not None:
        return found, here
    fresh = setting(store, fresh=True)
    return _locate(fresh.locator, item), fresh


def _locate(locator: Any, item: Report) -> Location:
    if item.place:
        found: Location = locator.at_code(item.place.strip())
        if found.place is None:
            raise ValidationFailed([Violation(
                "place", f"unknown place code {item.place!r}", f"未知的地点编码 {item.place!r}",
                value=item.place)])  # fmt: skip
        return found
    if item.lat is not None and item.long is not None:
        found = locator.at_point(item.lat, item.long)
        if found.place is not None:
            return found
    for text in (item.address, item.description):
        if text:
            found = locator.in_text(text, within=item.within)
            if found.place is not None:
                return found
    return NOWHERE


def _title(description: str) -> str:
    return description.strip().replace("\n", " ")[:40]


def _intake_view(plan: Planned, principal: Principal, at: datetime,
                 names: dict[str, str]) -> IntakeView:  # fmt: skip
    case = Case(dict(plan.row["props"]), tuple(p for p in [plan.row["reporter"]] if p), None, ())
    loc = plan.location
    return IntakeView(
        event=view(case, principal, now=at, names=names),
        locate={"method": loc.method, "place": loc.place, "confidence": loc.confidence,
                "community": loc.community, "compound": loc.compound, "building": loc.building,
                "alternatives": list(loc.alternatives), "matched": loc.matched},
        routed=plan.routing.routed,
        candidates=[CandidateView(id=c.id, title=c.title, state=c.state, place=c.place,
                                  reported_at=c.reported_at, score=c.score,
                                  text_similarity=c.text_similarity)
                    for c in plan.candidates],
    )  # fmt: skip
