"""The Cypher of tasks.

**Counters in the same statement as the state.** Each part keeps ``counts`` (its own items per
state, in the order of the ``task_item`` workflow's states, passed as ``$states``) and
``onTime``; every statement that creates or moves items updates them in the same statement
(atomic on both engines), so an item's state and the counters never disagree, even after a
crash between two writes. Progress reads a few hundred parts, never 150,000 items; a parent's
numbers are the sums of its children's (:mod:`citykg.tasks.progress`), and tests check both
against a direct count of item states (:data:`DIRECT_COUNTS`).

**Idempotent dispatch.** Parts are merged on ``task:place`` ids; a part's items are created by
one statement guarded by ``seededAt IS NULL`` on the part, which the same statement sets.

**The post key.** Each item keeps ``post``, ``<organization>|<role>`` of the post it is assigned
to (:func:`citykg.tasks.models.post_key`), indexed: "my items" is one index look-up per post the
caller holds. Every statement that sets an item's organization or role sets it too (the seeds
here, :data:`MOVE_TO_CHILD`, and transfer and reassign through their moves' changes); items of
older graphs get it from migration 0004.
"""

from __future__ import annotations

from typing import LiteralString

CREATE_TASK: LiteralString = (
    "CREATE (t:Task) SET t = $props, t.stateSinceMs = $atMs, t.version = 0 RETURN t.id AS id"
)

TASK: LiteralString = "MATCH (t:Task {id: $id}) RETURN properties(t) AS task"

MERGE_PARTS: LiteralString = (
    "UNWIND $rows AS row "
    "MERGE (p:TaskPart {id: row.id}) "
    "ON CREATE SET p += row.props, p.state = $initial, p.stateSince = $at, "
    "p.stateSinceMs = $atMs, p.counts = [s IN $states | 0], p.onTime = 0, p.version = 0, "
    "p.dispatch = $dispatch "
    "RETURN count(CASE WHEN p.dispatch = $dispatch THEN 1 END) AS created, count(p) AS parts"
)

# One item per member under a part (the audience's member source, before this tail), in the
# last-level part its place lies in (the id is the task's prefix and the place code's first
# $width characters): one statement seeds every last-level part under a street.
seed_members: LiteralString = (
    "WITH x, min(place) AS place "
    "MATCH (p:TaskPart) WHERE p.id = $prefix + substring(place, 0, $width) "
    "AND p.seededAt IS NULL "
    "CREATE (i:TaskItem {id: randomUUID(), task: p.task, part: p.id, place: place, "
    "level: p.level, subject: x[$key], subjectType: $subjectType, state: $initial, "
    "stateSince: $at, stateSinceMs: $atMs, createdAt: $at, due: p.due, "
    "organization: p.organization, role: p.role, post: p.organization + '|' + p.role, "
    "aboveOrganization: p.aboveOrganization, aboveRole: p.aboveRole, residents: $residents, "
    "onTime: false, version: 0}) "
    "CREATE (i)-[:ABOUT]->(x) "
    "WITH p, count(i) AS n "
    "SET p.seededAt = $at, p.counts = [s IN $states | CASE WHEN s = $initial THEN n ELSE 0 END] "
    "RETURN toInteger(sum(n)) AS n"
)

# What seed_members would create, read only: its members (after the same source) counted by
# the last-level part their place lies in (the place code's first $width characters).
count_members: LiteralString = (
    "WITH x, min(place) AS place RETURN substring(place, 0, $width) AS unit, count(*) AS n"
)

# One item per part (the unit itself answers): every part of $parts not seeded yet.
SEED_UNITS: LiteralString = (
    "UNWIND $parts AS pid MATCH (p:TaskPart {id: pid}) WHERE p.seededAt IS NULL "
    "CREATE (i:TaskItem {id: randomUUID(), task: p.task, part: p.id, place: p.place, "
    "level: p.level, subject: p.place, subjectType: 'Place', state: $initial, "
    "stateSince: $at, stateSinceMs: $atMs, createdAt: $at, due: p.due, "
    "organization: p.organization, role: p.role, post: p.organization + '|' + p.role, "
    "aboveOrganization: p.aboveOrganization, aboveRole: p.aboveRole, residents: false, "
    "onTime: false, version: 0}) "
    "SET p.seededAt = $at, p.counts = [s IN $states | CASE WHEN s = $initial THEN 1 ELSE 0 END] "
    "RETURN count(i) AS n"
)

