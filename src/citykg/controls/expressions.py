"""A small, safe expression language for ``constraint``, ``relevant``, ``required`` and
``calculation``, in the spirit of XLSForm's XPath subset. Never ``eval``.

Grammar (lowest precedence first)::

    expr    := and ("or" and)*
    and     := compare ("and" compare)*
    compare := sum (("=" | "!=" | "<" | "<=" | ">" | ">=") sum)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "div" | "mod") unary)*
    unary   := "-" unary | primary
    primary := number | 'string' | "string" | "." | "${name}" | name "(" args ")" | "(" expr ")"

``.`` is the field's own value and ``${name}`` another field's (a sibling in the same group
first, then a top-level field). Functions: ``string-length``, ``regex`` (search), ``selected``,
``count-selected``, ``today``, ``now``, ``concat``, ``if``, ``coalesce``, ``not``, ``true``,
``false``, ``number``, ``int``, ``string``, ``substr`` (0-based, as ODK), ``contains``,
``starts-with``, ``ends-with``, ``round``, ``age`` (full years to today).

Values are the typed answers (``str``, ``int``, ``float``, ``bool``, ``date``, ``datetime``,
lists for multiple choices, ``None`` when blank). Blank behaves as the empty string in ``=``
and string functions, and makes arithmetic blank; a string compared with a date or a number is
read as one; ``date ± n`` moves by days and ``date - date`` counts days. Run-time type errors
make the result blank (so a constraint on a malformed value fails, it never raises).

Parsing is done once per form (:func:`parse_expression`, cached); the result is a tree of
closures, evaluated per submission with an :class:`Env`.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from citykg.errors import ValidationFailed, Violation

Run = Callable[["Env"], Any]
MAX_LENGTH = 2_000


@dataclass(slots=True)
class Env:
    """What an expression sees: its own value, field values (a group's, then the form's).

    Mutable on purpose: one ``Env`` per group of fields, its ``current`` moved field by field.
    """

    values: Mapping[str, Any]
    today: date
    now: datetime
    outer: Mapping[str, Any] = field(default_factory=dict)
    current: Any = None

    def lookup(self, name: str) -> Any:
        return self.values[name] if name in self.values else self.outer.get(name)


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression: its text, the field names it reads, the literals it compares the
    field's own value (``.``) with, and how to evaluate it."""

    text: str
    references: frozenset[str]
    _run: Run
    compared: tuple[str | int | float, ...] = ()

    def evaluate(self, env: Env) -> Any:
        return self._run(env)

    def holds(self, env: Env) -> bool:
        """The value as a boolean (XPath ``boolean()``: blank, ``""``, 0 and ``[]`` are false)."""
        return truthy(self._run(env))


@cache
def parse_expression(text: str) -> Expression:
    """Parse ``text``; a syntax error raises :class:`ValidationFailed` (path ``expression``)."""
    if len(text) > MAX_LENGTH:
        raise _syntax(text, f"longer than {MAX_LENGTH} characters", 0)
    parser = _Parser(text)
    run = parser.expression()
    parser.expect_end()
    return Expression(text, frozenset(parser.references), run, tuple(parser.compared))


def truthy(value: Any) -> bool:
    if value is None or value == "" or (isinstance(value, list) and not value):
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    return bool(value)


