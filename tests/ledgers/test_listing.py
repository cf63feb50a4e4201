"""Ledger lists: scope inside the query, filters, search, sort, keyset pages, the address order
(a walk through the place tree, every row once, in code order), bad input."""

from __future__ import annotations

import pytest

from citykg.access import Principal
from citykg.access.audit import recent
from citykg.access.policy import READ, Reach, read_reach
from citykg.errors import Forbidden, NotFound, ValidationFailed
from citykg.geo.scope import PlaceScope
from citykg.ledgers import Catalog, Filter, LedgerQuery, ledger_page, listing
from citykg.ledgers.listing import read_page
from citykg.ledgers.models import LedgerRow
from tests.ledgers.city import C1, C2, CAMERA, SHOP, STREET, STREET_OFFICE, WANG, ZHAO, City


def names(rows: list[LedgerRow]) -> set[str]:
    return {str(r.properties.get("name")) for r in rows}


def everything(city: City, catalog: Catalog, who: Principal, **asked: object) -> list[LedgerRow]:
    query = LedgerQuery(type="Person", limit=7, **asked)  # type: ignore[arg-type]
    rows: list[LedgerRow] = []
    while True:
        page = ledger_page(city.store, catalog=catalog, principal=who, query=query)
        rows += page.items
        if page.next_cursor is None:
            return rows
        query = query.model_copy(update={"cursor": page.next_cursor})


