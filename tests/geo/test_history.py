"""Recorded changes: renames, moves, merges and splits keep old codes and names resolvable."""

from __future__ import annotations

from collections import Counter

import pytest

from citykg.errors import Conflict, NotFound, ValidationFailed
from citykg.geo import (
    SplitPart,
    attach_place,
    enter_address,
    gazetteer_from_graph,
    get_place,
    list_children,
    merge_places,
    move_place,
    place_history,
    rename_place,
    resolve_code,
    split_place,
)
from citykg.geo import queries as geo_queries
from citykg.graph import GraphStore
from tests.geo.conftest import EVERYWHERE

COMMUNITY_A = "110105001001"  # demo compound 0001 with 2 buildings x 2 units x 4 doors
COMMUNITY_B = "110105001002"
COMPOUND = COMMUNITY_A + "0001"
DOOR = COMPOUND + "001" + "01" + "0101"


def fingerprint(store: GraphStore) -> tuple[object, ...]:
    nodes = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    rels = store.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    codes = store.read("MATCH (p:Place) RETURN collect(p.placeCode) AS c")[0]["c"]
    names = store.read("MATCH (p:Place) RETURN collect(p.name) AS c")[0]["c"]
    return nodes, rels, sorted(codes), sorted(names)


def test_rename_records_the_change_and_keeps_the_old_name(city: GraphStore) -> None:
    change = rename_place(
        city, code="110105026", name="望京新区街道", author="区民政局", reason="更名",
        scope=EVERYWHERE,
    )  # fmt: skip
    assert (change.kind, change.old_name, change.new_name) == ("rename", "望京街道", "望京新区街道")
    place = get_place(city, code="110105026", scope=EVERYWHERE)
    assert place.name == "望京新区街道"
    assert place.former_names == ("望京街道",)
    history = place_history(city, code="110105026", scope=EVERYWHERE)
    assert [(h.kind, h.author, h.reason) for h in history] == [("rename", "区民政局", "更名")]
    assert history[0].at.endswith("+00:00")
    gazetteer = gazetteer_from_graph(city)
    assert gazetteer.parse("朝阳区望京街道花家地社区").place_code == "110105026041"
    assert gazetteer.parse("朝阳区望京新区街道花家地社区").place_code == "110105026041"


def test_moving_a_compound_recodes_its_subtree_and_old_codes_resolve(city: GraphStore) -> None:
    before = list_children(city, code=COMMUNITY_B, scope=EVERYWHERE).total
    change = move_place(city, code=COMPOUND, to=COMMUNITY_B, author="网格员", scope=EVERYWHERE)
    new_compound = change.new_code
    assert new_compound == COMMUNITY_B + "0002"  # 0001 is the demo compound already there
    assert change.recoded == 1 + 2 + 4 + 16  # compound, buildings, units, doors
    assert list_children(city, code=COMMUNITY_B, scope=EVERYWHERE).total == before + 1
    # every old code still leads to the same place, now under community B
    new_door = new_compound + DOOR[len(COMPOUND) :]
    assert resolve_code(city, code=DOOR, scope=EVERYWHERE) == new_door
    door = get_place(city, code=DOOR, scope=EVERYWHERE)
    assert door.code == new_door and door.resolved_from == DOOR
    assert door.former_codes == (DOOR,)
    assert [a.code for a in door.ancestors][4] == COMMUNITY_B
    # residents moved with their door
    residents = city.read(
        "MATCH (p:Person)-[:RESIDES_IN]->(d:Door {placeCode: $code}) RETURN count(p) AS n",
        {"code": new_door},
    )[0]["n"]
    assert residents >= 1
    # the emptied code under community A is never handed out again
    gazetteer = gazetteer_from_graph(city)
    entry = enter_address(
        city, address="北京市朝阳区建外街道建外第1社区新建小区1号楼1单元101",
        gazetteer=gazetteer, scope=EVERYWHERE, create=True, author="网格员",
    )  # fmt: skip
    assert entry.created[0].code == COMMUNITY_A + "0002"


def test_a_division_moves_with_its_official_new_code(city: GraphStore) -> None:
    change = move_place(
        city, code=COMMUNITY_A, to="110105002", new_code="110105002099", author="民政局",
        scope=EVERYWHERE,
    )  # fmt: skip
    assert change.recoded == 1 + 1 + 2 + 4 + 16
    assert resolve_code(city, code=DOOR, scope=EVERYWHERE) == "110105002099" + DOOR[12:]
    assert get_place(city, code=COMMUNITY_A, scope=EVERYWHERE).code == "110105002099"


