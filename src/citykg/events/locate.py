"""Locating a report: by place code, by coordinates, or from a hotline sentence.

Hotline text is a sentence, not an address:
「我家住在金安家园3号楼2单元，楼下井盖丢了，联系人王先生」,
「收货地址：朝阳区望京街道花家地社区…，电话…」. The address is found *inside* it: every written
form of a known division (the geo gazetteer, :meth:`~citykg.geo.Gazetteer.mentions`) and of a
known compound (this module's :class:`PremisesIndex`) is a mention; a mention inside a longer one
does not count (``望京`` inside ``望京北里``). Each mentioned place is supported by the mentions of
itself and of its ancestors (codes are prefixes of their descendants' codes), weighted by level;
the best supported, deepest place wins, and places tied with it are the alternatives (the
match is then ambiguous). Below the compound the building, unit and door are read right after
its name (``3号楼2单元1102``, ``3栋``, ``3#``, ``三号楼``, ``3-2-1102``) and looked up by number.
A bare community whose only compound is known descends into it.

Coordinates find the nearest compound that has them (``latitude``/``longitude`` of the place,
ontology ``ckg:placeLatitude``), within :data:`POINT_RADIUS_M`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from citykg.geo.address import Gazetteer, chinese_number, normalize_name
from citykg.geo.codes import CODE_LENGTHS, LEVEL_OF_LENGTH, Level

Method = Literal["code", "point", "text", "none"]
POINT_RADIUS_M = 500.0
_WEIGHTS = {1: 0.5, 2: 0.5, 3: 1.0, 4: 2.0, 5: 3.0, 6: 4.0}
_SHORT_DISCOUNT = 0.5
_CN = "零〇一二两三四五六七八九十"
_GAP = r"[^0-9\-零〇一二两三四五六七八九十]{0,3}?"
_DASHED = re.compile(rf"{_GAP}([A-Z]?[0-9]{{1,3}})-([0-9]{{1,2}})-([0-9]{{3,4}})(?![0-9])")
_BUILDING = re.compile(
    rf"{_GAP}([A-Z]?[0-9]{{1,3}}|[A-Z]|[{_CN}]{{1,3}})(?:号楼|栋|幢|座|#楼|#|号院|号)"
)
_UNIT_DOOR = re.compile(r"([0-9]{1,2})-([0-9]{3,4})(?![0-9])")
_UNIT = re.compile(rf"([0-9]{{1,2}}|[{_CN}]{{1,2}})(?:单元|门)")
_DOOR = re.compile(r"([0-9]{3,4})(?:室|号|户)?(?![0-9])")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a report is: the deepest place found and its levels, how sure, the alternatives."""

    place: str | None
    method: Method
    confidence: float
    community: str | None = None
    compound: str | None = None
    building: str | None = None
    unit: str | None = None
    door: str | None = None
    alternatives: tuple[str, ...] = ()
    matched: str = ""
    """The part of the text read as the address (normalised)."""

    @property
    def ambiguous(self) -> bool:
        return bool(self.alternatives)

    @property
    def compound_or_community(self) -> str | None:
        return self.compound or self.community


NOWHERE = Location(None, "none", 0.0)


