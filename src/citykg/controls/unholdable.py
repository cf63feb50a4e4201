"""Values no text or number of the graph can hold: NUL characters, unpaired surrogates, and
numbers that are not finite. The API's edge refuses a request holding one, naming the field;
a batch of submissions refuses only the submissions holding one (:func:`submit_many`)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from citykg.errors import Violation

NUL = ("contains a NUL character (U+0000), which no text may hold",
       "不能包含空字符（U+0000）")  # fmt: skip
SURROGATE = ("contains an unpaired surrogate, which is not valid Unicode text",
             "包含无效的 Unicode 字符（孤立代理项）")  # fmt: skip
NOT_FINITE = ("is not a finite number (NaN, Infinity or out of range)",
              "不是有限数值（NaN、Infinity 或超出范围）")  # fmt: skip


def offences(value: Any, path: str = "") -> Iterator[Violation]:
    """Every unholdable value in a parsed JSON ``value``, named by its dotted path."""
    if isinstance(value, str):
        if "\x00" in value:
            yield violation(path, NUL)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # json.loads pairs valid surrogates: any left is unpaired
            yield violation(path, SURROGATE)
    elif isinstance(value, float) and not math.isfinite(value):
        yield violation(path, NOT_FINITE)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from offences(key, path or "body")
            yield from offences(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from offences(item, f"{path}.{index}" if path else str(index))


def violation(path: str, message: tuple[str, str]) -> Violation:
    return Violation(path=path or "body", message=message[0], message_zh=message[1])