@pytest.mark.parametrize(
    ("kwargs", "field", "error"),
    [
        ({"code": "9999", "to": COMMUNITY_B}, "code", ValidationFailed),
        ({"code": "110105001009", "to": "110105002"}, "code", NotFound),
        ({"code": COMPOUND, "to": "1101050010020001"}, "to", ValidationFailed),
        ({"code": COMPOUND, "to": "110105001003"}, "to", NotFound),
        ({"code": COMMUNITY_A, "to": COMPOUND + "001"}, "to", ValidationFailed),
        ({"code": COMPOUND, "to": "110105002"}, "to", ValidationFailed),
        ({"code": COMPOUND, "to": COMMUNITY_A}, "to", ValidationFailed),
        ({"code": COMMUNITY_A, "to": "110105002"}, "new_code", ValidationFailed),
        ({"code": COMMUNITY_A, "to": "110105002", "new_code": "110105002001"}, "new_code",
         Conflict),
        ({"code": COMMUNITY_A, "to": "110105002", "new_code": "110105003099"}, "new_code",
         ValidationFailed),
        ({"code": COMPOUND, "to": COMMUNITY_B, "author": " "}, "author", ValidationFailed),
    ],
)  # fmt: skip
def test_bad_moves_are_refused_naming_the_field_and_write_nothing(
    city: GraphStore, kwargs: dict[str, str], field: str, error: type[Exception]
) -> None:
    before = fingerprint(city)
    with pytest.raises(error) as raised:
        move_place(city, **{"author": "test", **kwargs}, scope=EVERYWHERE)  # type: ignore[arg-type]
    if isinstance(raised.value, ValidationFailed):
        assert raised.value.violations[0].path == field
    else:
        assert str(raised.value).startswith(f"{field}:")
    assert fingerprint(city) == before


def test_merging_communities_moves_everything_and_keeps_the_old_code(city: GraphStore) -> None:
    residents = "MATCH (p:Person)-[r:RESIDES_IN]->(d:Door) WHERE d.placeCode STARTS WITH $c "
    count = residents + "RETURN count(r) AS n"
    in_a = city.read(count, {"c": COMMUNITY_A})[0]["n"]
    in_b = city.read(count, {"c": COMMUNITY_B})[0]["n"]
    since = city.read(residents + "RETURN collect(r.since) AS s", {"c": COMMUNITY_A})[0]["s"]
    change = merge_places(
        city, code=COMMUNITY_A, into=COMMUNITY_B, author="民政局", reason="社区合并",
        scope=EVERYWHERE,
    )  # fmt: skip
    assert change.kind == "merge" and change.recoded == 2 + 4 + 16 + 1
    assert city.read(count, {"c": COMMUNITY_A})[0]["n"] == 0
    assert city.read(count, {"c": COMMUNITY_B})[0]["n"] == in_a + in_b
    moved_since = city.read(residents + "RETURN collect(r.since) AS s", {"c": COMMUNITY_B})
    assert not Counter(since) - Counter(moved_since[0]["s"])  # residences kept their `since`
    merged = get_place(city, code=COMMUNITY_A, scope=EVERYWHERE)
    assert merged.code == COMMUNITY_B and merged.resolved_from == COMMUNITY_A
    assert resolve_code(city, code=DOOR, scope=EVERYWHERE).startswith(COMMUNITY_B + "0002")
    assert [h.kind for h in place_history(city, code=COMMUNITY_B, scope=EVERYWHERE)] == ["merge"]
    gazetteer = gazetteer_from_graph(city)
    assert gazetteer.parse("北京市朝阳区建外街道建外第1社区").place_code == COMMUNITY_B


def test_merging_doors_carries_residents_with_their_residence_properties(city: GraphStore) -> None:
    other = DOOR[:-4] + "0102"
    query = (
        "MATCH (p:Person)-[r:RESIDES_IN]->(d:Door {placeCode: $d}) "
        "RETURN collect([p.idNumber, r.since, r.residenceType]) AS rows"
    )
    expected = sorted(
        city.read(query, {"d": DOOR})[0]["rows"] + city.read(query, {"d": other})[0]["rows"]
    )
    merge_places(city, code=DOOR, into=other, author="网格员", scope=EVERYWHERE)
    assert sorted(city.read(query, {"d": other})[0]["rows"]) == expected


@pytest.mark.parametrize(
    ("into", "field"),
    [(COMPOUND, "into"), (COMMUNITY_A, "into"), ("110105001003", "into"), ("x", "into")],
)
def test_bad_merges_are_refused_and_write_nothing(city: GraphStore, into: str, field: str) -> None:
    before = fingerprint(city)
    with pytest.raises((ValidationFailed, NotFound)) as raised:
        merge_places(city, code=COMMUNITY_A, into=into, author="test", scope=EVERYWHERE)
    if isinstance(raised.value, ValidationFailed):
        assert raised.value.violations[0].path == field
    assert fingerprint(city) == before