@dataclass(slots=True)
class PremisesIndex:
    """Compounds by written name, buildings, units and doors by number under their parent,
    and the coordinates of the places that have them."""

    names: dict[str, str] = field(default_factory=dict)
    forms: dict[str, list[str]] = field(default_factory=dict)
    children: dict[str, dict[str, str]] = field(default_factory=dict)
    compounds_of: dict[str, list[str]] = field(default_factory=dict)
    points: dict[tuple[int, int], list[tuple[float, float, str]]] = field(default_factory=dict)
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> PremisesIndex:
        """``rows``: ``code``, ``name``, ``number`` (optional), ``lat``/``lon`` (optional)."""
        index = cls()
        for row in rows:
            index._add(row)
        lengths: dict[str, set[int]] = {}
        for form in index.forms:
            lengths.setdefault(form[0], set()).add(len(form))
        index.lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}
        return index

    def _add(self, row: Mapping[str, Any]) -> None:
        code, name = str(row["code"]), str(row.get("name") or "")
        level = LEVEL_OF_LENGTH.get(len(code))
        if level is None or level < Level.COMPOUND:
            return
        self.names[code] = name
        parent = code[: CODE_LENGTHS[level - 2]]
        if level == Level.COMPOUND:
            self.compounds_of.setdefault(parent, []).append(code)
            for form in compound_forms(name):
                self.forms.setdefault(form, []).append(code)
        else:
            number = _number_key(row.get("number"), name)
            if number:
                self.children.setdefault(parent, {})[number] = code
        lat, lon = row.get("lat"), row.get("lon")
        if lat is not None and lon is not None:
            self.points.setdefault(_cell(float(lat), float(lon)), []).append(
                (float(lat), float(lon), code)
            )

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def child(self, parent: str | None, number: str | None) -> str | None:
        if parent is None or number is None:
            return None
        return self.children.get(parent, {}).get(number)

    def nearest(self, lat: float, lon: float, radius_m: float) -> str | None:
        """The closest place with coordinates within ``radius_m`` (compounds first)."""
        cx, cy = _cell(lat, lon)
        best: tuple[float, int, str] | None = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for plat, plon, code in self.points.get((cx + dx, cy + dy), ()):
                    d = distance_m(lat, lon, plat, plon)
                    if d <= radius_m and (best is None or (d, len(code)) < best[:2]):
                        best = (d, len(code), code)
        return best[2] if best else None


def compound_forms(name: str) -> set[str]:
    """How a compound is written: its name, and without a trailing 小区/社区 when enough remains."""
    key = normalize_name(name)
    forms = {key}
    for suffix in ("小区", "社区", "家园", "花园", "公寓"):
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            forms.add(key[: -len(suffix)])
    return forms


class Locator:
    """Finds the place of a report: the gazetteer's divisions and the premises below them."""

    def __init__(self, gazetteer: Gazetteer, premises: PremisesIndex) -> None:
        self.gazetteer = gazetteer
        self.premises = premises

    def known(self, code: str) -> bool:
        return code in self.gazetteer or code in self.premises

    def at_code(self, code: str) -> Location:
        """A place code as given: the location of that place, if it is known."""
        if not self.known(code):
            return NOWHERE
        return self._levels(code, "code", 1.0)

    def at_point(self, lat: float, lon: float) -> Location:
        """The nearest known place with coordinates; nowhere if none is close enough."""
        code = self.premises.nearest(lat, lon, POINT_RADIUS_M)
        return NOWHERE if code is None else self._levels(code, "point", 0.9)

    def in_text(self, text: str, *, within: str | None = None) -> Location:
        """The place named inside ``text``; ``within`` (a code) wins ties for places under it."""
        norm = normalize_name(text)
        mentions = self._mentions(norm)
        if not mentions:
            return NOWHERE
        support: dict[str, float] = {}
        for code in {m[2] for m in mentions}:
            weight = {c: w for c, w in _best_weights(mentions).items() if code.startswith(c)}
            support[code] = sum(weight.values())
        inside = within or "\0"
        ranked = sorted(support, key=lambda c: (-support[c], -len(c), not c.startswith(inside), c))
        best = ranked[0]
        ties = tuple(
            c for c in ranked[1:] if support[c] == support[best] and len(c) == len(best)
            and c.startswith(inside) == best.startswith(inside)
        )  # fmt: skip
        end = max(m[1] for m in mentions if m[2] == best)
        start = min(m[0] for m in mentions if best.startswith(m[2]))
        place, tail_end = self._descend(best, norm, end)
        confidence = _confidence(best, support[best], len(ties))
        found = self._levels(place, "text", confidence)
        return Location(found.place, "text", confidence, found.community, found.compound,
                        found.building, found.unit, found.door, ties,
                        norm[start:tail_end])  # fmt: skip

    # -- inside --

    def _mentions(self, norm: str) -> list[tuple[int, int, str, float]]:
        found = [
            (s, e, code, _weight(code, short))
            for s, e, code, short in self.gazetteer.mentions(norm)
        ]
        forms, lengths = self.premises.forms, self.premises.lengths
        for pos, ch in enumerate(norm):
            for length in lengths.get(ch, ()):
                for code in forms.get(norm[pos : pos + length], ()):
                    found.append((pos, pos + length, code, _WEIGHTS[6]))
        return [
            m for m in found
            if not any(o[0] <= m[0] and m[1] <= o[1] and o[1] - o[0] > m[1] - m[0] for o in found)
        ]  # fmt: skip

    def _descend(self, place: str, norm: str, end: int) -> tuple[str, int]:
        """Building, unit and door written right after ``place``'s name, looked up by number;
        a community with one known compound descends into it when a building follows."""
        tail = norm[end : end + 24]
        if len(place) == CODE_LENGTHS[Level.COMMUNITY - 1]:
            only = self.premises.compounds_of.get(place, [])
            if len(only) != 1:
                return place, end
            compound = only[0]
        elif len(place) == CODE_LENGTHS[Level.COMPOUND - 1]:
            compound = place
        else:
            return place, end
        numbers, used = _read_numbers(tail)
        building = self.premises.child(compound, numbers[0])
        if building is None:
            return place, end
        unit = self.premises.child(building, numbers[1])
        door = self.premises.child(unit, numbers[2])
        return door or unit or building, end + used

    def _levels(self, code: str, method: Method, confidence: float) -> Location:
        def at(level: Level) -> str | None:
            n = CODE_LENGTHS[level - 1]
            return code[:n] if len(code) >= n else None

        return Location(code, method, confidence, at(Level.COMMUNITY), at(Level.COMPOUND),
                        at(Level.BUILDING), at(Level.UNIT), at(Level.DOOR))  # fmt: skip


