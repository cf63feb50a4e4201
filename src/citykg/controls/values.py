"""Answer values: from what a client sends (JSON) to typed Python values, and on to the graph.

:func:`coerce` reads one answer for an attribute's datatype: text, whole numbers, numbers, yes/no
(``true``/``false``, ``1``/``0``, ``yes``/``no``, ``是``/``否``), ISO dates and date-times, and code
notations (only those offered). A client's answer is read ``strict``: text (and codes, links) must
be a JSON string, so an ID number sent as a number is refused rather than turned into digits it
may not have had (leading zeros, a final ``X``); a form's own defaults and calculations may give
a number for text. A multi-valued attribute takes a list or a space-separated string (XLSForm's
``select_multiple``). Blank (``None``, ``""``, ``[]``) is ``None``: not answered. A value that
does not fit is a :class:`ValueProblem` with its message in zh and en.

:func:`to_graph` turns typed values into what the graph stores: dates and times as ISO strings,
decimals as floats, code notations as strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rdflib.namespace import XSD

CODE = "code"
"""The datatype of a coded attribute: its value is a code notation."""

_AS_IS = frozenset({str, int, float, bool})
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_TRUE = frozenset({"true", "1", "yes", "y", "是"})
_FALSE = frozenset({"false", "0", "no", "n", "否"})


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """Why an answer does not fit its field."""

    en: str
    zh: str


def coerce(
    raw: Any,
    *,
    datatype: str,
    multiple: bool = False,
    codes: frozenset[str] | None = None,
    strict: bool = False,
) -> Any:
    """``raw`` as a typed value of ``datatype`` (a list when ``multiple``), ``None`` when blank,
    or a :class:`ValueProblem`; ``strict`` for a client's answer (see the module docstring)."""
    if multiple:
        items = raw.split() if isinstance(raw, str) else list(raw) if _is_list(raw) else [raw]
        values = [coerce(item, datatype=datatype, codes=codes, strict=strict) for item in items]
        problem = next((v for v in values if isinstance(v, ValueProblem)), None)
        kept = list(dict.fromkeys(v for v in values if v is not None))
        return problem or (kept or None)
    kind = type(raw)
    if kind is str:
        raw = raw.strip()
        if not raw:
            return None
    elif raw is None or (kind is list and not raw):
        return None
    elif kind in (list, tuple, dict):
        return _wrong(datatype)
    reader: Callable[[Any], Any] = _READERS.get(datatype, _text)
    if strict and reader is _text and kind is not str:
        return _wrong(datatype)
    value = reader(raw)
    if value is None:
        return _wrong(datatype)
    if codes is not None and datatype == CODE and value not in codes:
        return ValueProblem(
            f"{value!r} is not one of the allowed codes", f"{value!r} 不在可选代码中"
        )
    return value


def to_graph(value: Any) -> Any:
    """A typed value as stored in the graph."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, list):
        return [to_graph(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _text(raw: Any) -> str | None:
    if type(raw) is str:
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return None


def _integer(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and _INTEGER.match(raw):
        return int(raw)
    return None


def _decimal(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        number = float(raw)
    elif isinstance(raw, str):
        try:
            number = float(raw)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _boolean(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.lower()
        return True if word in _TRUE else False if word in _FALSE else None
    return None


def _date(raw: Any) -> date | None:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str) and len(raw) == 10:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def _datetime(raw: Any) -> datetime | None:
    if isinstance(raw, datetime):
        return raw
    if isinstance(raw, str) and len(raw) > 10:
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            return None
    return None


_READERS: dict[str, Callable[[Any], Any]] = {
    str(XSD.string): _text,
    str(XSD.anyURI): _text,
    str(XSD.integer): _integer,
    str(XSD.decimal): _decimal,
    str(XSD.boolean): _boolean,
    str(XSD.date): _date,
    str(XSD.dateTime): _datetime,
    CODE: _text,
}

_WRONG: dict[str, ValueProblem] = {
    str(XSD.string): ValueProblem("must be text", "须为文本"),
    str(XSD.anyURI): ValueProblem("must be a link (URI)", "须为链接地址"),
    str(XSD.integer): ValueProblem("must be a whole number", "须为整数"),
    str(XSD.decimal): ValueProblem("must be a number", "须为数字"),
    str(XSD.boolean): ValueProblem("must be yes or no", "须为是或否"),
    str(XSD.date): ValueProblem("must be a date (YYYY-MM-DD)", "须为日期（YYYY-MM-DD）"),
    str(XSD.dateTime): ValueProblem(
        "must be a date and time (ISO 8601)", "须为日期时间（ISO 8601）"
    ),
    CODE: ValueProblem("must be a code", "须为代码"),
}


def _wrong(datatype: str) -> ValueProblem:
    return _WRONG.get(datatype, _WRONG[str(XSD.string)])


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)
