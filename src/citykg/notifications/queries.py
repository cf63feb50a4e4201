"""The Cypher of notifications.

**One delivery per recipient**, ``(:Delivery {id: notification + ':' + person})`` with the
recipient's place code, created inside the graph from the audience's member source (no rows
leave the database). A send that created its notification writes them as they come, one
statement per community: the unique constraint on the id refuses a whole statement that meets
a member delivered already (a person with homes in two communities, met again under the
second), and that community is then written again looking each id up, as a send resuming one
cut short (the same idempotency key, not marked sent) does throughout: nothing is written twice.
**Counters by building in the same statement**: ``(:DeliveryCount {notification, place})``
holds delivered, read and confirmed for the recipients under one building (or at one place
above that level); sending, reading and confirming update it in the statement that writes the
delivery, so roll-ups read a few hundred counters instead of every delivery, and never
disagree with them. Deliveries carry an opaque ``ref`` (a random UUID): what lists and cursors
show, never the recipient's ID number.
"""

from __future__ import annotations

from typing import LiteralString

NOTIFICATION: LiteralString = "MATCH (n:Notification {id: $id}) RETURN properties(n) AS n"

# ``fresh``: this statement created it (the claim is this send's own random token).
CREATE_NOTIFICATION: LiteralString = (
    "MERGE (n:Notification {id: $id}) ON CREATE SET n += $props, n.claim = $claim "
    "RETURN n.claim = $claim AS fresh"
)

_counted: LiteralString = "WITH substring(place, 0, $width) AS bucket, count(d) AS n "
_counters: LiteralString = (
    _counted + "MERGE (c:DeliveryCount {id: $notification + ':' + bucket}) "
    "ON CREATE SET c.notification = $notification, c.place = bucket, c.delivered = 0, "
    "c.read = 0, c.confirmed = 0 "
    "SET c.delivered = c.delivered + n "
    "RETURN toInteger(sum(n)) AS n"
)
# Where no counter of these buildings can exist yet: made outright (statements merging them
# took 1.1-1.6x as long as statements creating them on FalkorDB 4.x, paired per community).
_new_counters: LiteralString = (
    _counted + "CREATE (c:DeliveryCount {id: $notification + ':' + bucket, "
    "notification: $notification, place: bucket, delivered: n, read: 0, confirmed: 0}) "
    "RETURN toInteger(sum(n)) AS n"
)

_ids: LiteralString = "WITH x[$key] AS person, place, $notification + ':' + x[$key] AS did "
_unreached: LiteralString = (
    "CALL { WITH did MATCH (e:Delivery {id: did}) RETURN count(e) AS had } "
    "WITH person, place, did WHERE had = 0 "
)
_deliver: LiteralString = (
    "CREATE (d:Delivery {id: did, ref: randomUUID(), notification: $notification, "
    "person: person, place: place, kind: $kind, attempt: 1, deliveredAt: $at, lastMs: $atMs}) "
)
_per_member: LiteralString = "WITH x, min(place) AS place " + _ids

deliver_members: LiteralString = _per_member + _deliver + _new_counters
"""The tail of an audience's member source on a fresh send: one delivery per member, and the
counters of their buildings made outright, for a unit that no other statement of the send
counts under (the unique constraint on a delivery's id refuses the statement if one of them
was delivered already)."""

deliver_members_merged: LiteralString = _per_member + _deliver + _counters
"""The same for a unit whose buildings another unit may count under: counters merged."""

deliver_unreached: LiteralString = _per_member + _unreached + _deliver + _counters
"""The same, for a resumed send: one delivery per member not reached yet."""

# Officials by post: one delivery per row {person, place}.
DELIVER_ROWS: LiteralString = (
    "UNWIND $rows AS row MATCH (x:Person {idNumber: row.person}) "
    "WITH x, row.place AS place " + _ids + _unreached + _deliver + _counters
)

MARK_SENT: LiteralString = (
    "MATCH (n:Notification {id: $id}) SET n.sentAt = $at "
    "WITH n MATCH (c:DeliveryCount {notification: n.id}) "
    "WITH n, toInteger(sum(c.delivered)) AS total SET n.recipients = total RETURN total"
)

COUNTERS: LiteralString = (
    "MATCH (c:DeliveryCount {notification: $id}) "
    "WHERE size([root IN $scopeRoots WHERE c.place STARTS WITH root]) > 0 "
    "RETURN c.place AS place, c.delivered AS delivered, c.read AS read, c.confirmed AS confirmed"
)

PLACE_NAMES: LiteralString = (
    "UNWIND $codes AS code MATCH (p:Place {placeCode: code}) "
    "RETURN p.placeCode AS code, p.name AS name"
)

# Notifications whose scope overlaps the viewer's roots, newest first.
SENT: LiteralString = (
    "MATCH (n:Notification) WHERE size([code IN n.scope WHERE size([root IN $scopeRoots WHERE "
    "code STARTS WITH root OR root STARTS WITH code]) > 0]) > 0 "
    "RETURN properties(n) AS n ORDER BY n.createdAt DESC, n.id LIMIT $limit"
)

# Unread deliveries under the viewer's roots, a page by ref, with the recipient's name.
UNREAD: LiteralString = (
    "MATCH (d:Delivery {notification: $id}) WHERE d.readMs IS NULL AND d.ref > $after "
    "AND size([root IN $scopeRoots WHERE d.place STARTS WITH root]) > 0 "
    "WITH d ORDER BY d.ref LIMIT $limit "
    "MATCH (p:Person {idNumber: d.person}) "
    "RETURN d.ref AS ref, d.person AS person, p.name AS name, d.place AS place, "
    "d.attempt AS attempt ORDER BY ref"
)

