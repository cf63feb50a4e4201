"""All the Cypher of the ledgers.

**Scope inside every query.** Every read of city data carries the principal's place scope as
parameters: ``$scopeRoots`` (a place is visible when its code starts with a root; ``[""]`` is
everywhere) and, for residents, ``$household`` (the identity keys of their household). Lists and
roll-ups make the scope their access path: ``UNWIND $scopeRoots`` and one ``placeCode`` index
range per root (``STARTS WITH root`` checked too), intersected with the asked subtree
``[$lo, $hi)``, so nothing outside the roots is ever read and the check costs nothing extra.
Single entities check the scope on the places they hang off (:func:`_in_scope`).

**Assembly.** A ledger list or roll-up is assembled by :mod:`citykg.ledgers.selection` from the
lower-case fragments below: a source (``from_…_template``: the scoped places and the entities
hanging off them, ending inside a ``WHERE``), ``and_…`` conditions (filters, search), a bind
(``x`` the entity, ``place`` the code of its place), the creating organization, then a tail (a
keyset page, or counts per bucket). Templates (``…_template``, ``…_TEMPLATE``) have ``{slots}``
for labels, identity keys and relationship types from the ontology, filled only through
:func:`citykg.graph.identifiers.cypher_with`; ``tests/ledgers/test_queries.py`` sends every
assembled statement, for every kind of entity, through FalkorDB's planner.

**Paging** is keyset, never ``SKIP``. The default order is the **address order**: by the code
of the place an entity hangs off, then its identity key (``place, key`` after the cursor's). It is
read as a walk through the place tree in code order (:func:`citykg.ledgers.listing.read_page`):
the source ``from_…_sliced_template`` reads only the ``$slices`` it is given, ranges of place
codes in code order (a community's subtree, a street's own place, a street's landmarks, roads
and grids), and of those only the first ``$places`` places by code, so a district's first page
reads a few dozen doors, not the district; the next statement goes on after the last place read
until the page is full. An explicit ``sort`` (``sort value, identity key``) sorts everything the
view selects: the page is cut by a literal ``LIMIT 501`` (the largest page plus one, so the
planner keeps only the top rows while sorting) and sliced to ``$take``. Dynamic property access
(``x[$key]``, ``x[$filters[0].key]``) reads the attribute a filter or sort names; the key itself
comes from the ontology, checked by :mod:`citykg.ledgers.catalog`.

**Ranges FalkorDB answers exactly.** FalkorDB 4.x's string range index drops an upper bound
given as a parameter in general (FalkorDB issue 2239: ``code >= $lo AND code < $hi`` returned
a whole district for a street's range, 42,084 places instead of 2). It answered exactly, on every
code of the 100k demo city, when the upper bound is a prefix of the lower bound followed by one
character, and every range of the walk has that form: a subtree ``[p, p + '~')`` or its rest
``[q, p + '~')`` with ``q`` under ``p``, one place ``[p, p + '!')`` (``'!'`` sorts below every
code character), a place's landmarks, roads and grids ``[p + 'A', p + '~')``
(``tests/ledgers/test_listing.py`` walks every place of a street and of the whole tree).
"""

from __future__ import annotations

from typing import LiteralString

PAGE_LIMIT = 501
"""The literal ``LIMIT`` of a page query: :data:`citykg.ledgers.models.MAX_PAGE` + 1."""


def _in_scope(var: LiteralString) -> LiteralString:
    """The scope predicate on the place bound to ``var``."""
    return "size([root IN $scopeRoots WHERE " + var + ".placeCode STARTS WITH root]) > 0"


# --- sources: x (the entity) and place (the code of the place it hangs off) ---------------------
# The scope is the access path: one index range per root ($scopeRoots), intersected with the
# asked subtree [$lo, $hi). The source ends with a WITH (x, place) so that conditions on x
# (`where_conditions` then `and_…`) are applied after it: the planner then keeps starting from
# the place index instead of scanning every entity of the label.


def _scoped(var: LiteralString) -> LiteralString:
    """``var``: each place of the asked subtree under each scope root (ends inside a WHERE)."""
    return (
        "UNWIND $scopeRoots AS root MATCH (" + var + ":Place) WHERE " + var + ".placeCode >= root "
        "AND " + var + ".placeCode < root + '~' AND " + var + ".placeCode STARTS WITH root "
        "AND " + var + ".placeCode >= $lo AND " + var + ".placeCode < $hi "
    )


