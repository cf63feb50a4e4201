"""XLSForm import: a ``survey``/``choices``/``settings`` workbook → a :class:`FormDefinition`.

The ``name`` column names ontology terms: a field's name is its attribute (local name or
property key), a group's name its relation. The usual columns are read: ``type``, ``name``,
``label``, ``hint``, ``constraint_message`` (each also per language: ``label::zh``,
``label::English (en)``), ``required``, ``constraint``, ``relevant``, ``calculation``,
``default``, ``read_only``, and ``save_to`` (ODK entities) to bind a field to a term other than
its name. Types:

=================================  ============================================================
``text`` ``integer`` ``decimal``   an attribute field of that type
``date`` ``dateTime``
``select_one L`` ``select_multiple L``  a choice field; a ``choices`` list ``L`` narrows and
                                   relabels the code list (``name`` = code notation)
``select_one yes_no``              a yes/no (boolean) attribute
``calculate``                      a calculated attribute field
``address``                        an address field (citykg)
``begin_group``/``end_group``      a related entity (citykg columns ``relation``, ``target``,
                                   ``direction``), or an address with relation fields when its
                                   ``appearance`` is ``address``
``begin_repeat``/``end_repeat``    a repeat group of related entities
``note`` and metadata types        skipped (nothing to write)
=================================  ============================================================

``settings``: ``form_id``, ``form_title`` (per language too), ``version`` (a number),
``default_language`` and the citykg column ``subject`` (the subject class). ``choice_filter``
is not supported and is refused. The result goes through
:func:`~citykg.controls.models.parse_form`; binding it to the ontology happens when it is
saved, as for any form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from citykg.controls.models import FormDefinition, parse_form
from citykg.errors import ValidationFailed, Violation

_SKIPPED = frozenset(
    {
        "note",
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "phonenumber",
        "audit",
        "simserial",
        "subscriberid",
        "email",
    }
)
_VALUE_TYPES = {
    "text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "datetime": "datetime",
    "calculate": None,
}
_LANGUAGE = re.compile(r"^(?P<column>[a-z_]+)::(?:.*\()?(?P<lang>[A-Za-z-]+)\)?$")
_YES = frozenset({"yes", "true", "1", "true()"})
_NO = frozenset({"no", "false", "0", "false()", ""})

Row = dict[str, Any]


def read_xlsform(path: Path) -> FormDefinition:
    """The form an XLSForm workbook describes; problems raise :class:`ValidationFailed`."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {name.lower(): list(_rows(workbook[name])) for name in workbook.sheetnames}
    finally:
        workbook.close()
    if "survey" not in sheets:
        raise _invalid("survey", "the workbook has no survey sheet", "工作簿缺少 survey 表")
    settings = sheets["settings"][0][1] if sheets.get("settings") else {}
    choices = _choices([row for _, row in sheets.get("choices", [])])
    fields, problems = _Survey(choices).read(sheets["survey"])
    if problems:
        raise ValidationFailed(problems)
    return parse_form(
        {
            "id": settings.get("form_id") or path.stem,
            "version": _version(settings.get("version")),
            "title": _texts(settings, "form_title") or path.stem,
            "subject": settings.get("subject"),
            "language": _language(settings.get("default_language")) or "zh",
            "fields": fields,
        }
    )


