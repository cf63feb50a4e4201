"""The Cypher of service channels.

A channel is a ``(:Channel)`` node ``-[:OFFERED_IN]->`` each place it is offered at; a resident's
list walks up from their current home (``RESIDES_IN`` without ``until``) along ``PART_OF`` to
the channels offered there, so a move changes the list with no write to any channel. A request
is a ``(:Event:ResidentRequest)`` (the ontology's own class) ``-[:REPORTED_BY]->`` the person and
``-[:OCCURRED_AT]->`` their home, carrying the workflow state of kind ``channel_request``.
"""

from __future__ import annotations

from typing import LiteralString

CREATE_CHANNEL: LiteralString = (
    "CREATE (c:Channel) SET c = $props "
    "WITH c UNWIND $places AS code MATCH (p:Place {placeCode: code}) "
    "CREATE (c)-[:OFFERED_IN {since: $at}]->(p) RETURN count(p) AS places"
)

CHANNEL: LiteralString = "MATCH (c:Channel {id: $id}) RETURN properties(c) AS channel"

PLACES_PRESENT: LiteralString = (
    "UNWIND $codes AS code MATCH (p:Place {placeCode: code}) RETURN collect(p.placeCode) AS codes"
)

ORGANIZATIONS_PRESENT: LiteralString = (
    "UNWIND $codes AS code MATCH (o:Organization {creditCode: code}) "
    "RETURN collect(o.creditCode) AS codes"
)

# Channels whose places overlap the scope roots (in, above or below them), newest first.
CHANNELS_IN_SCOPE: LiteralString = (
    "MATCH (c:Channel) WHERE size([code IN c.places WHERE size([root IN $scopeRoots WHERE "
    "code STARTS WITH root OR root STARTS WITH code]) > 0]) > 0 "
    "AND (size($states) = 0 OR c.state IN $states) "
    "RETURN properties(c) AS channel ORDER BY c.createdAt DESC, c.id LIMIT $limit"
)

# The open channels offered where $person lives now (their home or any place above it). The
# walk up comes first (a WITH): FalkorDB planned the one-pattern form from the channels' side,
# 100 ms on a 100,000-person city instead of 0.5.
OFFERED: LiteralString = (
    "MATCH (p:Person {idNumber: $person})-[r:RESIDES_IN]->(home:Place) WHERE r.until IS NULL "
    "MATCH (home)-[:PART_OF*0..8]->(up:Place) WITH home, up "
    "MATCH (c:Channel)-[:OFFERED_IN]->(up) WHERE c.state = 'open' "
    "AND (c.opensAt IS NULL OR c.opensAt <= $now) "
    "AND (c.expiresAt IS NULL OR c.expiresAt > $now) "
    "WITH c, min(up.placeCode) AS offeredAt, min(home.placeCode) AS home "
    "RETURN properties(c) AS channel, offeredAt, home ORDER BY c.createdAt DESC, c.id"
)

# The home ($person's current residences) under which one channel is offered.
OFFERED_HOME: LiteralString = (
    "MATCH (p:Person {idNumber: $person})-[r:RESIDES_IN]->(home:Place) WHERE r.until IS NULL "
    "MATCH (home)-[:PART_OF*0..8]->(up:Place) WITH home, up "
    "MATCH (c:Channel {id: $channel})-[:OFFERED_IN]->(up) "
    "RETURN home.placeCode AS home ORDER BY home LIMIT 1"
)

# How many of $channels' requests $person made since $sinceMs (declined ones do not count).
USED: LiteralString = (
    "MATCH (q:ResidentRequest {requester: $person}) WHERE q.channel IN $channels "
    "AND q.state <> 'declined' "
    "RETURN q.channel AS channel, q.receivedMs AS at"
)

# A request, written only while the channel is open and the person within its limit: the
# channel is written first (a lock on Neo4j), so two requests cannot both pass the count.
CREATE_REQUEST: LiteralString = (
    "MATCH (c:Channel {id: $channel}) SET c.version = coalesce(c.version, 0) "
    "WITH c WHERE c.state = 'open' "
    "CALL { WITH c MATCH (q:ResidentRequest {requester: $person}) WHERE q.channel = c.id "
    "AND q.state <> 'declined' AND q.receivedMs >= $sinceMs RETURN count(q) AS used } "
    "WITH c, used WHERE used < $allowed "
    "MATCH (p:Person {idNumber: $person}) MATCH (home:Place {placeCode: $place}) "
    "CREATE (r:Event:ResidentRequest) SET r = $props "
    "CREATE (r)-[:REPORTED_BY {channel: $reportChannel, reportedAt: $at, wantsReply: true}]->(p) "
    "CREATE (r)-[:OCCURRED_AT]->(home) "
    "SET c.requests = coalesce(c.requests, 0) + 1 RETURN r.id AS id"
)

REQUEST: LiteralString = "MATCH (r:ResidentRequest {id: $id}) RETURN properties(r) AS request"

# The requests $person made, newest first.
MINE: LiteralString = (
    "MATCH (r:ResidentRequest {requester: $person}) WHERE r.channel IS NOT NULL "
    "RETURN properties(r) AS request ORDER BY r.receivedMs DESC, r.id LIMIT $limit"
)

# Requests routed to one of $posts ({organization, role}) at places under the scope roots.
QUEUE: LiteralString = (
    "UNWIND $posts AS post "
    "MATCH (r:ResidentRequest {organization: post.organization}) WHERE r.role = post.role "
    "AND (size($states) = 0 OR r.state IN $states) "
    "AND size([root IN $scopeRoots WHERE r.place STARTS WITH root]) > 0 "
    "RETURN properties(r) AS request ORDER BY r.receivedMs, r.id LIMIT $limit"
)

# Replies (transitions with a text) of one request, oldest first.
REPLIES: LiteralString = (
    "MATCH (r:ResidentRequest {id: $id})-[:HAS_TRANSITION]->(t:Transition) "
    "WHERE t.reason IS NOT NULL "
    "RETURN t.at AS at, t.event AS event, t.reason AS text, t.organization AS organization, "
    "t.role AS role ORDER BY t.atMs, t.id"
)

# A channel's requests by state and by place at one level ($width: its code length).
COUNTS: LiteralString = (
    "MATCH (r:ResidentRequest {channel: $channel}) "
    "RETURN substring(r.place, 0, $width) AS place, r.state AS state, count(r) AS n"
)

# Per request of a channel: when it was received, first answered, and done (from transitions).
TIMES: LiteralString = (
    "MATCH (t:Transition {within: $channel}) WHERE t.kind = $kind "
    "AND (t.event IN $replies OR t.to = $done) "
    "WITH t.item AS item, min(t.atMs) AS firstReply, "
    "max(CASE WHEN t.to = $done THEN t.atMs ELSE -1 END) AS doneAt "
    "MATCH (r:ResidentRequest {id: item}) "
    "RETURN firstReply - r.receivedMs AS toReply, "
    "CASE WHEN doneAt < 0 THEN -1 ELSE doneAt - r.receivedMs END AS toDone"
)
