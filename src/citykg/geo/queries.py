"""All the Cypher of the geographic hierarchy.

Conventions: values travel as ``$params`` (entity types too: ``$label IN labels(x)``), so every
constant is complete Cypher that the planner accepts as it is; labels that depend on a level are
set with one ``FOREACH`` per level. Every query that returns city data carries the scope
predicate (``$scopeRoots``; ``[""]`` is everywhere) on the place it returns or counts. Paging
slices a collected list (``rows[$skip..$end]``): FalkorDB's planner wants literal ``LIMIT``.

A subtree is the ``placeCode`` range ``[$lo, $hi)`` (see :func:`citykg.geo.codes.subtree_bounds`),
which the engines answer from the ``placeCode`` index. Every write is one statement; the
multi-step ones (move, merge, split, entry) re-check the state they were planned on in their first
``WHERE`` and write nothing if it changed. ``FOREACH`` runs per-item writes, so an empty list never
cuts the statement short.
"""

from __future__ import annotations

from typing import LiteralString


def _in_scope(var: LiteralString) -> LiteralString:
    """The scope predicate on the place bound to ``var``."""
    return "size([root IN $scopeRoots WHERE " + var + ".placeCode STARTS WITH root]) > 0"


_set_level_label: LiteralString = (
    "FOREACH (_ IN CASE WHEN row.level = 1 THEN [1] ELSE [] END | SET p:Province) "
    "FOREACH (_ IN CASE WHEN row.level = 2 THEN [1] ELSE [] END | SET p:City) "
    "FOREACH (_ IN CASE WHEN row.level = 3 THEN [1] ELSE [] END | SET p:District) "
    "FOREACH (_ IN CASE WHEN row.level = 4 THEN [1] ELSE [] END | SET p:Subdistrict) "
    "FOREACH (_ IN CASE WHEN row.level = 5 THEN [1] ELSE [] END | SET p:Community) "
    "FOREACH (_ IN CASE WHEN row.level = 6 THEN [1] ELSE [] END | SET p:Compound) "
    "FOREACH (_ IN CASE WHEN row.level = 7 THEN [1] ELSE [] END | SET p:Building) "
    "FOREACH (_ IN CASE WHEN row.level = 8 THEN [1] ELSE [] END | SET p:BuildingUnit) "
    "FOREACH (_ IN CASE WHEN row.level = 9 THEN [1] ELSE [] END | SET p:Door) "
    "FOREACH (_ IN CASE WHEN row.level <= 5 THEN [1] ELSE [] END | SET p:AdministrativeDivision) "
    "FOREACH (_ IN CASE WHEN row.level >= 6 THEN [1] ELSE [] END | SET p:Premises) "
)


# --- import -----------------------------------------------------------------------------------

# Rows whose code is a former code (an alias)
# are skipped, so a re-import never resurrects a moved or merged division; existing nodes keep
# their (possibly renamed) name.
MERGE_DIVISIONS: LiteralString = (
    "UNWIND $rows AS row "
    "OPTIONAL MATCH (alias:PlaceAlias {code: row.code}) "
    "WITH row, alias WHERE alias IS NULL "
    "MERGE (p:Place {placeCode: row.code}) "
    "ON CREATE SET p.name = row.name, p.level = row.level, p.shortName = row.shortName, "
    "p.source = $source, p.createdAt = $at "
    "ON MATCH SET p.level = coalesce(p.level, row.level), "
    "p.shortName = coalesce(p.shortName, row.shortName) "
    + _set_level_label
    + "WITH p, row WHERE row.parent IS NOT NULL "
    "MATCH (parent:Place {placeCode: row.parent}) "
    "MERGE (p)-[:PART_OF]->(parent) "
    "RETURN count(p) AS linked"
)

COUNT_DIVISIONS_BY_LEVEL: LiteralString = (
    "MATCH (p:AdministrativeDivision) RETURN p.level AS level, count(p) AS places ORDER BY level"
)

# --- places -----------------------------------------------------------------------------------

PLACE: LiteralString = (
    "MATCH (p:Place {placeCode: $code}) WHERE "
    + _in_scope("p")
    + " OPTIONAL MATCH (p)-[:PART_OF]->(parent:Place) "
    "RETURN p AS place, parent.placeCode AS parent"
)

