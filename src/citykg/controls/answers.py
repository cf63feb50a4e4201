"""Reading a submission's answers field by field, with XLSForm semantics.

For each group of fields (the top level, one relation, one repeat row) :func:`read_answers`

1. takes each field's answer (a read-only or calculated field ignores it), else its ``default``,
   and coerces it to the attribute's datatype (:func:`~citykg.controls.values.coerce`);
2. evaluates ``calculation`` fields in order (a calculation may read fields before it);
3. blanks fields whose ``relevant`` does not hold (they are not written), reports required
   fields left blank and answers failing their ``constraint``.

Answers for names the form does not have are reported too. Expressions see the group's own
values first, then the top-level ones. The result lists what will be written, with each value's
path in the form (``members[1].name``: repeat rows are numbered from 0, as in the answers).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from citykg.controls.binding import BoundForm, BoundGroup, BoundValue
from citykg.controls.expressions import Env, Expression
from citykg.controls.models import PLACE_KEY, RepeatField, Text
from citykg.controls.values import ValueProblem, coerce
from citykg.errors import Violation


@dataclass(frozen=True, slots=True)
class Filled:
    """One value to write: its field, its path in the form, its typed value."""

    value: BoundValue
    path: str
    typed: Any


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One answered address, related entity or repeat row."""

    group: BoundGroup
    path: str
    filled: tuple[Filled, ...]
    place: str | None = None


@dataclass(frozen=True, slots=True)
class ReadAnswers:
    """Everything a submission answered that is to be written, and what was wrong with it."""

    subject: tuple[Filled, ...]
    rows: tuple[GroupRow, ...]
    problems: tuple[Violation, ...]


def read_answers(
    bound: BoundForm, answers: Mapping[str, Any], *, today: date, now: datetime
) -> ReadAnswers:
    """Typed, relevant, checked values of ``answers`` (see the module docstring)."""
    reader = _Reader(today, now)
    reader.unknown(answers, bound.answer_keys, "")
    subject, typed = reader.fill(bound.values, answers, "", {})
    rows = [
        row for group in bound.groups for row in reader.group(group, answers.get(group.name), typed)
    ]
    return ReadAnswers(tuple(subject), tuple(rows), tuple(reader.problems))


def field_problem(label: Text, path: str, en: str, zh: str, value: object = None) -> Violation:
    """A violation of one field, its label leading the message in each language."""
    return Violation(
        path=path,
        message=f"{label.get('en')}: {en}",
        message_zh=f"{label.get('zh')}：{zh}",
        value=value,
    )


