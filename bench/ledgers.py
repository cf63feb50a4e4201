"""Ledger benchmark: scoped list, detail and roll-up on a synthetic city of many persons.

    .venv/bin/python bench/ledgers.py [--persons 1000000] [--runs 50] [--graph URL]
    .venv/bin/python bench/ledgers.py --graph falkordb:///tmp/city100k-ledgers \
                     --principals worker,district [--runs 100]

With ``--principals`` it builds nothing: it opens the graph of the settings (``citykg``, a demo
city made by ``citykg demo``; ``CITYKG_DATA_KEY_FILE`` names its data key) and times, for each
principal named (the demo ``worker`` holds a community, ``district`` the district), the person
ledger's first page as statements alone (what the store answers: the walk's reads) and as the
whole page (masked rows), the next page, a search, and the organization, thing and place
ledgers' first pages, each with the load average beside it, after ``--warmup`` seconds (30) of
reading pages (a graph just loaded forks for its garbage collection and settles).

Builds (unless the graph already holds it) a synthetic city with the shape of the real one: a
place tree with real-looking codes (北京市 > 市辖区 > districts > streets > communities >
compounds > buildings > units > doors), persons residing at doors (1–4 per door, households
with a head, elderly living alone), a residents' committee with jurisdiction over each community
and a street office over each street, with one community worker and one street-office head. It
loads with ``UNWIND`` batches of ``CREATE`` (a fresh graph, so no ``MERGE`` look-ups).

It then times, as the worker and the head (principals resolved from their posts, as the API
does), each over ``--runs`` runs: the community's person ledger first page and a later keyset
page, the same page with the scope check replaced by everywhere, a scoped detail view, a
street-level roll-up by community with a gender breakdown, and the elderly-living-alone count.
Prints the measured p50/p95/p99 (nearest rank: below 100 runs the p99 is the slowest run)
and the graph's size; nothing is a constant.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, LiteralString

from citykg.access import principal, save_principal
from citykg.access.policy import READ, Reach, read_reach
from citykg.access.principals import Principal
from citykg.geo import ensure_geo_schema
from citykg.graph import GraphStore, open_store
from citykg.ledgers import (
    Catalog,
    Filter,
    LedgerQuery,
    catalog_for,
    entity_detail,
    ledger_page,
    ledger_stats,
    queries,
)
from citykg.ledgers.listing import FIRST_PLACES, address_records
from citykg.ledgers.selection import select
from citykg.ontology import compile_graph_schema, load_ontology
from citykg.ontology.checkrules import gb11643_check_char, gb32100_check_char
from citykg.settings import Settings

BATCH = 10_000
SOURCE = "bench-ledgers"
DOORS_PER_COMMUNITY = (4, 8, 3, 12)  # compounds, buildings per compound, units, doors per unit
COMMUNITIES_PER_STREET = 12
STREETS_PER_DISTRICT = 9
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"

CREATE_PLACES: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (parent:Place {placeCode: row.parent}) "
    "CREATE (p:Place {placeCode: row.code, name: row.name, level: row.level, source: $source})"
    "-[:PART_OF]->(parent) "
    "FOREACH (_ IN CASE WHEN row.level = 3 THEN [1] ELSE [] END | "
    "SET p:District:AdministrativeDivision) "
    "FOREACH (_ IN CASE WHEN row.level = 4 THEN [1] ELSE [] END | "
    "SET p:Subdistrict:AdministrativeDivision) "
    "FOREACH (_ IN CASE WHEN row.level = 5 THEN [1] ELSE [] END | "
    "SET p:Community:AdministrativeDivision) "
    "FOREACH (_ IN CASE WHEN row.level = 6 THEN [1] ELSE [] END | SET p:Compound:Premises) "
    "FOREACH (_ IN CASE WHEN row.level = 7 THEN [1] ELSE [] END | SET p:Building:Premises) "
    "FOREACH (_ IN CASE WHEN row.level = 8 THEN [1] ELSE [] END | SET p:BuildingUnit:Premises) "
    "FOREACH (_ IN CASE WHEN row.level = 9 THEN [1] ELSE [] END | SET p:Door:Premises)"
)
CREATE_TOP: LiteralString = (
    "CREATE (:Place:Province:AdministrativeDivision "
    "{placeCode: '11', name: '北京市', level: 1, source: $source})"
    "<-[:PART_OF]-(:Place:City:AdministrativeDivision "
    "{placeCode: '1101', name: '市辖区', level: 2, source: $source})"
)
CREATE_PERSONS: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (door:Place {placeCode: row.door}) "
    "CREATE (p:Person:Resident {idNumber: row.id, name: row.name, gender: row.gender, "
    "birthDate: row.birthDate, mobilePhone: row.phone, isLivingAlone: row.alone, "
    "source: $source})-[:RESIDES_IN {since: row.since, residenceType: '1'}]->(door) "
    "FOREACH (_ IN CASE WHEN row.elderly THEN [1] ELSE [] END | SET p:ElderlyPerson)"
)
CREATE_HOUSEHOLDS: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (head:Person {idNumber: row.head}), (member:Person {idNumber: row.member}) "
    "CREATE (head)-[:HOUSEHOLD_HEAD_OF {relationToHead: row.relation}]->(member)"
)
CREATE_OFFICES: LiteralString = (
    "UNWIND $rows AS row "
    "MATCH (place:Place {placeCode: row.place}) "
    "CREATE (o:Organization {creditCode: row.creditCode, name: row.name, source: $source}) "
    "CREATE (o)-[:HAS_JURISDICTION_OVER {since: '2020-01-01'}]->(place) "
    "CREATE (o)-[:LOCATED_AT {since: '2020-01-01'}]->(place) "
    "FOREACH (_ IN CASE WHEN row.level = 5 THEN [1] ELSE [] END | "
    "SET o:ResidentsCommittee:SelfGoverningOrganization) "
    "FOREACH (_ IN CASE WHEN row.level = 4 THEN [1] ELSE [] END | "
    "SET o:SubdistrictOffice:GovernmentDepartment)"
)
CREATE_POST: LiteralString = (
    "MATCH (p:Person {idNumber: $person}), (o:Organization {creditCode: $organization}) "
    "SET p:Official "
    "CREATE (p)-[:HOLDS_POST_IN {role: $role, tags: $tags, since: '2024-01-01'}]->(o)"
)
COUNT_PERSONS: LiteralString = "MATCH (p:Person) WHERE p.source = $source RETURN count(p) AS n"
FIRST_RESIDENTS: LiteralString = (
    "MATCH (d:Place) WHERE d.placeCode >= $code AND d.placeCode < $hi "
    "MATCH (p:Person)-[r:RESIDES_IN]->(d) "
    "RETURN p.idNumber AS person ORDER BY person LIMIT 3"
)
HAS_POST: LiteralString = (
    "MATCH (:Person {idNumber: $person})-[h:HOLDS_POST_IN]->() RETURN count(h) AS n"
)


@dataclass(frozen=True, slots=True)
class City:
    """The codes the timings need: one street, one of its communities, and their offices."""

    street: str
    community: str
    street_office: str
    committee: str
    persons: int


def plan_city(persons: int) -> tuple[list[str], list[str], list[str]]:
    """District, street and community codes for about ``persons`` persons (2.5 per door)."""
    per_community = 2.5 * _product(DOORS_PER_COMMUNITY)
    communities = max(1, -(-persons // int(per_community)))
    per_district = STREETS_PER_DISTRICT * COMMUNITIES_PER_STREET
    districts = [f"1101{5 + d:02d}" for d in range(-(-communities // per_district))]
    streets = [f"{d}{s:03d}" for d in districts for s in range(1, STREETS_PER_DISTRICT + 1)]
    streets = streets[: -(-communities // COMMUNITIES_PER_STREET)]
    codes = [f"{s}{c:03d}" for s in streets for c in range(1, COMMUNITIES_PER_STREET + 1)]
    return districts, streets, codes[:communities]


def build_city(store: GraphStore, persons: int, seed: int = 11) -> City:
    """Write the synthetic city of about ``persons`` persons (skipped when already there)."""
    districts, streets, communities = plan_city(persons)
    existing = int(store.read(COUNT_PERSONS, {"source": SOURCE})[0]["n"])
    if not existing:
        ontology = load_ontology(Settings().ontology_dir)
        ensure_geo_schema(store)
        store.apply_schema(compile_graph_schema(ontology))
        rng = random.Random(seed)
        started = time.perf_counter()
        store.write(CREATE_TOP, {"source": SOURCE})
        doors = 0
        levels = (*_admin_rows(districts, streets, communities), *_premises_rows(communities))
        for rows in levels:  # a level at a time: its parents are written before it
            doors = _write(store, CREATE_PLACES, iter(rows))
        existing = _write_persons(store, rng, persons)
        _write(store, CREATE_OFFICES, _office_rows(streets, communities))
        print(
            f"built {existing:,} persons, {doors:,} doors in {time.perf_counter() - started:.0f} s"
        )
    street, community = streets[0], communities[0]
    return City(street, community, _credit(0, 4), _credit(0, 5), existing)


def _admin_rows(
    districts: list[str], streets: list[str], communities: list[str]
) -> list[list[dict[str, Any]]]:
    """Levels 3–5, one list per level."""
    return [
        [{"code": c, "parent": "1101", "name": f"第{c[-2:]}区", "level": 3} for c in districts],
        [{"code": c, "parent": c[:6], "name": f"第{c[-3:]}街道", "level": 4} for c in streets],
        [{"code": c, "parent": c[:9], "name": f"第{c[-3:]}社区", "level": 5} for c in communities],
    ]


def _premises_rows(communities: list[str]) -> list[list[dict[str, Any]]]:
    """Levels 6–9 under every community, one list per level."""
    compounds, buildings, units, doors = DOORS_PER_COMMUNITY
    levels: list[list[dict[str, Any]]] = []
    parents = communities
    for level, count, width, name in ((6, compounds, 4, "号院"), (7, buildings, 3, "号楼"),
                                      (8, units, 2, "单元")):  # fmt: skip
        rows = [
            {"code": f"{parent}{i:0{width}d}", "parent": parent, "name": f"{i}{name}",
             "level": level}
            for parent in parents
            for i in range(1, count + 1)
        ]  # fmt: skip
        levels.append(rows)
        parents = [str(row["code"]) for row in rows]
    levels.append(
        [
            {
                "code": f"{unit}{d // 2 + 1:02d}{d % 2 + 1:02d}",
                "parent": unit,
                "name": f"{d // 2 + 1}{d % 2 + 1:02d}室",
                "level": 9,
            }
            for unit in parents
            for d in range(doors)
        ]
    )
    return levels


def _write_persons(store: GraphStore, rng: random.Random, persons: int) -> int:
    rows = store.read(
        "MATCH (d:Door) WHERE d.source = $source RETURN d.placeCode AS code ORDER BY code",
        {"source": SOURCE},
    )
    codes = [str(r["code"]) for r in rows]
    batch: list[dict[str, Any]] = []
    households: list[dict[str, Any]] = []
    written = 0
    today = date.today()
    taken: set[str] = set()
    for door in codes:
        size = rng.choice((1, 2, 2, 3, 3, 4))
        members = [_person(rng, door, taken, today, alone=size == 1) for _ in range(size)]
        batch.extend(members)
        households.extend(
            {"head": members[0]["id"], "member": m["id"], "relation": "10"} for m in members[1:]
        )
        if len(batch) >= BATCH:
            written += _flush(store, batch, households)
        if written + len(batch) >= persons:
            break
    return written + _flush(store, batch, households)


def _flush(store: GraphStore, batch: list[dict[str, Any]], households: list[dict[str, Any]]) -> int:
    n = len(batch)
    if batch:
        store.write(CREATE_PERSONS, {"rows": batch, "source": SOURCE})
    if households:
        store.write(CREATE_HOUSEHOLDS, {"rows": households})
    batch.clear()
    households.clear()
    return n


def _person(
    rng: random.Random, door: str, taken: set[str], today: date, *, alone: bool
) -> dict[str, Any]:
    """A person with a unique, valid ID number (the sequence is bumped past taken ones)."""
    year, month, day = rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28)
    gender = rng.choice("12")
    sequence = rng.randrange(500) * 2 + (1 if gender == "1" else 0)
    first17 = f"{door[:6]}{year:04d}{month:02d}{day:02d}{sequence:03d}"
    while first17 in taken:
        sequence = (sequence + 2) % 1000
        first17 = f"{door[:6]}{year:04d}{month:02d}{day:02d}{sequence:03d}"
    taken.add(first17)
    elderly = today.year - year >= 60
    return {
        "id": first17 + gb11643_check_char(first17),
        "door": door,
        "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
        "gender": gender,
        "birthDate": f"{year:04d}-{month:02d}-{day:02d}",
        "phone": f"13{rng.randrange(10**9):09d}",
        "alone": alone and elderly,
        "elderly": elderly,
        "since": f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-01",
    }


def _office_rows(streets: list[str], communities: list[str]) -> Iterator[dict[str, Any]]:
    for i, code in enumerate(streets):
        yield {"place": code, "creditCode": _credit(i, 4), "name": f"第{code[-3:]}街道办事处",
               "level": 4}  # fmt: skip
    for i, code in enumerate(communities):
        yield {"place": code, "creditCode": _credit(i, 5), "name": f"第{code[-3:]}社区居委会",
               "level": 5}  # fmt: skip


def _credit(serial: int, level: int) -> str:
    first17 = f"{'11' if level == 4 else '55'}110105MJ{level}{serial:06d}"
    return first17 + gb32100_check_char(first17)


def _write(store: GraphStore, query: LiteralString, rows: Iterator[dict[str, Any]]) -> int:
    written = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            store.write(query, {"rows": batch, "source": SOURCE})
            written += len(batch)
            batch = []
    if batch:
        store.write(query, {"rows": batch, "source": SOURCE})
        written += len(batch)
    return written


def _product(values: tuple[int, ...]) -> int:
    result = 1
    for v in values:
        result *= v
    return result


def officials(store: GraphStore, city: City) -> tuple[Principal, Principal]:
    """A community worker of ``city.community`` and the head of ``city.street``'s office."""
    rows = store.read(FIRST_RESIDENTS, {"code": city.community, "hi": city.community + "~"})
    worker, head = str(rows[0]["person"]), str(rows[1]["person"])
    for person, org, role in ((worker, city.committee, "SQ05"), (head, city.street_office, "JD01")):
        if not store.read(HAS_POST, {"person": person})[0]["n"]:
            store.write(CREATE_POST, {"person": person, "organization": org, "role": role,
                                      "tags": ["civil-affairs"]})  # fmt: skip
    save_principal(store, id="bench-worker", kind="official", name="社区工作者", person=worker)
    save_principal(store, id="bench-head", kind="official", name="街道负责人", person=head)
    return principal(store, "bench-worker"), principal(store, "bench-head")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(runs: int, action: Callable[[], object]) -> tuple[float, float, float]:
    """Median, p95 and p99 in milliseconds over ``runs`` runs (after one warm-up run)."""
    action()
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.95), percentile(samples, 0.99)