PLACE_BY_ALIAS: LiteralString = (
    "MATCH (a:PlaceAlias {code: $code})-[:ALIAS_OF]->(p:Place) WHERE "
    + _in_scope("p")
    + " RETURN p.placeCode AS code, a.kind AS kind, a.at AS at"
)

ANCESTORS: LiteralString = (
    "MATCH (p:Place {placeCode: $code})-[:PART_OF*1..12]->(a:Place) "
    "WHERE "
    + _in_scope("p")
    + " RETURN a.placeCode AS code, a.name AS name, a.level AS level ORDER BY size(a.placeCode)"
)

# The parent first, then its children: written as one pattern, FalkorDB 4 scanned every place
# for the scope filter (a district's 43 streets: 103 ms at 100k persons; this way 1.2 ms).
CHILDREN: LiteralString = (
    "MATCH (p:Place {placeCode: $code}) WITH p MATCH (c:Place)-[:PART_OF]->(p) WHERE "
    + _in_scope("c")
    + " WITH c ORDER BY c.placeCode "
    "WITH collect({code: c.placeCode, name: c.name, level: c.level, labels: labels(c)}) AS rows "
    "RETURN size(rows) AS total, rows[$skip..$end] AS rows"
)

HISTORY: LiteralString = (
    "MATCH (c:PlaceChange)-[:CHANGED]->(p:Place {placeCode: $code}) WHERE "
    + _in_scope("p")
    + " RETURN c.changeId AS changeId, c.kind AS kind, c.at AS at, c.author AS author, "
    "c.reason AS reason, c.oldCode AS oldCode, c.newCode AS newCode, c.oldName AS oldName, "
    "c.newName AS newName, c.oldParent AS oldParent, c.newParent AS newParent "
    "ORDER BY c.at, c.changeId"
)

# --- gazetteer --------------------------------------------------------------------------------

GAZETTEER_PLACES: LiteralString = (
    "MATCH (p:AdministrativeDivision) "
    "RETURN p.placeCode AS code, p.name AS name, p.formerNames AS formerNames"
)

GAZETTEER_ALIASES: LiteralString = (
    "MATCH (a:PlaceAlias)-[:ALIAS_OF]->(p:AdministrativeDivision) "
    "WHERE a.name IS NOT NULL "
    "RETURN p.placeCode AS code, a.name AS name, a.formerNames AS formerNames"
)

GAZETTEER_VERSION: LiteralString = (
    "CALL { MATCH (p:AdministrativeDivision) RETURN count(p) AS places } "
    "CALL { MATCH (c:PlaceChange) RETURN count(c) AS changes } "
    "RETURN places, changes"
)

# --- address entry ----------------------------------------------------------------------------

# The state a creation or a move is planned on: the parent's high-water mark and its children.
PARENT_STATE: LiteralString = (
    "MATCH (p:Place {placeCode: $code}) WHERE "
    + _in_scope("p")
    + " OPTIONAL MATCH (c:Place)-[:PART_OF]->(p) "
    "RETURN p.level AS level, p.codeHighWater AS highWater, "
    "collect({code: c.placeCode, name: c.name, number: c.number}) AS children"
)

ALIAS_CODES_UNDER: LiteralString = (
    "MATCH (a:PlaceAlias) WHERE a.code >= $lo AND a.code < $hi RETURN a.code AS code"
)

FIND_COMPOUNDS: LiteralString = (
    "MATCH (c:Compound) WHERE c.placeCode >= $lo AND c.placeCode < $hi AND "
    + _in_scope("c")
    + " RETURN c.placeCode AS code, c.name AS name"
)

# Creates a chain of missing levels 6–9 under $anchor (rows parents first) with provenance, raising
# the high-water marks. Nothing is written when the anchor's mark moved since planning.
CREATE_PREMISES: LiteralString = (
    "MATCH (anchor:Place {placeCode: $anchor}) "
    "WHERE coalesce(anchor.codeHighWater, 0) = $expectedHighWater AND "
    + _in_scope("anchor")
    + " SET anchor.codeHighWater = $highWater "
    "WITH anchor UNWIND $rows AS row "
    "CREATE (p:Place {placeCode: row.code, name: row.name, level: row.level, "
    "number: row.number, codeHighWater: row.highWater, source: $source, createdBy: $author, "
    "createdAt: $at, createdFrom: $text}) " + _set_level_label + "WITH count(p) AS created "
    "UNWIND $rows AS row "
    "MATCH (child:Place {placeCode: row.code}), (parent:Place {placeCode: row.parent}) "
    "CREATE (child)-[:PART_OF]->(parent) "
    "RETURN created, count(*) AS linked"
)