# A new attempt to the unread under the viewer's roots: their attempt and time move on.
RESEND: LiteralString = (
    "MATCH (n:Notification {id: $id}) SET n.attempts = n.attempts + 1 "
    "WITH n CALL { WITH n MATCH (d:Delivery {notification: n.id}) WHERE d.readMs IS NULL "
    "AND size([root IN $scopeRoots WHERE d.place STARTS WITH root]) > 0 "
    "SET d.attempt = n.attempts, d.resentAt = $at, d.lastMs = $atMs RETURN count(d) AS reached } "
    "RETURN n.attempts AS attempt, reached"
)

# A recipient's messages after the cursor (lastMs, ref), unexpired, oldest first.
INBOX: LiteralString = (
    "MATCH (d:Delivery {person: $person}) "
    "WHERE d.lastMs > $afterMs OR (d.lastMs = $afterMs AND d.ref > $afterRef) "
    "MATCH (n:Notification {id: d.notification}) "
    "WHERE n.expiresAt IS NULL OR n.expiresAt > $now "
    "WITH d, n ORDER BY d.lastMs, d.ref LIMIT $limit "
    "RETURN properties(d) AS delivery, properties(n) AS n"
)

# Mark one delivery read (and confirmed with $confirm), its building's counters in step.
MARK: LiteralString = (
    "MATCH (d:Delivery {id: $id}) "
    "WITH d, d.readMs IS NULL AS unread, $confirm AND d.confirmedMs IS NULL AS unconfirmed "
    "SET d.readAt = coalesce(d.readAt, $at), d.readMs = coalesce(d.readMs, $atMs), "
    "d.confirmedAt = CASE WHEN unconfirmed THEN $at ELSE d.confirmedAt END, "
    "d.confirmedMs = CASE WHEN unconfirmed THEN $atMs ELSE d.confirmedMs END "
    "WITH d, unread, unconfirmed "
    "MATCH (c:DeliveryCount {id: d.notification + ':' + substring(d.place, 0, $width)}) "
    "SET c.read = c.read + CASE WHEN unread THEN 1 ELSE 0 END, "
    "c.confirmed = c.confirmed + CASE WHEN unconfirmed THEN 1 ELSE 0 END "
    "RETURN d.readAt AS readAt, d.confirmedAt AS confirmedAt"
)

DIRECT_COUNTS: LiteralString = (
    "MATCH (d:Delivery {notification: $id}) RETURN d.place AS place, count(d) AS delivered, "
    "toInteger(sum(CASE WHEN d.readMs IS NULL THEN 0 ELSE 1 END)) AS read"
)

# --- the outbox --------------------------------------------------------------------------------

# One outbox entry per delivery of this attempt and outbound channel.
ENQUEUE: LiteralString = (
    "MATCH (d:Delivery {notification: $id}) WHERE d.attempt = $attempt "
    "UNWIND $channels AS channel "
    "MERGE (o:OutboxEntry {id: d.id + ':' + toString($attempt) + ':' + channel}) "
    "ON CREATE SET o.notification = d.notification, o.person = d.person, o.channel = channel, "
    "o.attempt = $attempt, o.state = 'pending', o.tries = 0, o.nextMs = $atMs "
    "RETURN count(o) AS queued"
)

DUE: LiteralString = (
    "MATCH (o:OutboxEntry {state: 'pending'}) WHERE o.nextMs <= $nowMs "
    "WITH o ORDER BY o.nextMs, o.id LIMIT $limit "
    "MATCH (n:Notification {id: o.notification}) "
    "RETURN o.id AS id, o.person AS person, o.channel AS channel, o.attempt AS attempt, "
    "o.tries AS tries, n.id AS notification, n.title AS title, n.body AS body, "
    "n.priority AS priority"
)

OUTBOX_SENT: LiteralString = (
    "UNWIND $ids AS oid MATCH (o:OutboxEntry {id: oid}) "
    "SET o.state = 'sent', o.sentAt = $at, o.tries = o.tries + 1 RETURN count(o) AS n"
)

OUTBOX_FAILED: LiteralString = (
    "UNWIND $rows AS row MATCH (o:OutboxEntry {id: row.id}) "
    "WITH o, row, o.tries + 1 AS tries "
    "SET o.tries = tries, o.error = row.error, o.failedAt = $at, "
    "o.nextMs = $nowMs + $backoffMs * tries, "
    "o.state = CASE WHEN tries >= $maxTries THEN 'failed' ELSE 'pending' END "
    "RETURN o.id AS id, o.tries AS tries, o.state AS state"
)

# Outbox entries of one notification that failed at least once, under the viewer's roots.
FAILURES: LiteralString = (
    "MATCH (o:OutboxEntry {notification: $id}) WHERE o.error IS NOT NULL AND o.state <> 'sent' "
    "MATCH (d:Delivery {id: $id + ':' + o.person}) "
    "WHERE size([root IN $scopeRoots WHERE d.place STARTS WITH root]) > 0 "
    "RETURN o.person AS person, o.channel AS channel, o.tries AS tries, o.error AS error, "
    "o.state AS state ORDER BY o.id"
)
