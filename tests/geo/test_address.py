"""Address parsing on real division data: every written variant the issue lists, and the set."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from citykg.geo import Gazetteer, ParsedAddress, normalize

ISSUE_EXAMPLE = "北京市朝阳区望京街道花家地社区望京西园三区312号楼2单元1102"
SET = Path(__file__).parents[1] / "data" / "addresses" / "addresses.jsonl"


def levels(parsed: ParsedAddress) -> dict[str, str | None]:
    return {m.key: m.code or m.name for m in parsed.levels}


def test_the_issue_example_is_parsed_level_by_level(gazetteer: Gazetteer) -> None:
    parsed = gazetteer.parse(ISSUE_EXAMPLE)
    assert levels(parsed) == {
        "province": "11",
        "city": "1101",
        "district": "110105",
        "street": "110105026",
        "community": "110105026041",
        "compound": "望京西园三区",
        "building": "312",
        "unit": "2",
        "door": "1102",
    }
    assert parsed.place_code == "110105026041"
    community = parsed.get("community")
    assert community is not None and community.name == "花家地社区居委会"
    city = parsed.get("city")
    assert city is not None and city.inferred  # 市辖区 is never written
    assert parsed.remainder == ""
    assert not parsed.ambiguous


@pytest.mark.parametrize(
    "address",
    [
        "北京朝阳望京街道花家地社区望京西园三区312号楼2单元1102",  # abbreviations
        "北京朝阳区望京街道花家地社区望京西园三区312号楼2单元1102",
        "朝阳区望京街道花家地社区望京西园三区312号楼2单元1102",  # no province
        "望京街道花家地社区望京西园三区312号楼2单元1102",  # street only
        "北京市朝陽區望京街道花家地社區望京西園三區312號樓2單元1102",  # traditional
        "北京市朝阳区望京街道花家地社区望京西园三区３１２号楼２单元１１０２",  # full-width
        "北京市 朝阳区 望京街道，花家地社区（望京西园三区）312号楼 2单元 1102",  # punctuation
        "中国北京市朝阳区望京街道办事处花家地社区居委会望京西园三区312号楼2单元1102",
    ],
)
def test_variants_reach_the_same_places(gazetteer: Gazetteer, address: str) -> None:
    parsed = gazetteer.parse(address)
    assert parsed.place_code == "110105026041"
    found = levels(parsed)
    assert (found["building"], found["unit"], found["door"]) == ("312", "2", "1102")
    assert found["compound"] == "望京西园三区"


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ("312号楼2单元1102", ("312", "2", "1102")),
        ("312栋2单元1102室", ("312", "2", "1102")),
        ("312幢2门1102号", ("312", "2", "1102")),
        ("312#2单元1102", ("312", "2", "1102")),
        ("312-2-1102", ("312", "2", "1102")),
        ("312号楼2-1102", ("312", "2", "1102")),
        ("三号楼二单元502室", ("3", "2", "502")),
        ("A座1102室", ("A", None, "1102")),
        ("312号楼1102室", ("312", None, "1102")),
    ],
)
def test_building_unit_door_forms(gazetteer: Gazetteer, tail: str, expected: tuple) -> None:
    parsed = gazetteer.parse("北京市朝阳区望京街道花家地社区望京西园三区" + tail)
    assert (parsed.value("building"), parsed.value("unit"), parsed.value("door")) == expected


def test_real_divisions_resolve_by_name(gazetteer: Gazetteer) -> None:
    assert gazetteer.parse("北京市东城区东华门街道多福巷社区").place_code == "110101001001"
    assert gazetteer.parse("广东省东莞市东城街道").place_code == "441900003"
    assert gazetteer.parse("浙江杭州西湖区北山街道").place_code == "330106002"
    assert gazetteer.parse("内蒙古呼和浩特市新城区").place_code == "150102"
    assert gazetteer.parse("新疆乌鲁木齐天山区").place_code == "650102"


def test_a_name_two_districts_share_is_reported_as_ambiguous(gazetteer: Gazetteer) -> None:
    parsed = gazetteer.parse("朝阳区312号楼")  # 北京 and 长春 both have a 朝阳区
    assert parsed.place_code == "110105"
    assert "220104" in parsed.alternatives
    assert gazetteer.parse("朝阳区312号楼", within="22").place_code == "220104"


def test_what_matches_nothing_is_returned_as_the_remainder(gazetteer: Gazetteer) -> None:
    parsed = gazetteer.parse("北京市朝阳区建国路88号")
    assert parsed.place_code == "110105"
    assert parsed.remainder == "建国路88号"
    nothing = gazetteer.parse("火星基地三号舱")
    assert nothing.place_code is None and nothing.remainder == "火星基地三号舱"


def test_normalisation() -> None:
    assert normalize("中國 北京市（朝陽區）３１２號") == "北京市朝阳区312号"
    assert normalize("100102 北京市") == "北京市"
    assert normalize("312—2—1102") == "312-2-1102"


def test_accuracy_and_speed_on_the_address_set(gazetteer: Gazetteer) -> None:
    records = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 2000
    started = time.perf_counter()
    parsed = [gazetteer.parse(r["text"]) for r in records]
    rate = len(records) / (time.perf_counter() - started)
    targets = {"province": 0.99, "city": 0.99, "district": 0.99, "street": 0.97}
    targets |= {"community": 0.95, "building": 0.98, "unit": 0.98, "door": 0.98}
    for key, target in targets.items():
        scored = [(r, p) for r, p in zip(records, parsed, strict=True) if key in r["written"]]
        correct = sum(
            (p.get(key).code or p.get(key).name) == r["truth"][key]  # type: ignore[union-attr]
            for r, p in scored
            if p.get(key) is not None
        )
        assert correct / len(scored) >= target, key
    assert rate > 2000  # bench/geo_parse.py measures the real figure (> 5,000/s)