# A landmark, road or grid ($kind) attached to $parent.
CREATE_ATTACHED: LiteralString = (
    "MATCH (parent:Place {placeCode: $parent}) "
    "WHERE coalesce(parent.codeHighWater, 0) = $expectedHighWater AND "
    + _in_scope("parent")
    + " SET parent.codeHighWater = $highWater "
    "CREATE (p:Place {placeCode: $code, name: $name, source: $source, createdBy: $author, "
    "createdAt: $at})-[:PART_OF]->(parent) "
    "FOREACH (_ IN CASE WHEN $kind = 'Landmark' THEN [1] ELSE [] END | SET p:Landmark) "
    "FOREACH (_ IN CASE WHEN $kind = 'Road' THEN [1] ELSE [] END | SET p:Road) "
    "FOREACH (_ IN CASE WHEN $kind = 'Grid' THEN [1] ELSE [] END | SET p:Grid) "
    "RETURN p.placeCode AS code"
)

# --- history ----------------------------------------------------------------------------------

PLACE_STATE: LiteralString = (
    "MATCH (p:Place {placeCode: $code}) WHERE "
    + _in_scope("p")
    + " OPTIONAL MATCH (p)-[:PART_OF]->(parent:Place) "
    "CALL { WITH p MATCH (p)-[o]->() RETURN collect(type(o)) AS outgoing } "
    "CALL { WITH p MATCH (p)<-[i]-() RETURN collect(type(i)) AS incoming } "
    "RETURN p.placeCode AS code, p.name AS name, p.level AS level, labels(p) AS labels, "
    "p.codeHighWater AS highWater, parent.placeCode AS parent, outgoing, incoming"
)

CODE_TAKEN: LiteralString = (
    "CALL { MATCH (p:Place {placeCode: $code}) RETURN count(p) AS places } "
    "CALL { MATCH (a:PlaceAlias {code: $code}) RETURN count(a) AS aliases } "
    "RETURN places, aliases"
)

RENAME_PLACE: LiteralString = (
    "MATCH (p:Place {placeCode: $code}) WHERE " + _in_scope("p") + " WITH p, p.name AS oldName "
    "SET p.formerNames = [n IN coalesce(p.formerNames, []) WHERE n <> oldName AND n <> $name] "
    "+ [oldName], p.name = $name, p.shortName = $shortName "
    "CREATE (c:PlaceChange {changeId: $changeId, kind: 'rename', at: $at, author: $author, "
    "reason: $reason, oldCode: p.placeCode, newCode: p.placeCode, oldName: oldName, "
    "newName: $name})-[:CHANGED]->(p) "
    "RETURN oldName"
)

# Re-coding a subtree: every place of it is read as {place, code, name} before anything is
# written, and each gets one alias of the code it had before this statement. The writes never
# read a code back from a node that the same statement re-codes.
_recoded: LiteralString = "collect({place: d, code: d.placeCode, name: d.name})"


def _alias_and_recode(
    places: LiteralString, kind: LiteralString, new_code: LiteralString
) -> LiteralString:
    """For each ``m`` of ``places`` (read with :data:`_recoded`): an alias of its code, then
    ``new_code``."""
    return (
        "FOREACH (m IN " + places + " | FOREACH (n IN [m.place] | "
        "CREATE (:PlaceAlias {code: m.code, name: m.name, kind: '" + kind + "', at: $at, "
        "changeId: $changeId})-[:ALIAS_OF]->(n) "
        "SET n.formerCodes = coalesce(n.formerCodes, []) + [m.code], "
        "n.placeCode = " + new_code + ")) "
    )


def _by_prefix(table: LiteralString) -> LiteralString:
    """``m.code`` with its prefix replaced from ``table`` (a parameter of ``{old, new}``)."""
    return (
        "head([t IN " + table + " WHERE m.code STARTS WITH t.old "
        "| t.new + substring(m.code, size(t.old))])"
    )


