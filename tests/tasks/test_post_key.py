"""Items are found by the key of the post they are assigned to (``TaskItem.post``), kept right by
every write that changes an item's organization or role, and set on older graphs by migration
0004; the returned list is read a page at a time with its total."""

from __future__ import annotations

from pathlib import Path

from citykg.access import Principal
from citykg.graph import GraphStore
from citykg.graph.migrations import Migration, discover
from citykg.settings import Settings
from citykg.tasks import (
    ItemSelection,
    SplitRule,
    act,
    act_many,
    create_task,
    dispatch,
    mine,
    progress,
    reassign,
    returned_to_me,
    split_part,
    transfer,
)
from citykg.tasks.models import post_key
from tests.controls.scenario import SERVICE
from tests.tasks.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, TaskCity
from tests.tasks.test_tasks import T0, dispatched, spec

BY_POST = "MATCH (i:TaskItem {post: $post}) RETURN i.id AS id"
KEYS = "MATCH (i:TaskItem) RETURN i.id AS id, i.organization AS o, i.role AS r, i.post AS post"
ADD_POST = (
    "MATCH (n:Person {idNumber: $person}), (o:Organization {creditCode: $org}) "
    "CREATE (n)-[:HOLDS_POST_IN {role: $role, since: '2026-11-01', tags: []}]->(o)"
)


def by_post(store: GraphStore, organization: str, role: str) -> set[str]:
    return {str(r["id"]) for r in store.read(BY_POST, {"post": post_key(organization, role)})}


def assert_keys_right(store: GraphStore) -> None:
    """Every item's key is its organization and role (none without both)."""
    for row in store.read(KEYS):
        assert row["post"] == post_key(row["o"], row["r"]), row


def role_of(city: TaskCity, community: str) -> str:
    (post,) = [p for p in city.workers[community].posts
               if p.organization == city.committees[community]]  # fmt: skip
    return post.role


def test_items_are_found_by_their_post_after_dispatch_reassign_transfer_and_a_post_change(
    city: TaskCity,
) -> None:
    dispatched(city)
    a1, a2 = city.workers[COMMUNITY_A1], city.workers[COMMUNITY_A2]
    org1, org2 = city.committees[COMMUNITY_A1], city.committees[COMMUNITY_A2]
    role1, role2 = role_of(city, COMMUNITY_A1), role_of(city, COMMUNITY_A2)
    dispatched_a1 = {i.id for i in mine(city.store, principal=a1)}
    assert len(dispatched_a1) >= 3
    assert by_post(city.store, org1, role1) == dispatched_a1  # dispatch
    assert_keys_right(city.store)

    first, second, third = sorted(dispatched_a1)[:3]
    reassign(city.store, principal=city.street_a, item_id=first, part_id=_part(city, a2))
    assert first in by_post(city.store, org2, role2) and first not in by_post(city.store, org1,
                                                                              role1)  # fmt: skip
    assert first in {i.id for i in mine(city.store, principal=a2)}
    assert first not in {i.id for i in mine(city.store, principal=a1)}

    act(city.store, principal=a1, item_id=second, event="return_invalid", reason="duplicate",
        at=T0)  # fmt: skip
    reassign(city.store, principal=city.street_a, item_id=second, part_id=_part(city, a2))
    assert second in {i.id for i in mine(city.store, principal=a2, states=["pending"])}

    city.store.write(ADD_POST, {"person": city.street_b.person, "org": org1, "role": "SQ02"})
    helper = city.reload(city.street_b)
    transfer(city.store, principal=a1, item_id=third, organization=org1, role="SQ02",
             reason="擅长此类事项")  # fmt: skip
    assert by_post(city.store, org1, "SQ02") == {third}
    assert [i.id for i in mine(city.store, principal=helper)] == [third]
    assert third not in {i.id for i in mine(city.store, principal=a1)}
    assert_keys_right(city.store)

    left = dispatched_a1 - {first, second, third}
    city.store.write(  # a1's worker leaves the post; street B's official takes it over
        "MATCH (:Person {idNumber: $old})-[h:HOLDS_POST_IN]->(o:Organization {creditCode: $org}) "
        "SET h.until = '2026-11-03' "
        "WITH o, h MATCH (n:Person {idNumber: $new}) "
        "CREATE (n)-[:HOLDS_POST_IN {role: h.role, since: '2026-11-03', tags: []}]->(o)",
        {"old": a1.person, "new": city.street_b.person, "org": org1},
    )
    assert mine(city.store, principal=city.reload(a1)) == []
    successor = city.reload(city.street_b)
    assert {i.id for i in mine(city.store, principal=successor, limit=1000)} == left | {third}
    assert by_post(city.store, org1, role1) == left  # the items did not move: the holder did


