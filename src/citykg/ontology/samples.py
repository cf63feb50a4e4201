"""Valid sample values for attributes, derived from their shapes.

Used to render the minimal valid targets of a relation (:func:`citykg.ontology.instances.to_rdf`),
and by tests, benchmarks and demos to generate instances. A value satisfies every property rule
on its path: datatype, pattern (sampled from the regular expression itself), length, range,
code list and check rule.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from rdflib.namespace import XSD

from citykg.errors import ConfigError
from citykg.ontology.checkrules import CHECK_RULES
from citykg.ontology.model import Attribute, Bound, Ontology, PropertyRule

_ATTEMPTS = 200


@dataclass(frozen=True, slots=True)
class ValueSpace:
    """Everything the rules on one path require of each value, merged (bounds inclusive)."""

    datatype: str
    patterns: tuple[re.Pattern[str], ...]
    min_length: int
    max_length: int | None
    low: Bound | None
    high: Bound | None
    above: Bound | None
    below: Bound | None
    in_values: tuple[object, ...] | None
    codes: tuple[str, ...] | None
    check_rule: str | None

    @classmethod
    def of(
        cls, ontology: Ontology, attribute: Attribute, rules: Sequence[PropertyRule]
    ) -> ValueSpace:
        def tightest(values: list[Any], pick: Any) -> Any:
            return pick(values) if values else None

        scheme = next((r.in_scheme for r in rules if r.in_scheme), attribute.code_list)
        code_list = ontology.code_lists.get(scheme) if scheme and attribute.is_coded else None
        return cls(
            datatype=next((r.datatype for r in rules if r.datatype), attribute.range),
            patterns=tuple(compile_pattern(r.pattern, r.flags) for r in rules if r.pattern),
            min_length=max((r.min_length for r in rules if r.min_length is not None), default=0),
            max_length=tightest([r.max_length for r in rules if r.max_length is not None], min),
            low=tightest([r.min_inclusive for r in rules if r.min_inclusive is not None], max),
            high=tightest([r.max_inclusive for r in rules if r.max_inclusive is not None], min),
            above=tightest([r.min_exclusive for r in rules if r.min_exclusive is not None], max),
            below=tightest([r.max_exclusive for r in rules if r.max_exclusive is not None], min),
            in_values=next((r.in_values for r in rules if r.in_values is not None), None),
            codes=tuple(c.notation for c in code_list.concepts) if code_list else None,
            check_rule=attribute.check_rule if attribute.check_rule in CHECK_RULES else None,
        )

    def admits(self, value: Any) -> bool:
        """Whether ``value`` satisfies every constraint of the space (the datatype aside)."""
        if self.in_values is not None and value not in self.in_values:
            return False
        if isinstance(value, str):
            if not self.min_length <= len(value) <= (self.max_length or len(value)):
                return False
            if self.check_rule and not CHECK_RULES[self.check_rule].passes(value):
                return False
            return all(p.search(value) for p in self.patterns)
        try:
            return (
                (self.low is None or value >= self.low)
                and (self.high is None or value <= self.high)
                and (self.above is None or value > self.above)
                and (self.below is None or value < self.below)
            )
        except TypeError:
            return False


def compile_pattern(pattern: str, flags: str = "") -> re.Pattern[str]:
    """``sh:pattern`` + ``sh:flags`` as a Python pattern (XPath flags i, m, s, x)."""
    bits = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
    value = 0
    for flag in flags:
        value |= bits.get(flag, 0)
    return re.compile(pattern, value)


def sample_value(space: ValueSpace, rng: random.Random, *, hint: str = "") -> Any:
    """One random value inside ``space``; ``hint`` seeds free text (e.g. the attribute's label)."""
    if space.codes is not None:
        if not space.codes:
            raise ConfigError("cannot sample a value of an empty code list")
        return rng.choice(space.codes)
    sampler = _SAMPLERS.get(space.datatype, _sample_string)
    for _ in range(_ATTEMPTS):
        value = sampler(space, rng, hint)
        if space.admits(value):
            return value
    raise ConfigError(f"cannot sample a value satisfying {space}")


# --------------------------------------------------------------------------------------------
# Per datatype: a candidate near the bounds; sample_value keeps the first one admitted
# --------------------------------------------------------------------------------------------


def _sample_string(space: ValueSpace, rng: random.Random, hint: str) -> str:
    if space.check_rule:
        return CHECK_RULES[space.check_rule].sample(rng)
    if space.in_values is not None:
        return str(rng.choice(space.in_values))
    if space.patterns:
        return sample_matching(rng.choice(space.patterns).pattern, rng)
    value = f"{hint or 'x'}{rng.randint(1, 9999)}"
    value = value[: space.max_length] if space.max_length else value
    return value.ljust(space.min_length, "0")


def _sample_uri(space: ValueSpace, rng: random.Random, hint: str) -> str:
    if space.patterns:
        return _sample_string(space, rng, hint)
    return f"https://example.org/{rng.randint(1, 99999)}"


def _numeric_bounds(space: ValueSpace) -> tuple[Decimal, Decimal]:
    lows = [
        Decimal(str(b)) for b in (space.low, space.above) if isinstance(b, int | Decimal | float)
    ]
    highs = [
        Decimal(str(b)) for b in (space.high, space.below) if isinstance(b, int | Decimal | float)
    ]
    low = max(lows) if lows else Decimal(0)
    return low, min(highs) if highs else low + 100


def _sample_integer(space: ValueSpace, rng: random.Random, _: str) -> int:
    low, high = _numeric_bounds(space)
    return rng.randint(math.ceil(low), max(math.ceil(low), math.floor(high)))


def _sample_decimal(space: ValueSpace, rng: random.Random, _: str) -> Decimal:
    low, high = _numeric_bounds(space)
    step = Decimal(rng.randint(1, 99)) / 100
    return (low + (high - low) * step).quantize(Decimal("0.01"))


def _sample_boolean(_: ValueSpace, rng: random.Random, __: str) -> bool:
    return rng.random() < 0.5


def _sample_date(space: ValueSpace, rng: random.Random, _: str) -> date:
    lows = [_as_date(b) for b in (space.low, space.above) if isinstance(b, date)]
    highs = [_as_date(b) for b in (space.high, space.below) if isinstance(b, date)]
    low = max(lows) if lows else date(1950, 1, 1)
    high = min(highs) if highs else max(low, date(2024, 12, 31))
    return low + timedelta(days=rng.randint(0, max(0, (high - low).days)))


def _sample_datetime(space: ValueSpace, rng: random.Random, hint: str) -> datetime:
    day = _sample_date(space, rng, hint)
    return datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59))


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