# The tail of a move of task items (after the workflow's MOVE_TEMPLATE): each moved item leaves
# its old part's counters (state, on time) and enters its new part's, one SET per part.
count_moves: LiteralString = (
    "WITH collect(n.id) AS moved, "
    "collect({part: before.part, state: before.state, d: -1, "
    "on: CASE WHEN before.onTime THEN -1 ELSE 0 END}) AS left, "
    "collect({part: n.part, state: n.state, d: 1, on: CASE WHEN n.onTime THEN 1 ELSE 0 END}) "
    "AS entered "
    "WITH moved, left + entered AS deltas "
    "UNWIND deltas AS d "
    "WITH moved, d.part AS part, collect(d) AS ds "
    "MATCH (p:TaskPart {id: part}) "
    "SET p.counts = [k IN range(0, size($states) - 1) | coalesce(p.counts[k], 0) + "
    "reduce(s = 0, x IN ds | s + CASE WHEN x.state = $states[k] THEN x.d ELSE 0 END)], "
    "p.onTime = coalesce(p.onTime, 0) + reduce(s = 0, x IN ds | s + x.on) "
    "RETURN moved"
)

# Move a parent part's items under [$lo, $hi) to the child part, counters of both in step.
MOVE_TO_CHILD: LiteralString = (
    "MATCH (c:TaskPart {id: $child}), (p:TaskPart {id: $parent}) "
    "MATCH (i:TaskItem {part: $parent}) WHERE i.place >= $lo AND i.place < $hi "
    "SET i.part = c.id, i.level = c.level, i.due = c.due, i.organization = c.organization, "
    "i.role = c.role, i.post = c.organization + '|' + c.role, "
    "i.aboveOrganization = c.aboveOrganization, i.aboveRole = c.aboveRole "
    "WITH c, p, collect(i.state) AS states, sum(CASE WHEN i.onTime THEN 1 ELSE 0 END) AS onTime "
    "SET c.seededAt = coalesce(c.seededAt, $at), "
    "c.counts = [k IN range(0, size($states) - 1) | coalesce(c.counts[k], 0) + "
    "size([s IN states WHERE s = $states[k]])], "
    "p.counts = [k IN range(0, size($states) - 1) | coalesce(p.counts[k], 0) - "
    "size([s IN states WHERE s = $states[k]])], "
    "c.onTime = coalesce(c.onTime, 0) + toInteger(onTime), "
    "p.onTime = coalesce(p.onTime, 0) - toInteger(onTime) "
    "RETURN size(states) AS moved"
)

PARTS: LiteralString = (
    "MATCH (p:TaskPart {task: $task}) RETURN p.id AS id, p.parent AS parent, p.place AS place, "
    "p.name AS name, p.level AS level, p.organization AS organization, p.role AS role, "
    "p.aboveOrganization AS aboveOrganization, p.aboveRole AS aboveRole, p.state AS state, "
    "p.due AS due, p.counts AS counts, p.onTime AS onTime, p.seededAt AS seededAt "
    "ORDER BY p.place"
)

# What changes of a task's parts: their counters and state (the rest is cached, it never does).
PART_COUNTERS: LiteralString = (
    "MATCH (p:TaskPart {task: $task}) "
    "RETURN p.id AS id, p.state AS state, p.counts AS counts, p.onTime AS onTime"
)

PART: LiteralString = "MATCH (p:TaskPart {id: $id}) RETURN properties(p) AS part"

ITEM: LiteralString = (
    "MATCH (i:TaskItem {id: $id}) MATCH (t:Task {id: i.task}) "
    "RETURN properties(i) AS item, properties(t) AS task"
)

