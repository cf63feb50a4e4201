"""Place codes: the NBS statistical division codes (levels 1–5) and their extension (levels 6–9).

Levels and code lengths::

    level  class         segment                         code length  example
    1      Province      2 digits                        2            11
    2      City          +2                              4            1101
    3      District      +2                              6            110105
    4      Subdistrict   +3  (GB/T 10114 township code)  9            110105026
    5      Community     +3  (village code)              12           110105026041
    6      Compound      +4  serial                      16           1101050260410001
    7      Building      +3  serial                      19           1101050260410001001
    8      BuildingUnit  +2  serial                      21           110105026041000100101
    9      Door          +4  serial                      25           1101050260410001001010001

Levels 1–5 are the national statistical division codes (统计用区划代码, NBS). Township
segments follow GB/T 10114: 001–099 street office (街道), 100–199 town (镇), 200–399 township
(乡), 400–599 other township-level units (政企合一, development zones); village segments:
001–199 residents' committee (居委会), 200–399 villagers' committee (村委会), 400–599 other
(virtual communities, farm and factory areas). NBS codes may differ from GB/T 2260 in the first
six digits for development zones, and NBS uses ``000`` for placeholders (金门县), so zero
segments are accepted at levels 3–5.

Levels 6–9 have no national codes. Each extends its parent's code by a fixed-width serial
(never 0) issued by the platform. **A serial is never reused**: every parent keeps a
high-water mark (``codeHighWater``) of the highest serial ever issued under it, raised when a
child is created, moved out or merged away, and a new serial is always above it.

Landmarks, roads and grids attach to any place: ``parent code + L|R|G + 4-digit serial``; they
share their parent's high-water mark with its tree children.

**Invariant**: a place's code always starts with its parent's code. Moves and merges re-code
the moved subtree (old codes stay resolvable as aliases), so a subtree is exactly the set of
codes with a given prefix; scopes and roll-ups rely on this.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

from citykg.errors import ValidationFailed, Violation


class Level(IntEnum):
    """The nine levels of the place tree."""

    PROVINCE = 1
    CITY = 2
    DISTRICT = 3
    STREET = 4
    COMMUNITY = 5
    COMPOUND = 6
    BUILDING = 7
    UNIT = 8
    DOOR = 9


SEGMENT_WIDTHS: tuple[int, ...] = (2, 2, 2, 3, 3, 4, 3, 2, 4)
CODE_LENGTHS: tuple[int, ...] = tuple(sum(SEGMENT_WIDTHS[: i + 1]) for i in range(9))
LEVEL_OF_LENGTH: dict[int, Level] = {n: Level(i + 1) for i, n in enumerate(CODE_LENGTHS)}

LEVEL_LABELS: dict[Level, str] = {
    Level.PROVINCE: "Province",
    Level.CITY: "City",
    Level.DISTRICT: "District",
    Level.STREET: "Subdistrict",
    Level.COMMUNITY: "Community",
    Level.COMPOUND: "Compound",
    Level.BUILDING: "Building",
    Level.UNIT: "BuildingUnit",
    Level.DOOR: "Door",
}
LEVEL_KEYS: dict[Level, str] = {
    Level.PROVINCE: "province",
    Level.CITY: "city",
    Level.DISTRICT: "district",
    Level.STREET: "street",
    Level.COMMUNITY: "community",
    Level.COMPOUND: "compound",
    Level.BUILDING: "building",
    Level.UNIT: "unit",
    Level.DOOR: "door",
}
PROVINCES = frozenset(
    {
        *(f"{n}" for n in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47))),
        *(f"{n}" for n in (*range(50, 55), *range(61, 66), 71, 81, 82)),
    }
)
ADMINISTRATIVE = "AdministrativeDivision"
PREMISES = "Premises"

ATTACHED_KINDS: dict[str, str] = {"L": "Landmark", "R": "Road", "G": "Grid"}
ATTACHED_WIDTH = 4

TOWNSHIP_KINDS: tuple[tuple[int, int, str], ...] = (
    (0, 99, "street"),
    (100, 199, "town"),
    (200, 399, "township"),
    (400, 599, "other"),
)
VILLAGE_KINDS: tuple[tuple[int, int, str], ...] = (
    (0, 199, "residents"),
    (200, 399, "villagers"),
    (400, 599, "other"),
)


def _invalid(field: str, value: str, message: str, message_zh: str) -> ValidationFailed:
    return ValidationFailed(
        [Violation(path=field, message=message, message_zh=message_zh, value=value)]
    )


@dataclass(frozen=True, slots=True, order=True)
class PlaceCode:
    """A checked place code. Build it with :meth:`parse`; the string is :attr:`value`."""

    value: str

    @classmethod
    def parse(cls, text: str, *, field: str = "code") -> PlaceCode:
        """Check ``text`` and return it as a code; :class:`ValidationFailed` names ``field``."""
        value = text.strip() if isinstance(text, str) else ""
        if not value:
            raise _invalid(field, str(text), "a place code is required", "缺少地点编码")
        kind_at = next((i for i, ch in enumerate(value) if not ch.isdigit()), -1)
        if kind_at >= 0:
            return cls._parse_attached(value, kind_at, field)
        if not value.isascii() or len(value) not in LEVEL_OF_LENGTH:
            lengths = "/".join(str(n) for n in CODE_LENGTHS)
            raise _invalid(
                field,
                value,
                f"{value!r} is not a place code: expected {lengths} ASCII digits",
                f"{value!r} 不是地点编码：应为 {lengths} 位数字",
            )
        if value[:2] not in PROVINCES:
            raise _invalid(
                field,
                value,
                f"{value!r}: {value[:2]!r} is not a province code (GB/T 2260: 11–65, 71, 81, 82)",
                f"{value!r}：省级代码 {value[:2]!r} 不存在",
            )
        level = LEVEL_OF_LENGTH[len(value)]
        if level == Level.CITY and value[2:4] == "00":
            raise _invalid(
                field, value, f"{value!r}: city segment 00 is not used", "地级代码不能为 00"
            )
        for lvl in range(Level.COMPOUND, level + 1):
            start, end = CODE_LENGTHS[lvl - 2], CODE_LENGTHS[lvl - 1]
            if int(value[start:end]) == 0:
                name = LEVEL_KEYS[Level(lvl)]
                raise _invalid(
                    field,
                    value,
                    f"{value!r}: the {name} serial must not be 0",
                    f"{value!r}：{name} 序号不能为 0",
                )
        return cls(value)

    @classmethod
    def _parse_attached(cls, value: str, at: int, field: str) -> PlaceCode:
        kind = value[at]
        serial = value[at + 1 :]
        if kind not in ATTACHED_KINDS or len(serial) != ATTACHED_WIDTH or not serial.isdigit():
            raise _invalid(
                field,
                value,
                f"{value!r} is not a place code: only digits, or a parent code followed by "
                f"L|R|G and {ATTACHED_WIDTH} digits (landmark, road, grid)",
                f"{value!r} 不是地点编码",
            )
        if not serial.isascii() or int(serial) == 0:
            raise _invalid(field, value, f"{value!r}: serial must be 0001–9999", "序号无效")
        cls.parse(value[:at], field=field)
        return cls(value)

    def __str__(self) -> str:
        return self.value

    @property
    def attached_kind(self) -> str | None:
        """``Landmark``, ``Road`` or ``Grid`` for an attached place, else ``None``."""
        if len(self.value) <= ATTACHED_WIDTH + 2:
            return None
        return ATTACHED_KINDS.get(self.value[-(ATTACHED_WIDTH + 1)])

    @property
    def level(self) -> Level | None:
        """The level of a tree place; ``None`` for landmarks, roads and grids."""
        return None if self.attached_kind else LEVEL_OF_LENGTH[len(self.value)]

    @property
    def label(self) -> str:
        """The place class label: ``District``, ``Door``, ``Landmark``…"""
        kind = self.attached_kind
        if kind:
            return kind
        assert self.level is not None
        return LEVEL_LABELS[self.level]

    @property
    def group(self) -> str | None:
        """``AdministrativeDivision`` (1–5), ``Premises`` (6–9), ``None`` for attached places."""
        if self.level is None:
            return None
        return ADMINISTRATIVE if self.level <= Level.COMMUNITY else PREMISES

    @property
    def is_administrative(self) -> bool:
        return self.level is not None and self.level <= Level.COMMUNITY

    @property
    def parent(self) -> PlaceCode | None:
        """The code of the place this one is part of (``None`` for a province)."""
        if self.attached_kind:
            return PlaceCode(self.value[: -(ATTACHED_WIDTH + 1)])
        assert self.level is not None
        if self.level == Level.PROVINCE:
            return None
        return PlaceCode(self.value[: CODE_LENGTHS[self.level - 2]])

    @property
    def serial(self) -> int:
        """The number in this code's last segment."""
        if self.attached_kind:
            return int(self.value[-ATTACHED_WIDTH:])
        assert self.level is not None
        return int(self.value[-SEGMENT_WIDTHS[self.level - 1] :])

    def ancestors(self) -> Iterator[PlaceCode]:
        """Parent, grandparent… up to the province."""
        code = self.parent
        while code is not None:
            yield code
            code = code.parent

    def contains(self, other: PlaceCode) -> bool:
        """Whether ``other`` is this place or lies under it."""
        return other.value.startswith(self.value)

    def child(self, serial: int, *, kind: str | None = None) -> PlaceCode:
        """The code of the child with ``serial`` (a level below, or an attached ``kind``)."""
        if kind is not None:
            letter = next((k for k, v in ATTACHED_KINDS.items() if v == kind), None)
            if letter is None:
                raise _invalid("kind", kind, f"unknown attached kind {kind!r}", "未知地点类型")
            return PlaceCode.parse(f"{self.value}{letter}{serial:0{ATTACHED_WIDTH}d}")
        if self.level is None or self.level == Level.DOOR:
            raise _invalid(
                "code", self.value, f"{self.value!r} cannot have child places", "该地点不能有下级"
            )
        width = SEGMENT_WIDTHS[self.level]
        if not 0 <= serial < 10**width:
            raise _invalid(
                "serial", str(serial), f"serial {serial} does not fit {width} digits", "序号超出"
            )
        return PlaceCode.parse(f"{self.value}{serial:0{width}d}")

    def township_kind(self) -> str | None:
        """For a level-4 code: ``street``, ``town``, ``township`` or ``other`` (GB/T 10114)."""
        if self.level != Level.STREET:
            return None
        return _kind_of(self.serial, TOWNSHIP_KINDS)

    def village_kind(self) -> str | None:
        """For a level-5 code: ``residents`` (居委会), ``villagers`` (村委会) or ``other``."""
        if self.level != Level.COMMUNITY:
            return None
        return _kind_of(self.serial, VILLAGE_KINDS)