from_attached_template: LiteralString = (
    _scoped("pl") + "MATCH (x:{label})-[r:{rel}]->(pl) WHERE r.until IS NULL "
    "WITH x, pl.placeCode AS place "
)

from_places_template: LiteralString = _scoped("x") + "AND x:{label} WITH x, x.placeCode AS place "


# The walk of the address order: the first $places places of $slices ({lo, hi}: ranges of the
# forms above, in code order) by code, and in a subquery the entities hanging off those in scope
# (`chosen`); the page's rows come back with how many places were read and the last one, where
# the next statement goes on when the page is not full yet.
_walk_places: LiteralString = (
    "UNWIND $slices AS slice MATCH (pl:Place) WHERE pl.placeCode >= slice.lo "
    "AND pl.placeCode < slice.hi "
    "WITH pl, pl.placeCode AS place ORDER BY place LIMIT $places "
    "WITH collect(pl) AS chosen "
    "CALL {{ WITH chosen UNWIND chosen AS pl WITH pl, pl.placeCode AS place "
    "WHERE size([s IN $scopeRoots WHERE place STARTS WITH s]) > 0 "
)

from_attached_sliced_template: LiteralString = (
    _walk_places + "MATCH (x:{label})-[r:{rel}]->(pl) WHERE r.until IS NULL WITH x, place "
)

from_places_sliced_template: LiteralString = _walk_places + "AND pl:{label} WITH pl AS x, place "

# The administrative divisions (levels 1-5) after $after under $roots (the view's places), in
# scope, in code order: where the walk of the address order cuts its slices.
DIVISIONS_AFTER: LiteralString = (
    "UNWIND $roots AS root MATCH (d:AdministrativeDivision) WHERE d.placeCode >= root "
    "AND d.placeCode < root + '~' AND d.placeCode > $after "
    "WITH d.placeCode AS code, root WHERE code STARTS WITH root AND code > $after "
    "AND size([s IN $scopeRoots WHERE code STARTS WITH s]) > 0 "
    "RETURN code ORDER BY code LIMIT $n"
)

# --- optional narrowing ------------------------------------------------------------------------

where_conditions: LiteralString = "WITH x, place WHERE true "

_POSITIONS: tuple[LiteralString, ...] = (
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
)  # fmt: skip
MAX_FILTERS = len(_POSITIONS)


def and_filter(op: str, position: int) -> LiteralString:
    """``AND`` the condition ``$filters[position]`` (``{key, value, values, text}``) with ``op``."""
    f = "$filters[" + _POSITIONS[position] + "]"
    value = "x[" + f + ".key]"
    predicates: dict[str, LiteralString] = {
        "eq": value + " = " + f + ".value",
        "ne": value + " <> " + f + ".value",
        "lt": value + " < " + f + ".value",
        "lte": value + " <= " + f + ".value",
        "gt": value + " > " + f + ".value",
        "gte": value + " >= " + f + ".value",
        "in": value + " IN " + f + ".values",
        "contains": "toLower(toString(" + value + ")) CONTAINS " + f + ".text",
        "exists": value + " IS NOT NULL",
        "missing": value + " IS NULL",
    }
    return "AND " + predicates[op] + " "


and_search: LiteralString = (
    "AND (x[$key] = $exact "
    "OR size([k IN $searchKeys WHERE toLower(toString(x[k])) CONTAINS $q]) > 0) "
)

# Created by an organization: the entity's first submission was made by a person holding a post
# in $createdBy at the time; an entity with no submission (imported) by its `source`.
where_created_by: LiteralString = (
    "CALL { WITH x MATCH (x)-[:ASSERTED_BY]->(s:Submission) "
    "WITH s ORDER BY s.at RETURN collect(s)[0] AS first } "
    "CALL { WITH first "
    "MATCH (author:Person)-[h:HOLDS_POST_IN]->(o:Organization {creditCode: $createdBy}) "
    "WHERE author.idNumber = first.authorPerson AND coalesce(h.since, '') <= first.at "
    "AND (h.until IS NULL OR h.until >= substring(first.at, 0, 10)) "
    "RETURN count(o) AS posts } "
    "WITH x, place, first, posts "
    "WHERE posts > 0 OR (first IS NULL AND x.source = $createdBy) "
)

# --- a page -------------------------------------------------------------------------------------

