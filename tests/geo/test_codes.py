"""Place codes: NBS levels 1–5, the extension for 6–9, attached places, allocation."""

from __future__ import annotations

import pytest

from citykg.errors import ValidationFailed
from citykg.geo.codes import Level, PlaceCode, next_serial, serial_range, subtree_bounds

CHAIN = [
    ("11", Level.PROVINCE, "Province"),
    ("1101", Level.CITY, "City"),
    ("110105", Level.DISTRICT, "District"),
    ("110105026", Level.STREET, "Subdistrict"),
    ("110105026041", Level.COMMUNITY, "Community"),
    ("1101050260410001", Level.COMPOUND, "Compound"),
    ("1101050260410001312", Level.BUILDING, "Building"),
    ("110105026041000131202", Level.UNIT, "BuildingUnit"),
    ("1101050260410001312021102", Level.DOOR, "Door"),
]


@pytest.mark.parametrize(("text", "level", "label"), CHAIN)
def test_every_level_has_its_length_label_and_parent(text: str, level: Level, label: str) -> None:
    code = PlaceCode.parse(text)
    assert code.level == level
    assert code.label == label
    assert code.group == ("AdministrativeDivision" if level <= 5 else "Premises")
    expected_parent = CHAIN[level - 2][0] if level > 1 else None
    assert (code.parent.value if code.parent else None) == expected_parent


def test_ancestors_walk_to_the_province() -> None:
    door = PlaceCode.parse(CHAIN[-1][0])
    assert [a.value for a in door.ancestors()] == [c for c, _, _ in reversed(CHAIN[:-1])]
    assert PlaceCode.parse("110105").contains(door)
    assert not PlaceCode.parse("110106").contains(door)


def test_attached_places_extend_any_parent() -> None:
    landmark = PlaceCode.parse("110105026L0003")
    assert landmark.label == "Landmark"
    assert landmark.level is None
    assert landmark.parent == PlaceCode("110105026")
    assert landmark.serial == 3
    assert PlaceCode.parse("110105026041R0001").label == "Road"
    assert PlaceCode.parse("110105G0012").label == "Grid"
    assert PlaceCode.parse("110105026").child(7, kind="Road").value == "110105026R0007"


@pytest.mark.parametrize(
    "text",
    ["", "1", "123", "11010", "1101050260", "abc", "00", "99", "1100", "١١", "11 01",
     "1101050260410000", "1101050260410001000", "110105026041X0001", "110105026L0000",
     "110105026L001"],
)  # fmt: skip
def test_malformed_codes_are_rejected_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        PlaceCode.parse(text, field="parent")
    assert raised.value.violations[0].path == "parent"


def test_nbs_placeholder_segments_are_accepted() -> None:
    # 东莞市 has no districts (441900); 金门县 is a placeholder street 000 in the NBS data.
    assert PlaceCode.parse("441900").level == Level.DISTRICT
    assert PlaceCode.parse("350527000000").level == Level.COMMUNITY


def test_township_and_village_kinds_follow_gb_t_10114() -> None:
    assert PlaceCode.parse("110105026").township_kind() == "street"
    assert PlaceCode.parse("110112119").township_kind() == "town"
    assert PlaceCode.parse("110112201").township_kind() == "township"
    assert PlaceCode.parse("110112400").township_kind() == "other"
    assert PlaceCode.parse("110105026041").village_kind() == "residents"
    assert PlaceCode.parse("110112119248").village_kind() == "villagers"
    assert serial_range(PlaceCode.parse("110112119")) == (100, 199)
    assert serial_range(PlaceCode.parse("1101050260410001")) == (1, 9999)


def test_allocation_never_reuses_a_serial() -> None:
    assert next_serial(used=[], high_water=0, low=1, high=9999) == 1
    # serial 7 was issued and deleted: the high-water mark remembers it
    assert next_serial(used=[1, 2], high_water=7, low=1, high=9999) == 8
    assert next_serial(used=[1, 9], high_water=7, low=1, high=9999) == 10
    # a street's high-water mark does not block the town range
    assert next_serial(used=[3, 101], high_water=3, low=100, high=199) == 102
    with pytest.raises(ValidationFailed) as raised:
        next_serial(used=[99], high_water=0, low=1, high=99)
    assert raised.value.violations[0].path == "serial"


def test_subtree_bounds_hold_exactly_the_subtree() -> None:
    low, high = subtree_bounds("110105")
    inside = ["110105", "110105026", "1101050260410001312021102", "110105026L0001"]
    outside = ["110104999", "110106", "11010", "1101"]
    assert all(low <= c < high for c in inside)
    assert not any(low <= c < high for c in outside)