def first_page_cypher(
    store: GraphStore, catalog: Catalog, worker: Principal, code: str, *, scoped: bool
) -> Callable[[], object]:
    """The Cypher of the worker's first page alone (the address order: one slice, the
    community), with its scope check or with it taken out (every place passes)."""
    reach = Reach(worker.scope)
    selection = select(store, catalog=catalog, principal=worker, reach=reach, type="Person",
                       within=code)  # fmt: skip
    text = selection.walk + queries.address_key + queries.address_rows
    params = {**selection.params, "slices": [{"lo": code, "hi": code + "~"}], "take": 51,
              "places": FIRST_PLACES}  # fmt: skip
    if not scoped:
        params["scopeRoots"] = [""]
    return lambda: store.read(text, params)


def statements_of(
    store: GraphStore, catalog: Catalog, who: Principal, query: LedgerQuery
) -> Callable[[], object]:
    """The statements of a page alone: what the store answers, without masking the rows."""
    selection = select(store, catalog=catalog, principal=who, reach=read_reach(who, action=READ),
                       type=query.type, q=query.q)  # fmt: skip
    return lambda: address_records(store, selection, query)


def run_principals(store: GraphStore, names: list[str], runs: int, warmup: float) -> None:
    """Pages of a demo city's principals (``--principals``), after ``warmup`` seconds of
    first pages."""
    catalog = catalog_for(load_ontology(Settings().ontology_dir))
    until = time.monotonic() + warmup
    while time.monotonic() < until:
        for name in names:
            ledger_page(store, catalog=catalog, principal=principal(store, name),
                        query=LedgerQuery(type="Person"))  # fmt: skip
    for name in names:
        who = principal(store, name)
        first = LedgerQuery(type="Person", limit=50)
        page = ledger_page(store, catalog=catalog, principal=who, query=first)
        second = first.model_copy(update={"cursor": page.next_cursor})
        figures: list[tuple[str, Callable[[], object]]] = [
            ("person ledger, first page: statements alone", statements_of(store, catalog, who,
                                                                          first)),
        ]  # fmt: skip
        for label, query in (("person ledger, first page (50)", first),
                             ("person ledger, second page (keyset)", second),
                             ("person ledger, search 王", first.model_copy(update={"q": "王"})),
                             ("organization ledger, first page", LedgerQuery(type="Organization")),
                             ("thing ledger, first page", LedgerQuery(type="Thing")),
                             ("place ledger, first page", LedgerQuery(type="Place"))):  # fmt: skip
            figures.append((label, partial(ledger_page, store, catalog=catalog, principal=who,
                                           query=query)))  # fmt: skip
        print(f"{name}: scope {who.scope}")
        for label, action in figures:
            median, p95, p99 = timed(runs, action)
            load = os.getloadavg()[0]
            print(f"  {label + ':':<47} p50 {median:7.2f} ms, p95 {p95:7.2f} ms, "
                  f"p99 {p99:7.2f} ms (load average {load:.2f})")  # fmt: skip


