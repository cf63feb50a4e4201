"""Locating places in hotline sentences: the generated set meets the issue's targets, and the
hard phrasings (labels before, contact notes after, street omitted, bare names, 3-2-1102,
an ambiguous compound) are read as a person would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citykg.events.locate import Locator, PremisesIndex
from citykg.geo.address import Gazetteer, GazetteerEntry

SET = Path(__file__).parents[1] / "data" / "events" / "sentences.jsonl"
COMMUNITY, OTHER = "110105001001", "110105003002"


@pytest.fixture(scope="module")
def demo_locator() -> Locator:
    from tests.data.events.generate import demo_rows

    divisions, rows = demo_rows(10_000, 1)
    levels = {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}
    entries = (GazetteerEntry(c, n, levels[len(c)]) for c, n in divisions.items())
    return Locator(Gazetteer(entries), PremisesIndex.from_rows(rows))


def test_the_generated_set_meets_the_targets(demo_locator: Locator) -> None:
    records = [json.loads(line) for line in SET.read_text("utf-8").splitlines()]
    found = [demo_locator.in_text(r["text"]) for r in records]
    community = sum(
        f.community == r["truth"]["community"] for f, r in zip(found, records, strict=True)
    )
    building = sum(
        f.building == r["truth"]["building"] for f, r in zip(found, records, strict=True)
    )
    assert len(records) == 3000
    assert community / len(records) >= 0.97 and building / len(records) >= 0.95


@pytest.fixture
def locator() -> Locator:
    divisions = [("11", "北京市", 1), ("1101", "市辖区", 2), ("110105", "朝阳区", 3),
                 ("110105001", "建外街道", 4), ("110105003", "朝外街道", 4),
                 (COMMUNITY, "永安里社区居委会", 5), (OTHER, "吉庆里社区居委会", 5)]  # fmt: skip
    rows = [
        {"code": f"{COMMUNITY}0001", "name": "金安家园"},
        {"code": f"{COMMUNITY}0001003", "name": "3号楼", "number": 3},
        {"code": f"{COMMUNITY}000100302", "name": "2单元", "number": 2},
        {"code": f"{COMMUNITY}0001003021102", "name": "1102室", "number": 1102},
        {"code": f"{OTHER}0001", "name": "金安家园"},
        {"code": f"{OTHER}0001003", "name": "3号楼", "number": 3},
        {"code": f"{OTHER}0002", "name": "和平里", "lat": 39.92, "lon": 116.44},
    ]
    return Locator(Gazetteer(GazetteerEntry(*d) for d in divisions), PremisesIndex.from_rows(rows))


@pytest.mark.parametrize(("text", "place"), [
    ("收货地址：朝阳区永安里社区金安家园3号楼2单元1102 王先生 13812345678",
     f"{COMMUNITY}0001003021102"),
    ("来电人反映永安里金安家园3-2-1102楼下井盖丢了，联系人王先生", f"{COMMUNITY}0001003021102"),
    ("我家住在建外街道金安家园小区三号楼，楼道灯不亮", f"{COMMUNITY}0001003"),
    ("吉庆里社区金安家园3栋门口垃圾没人清，电话010-12345678", f"{OTHER}0001003"),
    ("反映朝外街道和平里门口占道经营", f"{OTHER}0002"),
])  # fmt: skip
def test_hotline_phrasings(locator: Locator, text: str, place: str) -> None:
    found = locator.in_text(text)
    assert found.place == place and not found.ambiguous and found.confidence >= 0.8


def test_an_ambiguous_compound_offers_the_alternatives(locator: Locator) -> None:
    found = locator.in_text("金安家园3号楼楼下井盖丢了")
    assert found.ambiguous and found.confidence < 0.5
    assert {found.compound, *(a[:16] for a in found.alternatives)} == {
        f"{COMMUNITY}0001",
        f"{OTHER}0001",
    }
    within = locator.in_text("金安家园3号楼楼下井盖丢了", within=OTHER)
    assert within.building == f"{OTHER}0001003"


def test_codes_and_coordinates(locator: Locator) -> None:
    assert locator.at_code(f"{COMMUNITY}0001003").building == f"{COMMUNITY}0001003"
    assert locator.at_code("110105001999").place is None
    assert locator.at_point(39.9201, 116.4402).place == f"{OTHER}0002"
    assert locator.at_point(40.5, 116.9).place is None
