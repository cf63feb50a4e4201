"""Notifications of the demo city: a street-wide notice and a building's water cut, sent by
the street office and a community worker, part of their audience having read (and confirmed)
them, one re-sent to the unread."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import LiteralString

from citykg.access import Principal, principal, save_principal
from citykg.graph import GraphStore
from citykg.ledgers import catalog_for
from citykg.notifications.inbox import mark
from citykg.notifications.models import NotificationSpec, Text
from citykg.notifications.send import ensure_notifications_schema, resend, send
from citykg.ontology import Ontology

DEMO_NOTIFICATIONS: LiteralString = "MATCH (n:Notification) RETURN count(n) AS n"
# A street office head (JD01) and a community worker (SQ05) of its first community.
SENDERS: LiteralString = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:SubdistrictOffice)-[:HAS_JURISDICTION_OVER]->"
    "(s:Subdistrict) WHERE h.until IS NULL AND h.role = 'JD01' "
    "WITH s, min(p.idNumber) AS head ORDER BY s.placeCode LIMIT 1 "
    "MATCH (w:Person)-[k:HOLDS_POST_IN]->(c:ResidentsCommittee)-[:HAS_JURISDICTION_OVER]->"
    "(m:Community) WHERE k.until IS NULL AND k.role = 'SQ05' AND m.placeCode STARTS WITH "
    "s.placeCode WITH s, head, m, min(w.idNumber) AS worker ORDER BY m.placeCode LIMIT 1 "
    "RETURN s.placeCode AS street, head, m.placeCode AS community, worker"
)
BUILDING: LiteralString = (
    "MATCH (b:Building) WHERE b.placeCode STARTS WITH $community "
    "RETURN b.placeCode AS code ORDER BY code LIMIT 1"
)
RECIPIENTS: LiteralString = (
    "MATCH (d:Delivery {notification: $id}) RETURN d.person AS person ORDER BY person"
)


def seed_demo_notifications(store: GraphStore, *, ontology: Ontology) -> int:
    """Send the demo notices unless some are there; how many were sent."""
    ensure_notifications_schema(store)
    if int(store.read(DEMO_NOTIFICATIONS)[0]["n"]):
        return 0
    found = store.read(SENDERS)
    building = store.read(BUILDING, {"community": found[0]["community"]}) if found else []
    if not building:
        return 0
    row = found[0]
    save_principal(store, id="demo-street-head", kind="official", name="街道办主任",
                   person=row["head"])  # fmt: skip
    save_principal(store, id="demo-notice-worker", kind="official", name="社区专职工作者",
                   person=row["worker"])  # fmt: skip
    head, worker = principal(store, "demo-street-head"), principal(store, "demo-notice-worker")
    catalog = catalog_for(ontology)
    start = datetime.now(UTC) - timedelta(days=2)
    street = send(store, catalog=catalog, principal=head, at=start, spec=NotificationSpec(
        title=Text(zh="冬季供暖安全提示", en="Winter heating safety"),
        body=Text(zh="请检查燃气灶具与取暖设备，保持通风。", en="Check gas and heaters."),
        scope=(row["street"],), priority="high", must_confirm=True,
        expires_at=start + timedelta(days=30), idempotency_key="demo-heating"))  # fmt: skip
    water = send(store, catalog=catalog, principal=worker, at=start, spec=NotificationSpec(
        title=Text(zh="停水通知", en="Water cut"),
        body=Text(zh="本楼明日 9:00–12:00 检修停水。", en="No water tomorrow 9–12."),
        scope=(building[0]["code"],), idempotency_key="demo-water"))  # fmt: skip
    rng = random.Random(14)
    for notice, share in ((street.notification, 0.35), (water.notification, 0.6)):
        for r in store.read(RECIPIENTS, {"id": notice}):
            if rng.random() < share:
                reader = _reader(r["person"])
                mark(store, principal=reader, notification_id=notice,
                     confirm=notice == street.notification and rng.random() < 0.7,
                     at=start + timedelta(hours=rng.randint(1, 40)))  # fmt: skip
    resend(store, principal=worker, notification_id=water.notification,
           at=start + timedelta(days=1))  # fmt: skip
    return 2


def _reader(person: str) -> Principal:
    return Principal(id=f"demo-reader-{person[-6:]}", kind="resident", name="居民", person=person)