_SAMPLERS: dict[str, Callable[[ValueSpace, random.Random, str], Any]] = {
    str(XSD.string): _sample_string,
    str(XSD.anyURI): _sample_uri,
    str(XSD.integer): _sample_integer,
    str(XSD.decimal): _sample_decimal,
    str(XSD.boolean): _sample_boolean,
    str(XSD.date): _sample_date,
    str(XSD.dateTime): _sample_datetime,
}


# --------------------------------------------------------------------------------------------
# Strings matching a regular expression
# --------------------------------------------------------------------------------------------

_Ranges = tuple[tuple[int, int], ...]
_DIGIT: _Ranges = ((48, 57),)
_WORD: _Ranges = ((48, 57), (65, 90), (95, 95), (97, 122))
_SPACE: _Ranges = ((32, 32),)
_ALPHABET = "".join(chr(c) for c in range(33, 127)) + "中文字样例"
_CLASSES = {"d": (_DIGIT, False), "D": (_DIGIT, True), "w": (_WORD, False),
            "W": (_WORD, True), "s": (_SPACE, False), "S": (_SPACE, True)}  # fmt: skip
_SIMPLE_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v"}


def sample_matching(pattern: str, rng: random.Random) -> str:
    """A random string that ``re.search(pattern, …)`` accepts.

    Supports the regular expressions shapes use: literals, escapes, classes (``[…]``, ``\\d``,
    ``\\w``, ``\\s``), ``.``, groups, alternation, anchors and the quantifiers ``? * + {n,m}``.
    """
    compiled = re.compile(pattern)
    for _ in range(_ATTEMPTS):
        value = _RegexSampler(pattern, rng).generate()
        if compiled.search(value):
            return value
    raise ConfigError(f"cannot sample a string matching {pattern!r}")