# A page of items by id (keyset): of one task, under [$lo, $hi), in $states (all if empty),
# among $ids (all if empty), within the scope roots. The cursor is compared as in MINE_BY_POST,
# so the task's index is used (the pages of a batch and of the item list: 2-4x faster at 19k items).
ITEMS: LiteralString = (
    "MATCH (i:TaskItem {task: $task}) WHERE toString(i.id) > $after AND i.place >= $lo "
    "AND i.place < $hi AND (size($states) = 0 OR i.state IN $states) "
    "AND (size($ids) = 0 OR i.id IN $ids) "
    "AND size([root IN $scopeRoots WHERE i.place STARTS WITH root]) > 0 "
    "WITH i ORDER BY i.id LIMIT $limit RETURN properties(i) AS item"
)

# The task's items in $state returned to the level above, within the scope roots: a page in
# (place, id) order after the keyset cursor ($afterPlace, $after), and the count per reason of
# all of them. Those returned to one of the organizations $above start from the index of
# ``aboveOrganization`` (0.5-2 ms at 19k items against ~37 ms through the task's index); a
# service principal's, of every organization, from the task's.
RETURNED_TO_PAGE: LiteralString = (
    "UNWIND $above AS org MATCH (i:TaskItem {aboveOrganization: org}) "
    "WHERE i.task = $task AND i.state = $state "
    "AND size([root IN $scopeRoots WHERE i.place STARTS WITH root]) > 0 "
    "AND (i.place > $afterPlace OR (i.place = $afterPlace AND i.id > $after)) "
    "WITH i ORDER BY i.place, i.id LIMIT $limit "
    "RETURN properties(i) AS item"
)

RETURNED_TO_BY_REASON: LiteralString = (
    "UNWIND $above AS org MATCH (i:TaskItem {aboveOrganization: org}) "
    "WHERE i.task = $task AND i.state = $state "
    "AND size([root IN $scopeRoots WHERE i.place STARTS WITH root]) > 0 "
    "RETURN coalesce(i.reason, '') AS reason, count(i) AS n"
)

RETURNED_PAGE: LiteralString = (
    "MATCH (i:TaskItem {task: $task}) WHERE i.state = $state "
    "AND size([root IN $scopeRoots WHERE i.place STARTS WITH root]) > 0 "
    "AND (i.place > $afterPlace OR (i.place = $afterPlace AND i.id > $after)) "
    "WITH i ORDER BY i.place, i.id LIMIT $limit "
    "RETURN properties(i) AS item"
)

RETURNED_BY_REASON: LiteralString = (
    "MATCH (i:TaskItem {task: $task}) WHERE i.state = $state "
    "AND size([root IN $scopeRoots WHERE i.place STARTS WITH root]) > 0 "
    "RETURN coalesce(i.reason, '') AS reason, count(i) AS n"
)

# Items assigned to one of $posts (post keys, ``<organization>|<role>``), a page by id: one
# index look-up per post. The cursor is compared as ``toString(i.id) > $after``: FalkorDB
# plans a bare ``i.id > $after`` as a range scan of the id index (every item of every task,
# ~40 ms at 19k items) instead of the post's look-up (0.2 ms).
MINE_BY_POST: LiteralString = (
    "UNWIND $posts AS post "
    "MATCH (i:TaskItem {post: post}) "
    "WHERE toString(i.id) > $after AND (size($states) = 0 OR i.state IN $states) "
    "WITH i ORDER BY i.id LIMIT $limit "
    "RETURN properties(i) AS item"
)

# How many items of $states the posts hold (the home page's alert), up to $limit.
COUNT_MINE_BY_POST: LiteralString = (
    "UNWIND $posts AS post "
    "MATCH (i:TaskItem {post: post}) "
    "WHERE i.state IN $states WITH i LIMIT $limit RETURN count(i) AS n"
)

COUNT_MINE_BY_SUBJECT: LiteralString = (
    "UNWIND $household AS key MATCH (i:TaskItem {subject: key}) WHERE i.residents "
    "AND i.state IN $states WITH i LIMIT $limit RETURN count(i) AS n"
)

# Items sent to residents about one of $household (identity keys), a page by id (the cursor
# compared as in MINE_BY_POST, so the subject's index is used).
MINE_BY_SUBJECT: LiteralString = (
    "UNWIND $household AS key MATCH (i:TaskItem {subject: key}) WHERE i.residents "
    "AND (size($states) = 0 OR i.state IN $states) AND toString(i.id) > $after "
    "WITH i ORDER BY i.id LIMIT $limit RETURN properties(i) AS item"
)