def test_items_split_further_are_found_by_the_child_posts(city: TaskCity) -> None:
    task = create_task(city.store, catalog=city.catalog, principal=city.district,
                       spec=spec(split=SplitRule(levels=("street",), filters=("age:gte:60",))),
                       at=T0)  # fmt: skip
    dispatch(city.store, catalog=city.catalog, principal=city.district, task_id=task.id, at=T0)
    street = next(n for n in progress(city.store, principal=city.street_a, task_id=task.id).nodes
                  if n.place == STREET_A)  # fmt: skip
    split_part(city.store, principal=city.street_a, part_id=street.part, level="community",
               at=T0)  # fmt: skip
    assert_keys_right(city.store)
    worker = city.workers[COMMUNITY_A1]
    found = by_post(city.store, city.committees[COMMUNITY_A1], role_of(city, COMMUNITY_A1))
    assert found and found == {i.id for i in mine(city.store, principal=worker)}


def test_the_returned_list_is_read_a_page_at_a_time_with_its_total(city: TaskCity) -> None:
    task_id = dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    act_many(city.store, principal=worker, task_id=task_id, event="return_invalid",
             selection=ItemSelection(within=COMMUNITY_A1), reason="moved_away", at=T0)  # fmt: skip
    (one,) = [i for i in mine(city.store, principal=city.workers[COMMUNITY_A2])][:1]
    act(city.store, principal=city.workers[COMMUNITY_A2], item_id=one.id,
        event="return_invalid", reason="duplicate", at=T0)  # fmt: skip
    everything = returned_to_me(city.store, principal=city.street_a, task_id=task_id)  # all
    total = everything.total
    assert total == len(everything.items) >= 4 and everything.next is None
    assert everything.by_reason == {"moved_away": total - 1, "duplicate": 1}
    order = [(i.place, i.id) for i in everything.items]
    assert order == sorted(order)

    pages, after = [], ""
    while True:
        page = returned_to_me(city.store, principal=city.street_a, task_id=task_id, after=after,
                              limit=3)  # fmt: skip
        assert len(page.items) <= 3 and page.total == total
        assert page.by_reason == everything.by_reason
        pages.append([(i.place, i.id) for i in page.items])
        if page.next is None:
            break
        after = page.next
    assert [key for page in pages for key in page] == order

    assert returned_to_me(city.store, principal=city.district, task_id=task_id).total == 0
    assert returned_to_me(city.store, principal=city.street_b, task_id=task_id).total == 0
    served = returned_to_me(city.store, principal=SERVICE, task_id=task_id, limit=2)
    assert served.total == total and len(served.items) == 2 and served.next


def test_migration_0004_sets_the_post_key_of_older_items_and_is_idempotent(
    city: TaskCity,
) -> None:
    dispatched(city)
    worker = city.workers[COMMUNITY_A1]
    before = {i.id for i in mine(city.store, principal=worker)}
    city.store.write("MATCH (i:TaskItem) REMOVE i.post")  # as a graph written before the key
    city.store.write("MATCH (i:TaskItem) WITH i LIMIT 1 SET i.post = 'stale|key'")
    assert mine(city.store, principal=worker) == [] or len(before) == 1
    migration = _migration(Settings().migrations_dir)
    migration.apply(city.store)
    assert {i.id for i in mine(city.store, principal=worker)} == before
    assert_keys_right(city.store)
    migration.apply(city.store)  # again: nothing changes
    assert {i.id for i in mine(city.store, principal=worker)} == before
    assert_keys_right(city.store)


def _part(city: TaskCity, worker: Principal) -> str:
    (node,) = progress(city.store, principal=worker, task_id=_task(city)).nodes
    return node.part


def _task(city: TaskCity) -> str:
    return str(city.store.read("MATCH (t:Task) RETURN t.id AS id LIMIT 1")[0]["id"])


def _migration(directory: Path) -> Migration:
    (found,) = [m for m in discover(directory) if m.id == 4]
    return found