class _Reader:
    def __init__(self, today: date, now: datetime) -> None:
        self.today = today
        self.now = now
        self.problems: list[Violation] = []

    def fill(
        self,
        values: tuple[BoundValue, ...],
        raw: Mapping[str, Any],
        prefix: str,
        outer: Mapping[str, Any],
    ) -> tuple[list[Filled], dict[str, Any]]:
        typed: dict[str, Any] = {}
        failed: set[str] = set()
        for v in values:
            given = None if v.computed else raw.get(v.name)
            answered = not _blank(given)
            source = given if answered or v.calculation is not None else v.default
            typed[v.name] = (
                None if source is None else self.coerced(v, source, prefix, failed, answered)
            )
        env = Env(typed, self.today, self.now, outer)
        for v in values:
            if v.calculation is not None and v.name not in failed:
                env.current = typed[v.name]
                typed[v.name] = self.coerced(v, v.calculation.evaluate(env), prefix, failed)
        filled = [f for v in values if (f := self.check(v, typed, env, prefix, failed))]
        return filled, typed

    def coerced(
        self, v: BoundValue, raw: Any, prefix: str, failed: set[str], strict: bool = False
    ) -> Any:
        """``strict`` for the client's own answer: a form's defaults and calculations may give
        a number for text, a client may not."""
        value = coerce(raw, datatype=v.datatype, multiple=v.multiple, codes=v.codes, strict=strict)
        if isinstance(value, ValueProblem):
            self.problems.append(field_problem(v.label, prefix + v.name, value.en, value.zh, raw))
            failed.add(v.name)
            return None
        return value

    def check(
        self, v: BoundValue, typed: dict[str, Any], env: Env, prefix: str, failed: set[str]
    ) -> Filled | None:
        if v.name in failed:
            return None
        env.current = value = typed[v.name]
        path = prefix + v.name
        if v.relevant is not None and not v.relevant.holds(env):
            typed[v.name] = None
            return None
        if value is None:
            if _holds(v.required, env):
                self.problems.append(field_problem(v.label, path, "required", "必填"))
            return None
        if v.constraint is not None and not v.constraint.holds(env):
            self.problems.append(_constraint_problem(v, path, value))
            return None
        return Filled(v, path, value)

    def group(self, group: BoundGroup, raw: Any, outer: dict[str, Any]) -> list[GroupRow]:
        env = Env(outer, self.today, self.now)
        if group.relevant is not None and not group.relevant.holds(env):
            return []
        items = self.items(group, raw)
        if items is None:
            return []
        if not items:
            self.missing(group, env)
            return []
        most = group.field.max_count if isinstance(group.field, RepeatField) else None
        if most is not None and len(items) > most:
            self.problems.append(
                field_problem(group.label, group.name, f"at most {most} rows", f"至多 {most} 项")
            )
        return [self.row(group, path, item, outer) for path, item in items]

    def items(self, group: BoundGroup, raw: Any) -> list[tuple[str, Mapping[str, Any]]] | None:
        """The non-blank answered rows with their paths; None when the answer is malformed."""
        if group.is_address and isinstance(raw, str):
            raw = {PLACE_KEY: raw}
        if raw is None:
            return []
        rows = (raw if isinstance(raw, list) else None) if group.is_repeat else [raw]
        if rows is None or not all(isinstance(r, Mapping) for r in rows):
            expected, expected_zh = (
                ("a list of objects", "对象列表") if group.is_repeat else ("an object", "对象")
            )
            self.problems.append(
                field_problem(group.label, group.name, f"must be {expected}", f"须为{expected_zh}")
            )
            return None
        paths = (
            [f"{group.name}[{i}]" for i in range(len(rows))] if group.is_repeat else [group.name]
        )
        return [
            (path, row)
            for path, row in zip(paths, rows, strict=True)
            if not all(_blank(v) for v in row.values())
        ]

    def missing(self, group: BoundGroup, env: Env) -> None:
        fewest = group.field.min_count if isinstance(group.field, RepeatField) else 0
        if fewest:
            self.problems.append(
                field_problem(
                    group.label, group.name, f"at least {fewest} rows", f"至少 {fewest} 项"
                )
            )
        elif _holds(group.required, env):
            self.problems.append(field_problem(group.label, group.name, "required", "必填"))

    def row(
        self, group: BoundGroup, path: str, item: Mapping[str, Any], outer: dict[str, Any]
    ) -> GroupRow:
        self.unknown(item, group.answer_keys, f"{path}.")
        filled, _ = self.fill(group.fields, item, f"{path}.", outer)
        place = None
        if group.is_address:
            text = item.get(PLACE_KEY)
            place = text.strip() if isinstance(text, str) and text.strip() else None
            if place is None:
                self.problems.append(
                    field_problem(group.label, path, "the address is missing", "缺少地址")
                )
        return GroupRow(group, path, tuple(filled), place)

    def unknown(self, raw: Mapping[str, Any], names: Set[str], prefix: str) -> None:
        for key in raw:
            if key not in names:
                self.problems.append(
                    Violation(
                        path=prefix + str(key),
                        message="this form has no such field",
                        message_zh="表单中没有该字段",
                        value=None,
                    )
                )


def _constraint_problem(v: BoundValue, path: str, value: Any) -> Violation:
    message = v.field.constraint_message
    if message is None:
        return field_problem(v.label, path, "the answer is not accepted", "答案不符合要求", value)
    return Violation(
        path=path, message=message.get("en"), message_zh=message.get("zh"), value=value
    )


def _holds(condition: bool | Expression, env: Env) -> bool:
    return condition if isinstance(condition, bool) else condition.holds(env)


def _blank(value: Any) -> bool:
    return value is None or value == [] or (type(value) is str and not value.strip())