# --------------------------------------------------------------------------------------------
# Tokens and parser
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d+)?|\.\d+)
    | (?P<string>'[^']*'|"[^"]*")
    | \$\{(?P<ref>[A-Za-z_][A-Za-z0-9_]*)\}
    | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
    | (?P<dot>\.)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    at: int


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise _syntax(text, f"unexpected character {text[pos:].lstrip()[:1]!r}", pos)
        kind = next(k for k, v in match.groupdict().items() if v is not None)
        out.append(_Token(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    out.append(_Token("end", "", len(text)))
    return out


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: _equal(a, b),
    "!=": lambda a, b: not _equal(a, b),
    "<": lambda a, b: _ordered(a, b, operator.lt),
    "<=": lambda a, b: _ordered(a, b, operator.le),
    ">": lambda a, b: _ordered(a, b, operator.gt),
    ">=": lambda a, b: _ordered(a, b, operator.ge),
}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: _add(a, b, 1),
    "-": lambda a, b: _subtract(a, b),
    "*": lambda a, b: _numeric(a, b, operator.mul),
    "div": lambda a, b: _numeric(a, b, operator.truediv),
    "mod": lambda a, b: _numeric(a, b, math.fmod),
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0
        self.references: set[str] = set()
        self.compared: list[str | int | float] = []

    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def accept(self, *texts: str) -> str | None:
        token = self.token
        if token.kind in ("op", "name") and token.text in texts:
            self.pos += 1
            return token.text
        return None

    def expect(self, text: str) -> None:
        if self.accept(text) is None:
            raise _syntax(self.text, f"expected {text!r}", self.token.at)

    def expect_end(self) -> None:
        if self.token.kind != "end":
            raise _syntax(self.text, f"unexpected {self.token.text!r}", self.token.at)

    def expression(self) -> Run:
        return self._chain(self.conjunction, ("or",), lambda a, b: a or b)

    def conjunction(self) -> Run:
        return self._chain(self.comparison, ("and",), lambda a, b: a and b)

    def _chain(
        self,
        operand: Callable[[], Run],
        words: tuple[str, ...],
        combine: Callable[[bool, bool], bool],
    ) -> Run:
        left = operand()
        while self.accept(*words):
            right = operand()
            left = _logical(left, right, combine)
        return left

    def comparison(self) -> Run:
        start = self.pos
        left = self.sum()
        op = self.accept(*_COMPARE)
        if op is None:
            return left
        middle = self.pos
        right, compare = self.sum(), _COMPARE[op]
        self._note_compared(self.tokens[start : middle - 1], self.tokens[middle : self.pos])
        return lambda env: compare(left(env), right(env))

    def _note_compared(self, left: list[_Token], right: list[_Token]) -> None:
        """A comparison of ``.`` with a lone literal: the literal, for checking against the
        field's datatype when the form is bound."""
        for own, other in ((left, right), (right, left)):
            if [t.kind for t in own] == ["dot"] and len(other) == 1:
                token = other[0]
                if token.kind == "string":
                    self.compared.append(token.text[1:-1])
                elif token.kind == "number":
                    self.compared.append(float(token.text) if "." in token.text
                                         else int(token.text))  # fmt: skip

    def sum(self) -> Run:
        return self._arithmetic(self.product, ("+", "-"))

    def product(self) -> Run:
        return self._arithmetic(self.unary, ("*", "div", "mod"))

    def _arithmetic(self, operand: Callable[[], Run], ops: tuple[str, ...]) -> Run:
        left = operand()
        while (op := self.accept(*ops)) is not None:
            left = _binary(left, operand(), _ARITHMETIC[op])
        return left

    def unary(self) -> Run:
        if self.accept("-"):
            inner = self.unary()
            return lambda env: _numeric(0, inner(env), operator.sub)
        return self.primary()

    def primary(self) -> Run:
        token = self.token
        self.pos += 1
        if token.kind == "number":
            number = float(token.text) if "." in token.text else int(token.text)
            return lambda env: number
        if token.kind == "string":
            literal = token.text[1:-1]
            return lambda env: literal
        if token.kind == "dot":
            return lambda env: env.current
        if token.kind == "ref":
            name = token.text
            self.references.add(name)
            return lambda env: env.lookup(name)
        if token.kind == "op" and token.text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if token.kind == "name":
            return self.call(token)
        raise _syntax(self.text, f"unexpected {token.text or 'end'!r}", token.at)

    def call(self, token: _Token) -> Run:
        function = _FUNCTIONS.get(token.text)
        if function is None:
            raise _syntax(self.text, f"unknown function {token.text!r}", token.at)
        self.expect("(")
        args: list[Run] = []
        if not self.accept(")"):
            args.append(self.expression())
            while self.accept(","):
                args.append(self.expression())
            self.expect(")")
        low, high, body = function
        if not low <= len(args) <= high:
            raise _syntax(self.text, f"{token.text}() takes {_arity(low, high)}", token.at)
        return lambda env: _guarded(body, env, [arg(env) for arg in args])


def _logical(left: Run, right: Run, combine: Callable[[bool, bool], bool]) -> Run:
    return lambda env: combine(truthy(left(env)), truthy(right(env)))


def _binary(left: Run, right: Run, op: Callable[[Any, Any], Any]) -> Run:
    return lambda env: op(left(env), right(env))


def _arity(low: int, high: int) -> str:
    if low == high:
        return f"{low} argument(s)"
    return f"{low} or more arguments" if high > 99 else f"{low} to {high} arguments"


def _syntax(text: str, problem: str, at: int) -> ValidationFailed:
    return ValidationFailed(
        [
            Violation(
                path="expression",
                message=f"invalid expression {text!r}: {problem} at position {at + 1}",
                message_zh=f"表达式 {text!r} 有误：第 {at + 1} 个字符处 {problem}",
                value=text,
            )
        ]
    )


# --------------------------------------------------------------------------------------------
# Semantics
# --------------------------------------------------------------------------------------------


def _guarded(body: Callable[..., Any], env: Env, args: list[Any]) -> Any:
    try:
        return body(env, *args)
    except (TypeError, ValueError, ArithmeticError, re.error):
        return None


def _as_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            return None
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _pair(a: Any, b: Any) -> tuple[Any, Any]:
    """Bring two values to a comparable pair: dates with dates, numbers with numbers."""
    if isinstance(a, date) or isinstance(b, date):
        return _as_date(a), _as_date(b)
    if isinstance(a, int | float) or isinstance(b, int | float):
        return _as_number(a), _as_number(b)
    if isinstance(a, list) or isinstance(b, list):
        return _text(a), _text(b)
    return a, b


def _equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (a in (None, "")) and (b in (None, ""))
    x, y = _pair(a, b)
    return x is not None and x == y


def _ordered(a: Any, b: Any, compare: Callable[[Any, Any], bool]) -> bool:
    x, y = _pair(a, b)
    if x is None or y is None:
        return False
    try:
        return bool(compare(x, y))
    except TypeError:
        return False


def _numeric(a: Any, b: Any, op: Callable[[Any, Any], Any]) -> Any:
    x, y = _as_number(a), _as_number(b)
    if x is None or y is None:
        return None
    try:
        return op(x, y)
    except ZeroDivisionError:
        return None


def _add(a: Any, b: Any, sign: int) -> Any:
    if isinstance(a, date) and not isinstance(b, date):
        days = _as_number(b)
        return None if days is None else date.fromordinal(a.toordinal() + sign * int(days))
    return _numeric(a, b, operator.add if sign > 0 else operator.sub)


def _subtract(a: Any, b: Any) -> Any:
    if isinstance(a, date) and not isinstance(b, int | float):
        other = _as_date(b)
        if other is not None:
            return a.toordinal() - other.toordinal()
    return _add(a, b, -1)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _selected(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [_text(v) for v in value]
    return _text(value).split()


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _age(env: Env, born: Any) -> int | None:
    day = _as_date(born)
    if day is None:
        return None
    today = env.today
    return today.year - day.year - ((today.month, today.day) < (day.month, day.day))


def _int(_env: Env, value: Any) -> int | None:
    number = _as_number(value)
    return None if number is None else int(number)


def _number(_env: Env, value: Any) -> float | int | None:
    return _as_number(value)


def _round(_env: Env, value: Any, digits: Any = 0) -> float | None:
    number, places = _as_number(value), _as_number(digits)
    return None if number is None or places is None else round(float(number), int(places))


def _substr(_env: Env, value: Any, start: Any, end: Any = None) -> str:
    text = _text(value)
    first = int(_as_number(start) or 0)
    return text[first:] if end is None else text[first : int(_as_number(end) or 0)]


def _coalesce(_env: Env, *values: Any) -> Any:
    return next((v for v in values if v not in (None, "")), None)


_Function = tuple[int, int, Callable[..., Any]]
_MANY = 1_000
_FUNCTIONS: dict[str, _Function] = {
    "string-length": (1, 1, lambda env, v: len(_text(v))),
    "regex": (2, 2, lambda env, v, p: _pattern(_text(p)).search(_text(v)) is not None),
    "selected": (2, 2, lambda env, v, choice: _text(choice) in _selected(v)),
    "count-selected": (1, 1, lambda env, v: len(_selected(v))),
    "today": (0, 0, lambda env: env.today),
    "now": (0, 0, lambda env: env.now),
    "concat": (1, _MANY, lambda env, *vs: "".join(_text(v) for v in vs)),
    "if": (3, 3, lambda env, c, a, b: a if truthy(c) else b),
    "coalesce": (1, _MANY, _coalesce),
    "not": (1, 1, lambda env, v: not truthy(v)),
    "true": (0, 0, lambda env: True),
    "false": (0, 0, lambda env: False),
    "number": (1, 1, _number),
    "int": (1, 1, _int),
    "string": (1, 1, lambda env, v: _text(v)),
    "substr": (2, 3, _substr),
    "contains": (2, 2, lambda env, v, part: _text(part) in _text(v)),
    "starts-with": (2, 2, lambda env, v, part: _text(v).startswith(_text(part))),
    "ends-with": (2, 2, lambda env, v, part: _text(v).endswith(_text(part))),
    "round": (1, 2, _round),
    "age": (1, 1, _age),
}
"""name → (fewest arguments, most arguments, body(env, *values))."""