def test_a_worker_lists_exactly_the_residents_of_their_community(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    rows = everything(city, catalog, who["worker1"])
    expected = city.store.read(
        "MATCH (p:Person)-[r:RESIDES_IN]->(d:Place) WHERE d.placeCode STARTS WITH $c "
        "AND r.until IS NULL RETURN count(DISTINCT p) AS n",
        {"c": C1},
    )[0]["n"]
    assert len(rows) == expected and len({r.ref for r in rows}) == expected
    assert {"王伟", "李娜", "赵奶奶"} <= names(rows) and "孙强" not in names(rows)
    assert all(r.place and r.place.startswith(C1) for r in rows)


def test_keyset_pages_follow_the_sort_without_gaps_or_repeats(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    by_name = everything(city, catalog, who["head"], sort="-birthDate")
    births = [str(r.properties.get("birthDate") or "") for r in by_name]
    assert births == sorted(births, reverse=True)
    assert len(by_name) == len({r.ref for r in by_name}) > 7  # several pages


def test_rows_are_masked_and_carry_an_opaque_ref(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    page = ledger_page(
        city.store,
        catalog=catalog,
        principal=who["worker1"],
        query=LedgerQuery(type="Person", q=WANG),
    )
    (row,) = page.items
    assert row.key == "11****************" and WANG not in row.ref
    assert row.properties["mobilePhone"] == "138****5678"
    assert row.properties["chronicDisease"] == "***"
    assert row.address == "建外1号院1号楼1单元101室"
    assert page.next_cursor is None


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ((Filter(key="gender", op="eq", value="2"),), {"李娜", "赵奶奶"}),
        ((Filter(key="age", op="gte", value="80"),), {"赵奶奶"}),
        (
            (Filter(key="isLivingAlone", value="true"), Filter(key="age", op="gte", value="60")),
            {"赵奶奶"},
        ),
        ((Filter(key="name", op="contains", value="王"),), {"王伟", "王小明"}),
        (
            (Filter(key="gender", op="in", value="1,2"), Filter(key="age", op="lt", value="18")),
            {"王小明"},
        ),
    ],
)
def test_filters_narrow_inside_the_query(
    city: City,
    catalog: Catalog,
    who: dict[str, Principal],
    filters: tuple[Filter, ...],
    expected: set[str],
) -> None:
    rows = everything(city, catalog, who["worker1"], filters=filters)
    named = {"王伟", "李娜", "王小明", "赵奶奶"}
    assert names(rows) & named == expected


def test_search_finds_names_and_exact_keys_in_scope_only(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    assert names(everything(city, catalog, who["worker1"], q="赵奶")) == {"赵奶奶"}
    assert names(everything(city, catalog, who["worker1"], q=ZHAO)) == {"赵奶奶"}
    assert everything(city, catalog, who["worker2"], q=ZHAO) == []


def test_other_ledgers_place_thing_organization(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    def keys(type: str) -> set[str]:
        page = ledger_page(
            city.store,
            catalog=catalog,
            principal=who["worker1"],
            query=LedgerQuery(type=type, limit=500),
        )
        return {r.key for r in page.items}

    doors = keys("Door")
    assert doors and all(code.startswith(C1) for code in doors)
    assert keys("Camera") == {CAMERA} and keys("Shop") == {SHOP}
    assert keys("Community") == {C1}
    assert keys("Car") == set()  # owned, not installed anywhere: in no place's ledger


def test_a_place_outside_the_scope_is_not_found(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with pytest.raises(NotFound):
        ledger_page(
            city.store,
            catalog=catalog,
            principal=who["worker1"],
            query=LedgerQuery(type="Person", within=C2),
        )


def test_residents_and_analysts_have_no_lists(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    for name in ("resident", "analyst"):
        with pytest.raises(Forbidden):
            ledger_page(
                city.store, catalog=catalog, principal=who[name], query=LedgerQuery(type="Person")
            )


@pytest.mark.parametrize(
    ("asked", "field"),
    [
        ({"type": "Persn"}, "type"),
        ({"filters": (Filter(key="shoeSize", value="42"),)}, "filter"),
        ({"filters": (Filter(key="gender", value="7"),)}, "filter"),
        ({"filters": (Filter(key="age", op="gte", value="old"),)}, "filter"),
        ({"filters": (Filter(key="birthDate", op="lt", value="yesterday"),)}, "filter"),
        ({"sort": "shoeSize"}, "sort"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "ref_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "cursor"),
        ({"within": "12345"}, "within"),
    ],
)
def test_bad_input_names_the_parameter(
    city: City, catalog: Catalog, who: dict[str, Principal], asked: dict[str, object], field: str
) -> None:
    query = LedgerQuery.model_validate({"type": "Person", **asked})
    with pytest.raises(ValidationFailed) as info:
        ledger_page(city.store, catalog=catalog, principal=who["worker1"], query=query)
    assert info.value.violations[0].path == field


def test_a_cursor_of_another_view_is_refused(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    first = ledger_page(
        city.store,
        catalog=catalog,
        principal=who["worker1"],
        query=LedgerQuery(type="Person", limit=2),
    )
    other = LedgerQuery(type="Person", limit=2, sort="name", cursor=first.next_cursor)
    with pytest.raises(ValidationFailed, match="another view"):
        ledger_page(city.store, catalog=catalog, principal=who["worker1"], query=other)


def test_filtering_by_a_masked_attribute_needs_the_right_to_reveal_it(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    sick = (Filter(key="chronicDisease", value="3"),)
    with pytest.raises(Forbidden, match="chronicDisease"):
        everything(city, catalog, who["worker1"], filters=sick)
    with pytest.raises(ValidationFailed) as info:
        everything(city, catalog, who["doctor"], filters=sick)
    assert info.value.violations[0].path == "purpose"
    rows = everything(city, catalog, who["doctor"], filters=sick, purpose="慢病随访")
    assert names(rows) == {"赵奶奶"}
    record = recent(city.store, principal_id="doctor")[0]
    assert record["fields"] == ["chronicDisease"] and record["purpose"] == "慢病随访"


def test_created_by_organization_through_the_source_of_imported_entities(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    rows = everything(city, catalog, who["worker1"], created_by="demo-fixture")
    assert rows and "王伟" not in names(rows)  # the named people have no source


# --- the address order: a walk through the place tree ------------------------------------------

GRID = STREET + "G0001"  # a grid hanging off the street itself: after its communities


def walked(city: City, catalog: Catalog, who: Principal, type: str, limit: int,
           reach: Reach | None = None, **asked: object) -> list[LedgerRow]:  # fmt: skip
    """Every row of a view, ``limit`` at a time."""
    query = LedgerQuery(type=type, limit=limit, **asked)  # type: ignore[arg-type]
    scope = reach or read_reach(who, action=READ)
    rows: list[LedgerRow] = []
    while True:
        page = read_page(city.store, catalog=catalog, principal=who, reach=scope, query=query)
        rows += page.items
        if page.next_cursor is None:
            return rows
        query = query.model_copy(update={"cursor": page.next_cursor})


def with_grid(city: City) -> None:
    """A grid under the street, with a camera installed at it."""
    city.store.write(
        "MATCH (s:Place {placeCode: $street}) "
        "CREATE (g:Place:Grid {placeCode: $grid, name: '网格一', level: 5})-[:PART_OF]->(s) "
        "CREATE (:Thing:Device:Camera {thingCode: 'CAM-GRID-1', name: '网格摄像头'})"
        "-[:INSTALLED_AT {since: '2024-01-01'}]->(g)",
        {"street": STREET, "grid": GRID},
    )


@pytest.mark.parametrize(
    ("limit", "divisions", "places"),
    [(1, 1, 1), (2, 1, 64), (7, 8, 2), (7, 8, 64), (500, 1, 1), (500, 8, 3), (500, 8, 64)],
)
def test_a_streets_pages_walk_every_place_once_in_code_order(
    city: City,
    catalog: Catalog,
    who: dict[str, Principal],
    limit: int,
    divisions: int,
    places: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(listing, "FIRST_DIVISIONS", divisions)  # slices from one division on
    monkeypatch.setattr(listing, "FIRST_PLACES", places)  # statements from one place on
    with_grid(city)
    expected = [
        r["code"]
        for r in city.store.read(
            "MATCH (p:Place) WHERE p.placeCode STARTS WITH $street "
            "RETURN p.placeCode AS code ORDER BY code",
            {"street": STREET},
        )
    ]
    rows = walked(city, catalog, who["head"], "Place", limit)
    assert [r.key for r in rows] == expected
    assert STREET in expected and GRID in expected and C1 in expected and C2 in expected


@pytest.mark.parametrize(("limit", "places"), [(1, 64), (3, 64), (3, 1), (500, 2)])
def test_a_streets_person_pages_walk_every_resident_once_by_address(
    city: City,
    catalog: Catalog,
    who: dict[str, Principal],
    limit: int,
    places: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(listing, "FIRST_PLACES", places)
    residing = city.store.read(
        "MATCH (p:Person)-[r:RESIDES_IN]->(d:Place) WHERE d.placeCode STARTS WITH $s "
        "AND r.until IS NULL RETURN count(r) AS n",
        {"s": STREET},
    )[0]["n"]
    rows = walked(city, catalog, who["head"], "Person", limit)
    whole = walked(city, catalog, who["head"], "Person", 500)
    assert [(r.ref, r.place) for r in rows] == [(r.ref, r.place) for r in whole]
    assert len(rows) == residing == len({(r.ref, r.place) for r in rows}) > 3
    places = [str(r.place) for r in rows]
    assert places == sorted(places) and places[0].startswith(C1) and places[-1].startswith(C2)
    assert {"王伟", "孙强"} <= names(rows) and "周明" not in names(rows)


def test_things_at_the_street_itself_and_its_grid_come_in_address_order(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with_grid(city)
    rows = walked(city, catalog, who["head"], "Thing", 1)
    assert CAMERA in {r.key for r in rows} and rows[-1].key == "CAM-GRID-1"
    places = [str(r.place) for r in rows]
    assert places == sorted(places)


def test_organizations_at_the_street_and_its_communities(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    expected = city.store.read(
        "MATCH (o:Organization)-[r:LOCATED_AT]->(p:Place) WHERE p.placeCode STARTS WITH $s "
        "AND r.until IS NULL RETURN p.placeCode AS place, o.creditCode AS key "
        "ORDER BY place, key",
        {"s": STREET},
    )
    rows = walked(city, catalog, who["head"], "Organization", 1)
    assert [(r.place, r.key) for r in rows] == [(e["place"], e["key"]) for e in expected]
    assert STREET_OFFICE in {r.key for r in rows}


@pytest.mark.parametrize("divisions", [1, 8])
def test_everywhere_walks_the_whole_tree(
    city: City,
    catalog: Catalog,
    who: dict[str, Principal],
    divisions: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(listing, "FIRST_DIVISIONS", divisions)
    with_grid(city)
    expected = [
        r["code"]
        for r in city.store.read("MATCH (p:Place) RETURN p.placeCode AS code ORDER BY code")
    ]
    everywhere = Reach(PlaceScope.everywhere())
    assert [r.key for r in walked(city, catalog, who["head"], "Place", 5, everywhere)] == expected
    inside = walked(city, catalog, who["head"], "Place", 3, everywhere, within=STREET)
    assert [r.key for r in inside] == [c for c in expected if c.startswith(STREET)]


def test_an_explicit_sort_still_orders_a_street(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    rows = walked(city, catalog, who["head"], "Person", 2, sort="birthDate")
    births = [str(r.properties.get("birthDate") or "") for r in rows]
    assert births == sorted(births) and len(rows) == len(walked(city, catalog, who["head"],
                                                                 "Person", 500))  # fmt: skip


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ({"sort": "name"}, {}),  # a sorted view's cursor in the address order
        ({}, {"sort": "-birthDate"}),  # the address order's cursor in a sorted view
        ({}, {"within": C1}),  # another place
        ({}, {"q": "王"}),  # another search
        ({}, {"type": "Resident"}),  # another type
    ],
)
def test_a_cursor_of_another_view_is_refused_in_either_order(
    city: City,
    catalog: Catalog,
    who: dict[str, Principal],
    first: dict[str, object],
    then: dict[str, object],
) -> None:
    query = LedgerQuery.model_validate({"type": "Person", "limit": 1, **first})
    page = ledger_page(city.store, catalog=catalog, principal=who["head"], query=query)
    assert page.next_cursor
    other = LedgerQuery.model_validate(
        {"type": "Person", "limit": 1, "cursor": page.next_cursor, **then}
    )
    with pytest.raises(ValidationFailed, match="another view"):
        ledger_page(city.store, catalog=catalog, principal=who["head"], query=other)