def run(store: GraphStore, city: City, runs: int) -> None:
    catalog = catalog_for(load_ontology(Settings().ontology_dir))
    worker, head = officials(store, city)
    first = LedgerQuery(type="Person", limit=50)
    page = ledger_page(store, catalog=catalog, principal=worker, query=first)
    for _ in range(9):
        assert page.next_cursor
        page = ledger_page(store, catalog=catalog, principal=worker,
                           query=first.model_copy(update={"cursor": page.next_cursor}))  # fmt: skip
    tenth = first.model_copy(update={"cursor": page.next_cursor})
    somebody = page.items[0].ref
    alone = [Filter(key="isLivingAlone", value="true"), Filter(key="age", op="gte", value="60")]
    figures: list[tuple[str, Callable[[], object]]] = [
        ("community person ledger, first page (50)",
         lambda: ledger_page(store, catalog=catalog, principal=worker, query=first)),
        ("  its Cypher alone, scoped",
         first_page_cypher(store, catalog, worker, city.community, scoped=True)),
        ("  its Cypher alone, the scope taken out",
         first_page_cypher(store, catalog, worker, city.community, scoped=False)),
        ("community person ledger, 11th page (keyset)",
         lambda: ledger_page(store, catalog=catalog, principal=worker, query=tenth)),
        ("scoped detail view of a resident",
         lambda: entity_detail(store, catalog=catalog, principal=worker, type="Person",
                               key=somebody)),
        ("street roll-up by community, by gender",
         lambda: ledger_stats(store, catalog=catalog, principal=head, type="Person",
                              level="community", by="gender")),
        ("street roll-up: elderly living alone",
         lambda: ledger_stats(store, catalog=catalog, principal=head, type="Person",
                              level="community", filters=alone)),
    ]  # fmt: skip
    results = {}
    for label, action in figures:
        median, p95, p99 = timed(runs, action)
        results[label] = median
        print(f"{label + ':':<49} p50 {median:8.1f} ms, p95 {p95:8.1f} ms, p99 {p99:8.1f} ms")
    scoped, bare = results[figures[1][0]], results[figures[2][0]]
    overhead = 100 * (scoped - bare) / bare
    print(f"scope check overhead on the first page's Cypher (p50): {overhead:+.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--graph", help="graph URL (default: a temporary embedded graph)")
    parser.add_argument("--principals", help="time these principals' pages on the graph of "
                        "the settings (a demo city) instead of building one")  # fmt: skip
    parser.add_argument("--warmup", type=float, default=30.0,
                        help="with --principals: seconds of pages read before timing")  # fmt: skip
    args = parser.parse_args()
    if args.principals:
        settings = Settings()
        store = open_store(args.graph or settings.graph, graph_name=settings.graph_name)
        try:
            store.await_indexes(600)
            persons = store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]
            print(f"graph {args.graph}: {persons:,} persons; {args.runs} runs each; "
                  f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
            run_principals(store, args.principals.split(","), args.runs, args.warmup)
        finally:
            store.close()
        return
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(args.graph or f"falkordb://{Path(tmp) / 'graph'}",
                           graph_name="bench-ledgers")  # fmt: skip
        try:
            city = build_city(store, args.persons)
            store.await_indexes(600)  # a graph opened from disk rebuilds them in the background
            nodes = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
            print(f"graph: {city.persons:,} persons, {nodes:,} nodes; community {city.community}, "
                  f"street {city.street}; {args.runs} runs each")  # fmt: skip
            run(store, city, args.runs)
        finally:
            store.close()


if __name__ == "__main__":
    main()