DIRECT_COUNTS: LiteralString = (
    "MATCH (i:TaskItem {task: $task}) "
    "RETURN i.part AS part, i.state AS state, count(i) AS n, "
    "sum(CASE WHEN i.onTime THEN 1 ELSE 0 END) AS onTime"
)

# The done items' subjects under the scope roots with the value of one attribute ($key).
ANSWERS: LiteralString = (
    "MATCH (i:TaskItem {task: $task}) WHERE i.state IN $done "
    "AND size([root IN $scopeRoots WHERE i.place STARTS WITH root]) > 0 "
    "MATCH (i)-[:ABOUT]->(x) RETURN i.place AS place, x[$key] AS value"
)

# Organizations answering for any of $codes now (a transfer's target must be one of them).
ANSWERING: LiteralString = (
    "UNWIND $codes AS code MATCH (p:Place {placeCode: code}) "
    "MATCH (o:Organization)-[j:HAS_JURISDICTION_OVER]->(p) WHERE j.until IS NULL "
    "RETURN DISTINCT o.creditCode AS organization"
)

PLACE_NAMES: LiteralString = (
    "UNWIND $codes AS code MATCH (p:Place {placeCode: code}) "
    "RETURN p.placeCode AS code, p.name AS name"
)

# Migration 0004: the post key of up to $limit items that lack it or hold a stale one; then
# the key of items that no post holds (no organization or no role) removed.
SET_POST_KEYS: LiteralString = (
    "MATCH (i:TaskItem) WHERE i.organization IS NOT NULL AND i.role IS NOT NULL "
    "AND (i.post IS NULL OR i.post <> i.organization + '|' + i.role) "
    "WITH i LIMIT $limit SET i.post = i.organization + '|' + i.role RETURN count(i) AS n"
)

DROP_POST_KEYS: LiteralString = (
    "MATCH (i:TaskItem) WHERE i.post IS NOT NULL AND (i.organization IS NULL OR i.role IS NULL) "
    "REMOVE i.post RETURN count(i) AS n"
)

# Tasks a principal may follow, newest first (a page of candidates, keyset on createdAt|id):
# created through one of $posts, or with a scope root that overlaps one of $roots (either
# lies under the other). The service principal ($all) sees every task.
FOLLOWED: LiteralString = (
    "MATCH (t:Task) WHERE ($before = '' OR (t.createdAt + '|' + t.id) < $before) "
    "AND ($all OR (t.organization + '|' + t.role) IN $posts "
    "OR any(s IN t.scope WHERE any(r IN $roots WHERE s STARTS WITH r OR r STARTS WITH s))) "
    "RETURN properties(t) AS task ORDER BY t.createdAt DESC, t.id DESC LIMIT $limit"
)

# Of $tasks, those with a part the caller may read (its place in one of $roots, or its or the
# level above's organization one of $orgs): the rule of tasks.create.may_see_task, for a page.
PARTS_SEEN: LiteralString = (
    "UNWIND $tasks AS id MATCH (p:TaskPart {task: id}) "
    "WHERE any(r IN $roots WHERE p.place STARTS WITH r) OR p.organization IN $orgs "
    "OR p.aboveOrganization IN $orgs RETURN DISTINCT id"
)

# Who and where each of $ids is about: the subject's labels and name, the place's name and the
# names of the compound, building and unit above a door (levels 6-8).
ITEM_LABELS: LiteralString = (
    "UNWIND $ids AS id MATCH (i:TaskItem {id: id}) "
    "OPTIONAL MATCH (i)-[:ABOUT]->(x) "
    "OPTIONAL MATCH (p:Place {placeCode: i.place}) "
    "OPTIONAL MATCH (p)-[:PART_OF*1..3]->(a:Place) WHERE a.level >= 6 "
    "RETURN id, labels(x) AS labels, x.name AS who, p.name AS here, "
    "collect({level: a.level, name: a.name}) AS above"
)