def test_splitting_a_compound_moves_the_listed_buildings(city: GraphStore) -> None:
    building = COMPOUND + "002"
    change = split_place(
        city, code=COMPOUND, parts=[SplitPart(name="建外1号院北区", children=[building])],
        author="物业", scope=EVERYWHERE,
    )  # fmt: skip
    (part,) = change.new_codes
    assert part == COMMUNITY_A + "0002"
    assert resolve_code(city, code=building + "010101", scope=EVERYWHERE) == part + "002010101"
    assert {c.code for c in list_children(city, code=part, scope=EVERYWHERE).items} == {
        part + "002"
    }
    assert list_children(city, code=COMPOUND, scope=EVERYWHERE).total == 1
    with pytest.raises(ValidationFailed) as raised:
        split_place(
            city, code=COMPOUND, parts=[SplitPart(name="x", children=[building])], author="物业",
            scope=EVERYWHERE,
        )  # fmt: skip
    assert raised.value.violations[0].path == "parts[0].children"


def test_landmarks_attach_anywhere_and_move_with_their_place(city: GraphStore) -> None:
    gate = attach_place(
        city, parent=COMMUNITY_A, kind="Landmark", name="社区东门", author="网格员",
        scope=EVERYWHERE,
    )  # fmt: skip
    assert gate.code == COMMUNITY_A + "L0001"
    road = attach_place(
        city, parent=COMMUNITY_A, kind="Road", name="建外大街", author="网格员", scope=EVERYWHERE
    )
    assert road.code == COMMUNITY_A + "R0002"  # one high-water mark per parent, for every kind
    with pytest.raises(ValidationFailed) as raised:
        attach_place(city, parent=COMMUNITY_A, kind="Moon", name="x", author="y", scope=EVERYWHERE)
    assert raised.value.violations[0].path == "kind"
    move_place(
        city, code=COMMUNITY_A, to="110105002", new_code="110105002099", author="民政局",
        scope=EVERYWHERE,
    )  # fmt: skip
    assert resolve_code(city, code=gate.code, scope=EVERYWHERE) == "110105002099L0001"
    assert get_place(city, code=gate.code, scope=EVERYWHERE).kind == "Landmark"


ALIASES = (
    "MATCH (a:PlaceAlias) OPTIONAL MATCH (a)-[:ALIAS_OF]->(p:Place) "
    "RETURN a.code AS code, p.placeCode AS place"
)


def assert_one_alias_per_former_code(store: GraphStore, expected: int) -> None:
    """Each former code has exactly one alias, leading to one current place, and is no longer
    a current code: Neo4j refuses a second alias of a code, FalkorDB must never keep one."""
    aliases = store.read(ALIASES)
    current = {row["code"] for row in store.read("MATCH (p:Place) RETURN p.placeCode AS code")}
    per_code = Counter(row["code"] for row in aliases)
    assert [code for code, n in per_code.items() if n > 1] == []
    assert [row["code"] for row in aliases if row["place"] is None] == []
    assert sorted(set(per_code) & current) == []
    assert len(aliases) == expected
    for row in aliases:
        assert resolve_code(store, code=row["code"], scope=EVERYWHERE) == row["place"]


def test_history_operations_leave_one_alias_per_former_code(city: GraphStore) -> None:
    under = "MATCH (p:Place) WHERE p.placeCode STARTS WITH $code RETURN count(p) AS n"
    rename_place(city, code=COMPOUND, name="建外一号院", author="物业", scope=EVERYWHERE)
    assert_one_alias_per_former_code(city, 0)
    moved = move_place(city, code=COMPOUND, to=COMMUNITY_B, author="网格员", scope=EVERYWHERE)
    assert_one_alias_per_former_code(city, 23)  # compound, 2 buildings, 4 units, 16 doors
    back = move_place(city, code=moved.new_code, to=COMMUNITY_A, author="网格员", scope=EVERYWHERE)
    assert back.new_code == COMMUNITY_A + "0002"  # its old serial is never handed out again
    assert_one_alias_per_former_code(city, 46)
    building = back.new_code + "002"
    split_place(
        city, code=back.new_code, parts=[SplitPart(name="北区", children=[building])],
        author="物业", scope=EVERYWHERE,
    )  # fmt: skip
    assert_one_alias_per_former_code(city, 46 + 1 + 2 + 8)  # the building, its units and doors
    merged = city.read(under, {"code": COMMUNITY_A})[0]["n"]  # the community and all under it
    merge_places(city, code=COMMUNITY_A, into=COMMUNITY_B, author="民政局", scope=EVERYWHERE)
    assert_one_alias_per_former_code(city, 57 + merged)


def test_a_places_children_are_read_from_it_not_from_every_place(city: GraphStore) -> None:
    """The place tree's branches start at the parent's index entry: planned from the scope
    filter instead, a district's page read every place of the city (103 ms at 100k persons)."""
    params = {"code": COMMUNITY_A, "scopeRoots": [""], "skip": 0, "end": 10}
    plan = city.explain(geo_queries.CHILDREN, params)
    assert "Label Scan" not in plan and "NodeByLabelScan" not in plan, plan
