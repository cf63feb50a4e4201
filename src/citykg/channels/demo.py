"""Channels of the demo city: a district's, a street's and a community's, with requests in
every state, so the resident's list, the handlers' queue and the statistics have something
to show. The service form they use is saved here (a resident updates their own contact and
health facts: written by the form write path, never held)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

from citykg.access import Principal, principal, save_principal
from citykg.channels.manage import create_channel, ensure_channels_schema
from citykg.channels.models import ChannelSpec, RequestIn, Text
from citykg.channels.requests import act_on_request, request_service
from citykg.controls import save_form
from citykg.controls.models import parse_form
from citykg.errors import NotFound
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.ledgers import catalog_for
from citykg.ontology import Ontology

SERVICE_FORM: dict[str, Any] = {
    "id": "resident-service",
    "version": 1,
    "title": {"zh": "居民服务申请", "en": "Resident service request"},
    "description": {"zh": "申请服务时核对本人联系电话与健康状况。",
                    "en": "A service request confirms the resident's phone and health."},
    "subject": "Resident",
    "language": "zh",
    "fields": [
        {"name": "id_number", "term": "idNumber"},
        {"name": "name", "term": "personName"},
        {"name": "mobile_phone", "term": "mobilePhone"},
        {"name": "health_status", "kind": "choice", "term": "personHealthStatus"},
    ],
}  # fmt: skip
SYSTEM = Principal(id="system:demo", kind="service", name="演示数据", scope=PlaceScope.everywhere())
DEMO_CHANNELS: LiteralString = "MATCH (c:Channel) RETURN count(c) AS n"
# The first community with a worker (SQ05) and the holders of channel-managing posts over it:
# its committee's director (SQ01), its street office's head (JD01), a district bureau's (BM01).
COMMUNITIES: LiteralString = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:ResidentsCommittee)-[:HAS_JURISDICTION_OVER]->"
    "(c:Community) WHERE h.until IS NULL AND h.role = 'SQ05' "
    "WITH c, min(p.idNumber) AS worker ORDER BY c.placeCode LIMIT 1 "
    "MATCH (a:Person)-[ha:HOLDS_POST_IN]->(:ResidentsCommittee)-[:HAS_JURISDICTION_OVER]->(c) "
    "WHERE ha.until IS NULL AND ha.role = 'SQ01' "
    "MATCH (b:Person)-[hb:HOLDS_POST_IN]->(:SubdistrictOffice)-[:HAS_JURISDICTION_OVER]->"
    "(s:Subdistrict) WHERE hb.until IS NULL AND hb.role = 'JD01' "
    "AND c.placeCode STARTS WITH s.placeCode "
    "MATCH (d:Person)-[hd:HOLDS_POST_IN]->(:GovernmentDepartment)-[:HAS_JURISDICTION_OVER]->"
    "(t:District) WHERE hd.until IS NULL AND hd.role = 'BM01' "
    "AND c.placeCode STARTS WITH t.placeCode "
    "RETURN c.placeCode AS community, worker, min(a.idNumber) AS director, "
    "min(b.idNumber) AS head, min(d.idNumber) AS bureau"
)
# Residents of a community (requesters of the demo), oldest first.
RESIDENTS: LiteralString = (
    "MATCH (p:Person)-[r:RESIDES_IN]->(d:Door) WHERE r.until IS NULL "
    "AND d.placeCode STARTS WITH $community "
    "RETURN p.idNumber AS person, p.name AS name, p.birthDate AS born ORDER BY born LIMIT $limit"
)


DEMO_STEPS: tuple[tuple[tuple[str, str | None], ...], ...] = (
    (),
    (("accept", None),),
    (("accept", None), ("reply", "已收到，正在安排。")),
    (("accept", None), ("start", None), ("finish", "已上门服务，办结。")),
    (("decline", "不符合申请条件。"),),
)
"""How far the demo's requests have got: received, accepted, answered, done, declined."""


def save_service_form(store: GraphStore, *, ontology: Ontology) -> None:
    """The form the demo channels (and their tests) use."""
    save_form(store, ontology=ontology, form=parse_form(SERVICE_FORM), principal=SYSTEM)


def seed_demo_channels(store: GraphStore, *, ontology: Ontology) -> int:
    """Open the demo channels and file requests unless channels are there; how many opened."""
    ensure_channels_schema(store)
    if int(store.read(DEMO_CHANNELS)[0]["n"]):
        return 0
    found = store.read(COMMUNITIES)
    if not found:
        return 0
    save_service_form(store, ontology=ontology)
    catalog = catalog_for(ontology)
    start = datetime.now(UTC) - timedelta(days=5)
    community = str(found[0]["community"])
    specs = [
        _spec("居家养老服务申请", "Home care for the elderly", "养老", community[:6],
              conditions=("age:gte:60",), limit="per_period", period_days=30),
        _spec("居住证明开具", "Proof of residence", "证明", community[:9], limit="unlimited"),
        _spec("楼道照明报修", "Stairwell lighting repair", "报修", community, review=False),
    ]  # fmt: skip
    managers = [_official(store, f"demo-channel-{key}", str(found[0][key]))
                for key in ("bureau", "head", "director")]  # fmt: skip
    channels = [create_channel(store, catalog=catalog, principal=who, spec=spec, at=start)
                for who, spec in zip(managers, specs, strict=True)]  # fmt: skip
    worker = _official(store, "demo-channel-handler", str(found[0]["worker"]))
    rows = store.read(RESIDENTS, {"community": community, "limit": 12})
    for n, row in enumerate(rows):
        resident = _resident(f"demo-resident-{n}", str(row["person"]))
        channel = channels[n % len(channels)]
        at = start + timedelta(hours=6 * n)
        try:
            view = request_service(store, ontology=ontology, catalog=catalog, principal=resident,
                                   channel_id=channel.id, at=at, request_id=f"demo-request-{n}",
                                   body=RequestIn(answers={"id_number": row["person"],
                                                           "name": row["name"],
                                                           "health_status": "1"}))  # fmt: skip
        except NotFound:  # a resident the channel's conditions leave out (under 60)
            continue
        _advance(store, worker, view.id, view.state, n, at)
    return len(channels)


def _advance(store: GraphStore, worker: Principal, request: str, state: str, n: int,
             at: datetime) -> None:  # fmt: skip
    """Move the demo request along: some stay received, others are answered, done, declined."""
    steps = DEMO_STEPS[n % len(DEMO_STEPS)]
    for k, (event, text) in enumerate(steps):
        if state != "received" and event == "accept":
            continue
        act_on_request(store, principal=worker, request_id=request, event=event, text=text,
                       at=at + timedelta(hours=3 * (k + 1)))  # fmt: skip


def _spec(zh: str, en: str, category: str, place: str, **changes: Any) -> ChannelSpec:
    values: dict[str, Any] = {
        "title": Text(zh=zh, en=en), "category": category, "form": SERVICE_FORM["id"],
        "places": (place,), "roles": ("SQ05",),
    }  # fmt: skip
    values.update(changes)
    return ChannelSpec.model_validate(values)


def _official(store: GraphStore, pid: str, person: str) -> Principal:
    save_principal(store, id=pid, kind="official", name="社区专职工作者", person=person)
    return principal(store, pid)


def _resident(pid: str, person: str) -> Principal:
    return Principal(id=pid, kind="resident", name="居民", person=person)