def _kind_of(serial: int, ranges: tuple[tuple[int, int, str], ...]) -> str | None:
    return next((kind for low, high, kind in ranges if low <= serial <= high), None)


def serial_range(code: PlaceCode) -> tuple[int, int]:
    """The serials a new sibling of ``code`` may take: its GB/T 10114 class, or 1..max."""
    if code.attached_kind:
        return 1, 10**ATTACHED_WIDTH - 1
    assert code.level is not None
    ranges = {Level.STREET: TOWNSHIP_KINDS, Level.COMMUNITY: VILLAGE_KINDS}.get(code.level)
    if ranges:
        for low, high, _ in ranges:
            if low <= code.serial <= high:
                return max(low, 1), high
    return 1, 10 ** SEGMENT_WIDTHS[code.level - 1] - 1


def next_serial(*, used: Iterable[int], high_water: int, low: int, high: int) -> int:
    """The next serial in ``low..high`` above every used one and above ``high_water``.

    ``used`` holds current and former serials under the parent; ``high_water`` counts only when
    it lies inside the range (a street's high-water mark does not block the town range).
    Raises :class:`ValidationFailed` when the range is exhausted.
    """
    in_range = [s for s in used if low <= s <= high]
    floor = max([low - 1, *in_range, *([high_water] if low <= high_water <= high else [])])
    if floor >= high:
        raise _invalid(
            "serial",
            str(high),
            f"no free code left in {low}..{high}: codes are never reused",
            "该上级下已无可用编码（编码不复用）",
        )
    return floor + 1


def subtree_bounds(prefix: str) -> tuple[str, str]:
    """``(low, high)`` such that ``low <= code < high`` exactly for codes under ``prefix``.

    Codes use digits and upper-case letters only, all below ``~``; the range form lets the
    engines answer subtree queries from the ``placeCode`` index.
    """
    return prefix, prefix + "~"
