"""Tasks in flight for the demo city: a district-wide elderly-care survey (老年人关爱走访)
split down to communities, partly done through the form write path, some overdue, some
returned, a few communities reported up. Its clock runs from six days ago, so stage times
and timeliness have something to show."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import LiteralString

from citykg.access import issue_token, principal, revoke_tokens, save_principal
from citykg.access.principals import Principal
from citykg.graph import GraphStore
from citykg.ledgers import catalog_for
from citykg.ontology import Ontology
from citykg.tasks.create import create_task, ensure_tasks_schema
from citykg.tasks.dispatch import dispatch
from citykg.tasks.items import act, act_many, act_on_part, execute, mine
from citykg.tasks.models import ItemSelection, SplitRule, TaskSpec, Text
from citykg.tasks.progress import progress

DEMO_CREATOR = "district"
ACTIVE_COMMUNITIES = 40
"""Communities whose workers have acted (the others' items are all pending, hence overdue)."""
ACTED_ITEMS = 10
"""Items each of those workers has touched (the demo stays quick to prepare)."""
DEMO_TASKS: LiteralString = "MATCH (t:Task {createdBy: 'district'}) RETURN count(t) AS n"
CREATOR_POST: LiteralString = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:GovernmentDepartment) WHERE h.until IS NULL "
    "AND h.role = 'BM03' AND o.name ENDS WITH '民政局' RETURN p.idNumber AS person LIMIT 1"
)
WORKERS: LiteralString = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:ResidentsCommittee)-[:HAS_JURISDICTION_OVER]->"
    "(c:Community) WHERE h.until IS NULL AND h.role = 'SQ05' "
    "WITH c, min(p.idNumber) AS person RETURN c.placeCode AS community, person ORDER BY community"
)
# The item's person and someone living with them now (the emergency contact the demo gives).
SUBJECT: LiteralString = (
    "MATCH (i:TaskItem {id: $id})-[:ABOUT]->(x:Person)-[r:RESIDES_IN]->(d:Place) "
    "WHERE r.until IS NULL "
    "MATCH (y:Person)-[s:RESIDES_IN]->(d) WHERE s.until IS NULL AND y.idNumber <> x.idNumber "
    "RETURN x.name AS name, y.idNumber AS contact, y.name AS contactName LIMIT 1"
)


def seed_demo_tasks(store: GraphStore, *, ontology: Ontology) -> dict[str, str]:
    """Create and move the demo survey unless it is there; a fresh API token for its creator
    (a district civil-affairs section chief)."""
    ensure_tasks_schema(store)
    found = store.read(CREATOR_POST)
    if not found:
        return {}
    creator = _official(store, DEMO_CREATOR, "民政局科长", found[0]["person"])
    if not int(store.read(DEMO_TASKS)[0]["n"]):
        _survey(store, ontology, creator)
    revoke_tokens(store, principal_id=DEMO_CREATOR)
    return {DEMO_CREATOR: issue_token(store, principal_id=DEMO_CREATOR, label="demo")}


def _survey(store: GraphStore, ontology: Ontology, creator: Principal) -> None:
    start = datetime.now(UTC) - timedelta(days=6)
    spec = TaskSpec(
        title=Text(zh="老年人关爱走访", en="Elderly-care survey"),
        description=Text(zh="走访辖区 60 岁以上老年人，登记健康状况与照护需求。",
                         en="Visit every resident aged 60 and over: health and care needs."),
        form="elderly-health-check", scope=tuple(creator.scope.roots),
        split=SplitRule(levels=("street", "community"), filters=("age:gte:60",)),
        deadline=start + timedelta(days=9),
        level_deadlines={"community": start + timedelta(days=5)},
    )  # fmt: skip
    catalog = catalog_for(ontology)
    task = create_task(store, catalog=catalog, principal=creator, spec=spec, at=start)
    dispatch(store, catalog=catalog, principal=creator, task_id=task.id, at=start)
    rng = random.Random(13)
    for n, row in enumerate(store.read(WORKERS)[:ACTIVE_COMMUNITIES]):
        worker = _official(store, f"demo-sq05-{n}", "社区专职工作者", row["person"])
        items = mine(store, principal=worker, limit=ACTED_ITEMS)
        for k, item in enumerate(items):
            at = start + timedelta(hours=rng.randint(4, 110))
            share = k / max(1, len(items))
            filled = share < 0.3 + 0.4 * rng.random()
            if filled and _fill(store, ontology, worker, item.id, at, rng):
                continue
            if share < 0.8:
                act(store, principal=worker, item_id=item.id, event="start", at=at)
        if n % 4 == 1 and items:
            act_many(store, principal=worker, task_id=task.id, event="return_invalid",
                     reason=rng.choice(["moved_away", "wrong_address", "duplicate"]),
                     selection=ItemSelection(ids=(items[-1].id,)),
                     at=start + timedelta(days=4))  # fmt: skip
        if n % 3 == 0:
            own = progress(store, principal=worker, task_id=task.id).nodes
            for node in own:
                act_on_part(store, principal=worker, part_id=node.part, event="report",
                            at=start + timedelta(days=5))  # fmt: skip


def _fill(
    store: GraphStore, ontology: Ontology, worker: Principal, item: str, at: datetime,
    rng: random.Random,
) -> bool:  # fmt: skip
    """Fill the item as its worker would, with a housemate as emergency contact (False: the
    person lives alone, so the demo leaves the item for later)."""
    found = store.read(SUBJECT, {"id": item})
    if not found:
        return False
    subject = found[0]
    act(store, principal=worker, item_id=item, event="start",
        at=at - timedelta(hours=rng.randint(1, 3)))  # fmt: skip
    answers = {
        "name": subject["name"], "gender": rng.choice("12"),
        "health_status": rng.choice(["1", "2", "3"]), "has_family_doctor": rng.random() < 0.6,
        "emergency_contact": {"id_number": subject["contact"], "name": subject["contactName"],
                              "phone": f"139{rng.randint(10_000_000, 99_999_999)}",
                              "relation": rng.choice(["20", "30", "99"])},
    }  # fmt: skip
    execute(store, ontology=ontology, principal=worker, item_id=item, answers=answers,
            submission_id=f"demo-{item}", at=at)  # fmt: skip
    return True


def _official(store: GraphStore, pid: str, name: str, person: str) -> Principal:
    save_principal(store, id=pid, kind="official", name=name, person=person)
    return principal(store, pid)