# Moves $code under $to and re-codes its subtree [$lo, $hi) (the place itself included) from
# prefix $code to $newCode; every old code stays resolvable through a PlaceAlias.
MOVE_PLACE: LiteralString = (
    "MATCH (p:Place {placeCode: $code})-[old:PART_OF]->(from:Place {placeCode: $from}) "
    "MATCH (to:Place {placeCode: $to}) "
    "WHERE coalesce(to.codeHighWater, 0) = $expectedHighWater AND "
    + _in_scope("p")
    + " AND "
    + _in_scope("to")
    + " MATCH (d:Place) WHERE d.placeCode >= $lo AND d.placeCode < $hi "
    "WITH p, old, from, to, " + _recoded + " AS subtree "
    "DELETE old "
    "CREATE (p)-[:PART_OF]->(to) "
    "SET to.codeHighWater = $toHighWater, from.codeHighWater = CASE "
    "WHEN coalesce(from.codeHighWater, 0) < $fromHighWater THEN $fromHighWater "
    "ELSE from.codeHighWater END "
    "CREATE (c:PlaceChange {changeId: $changeId, kind: 'move', at: $at, author: $author, "
    "reason: $reason, oldCode: $code, newCode: $newCode, oldName: p.name, newName: p.name, "
    "oldParent: $from, newParent: $to, recoded: size(subtree)})-[:CHANGED]->(p) "
    + _alias_and_recode("subtree", "move", "$newCode + substring(m.code, size($code))")
    + "RETURN size(subtree) AS recoded"
)

# Merges $code into $into: children move under $into with the codes in $kids ({old, new}) and
# their subtrees [$lo, $hi) are re-coded by prefix; residents, things, events and organizations
# attached to the merged place are re-attached (with their relationship properties); its aliases
# and history follow; jurisdictions over it are dropped (and recorded); the node is deleted and
# its code becomes an alias of $into.
MERGE_PLACE: LiteralString = (
    "MATCH (a:Place {placeCode: $code}), (b:Place {placeCode: $into}) "
    "WHERE coalesce(b.codeHighWater, 0) = $expectedHighWater AND "
    + _in_scope("a")
    + " AND "
    + _in_scope("b")
    + " CALL { WITH a MATCH (a)-[r]-() RETURN count(r) AS degree } "
    "WITH a, b, degree WHERE degree = $expectedDegree "
    "MATCH (d:Place) WHERE d.placeCode >= $lo AND d.placeCode < $hi "
    "WITH a, b, [m IN " + _recoded + " WHERE m.code <> a.placeCode] AS below "
    "OPTIONAL MATCH (a)-[:PART_OF]->(up:Place) "
    "CALL { WITH a OPTIONAL MATCH (x)-[r:RESIDES_IN]->(a) "
    "RETURN collect(CASE WHEN r IS NULL THEN NULL ELSE {x: x, props: properties(r)} END) "
    "AS residences } "
    "CALL { WITH a OPTIONAL MATCH (x)-[r:INSTALLED_AT]->(a) "
    "RETURN collect(CASE WHEN r IS NULL THEN NULL ELSE {x: x, props: properties(r)} END) "
    "AS installed } "
    "CALL { WITH a OPTIONAL MATCH (x)-[r:OCCURRED_AT]->(a) "
    "RETURN collect(CASE WHEN r IS NULL THEN NULL ELSE {x: x, props: properties(r)} END) "
    "AS occurred } "
    "CALL { WITH a OPTIONAL MATCH (x)-[r:LOCATED_AT]->(a) "
    "RETURN collect(CASE WHEN r IS NULL THEN NULL ELSE {x: x, props: properties(r)} END) "
    "AS located } "
    "WITH a, b, up, below, residences, installed, occurred, located, "
    "[(k:Place)-[:PART_OF]->(a) | k] AS kids, "
    "[(al:PlaceAlias)-[:ALIAS_OF]->(a) | al] AS aliases, "
    "[(ch:PlaceChange)-[:CHANGED]->(a) | ch] AS changes, "
    "[(ch:PlaceChange)-[:CREATED]->(a) | ch] AS creations, "
    "[(o:Organization)-[:HAS_JURISDICTION_OVER]->(a) | o.creditCode] AS dropped "
    "SET b.codeHighWater = $highWater "
    "FOREACH (u IN CASE WHEN up IS NULL THEN [] ELSE [up] END | "
    "SET u.codeHighWater = CASE WHEN coalesce(u.codeHighWater, 0) < $upHighWater "
    "THEN $upHighWater ELSE u.codeHighWater END) "
    "FOREACH (k IN kids | CREATE (k)-[:PART_OF]->(b)) "
    "FOREACH (m IN residences | FOREACH (x IN [m.x] | "
    "CREATE (x)-[n:RESIDES_IN]->(b) SET n = m.props)) "
    "FOREACH (m IN installed | FOREACH (x IN [m.x] | "
    "CREATE (x)-[n:INSTALLED_AT]->(b) SET n = m.props)) "
    "FOREACH (m IN occurred | FOREACH (x IN [m.x] | "
    "CREATE (x)-[n:OCCURRED_AT]->(b) SET n = m.props)) "
    "FOREACH (m IN located | FOREACH (x IN [m.x] | "
    "CREATE (x)-[n:LOCATED_AT]->(b) SET n = m.props)) "
    "FOREACH (al IN aliases | CREATE (al)-[:ALIAS_OF]->(b)) "
    "FOREACH (ch IN changes | CREATE (ch)-[:CHANGED]->(b)) "
    "FOREACH (ch IN creations | CREATE (ch)-[:CREATED]->(b)) "
    "CREATE (:PlaceAlias {code: a.placeCode, name: a.name, "
    "formerNames: coalesce(a.formerNames, []), kind: 'merge', at: $at, "
    "changeId: $changeId})-[:ALIAS_OF]->(b) "
    "CREATE (c:PlaceChange {changeId: $changeId, kind: 'merge', at: $at, author: $author, "
    "reason: $reason, oldCode: a.placeCode, newCode: b.placeCode, oldName: a.name, "
    "newName: b.name, oldParent: $from, newParent: $intoParent, droppedJurisdictions: dropped, "
    "recoded: size(below)})-[:CHANGED]->(b) "
    + _alias_and_recode("below", "merge", _by_prefix("$kids"))
    + "DETACH DELETE a "
    "RETURN size(below) AS recoded, size(kids) AS moved"
)