sort_value: LiteralString = "WITH x, place, coalesce(x[$sort], $floor) AS sv, x[$key] AS k "
after_ascending: LiteralString = "WHERE sv > $afterValue OR (sv = $afterValue AND k > $afterKey) "
after_descending: LiteralString = "WHERE sv < $afterValue OR (sv = $afterValue AND k < $afterKey) "
order_ascending: LiteralString = "WITH x, place, sv, k ORDER BY sv, k LIMIT 501 "
order_descending: LiteralString = "WITH x, place, sv, k ORDER BY sv DESC, k DESC LIMIT 501 "

# The names of the compound, building, unit and door at `pl` (read once per place of a page).
_path: LiteralString = (
    "MATCH (pl:Place {placeCode: place}) "
    "CALL { WITH pl MATCH (pl)-[:PART_OF*0..3]->(up:Place) "
    "WHERE up.level >= 6 AND up.name IS NOT NULL "
    "WITH up ORDER BY size(up.placeCode) RETURN collect(up.name) AS path } "
    "UNWIND here AS row "
)

# The page's rows with the names of the compound, building, unit and door they are at.
page_rows: LiteralString = (
    "WITH collect({x: x, place: place, sv: sv, k: k})[0..$take] AS page "
    "UNWIND page AS row "
    "WITH row.place AS place, collect(row) AS here "
    + _path
    + "RETURN row.k AS key, row.sv AS sortValue, labels(row.x) AS labels, "
    "properties(row.x) AS properties, place, path "
)
return_ascending: LiteralString = "ORDER BY sortValue, key"
return_descending: LiteralString = "ORDER BY sortValue DESC, key DESC"

# The address order: by place code, then identity key, among the places the walk chose; the
# page is cut by `LIMIT $take` (what is still missing from it) straight after the sort. Each
# place comes once, with the names of its compound, building, unit and door and its entities in
# key order (`collect` keeps the order of the sorted rows), each as its node (labels and
# properties, the identity key among them); the caller unfolds them. Nodes rather than maps of
# `labels(e)` and `properties(e)`: FalkorDB builds no map per row (0.4 of 1.5 ms for a page).
address_key: LiteralString = "WITH x, place, x[$key] AS k "
after_address: LiteralString = (
    "WHERE place > $afterPlace OR (place = $afterPlace AND k > $afterKey) "
)
address_rows: LiteralString = (
    "WITH x, place, k ORDER BY place, k LIMIT $take "
    "WITH place, collect(x) AS here "
    "MATCH (pl:Place {placeCode: place}) "
    "CALL { WITH pl MATCH (pl)-[:PART_OF*0..3]->(up) WHERE up.level >= 6 AND up.name IS NOT NULL "
    "WITH up ORDER BY size(up.placeCode) RETURN collect(up.name) AS path } "
    "WITH place, path, here ORDER BY place "
    "RETURN collect({place: place, path: path, rows: here}) AS found } "
    "RETURN size(chosen) AS taken, chosen[size(chosen) - 1].placeCode AS reached, found"
)

# --- roll-ups -----------------------------------------------------------------------------------

# Cells: the place at the roll-up level ($width: its code length) and the breakdown value, an
# attribute ($by), the age band of the birth date ($byAge), or none.
_cells: LiteralString = (
    "WITH x, substring(place, 0, $width) AS bucket, "
    "CASE WHEN $byAge THEN head([b IN $bands WHERE x.birthDate > b.after "
    "AND x.birthDate <= b.upto | b.label]) "
    "WHEN $by IS NULL THEN null ELSE x[$by] END AS value "
)
count_buckets: LiteralString = _cells + "RETURN bucket, value, count(DISTINCT x) AS n"

# The cells' members (identity keys), whose record keys perturb counts published to those who
# may not read the rows (citykg.access.disclosure).
member_buckets: LiteralString = (
    _cells + "RETURN bucket, value, collect(DISTINCT x[$key]) AS members"
)

BUCKET_PLACES: LiteralString = (
    "MATCH (b:Place) WHERE b.placeCode >= $lo AND b.placeCode < $hi AND b.level = $level AND "
    + _in_scope("b")
    + " RETURN b.placeCode AS code, b.name AS name ORDER BY code"
)

# --- one entity ---------------------------------------------------------------------------------