class _Survey:
    """Reads survey rows into field dicts, groups nested, problems named by sheet row."""

    def __init__(self, choices: dict[str, list[dict[str, Any]]]) -> None:
        self.choices = choices
        self.problems: list[Violation] = []

    def read(self, rows: list[tuple[int, Row]]) -> tuple[list[dict[str, Any]], list[Violation]]:
        stack: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        top: list[dict[str, Any]] = []
        for number, row in rows:
            kind = str(row.get("type") or "").strip()
            target = stack[-1][1] if stack else top
            if kind.startswith(("begin_group", "begin group", "begin_repeat", "begin repeat")):
                group = self.group(row, repeat="repeat" in kind)
                target.append(group)
                stack.append((group, group["fields"]))
            elif kind.startswith(("end_group", "end group", "end_repeat", "end repeat")):
                if not stack:
                    self.problem(
                        number, f"{kind} without a matching begin", f"{kind} 没有对应的开始行"
                    )
                else:
                    stack.pop()
            elif (
                kind
                and kind.split()[0].lower() not in _SKIPPED
                and (field := self.field(number, row, kind)) is not None
            ):
                target.append(field)
        if stack:
            self.problem(rows[-1][0], "a group is not closed", "有未结束的分组")
        return top, self.problems

    def field(self, number: int, row: Row, kind: str) -> dict[str, Any] | None:
        if row.get("choice_filter"):
            self.problem(number, "choice_filter is not supported", "不支持 choice_filter")
            return None
        words = kind.split()
        base = words[0].lower()
        field = _common(row)
        if base == "address":
            return {**field, "kind": "address"}
        field.update(_value_options(row))
        if base in ("select_one", "select_multiple") and len(words) == 2:
            if words[1] == "yes_no":
                return {**field, "type": "boolean"}
            offered = self.choices.get(words[1], [])
            return {
                **field,
                "kind": "choice",
                "multiple": base == "select_multiple",
                "choices": offered,
            }
        if base in _VALUE_TYPES or base == "boolean":
            value_type = _VALUE_TYPES.get(base, base)
            return {**field, **({"type": value_type} if value_type else {})}
        self.problem(number, f"unsupported type {kind!r}", f"不支持的题型 {kind!r}")
        return None

    def group(self, row: Row, *, repeat: bool) -> dict[str, Any]:
        group = _common(row)
        relation = row.get("relation") or row.get("save_to")
        if str(row.get("appearance") or "").strip() == "address":
            return {
                **group,
                "kind": "address",
                "fields": [],
                **({"relation": relation} if relation else {}),
            }
        group.update(
            kind="repeat" if repeat else "relation",
            relation=relation or group["name"],
            target=row.get("target"),
            fields=[],
        )
        if row.get("direction"):
            group["direction"] = row["direction"]
        return group

    def problem(self, number: int, en: str, zh: str) -> None:
        self.problems.append(
            Violation(
                path=f"survey row {number}", message=en, message_zh=f"survey 第 {number} 行：{zh}"
            )
        )


def _common(row: Row) -> dict[str, Any]:
    field: dict[str, Any] = {"name": str(row.get("name") or "").strip()}
    for column in ("label", "hint"):
        if text := _texts(row, column):
            field[column] = text
    if (required := _flag(row.get("required"))) is not None:
        field["required"] = required
    if row.get("relevant"):
        field["relevant"] = str(row["relevant"])
    return field


def _value_options(row: Row) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for column in ("constraint", "calculation", "default"):
        if row.get(column) not in (None, ""):
            options[column] = str(row[column])
    if message := _texts(row, "constraint_message"):
        options["constraint_message"] = message
    if row.get("save_to"):
        options["term"] = str(row["save_to"])
    if _flag(row.get("read_only")) is True:
        options["read_only"] = True
    return options


def _texts(row: Row, column: str) -> dict[str, str] | None:
    """``column`` and ``column::<language>`` cells as ``{"zh": …, "en": …}``."""
    texts: dict[str, str] = {}
    if row.get(column):
        texts = {"zh": str(row[column]), "en": str(row[column])}
    for key, value in row.items():
        match = _LANGUAGE.match(key)
        if match and match["column"] == column and value and (lang := _language(match["lang"])):
            texts[lang] = str(value)
    return texts or None


def _language(text: object) -> str | None:
    code = str(text or "").strip().lower()
    if code.startswith(("zh", "chinese", "中文")):
        return "zh"
    return "en" if code.startswith(("en", "english")) else None


def _flag(value: object) -> bool | str | None:
    """``required``/``read_only`` cells: yes/no, or an expression."""
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    return text


def _choices(rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("list_name") and row.get("name") is not None:
            choice: dict[str, Any] = {"value": str(row["name"])}
            if label := _texts(row, "label"):
                choice["label"] = label
            lists.setdefault(str(row["list_name"]), []).append(choice)
    return lists


def _version(value: object) -> int:
    text = str(value or "1").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else 1


def _rows(sheet: Any) -> Iterator[tuple[int, Row]]:
    """Non-blank rows under the header, each with its line number in the sheet."""
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    for number, values in enumerate(rows, start=2):
        row = {h: v for h, v in zip(header, values, strict=False) if h and v is not None}
        if row:
            yield number, row


def _invalid(path: str, en: str, zh: str) -> ValidationFailed:
    return ValidationFailed([Violation(path=path, message=en, message_zh=zh)])