# Splits new sibling places ($parts: {code, name, shortName, level, highWater}) off $code; the
# children listed in $moved ({old, new, part}) go to their part, re-coded with their subtrees.
SPLIT_PLACE: LiteralString = (
    "MATCH (a:Place {placeCode: $code})-[:PART_OF]->(up:Place) "
    "WHERE coalesce(up.codeHighWater, 0) = $expectedHighWater AND "
    + _in_scope("a")
    + " MATCH (d:Place) WHERE d.placeCode >= $lo AND d.placeCode < $hi "
    "WITH a, up, [m IN "
    + _recoded
    + " WHERE size([x IN $moved WHERE m.code STARTS WITH x.old]) > 0] "
    "AS movedNodes "
    "SET up.codeHighWater = $upHighWater, a.codeHighWater = CASE "
    "WHEN coalesce(a.codeHighWater, 0) < $ownHighWater THEN $ownHighWater "
    "ELSE a.codeHighWater END "
    "CREATE (c:PlaceChange {changeId: $changeId, kind: 'split', at: $at, author: $author, "
    "reason: $reason, oldCode: a.placeCode, newCode: a.placeCode, oldName: a.name, "
    "newName: a.name, newCodes: [part IN $parts | part.code], "
    "recoded: size(movedNodes)})-[:CHANGED]->(a) "
    "WITH a, up, c, movedNodes UNWIND $parts AS row "
    "CREATE (p:Place {placeCode: row.code, name: row.name, shortName: row.shortName, "
    "level: row.level, codeHighWater: row.highWater, source: 'split', createdBy: $author, "
    "createdAt: $at})-[:PART_OF]->(up) "
    "CREATE (c)-[:CREATED]->(p) "
    + _set_level_label
    + "WITH a, c, movedNodes, collect(p) AS created "
    "FOREACH (x IN $moved | "
    "FOREACH (k IN [m IN movedNodes WHERE m.code = x.old | m.place] | "
    "FOREACH (target IN [n IN created WHERE n.placeCode = x.part] | "
    "CREATE (k)-[:PART_OF]->(target)))) "
    "WITH a, movedNodes, created "
    "CALL { WITH a MATCH (k:Place)-[old:PART_OF]->(a) "
    "WHERE size([x IN $moved WHERE x.old = k.placeCode]) > 0 "
    "DELETE old RETURN count(*) AS unlinked } "
    + _alias_and_recode("movedNodes", "split", _by_prefix("$moved"))
    + "RETURN size(created) AS created, size(movedNodes) AS recoded"
)

# --- jurisdiction -----------------------------------------------------------------------------