# An attached entity, when one of its current places is in scope or it is of the household.
ENTITY_TEMPLATE: LiteralString = (
    "MATCH (x:{top} {{{key}: $key}}) "
    "CALL {{ WITH x MATCH (x)-[r:{rel}]->(pl:Place) WHERE r.until IS NULL AND "
    + _in_scope("pl")
    + " RETURN count(pl) AS reach }} "
    "WITH x, reach WHERE reach > 0 OR x.{key} IN $household "
    "RETURN labels(x) AS labels, properties(x) AS properties"
)

PLACE_ENTITY: LiteralString = (
    "MATCH (x:Place {placeCode: $key}) WHERE "
    + _in_scope("x")
    + " RETURN labels(x) AS labels, properties(x) AS properties"
)


def _attached_to(var: LiteralString, place: LiteralString) -> LiteralString:
    """The places ``var`` hangs off now (ends inside a WHERE)."""
    return (
        "MATCH (" + var + ")-[a:RESIDES_IN|LOCATED_AT|INSTALLED_AT|OCCURRED_AT]->(" + place
        + ":Place) WHERE a.until IS NULL "
    )  # fmt: skip


# Every relation of $types touching the entity, grouped by type and direction (the first $cap
# of each, current ones first, then by name: a sealed ID number orders nothing meaningful): the
# other end's labels, identity key ($keys: every top class's key property), name, whether the
# caller may open it, whether it hangs off any place now (``placed``), and for a place its path
# to the root.
RELATIONS_TEMPLATE: LiteralString = (
    "MATCH (x:{top} {{{key}: $key}})-[r]-(y) WHERE type(r) IN $types "
    "CALL {{ WITH y " + _attached_to("y", "yp") + "RETURN count(yp) AS placed }} "
    "CALL {{ WITH y "
    + _attached_to("y", "yp")
    + "AND "
    + _in_scope("yp")
    + " RETURN count(yp) AS reach }} "
    "CALL {{ WITH y MATCH (y)-[:PART_OF*1..12]->(up:Place) WITH up ORDER BY size(up.placeCode) "
    "RETURN collect({{code: up.placeCode, name: up.name, level: up.level}}) AS path }} "
    "WITH x, r, y, placed, path, head([k IN $keys WHERE y[k] IS NOT NULL | y[k]]) AS yk, "
    "reach > 0 OR ('Place' IN labels(y) AND " + _in_scope("y") + ") AS inScope "
    "WITH type(r) AS type, startNode(r) = x AS outgoing, r, y, placed, path, yk, "
    "inScope OR yk IN $household AS visible "
    "ORDER BY r.until IS NULL DESC, coalesce(y.name, y.title, ''), yk "
    "WITH type, outgoing, count(r) AS total, collect({{labels: labels(y), key: yk, "
    "name: coalesce(y.name, y.title), "
    "current: r.until IS NULL, properties: properties(r), visible: visible, "
    "placed: placed > 0, path: path, "
    "level: y.level}})[0..$cap] AS items "
    "RETURN type, outgoing, total, items ORDER BY type, outgoing DESC"
)

# The places an entity hangs off now (read once it is known to be visible).
ATTACHMENT_PLACES_TEMPLATE: LiteralString = (
    "MATCH (x:{top} {{{key}: $key}})-[r:{rel}]->(pl:Place) WHERE r.until IS NULL "
    "RETURN collect(pl.placeCode) AS places"
)

# --- end-dating ---------------------------------------------------------------------------------

# Ends the entity's current place relations that lie in scope (`until` = $today) and, when none
# is left, marks it ended; recorded as a :Submission the entity is ASSERTED_BY, as forms do.
END_ENTITY_TEMPLATE: LiteralString = (
    "MATCH (x:{top} {{{key}: $key}})-[r:{rel}]->(pl:Place) WHERE r.until IS NULL "
    "WITH x, collect({{r: r, visible: " + _in_scope("pl") + "}}) AS attached "
    "WITH x, [a IN attached | a.r] AS current, [a IN attached WHERE a.visible | a.r] AS ended "
    "WHERE size(ended) > 0 "
    "FOREACH (r IN ended | SET r.until = $today) "
    "SET x.endedAt = CASE WHEN size(ended) = size(current) THEN $at ELSE x.endedAt END, "
    "x.endReason = CASE WHEN size(ended) = size(current) THEN $reason ELSE x.endReason END "
    "CREATE (s:Submission) SET s += $submission "
    "CREATE (x)-[:ASSERTED_BY {{keys: $keys, at: $at}}]->(s) "
    "RETURN size(ended) AS ended, size(current) - size(ended) AS remaining"
)