def _weight(code: str, short: bool) -> float:
    """Deeper levels weigh more; a bare short name (朝阳, 望京) of a level above the community
    counts half."""
    weight = _WEIGHTS[int(LEVEL_OF_LENGTH[len(code)])]
    return weight * _SHORT_DISCOUNT if short and len(code) < 12 else weight


def _best_weights(mentions: list[tuple[int, int, str, float]]) -> dict[str, float]:
    best: dict[str, float] = {}
    for _, _, code, weight in mentions:
        best[code] = max(weight, best.get(code, 0.0))
    return best


def _confidence(code: str, support: float, ties: int) -> float:
    """Deeper and better supported is surer; a tie divides it."""
    level = int(LEVEL_OF_LENGTH[len(code)])
    base = {6: 0.8, 5: 0.7, 4: 0.4}.get(level, 0.2)
    if support > _WEIGHTS.get(level, 1.0):
        base = min(0.98, base + 0.15)  # written with its community, street or district
    return round(base / (ties + 1), 2)


def _read_numbers(tail: str) -> tuple[tuple[str | None, str | None, str | None], int]:
    """Building, unit and door numbers at the start of ``tail`` and how much text they took."""
    dashed = _DASHED.match(tail)
    if dashed:
        return (_num(dashed[1]), _num(dashed[2]), _num(dashed[3])), dashed.end()
    building = _BUILDING.match(tail)
    if not building:
        return (None, None, None), 0
    pos = building.end()
    pair = _UNIT_DOOR.match(tail, pos)
    if pair:
        return (_num(building[1]), _num(pair[1]), _num(pair[2])), pair.end()
    unit = _UNIT.match(tail, pos)
    if not unit:
        return (_num(building[1]), None, None), pos
    door = _DOOR.match(tail, unit.end())
    if not door:
        return (_num(building[1]), _num(unit[1]), None), unit.end()
    return (_num(building[1]), _num(unit[1]), _num(door[1])), door.end()


def _num(text: str) -> str:
    if text.isdigit():
        return str(int(text))
    if text[:1].isalpha() and text[1:].isdigit():
        return text[0] + str(int(text[1:]))
    value = chinese_number(text)
    return str(value) if value is not None else text


def _number_key(number: Any, name: str) -> str | None:
    if number is not None and str(number).strip():
        return _num(str(number).strip())
    found = re.search(r"([A-Z]?[0-9]+|[A-Z])", normalize_name(name))
    return _num(found[1]) if found else None


_CELL_DEG = 0.01


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / _CELL_DEG), math.floor(lon / _CELL_DEG))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough within a city."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return math.hypot(x, y) * 6_371_000.0