# Every jurisdiction on the path from $code to the root, nearest (longest code) first.
JURISDICTIONS_ON_PATH: LiteralString = (
    "MATCH (p:Place {placeCode: $code}) WHERE "
    + _in_scope("p")
    + " MATCH (p)-[:PART_OF*0..12]->(a:Place) "
    "MATCH (o:Organization)-[j:HAS_JURISDICTION_OVER]->(a) "
    "RETURN o.creditCode AS creditCode, o.name AS name, labels(o) AS labels, "
    "a.placeCode AS placeCode, a.name AS placeName, a.level AS level, "
    "j.since AS since, j.basis AS basis "
    "ORDER BY size(a.placeCode) DESC, creditCode"
)

JURISDICTION_ROOTS: LiteralString = (
    "MATCH (o:Organization {creditCode: $org})-[j:HAS_JURISDICTION_OVER]->(p:Place) "
    "RETURN o.name AS orgName, p.placeCode AS code ORDER BY code"
)

ORGANIZATION: LiteralString = (
    "MATCH (o:Organization {creditCode: $org}) RETURN o.name AS name, labels(o) AS labels"
)

# Roots claimed by other organizations strictly inside [$lo, $hi).
OTHER_JURISDICTIONS_UNDER: LiteralString = (
    "MATCH (o:Organization)-[j:HAS_JURISDICTION_OVER]->(p:Place) "
    "WHERE p.placeCode > $lo AND p.placeCode < $hi AND o.creditCode <> $org "
    "RETURN DISTINCT p.placeCode AS code"
)

PLACES_IN_RANGE: LiteralString = (
    "MATCH (p:Place) WHERE p.placeCode >= $lo AND p.placeCode < $hi AND "
    + _in_scope("p")
    + " AND coalesce($level, p.level) = p.level "
    "AND size([x IN $excluded WHERE p.placeCode STARTS WITH x]) = 0 "
    "WITH p ORDER BY p.placeCode "
    "WITH collect({code: p.placeCode, name: p.name, level: p.level}) AS rows "
    "RETURN size(rows) AS total, rows[$skip..$end] AS rows"
)

ASSIGN_JURISDICTION: LiteralString = (
    "MATCH (o:Organization {creditCode: $org}), (p:Place {placeCode: $code}) WHERE "
    + _in_scope("p")
    + " MERGE (o)-[j:HAS_JURISDICTION_OVER]->(p) "
    "SET j.since = $since, j.basis = $basis "
    "RETURN count(j) AS assigned"
)

# --- entities under a place and roll-ups ------------------------------------------------------
# Entities of type $label attached to places of the subtree through one of $rels (the attachment
# relationships to follow); relationships with an `until` (a past residence) count only with
# $includePast.

_attached: LiteralString = (
    "MATCH (place:Place) WHERE place.placeCode >= $lo AND place.placeCode < $hi AND "
    + _in_scope("place")
    + " MATCH (x)-[r:RESIDES_IN|INSTALLED_AT|OCCURRED_AT|LOCATED_AT]->(place) "
    "WHERE type(r) IN $rels AND $label IN labels(x) "
    "AND CASE WHEN r.until IS NULL THEN true ELSE $includePast END "
)

ENTITIES_UNDER: LiteralString = (
    _attached
    + "WITH x, place, coalesce(x.idNumber, x.thingCode, x.eventCode, x.creditCode) AS key "
    "ORDER BY place.placeCode, key "
    "WITH collect({key: key, name: x.name, place: place.placeCode}) AS rows "
    "RETURN size(rows) AS total, rows[$skip..$end] AS rows"
)

ROLLUP: LiteralString = (
    _attached + "RETURN substring(place.placeCode, 0, $width) AS bucket, count(DISTINCT x) AS n"
)

ROLLUP_TOTAL: LiteralString = _attached + "RETURN count(DISTINCT x) AS n"

# The buckets' entities by identity key, for counts perturbed by their members
# (citykg.access.disclosure).
ROLLUP_MEMBERS: LiteralString = (
    _attached + "RETURN substring(place.placeCode, 0, $width) AS bucket, "
    "collect(DISTINCT coalesce(x.idNumber, x.thingCode, x.eventCode, x.creditCode)) AS members"
)

BUCKETS: LiteralString = (
    "MATCH (b:Place) WHERE b.placeCode >= $lo AND b.placeCode < $hi AND b.level = $level AND "
    + _in_scope("b")
    + " RETURN b.placeCode AS code, b.name AS name ORDER BY code"
)
