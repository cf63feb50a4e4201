"""Free-text Chinese addresses → the places they name, level by level.

Three steps:

1. :func:`normalize`: NFKC (full-width digits, letters and punctuation to half-width), traditional
   to simplified characters (OpenCC's table, shipped in ``geo/data/t2s.tsv``), whitespace and
   punctuation removed, a leading ``中国`` or postcode dropped.
2. The administrative part (levels 1–5) is walked against a :class:`Gazetteer` built once from the
   division rows or the graph: at each position every written form of a division that starts
   there is a candidate, a candidate must lie under the previous match (upper levels may be
   missing: ``朝阳区…`` and ``望京街道…`` are fine), and the chain that consumes the most text
   wins, with fewer bare short names (``朝阳`` for ``朝阳区``) and places under ``within`` breaking
   ties. Bare short names of streets and communities count only right after their parent.
3. The tail (compound, building, unit, door) is read by regular expressions: ``312号楼``/
   ``312栋``/``312幢``/``312#``/``A座``, ``2单元``/``2门``, ``1102室``/``1102号``/``1102``, and
   the dashed ``312-2-1102``.

The result, :class:`ParsedAddress`, lists every level found (with the code of the matched
division, or the written value below it), which levels were only implied by a deeper match, and
the text nothing matched.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from citykg.geo.codes import LEVEL_KEYS, Level
from citykg.geo.divisions import DivisionRow
from citykg.geo.names import name_forms

# --- normalisation ----------------------------------------------------------------------------

_PUNCTUATION = re.compile(r"[\s,，、。.;；:：'\"“”‘’()（）\[\]【】{}<>《》!！?？/\\|_*·…]+")
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "~": "-", "～": "-", "―": "-"})
_LEADING_NOISE = re.compile(r"^(?:中华人民共和国|中国)?(?:[0-9]{6}(?![0-9]))?")


@cache
def _t2s() -> dict[int, str]:
    table: dict[int, str] = {}
    text = resources.files("citykg.geo").joinpath("data", "t2s.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            traditional, simplified = line.split("\t")
            table[ord(traditional)] = simplified
    return table


def normalize_name(text: str) -> str:
    """``text`` in the one form both addresses and gazetteer names are compared in."""
    text = unicodedata.normalize("NFKC", text).translate(_t2s()).translate(_DASHES).upper()
    return _PUNCTUATION.sub("", text)


def normalize(text: str) -> str:
    """An address in comparable form (:func:`normalize_name`), without a leading 中国/postcode."""
    return _LEADING_NOISE.sub("", normalize_name(text), count=1)


# --- result types -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelMatch:
    """One level of an address: the division (levels 1–5) or the written value (6–9).

    ``text`` is what matched in the normalised address; ``inferred`` levels were not written but
    follow from a deeper match (``朝阳区`` implies 北京市); ``abbreviated`` marks a bare short name.
    """

    level: int
    key: str
    name: str
    text: str
    code: str | None = None
    inferred: bool = False
    abbreviated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "key": self.key,
            "code": self.code,
            "name": self.name,
            "text": self.text,
            "inferred": self.inferred,
            "abbreviated": self.abbreviated,
        }


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """What :meth:`Gazetteer.parse` found in one address."""

    text: str
    normalized: str
    levels: tuple[LevelMatch, ...]
    remainder: str
    alternatives: tuple[str, ...] = ()

    def get(self, key: str) -> LevelMatch | None:
        """The match at level ``key`` (``"district"``, ``"building"``…), if any."""
        return next((m for m in self.levels if m.key == key), None)

    @property
    def division(self) -> LevelMatch | None:
        """The deepest administrative division matched (levels 1–5)."""
        found = [m for m in self.levels if m.code is not None]
        return found[-1] if found else None

    @property
    def place_code(self) -> str | None:
        division = self.division
        return division.code if division else None

    @property
    def ambiguous(self) -> bool:
        return bool(self.alternatives)

    def value(self, key: str) -> str | None:
        match = self.get(key)
        return match.name if match else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "normalized": self.normalized,
            "place_code": self.place_code,
            "levels": [m.as_dict() for m in self.levels],
            "remainder": self.remainder,
            "alternatives": list(self.alternatives),
        }


# --- the gazetteer ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """A division the gazetteer knows: code, official name and level (1–5)."""

    code: str
    name: str
    level: int


@dataclass(slots=True)
class _Chain:
    end: int
    shorts: int
    within: int
    places: tuple[tuple[int, int, bool], ...]  # (index, end, short)

    def score(self) -> tuple[int, int, int, int]:
        return (self.end, -self.shorts, self.within, len(self.places))


_STOP = _Chain(0, 0, 0, ())


class Gazetteer:
    """Every written form of every known division, for fast longest-match parsing."""

    def __init__(
        self,
        entries: Iterable[GazetteerEntry],
        *,
        extra_names: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        # Places sorted by code: every subtree is a contiguous index range [i, self._end[i]).
        ordered = sorted(entries, key=lambda e: e.code)
        self._codes = [e.code for e in ordered]
        self._names = [e.name for e in ordered]
        self._levels = [e.level for e in ordered]
        self._index = {code: i for i, code in enumerate(self._codes)}
        self._parents = [self._parent_index(code) for code in self._codes]
        self._end = self._subtree_ends()
        forms: dict[str, set[int]] = {}
        for i, (name, level) in enumerate(zip(self._names, self._levels, strict=True)):
            self._add_forms(forms, i, name, level)
        for code, names in (extra_names or {}).items():
            if code in self._index:
                i = self._index[code]
                for name in names:
                    self._add_forms(forms, i, name, self._levels[i])
        # Hits are sorted by place index, so the hits under an anchor are found by bisection.
        self._forms: dict[str, tuple[int, ...]] = {k: tuple(sorted(v)) for k, v in forms.items()}
        # An address starts at a province, city, district or street: the forms it may start with.
        self._top: dict[str, tuple[int, ...]] = {}
        for form, hits in self._forms.items():
            top = tuple(h for h in hits if self._levels[h >> 1] <= Level.STREET and not h & 1)
            top += tuple(h for h in hits if self._levels[h >> 1] < Level.STREET and h & 1)
            if top:
                self._top[form] = tuple(sorted(top))
        lengths: dict[str, set[int]] = {}
        for form in self._forms:
            lengths.setdefault(form[0], set()).add(len(form))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}

    def _subtree_ends(self) -> list[int]:
        ends = [len(self._codes)] * len(self._codes)
        open_: list[int] = []
        for i, code in enumerate(self._codes):
            while open_ and not code.startswith(self._codes[open_[-1]]):
                ends[open_.pop()] = i
            open_.append(i)
        return ends

    @classmethod
    def from_divisions(cls, rows: Iterable[DivisionRow]) -> Gazetteer:
        return cls(GazetteerEntry(r.code, r.name, r.level) for r in rows)

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def entry(self, code: str) -> GazetteerEntry | None:
        i = self._index.get(code)
        return None if i is None else GazetteerEntry(code, self._names[i], self._levels[i])

    def _parent_index(self, code: str) -> int:
        for length in (9, 6, 4, 2):
            if length < len(code) and code[:length] in self._index:
                return self._index[code[:length]]
        return -1

    def _add_forms(self, forms: dict[str, set[int]], i: int, name: str, level: int) -> None:
        written = name_forms(name, level)
        for form in written.full:
            forms.setdefault(normalize_name(form), set()).add(i << 1)
        for form in written.short:
            forms.setdefault(normalize_name(form), set()).add(i << 1 | 1)

    def mentions(self, text: str) -> list[tuple[int, int, str, bool]]:
        """Every written form of a known division anywhere in ``text`` (normalised), as
        ``(start, end, code, short)``: for finding an address inside a longer sentence."""
        found: list[tuple[int, int, str, bool]] = []
        for pos, ch in enumerate(text):
            for length in self._lengths.get(ch, ()):
                for hit in self._forms.get(text[pos : pos + length], ()):
                    found.append((pos, pos + length, self._codes[hit >> 1], bool(hit & 1)))
        return found

    # -- parsing --

    def parse(self, text: str, *, within: str | None = None) -> ParsedAddress:
        """Parse one address; ``within`` (a code) wins ties for places under it."""
        normalized = normalize(text)
        memo: dict[tuple[int, int], _Chain] = {}
        firsts = [
            self._extend(normalized, cand, within or "\0", memo)
            for cand in self._candidates(normalized, 0, -1)
        ]
        best = min(firsts, key=self._rank, default=_STOP)
        alternatives = self._alternatives(firsts, best)
        levels = self._division_levels(normalized, best)
        tail_start = best.end
        if best.places and best.places[-1][2]:
            # A bare name ends the chain (望京西园三区 → 望京 + 西园三区): the division is kept as
            # implied, and its text stays part of the compound name.
            tail_start = best.places[-2][1] if len(best.places) > 1 else 0
            levels = tuple(
                LevelMatch(m.level, m.key, m.name, "", m.code, inferred=True)
                if m.code == self._codes[best.places[-1][0]]
                else m
                for m in levels
            )
        tail_levels, remainder = _parse_tail(
            normalized[tail_start:], after_community=self._reached_community(best)
        )
        return ParsedAddress(text, normalized, levels + tail_levels, remainder, alternatives)

    def _candidates(self, text: str, pos: int, anchor: int) -> list[tuple[int, int, bool]]:
        if pos >= len(text):
            return []
        lengths = self._lengths.get(text[pos])
        if not lengths:
            return []
        found: list[tuple[int, int, bool]] = []
        forms = self._forms if anchor >= 0 else self._top
        low = (anchor + 1) << 1 if anchor >= 0 else 0
        high = self._end[anchor] << 1 if anchor >= 0 else len(self._codes) << 1
        for length in lengths:
            if pos + length > len(text):
                continue
            hits = forms.get(text[pos : pos + length])
            if hits is None:
                continue
            first = bisect_left(hits, low) if anchor >= 0 else 0
            for k in range(first, len(hits)):
                encoded = hits[k]
                if encoded >= high:
                    break
                i, short = encoded >> 1, bool(encoded & 1)
                if short and self._levels[i] >= Level.STREET and self._parents[i] != anchor:
                    continue
                found.append((i, pos + length, short))
        return found

    def _extend(
        self,
        text: str,
        candidate: tuple[int, int, bool],
        within: str,
        memo: dict[tuple[int, int], _Chain],
    ) -> _Chain:
        i, end, short = candidate
        key = (i, end)
        cached = memo.get(key)
        if cached is not None:
            return cached
        rest = [self._extend(text, c, within, memo) for c in self._candidates(text, end, i)]
        tail = min(rest, key=self._rank, default=None)
        inside = int(self._codes[i].startswith(within))
        if tail is None:
            chain = _Chain(end, int(short), inside, ((i, end, short),))
        else:
            chain = _Chain(
                tail.end,
                tail.shorts + int(short),
                tail.within + inside,
                ((i, end, short), *tail.places),
            )
        memo[key] = chain
        return chain

    def _rank(self, chain: _Chain) -> tuple[int, int, int, int, str]:
        """Best first: most text, fewest bare names, most under ``within``, deepest, lowest code."""
        end, shorts, within, depth = chain.score()
        return (-end, -shorts, -within, -depth, self._codes[chain.places[-1][0]])

    def _alternatives(self, firsts: list[_Chain], best: _Chain) -> tuple[str, ...]:
        if not best.places:
            return ()
        top = best.score()[:2]
        deepest = self._codes[best.places[-1][0]]
        others = {
            self._codes[c.places[-1][0]]
            for c in firsts
            if c.score()[:2] == top and c.within == best.within and c.places
        }
        others.discard(deepest)
        return tuple(sorted(others))

    def _reached_community(self, chain: _Chain) -> bool:
        return bool(chain.places) and self._levels[chain.places[-1][0]] >= Level.COMMUNITY

    def _division_levels(self, text: str, chain: _Chain) -> tuple[LevelMatch, ...]:
        if not chain.places:
            return ()
        written: dict[int, LevelMatch] = {}
        start = 0
        for i, end, short in chain.places:
            level = self._levels[i]
            written[level] = LevelMatch(
                level=level,
                key=LEVEL_KEYS[Level(level)],
                name=self._names[i],
                text=text[start:end],
                code=self._codes[i],
                abbreviated=short,
            )
            start = end
        deepest = chain.places[-1][0]
        j = self._parents[deepest]
        while j >= 0:
            level = self._levels[j]
            if level not in written:
                written[level] = LevelMatch(
                    level=level,
                    key=LEVEL_KEYS[Level(level)],
                    name=self._names[j],
                    text="",
                    code=self._codes[j],
                    inferred=True,
                )
            j = self._parents[j]
        return tuple(written[level] for level in sorted(written))


# --- the tail: compound, building, unit, door -------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS |= {"七": 7, "八": 8, "九": 9}
_CN = "零〇一二两三四五六七八九十"

_DASHED = re.compile(r"([A-Z]?[0-9]+)-([0-9]+)-([0-9]+)(?:室|号|户)?")
_BUILDING = re.compile(rf"(?:([A-Z]?[0-9]+|[A-Z])(?:号楼|栋|幢|座|#楼|#)|([{_CN}]+)(?:号楼|栋|幢))")
_UNIT_DOOR = re.compile(r"([0-9]+)-([0-9]+)(?:室|号|户)?")
_UNIT = re.compile(rf"([0-9]+|[{_CN}]+)(?:单元|门)")
_DOOR = re.compile(r"(?:[0-9]+(?:层|楼))?([0-9]+)(?:室|号|户)?(?![0-9])")
_DOOR_MARKED = re.compile(r"([0-9]+)(?:室|户)(?![0-9])")


def chinese_number(text: str) -> int | None:
    """``十二`` → 12, ``二十`` → 20, ``三`` → 3; ``None`` if ``text`` is not such a number."""
    if not text or any(ch not in _CN for ch in text):
        return None
    if "十" not in text:
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _number(text: str) -> str:
    if text.isdigit():
        return str(int(text))
    if text[:1].isalpha() and text[1:].isdigit():
        return text[0] + (str(int(text[1:])) if text[1:] else "")
    value = chinese_number(text)
    return str(value) if value is not None else text


def _level(level: Level, value: str, text: str) -> LevelMatch:
    return LevelMatch(level=int(level), key=LEVEL_KEYS[level], name=value, text=text)


def _parse_tail(tail: str, *, after_community: bool) -> tuple[tuple[LevelMatch, ...], str]:
    """Compound, building, unit and door in ``tail``; returns the levels and what is left."""
    found: list[LevelMatch] = []
    dashed = _DASHED.search(tail)
    building = _BUILDING.search(tail)
    start = end = -1
    if dashed and (building is None or dashed.start() <= building.start()):
        start, end = dashed.start(), dashed.end()
        found += [
            _level(Level.BUILDING, _number(dashed[1]), dashed[1]),
            _level(Level.UNIT, _number(dashed[2]), dashed[2]),
            _level(
                Level.DOOR, _number(dashed[3]), dashed[0][len(dashed[1]) + len(dashed[2]) + 2 :]
            ),
        ]
    elif building:
        start, end = building.start(), building.end()
        number = building[1] or building[2]
        found.append(_level(Level.BUILDING, _number(number), building[0]))
        end = _unit_and_door(tail, end, found)
    else:
        unit = _UNIT.search(tail)
        if unit:
            start = unit.start()
            end = _unit_and_door(tail, start, found)
        else:
            door = _DOOR_MARKED.search(tail)
            if door and door.end() == len(tail):
                start, end = door.start(), door.end()
                found.append(_level(Level.DOOR, _number(door[1]), door[0]))
    if start < 0:
        if after_community and tail:
            return (_level(Level.COMPOUND, tail, tail),), ""
        return (), tail
    compound = tail[:start]
    if compound:
        found.insert(0, _level(Level.COMPOUND, compound, compound))
    return tuple(found), tail[end:]


def _unit_and_door(tail: str, pos: int, found: list[LevelMatch]) -> int:
    pair = _UNIT_DOOR.match(tail, pos)
    if pair:
        found.append(_level(Level.UNIT, _number(pair[1]), pair[1]))
        found.append(_level(Level.DOOR, _number(pair[2]), pair[0][len(pair[1]) + 1 :]))
        return pair.end()
    unit = _UNIT.match(tail, pos)
    if unit:
        found.append(_level(Level.UNIT, _number(unit[1]), unit[0]))
        pos = unit.end()
    door = _DOOR.match(tail, pos)
    if door and door[0]:
        found.append(_level(Level.DOOR, _number(door[1]), door[0]))
        pos = door.end()
    return pos
