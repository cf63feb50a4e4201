"""The Cypher of audiences: places at a level, who answers for them, who lives there.

Every read starts from the place-code index, one range per root of the audience
(``$scopeRoots``; a place's code starts with its parent's, so a subtree is a prefix range),
intersected with the part asked (``[$lo, $hi)``).
"""

from __future__ import annotations

from typing import LiteralString

# Places of one level ({label}: its class, e.g. Community) under the roots.
PLACES_AT_LEVEL_TEMPLATE: LiteralString = (
    "UNWIND $scopeRoots AS root MATCH (p:{label}) WHERE p.placeCode >= root "
    "AND p.placeCode < root + '~' AND p.placeCode STARTS WITH root "
    "RETURN p.placeCode AS code, p.name AS name ORDER BY code"
)

# Current jurisdictions over any of $codes (the units and their ancestors).
JURISDICTIONS: LiteralString = (
    "UNWIND $codes AS code MATCH (p:Place {placeCode: code}) "
    "MATCH (o:Organization)-[j:HAS_JURISDICTION_OVER]->(p) WHERE j.until IS NULL "
    "RETURN code, o.creditCode AS organization, o.name AS name ORDER BY code, organization"
)

# Current holders of posts in $organizations (optionally only $roles).
POSTS: LiteralString = (
    "UNWIND $organizations AS org "
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:Organization {creditCode: org}) "
    "WHERE h.until IS NULL AND (size($roles) = 0 OR h.role IN $roles) "
    "RETURN o.creditCode AS organization, h.role AS role, p.idNumber AS person, "
    "p.name AS name ORDER BY organization, role, person"
)

# Heads of the households living in the subtree [$lo, $hi) now: x the head, place its home.
households_source: LiteralString = (
    "UNWIND $scopeRoots AS root MATCH (pl:Place) WHERE pl.placeCode >= root "
    "AND pl.placeCode < root + '~' AND pl.placeCode STARTS WITH root "
    "AND pl.placeCode >= $lo AND pl.placeCode < $hi "
    "MATCH (x:Person)-[r:RESIDES_IN]->(pl) WHERE r.until IS NULL AND r.householdHead = true "
    "WITH x, pl.placeCode AS place "
)

one_per_member: LiteralString = "WITH x, min(place) AS place "
"""One row per entity (a person with two current homes is counted at the first)."""

return_members: LiteralString = "RETURN x[$key] AS key, place ORDER BY key"