class _RegexSampler:
    """Generates while parsing: each alternative and repetition is re-parsed per draw."""

    def __init__(self, pattern: str, rng: random.Random) -> None:
        self.p = pattern
        self.rng = rng

    def generate(self) -> str:
        out, end = self._alternation(0)
        if end != len(self.p):
            raise ConfigError(f"unbalanced ')' in pattern {self.p!r}")
        return out

    def _alternation(self, i: int) -> tuple[str, int]:
        branches: list[str] = []
        out, i = self._sequence(i)
        branches.append(out)
        while i < len(self.p) and self.p[i] == "|":
            out, i = self._sequence(i + 1)
            branches.append(out)
        return self.rng.choice(branches), i

    def _sequence(self, i: int) -> tuple[str, int]:
        parts: list[str] = []
        while i < len(self.p) and self.p[i] not in "|)":
            start = i
            atom, i = self._atom(i)
            low, high, i = self._quantifier(i)
            count = self.rng.randint(low, min(high, low + 3))
            parts.append(atom)
            for _ in range(count - 1):
                parts.append(self._atom(start)[0])
            if count == 0:
                parts.pop()
        return "".join(parts), i

    def _quantifier(self, i: int) -> tuple[int, int, int]:
        if i >= len(self.p):
            return 1, 1, i
        c = self.p[i]
        bounds = {"?": (0, 1), "*": (0, 3), "+": (1, 4)}
        if c in bounds:
            low, high = bounds[c]
            i += 1
        elif c == "{" and (m := re.compile(r"\{(\d*)(,?)(\d*)\}").match(self.p, i)):
            low = int(m[1] or 0)
            high = int(m[3]) if m[3] else (low + 3 if m[2] else low)
            i = m.end()
        else:
            return 1, 1, i
        if i < len(self.p) and self.p[i] in "?+":
            i += 1  # lazy or possessive: same strings
        return low, high, i

    def _atom(self, i: int) -> tuple[str, int]:
        c = self.p[i]
        if c in "^$":
            return "", i + 1
        if c == "(":
            if self.p.startswith("(?", i):
                m = re.compile(r"\(\?(?::|P<\w+>|<\w+>)").match(self.p, i)
                if m is None:
                    raise ConfigError(f"unsupported group in pattern {self.p!r}")
                i = m.end() - 1
            out, i = self._alternation(i + 1)
            return out, i + 1
        if c == "[":
            return self._char_class(i + 1)
        if c == ".":
            return self.rng.choice(_ALPHABET), i + 1
        if c == "\\":
            ranges, negated, literal, i = self._escape(i + 1)
            return (literal if literal is not None else self._pick(ranges, negated)), i
        return c, i + 1

    def _escape(self, i: int) -> tuple[_Ranges, bool, str | None, int]:
        c = self.p[i]
        if c in _CLASSES:
            ranges, negated = _CLASSES[c]
            return ranges, negated, None, i + 1
        if c in "ux":
            width = 4 if c == "u" else 2
            return (), False, chr(int(self.p[i + 1 : i + 1 + width], 16)), i + 1 + width
        return (), False, _SIMPLE_ESCAPES.get(c, c), i + 1

    def _char_class(self, i: int) -> tuple[str, int]:
        negated = self.p[i] == "^"
        i += negated
        ranges: list[tuple[int, int]] = []
        first = True
        while first or self.p[i] != "]":
            first = False
            start, found, i = self._class_member(i)
            if found:
                ranges.extend(found)
            elif self.p[i] == "-" and self.p[i + 1] != "]":
                end, _, i = self._class_member(i + 1)
                ranges.append((ord(start), ord(end)))
            else:
                ranges.append((ord(start), ord(start)))
        return self._pick(tuple(ranges), negated), i + 1

    def _class_member(self, i: int) -> tuple[str, _Ranges, int]:
        """One character of a ``[…]`` class, or the ranges of a ``\\d``-style escape in it."""
        if self.p[i] != "\\":
            return self.p[i], (), i + 1
        ranges, negated, literal, i = self._escape(i + 1)
        if negated:
            raise ConfigError(f"unsupported negated escape inside [...] in {self.p!r}")
        return literal or "", ranges, i

    def _pick(self, ranges: _Ranges, negated: bool) -> str:
        if negated:
            allowed = [ch for ch in _ALPHABET if not any(a <= ord(ch) <= b for a, b in ranges)]
            return self.rng.choice(allowed)
        low, high = self.rng.choice(ranges)
        return chr(self.rng.randint(low, high))
