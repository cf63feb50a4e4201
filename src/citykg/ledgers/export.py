"""Ledger exports: a whole ledger view as CSV (UTF-8 with BOM, for Excel) or XLSX.

An export is the same view as a list (type, place, filters, search, sort), read page by page,
with masked values masked unless revealed (with a purpose, to whom may reveal them). It needs
``ledger.export`` and is always written to the audit log: who exported which view, how many
rows, which masked attributes in clear and why. Columns are attributes (default: those the rows
have, in the ontology's order), headed by their label in ``lang`` (``zh``, ``en``) or by property
key (``key``); coded values are shown by their label, or by code with ``lang="key"``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openpyxl import Workbook

from citykg.access import audit
from citykg.access.policy import read_reach as reach
from citykg.access.principals import Principal
from citykg.graph import GraphStore
from citykg.ledgers.catalog import Catalog, EntityType, invalid
from citykg.ledgers.listing import iter_ledger
from citykg.ledgers.models import LedgerQuery, LedgerRow

Format = Literal["csv", "xlsx"]
Lang = Literal["zh", "en", "key"]
MAX_ROWS = 100_000
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FIXED = ("key", "type", "place", "address")


@dataclass(frozen=True, slots=True)
class Export:
    """An export file: its bytes, media type, suggested file name and row count."""

    content: bytes
    media_type: str
    filename: str
    rows: int


def export_ledger(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    query: LedgerQuery,
    format: Format = "csv",
    columns: Sequence[str] = (),
    reveal: Sequence[str] = (),
    lang: Lang = "zh",
    max_rows: int = MAX_ROWS,
) -> Export:
    """The ledger view ``query`` as a file (``ledger.export``; audited)."""
    scope = reach(principal, action="ledger.export")
    etype = catalog.entity_type(query.type)
    for column in columns:
        catalog.attribute(etype, column, path="columns")
    if reveal and not query.purpose:
        raise invalid("purpose", "an export with masked values in clear needs a purpose",
                      "导出敏感信息明文须说明用途")  # fmt: skip
    rows = list(iter_ledger(store, catalog=catalog, principal=principal, reach=scope,
                            query=query, max_rows=max_rows, reveal=reveal))  # fmt: skip
    keys = list(columns) or _present(etype, rows)
    table = [_header(catalog, etype, keys, lang)]
    table += [_cells(catalog, etype, row, keys, lang) for row in rows]
    revealed = sorted(
        {k for k in reveal if k in etype.masked} - {k for r in rows for k in r.masked}
    )
    audit.record(store, principal=principal, action="ledger.export", target=etype.name,
                 fields=revealed if rows else [], purpose=query.purpose or "",
                 detail=f"{format} {len(rows)} rows: {_view(query)}")  # fmt: skip
    content = _xlsx(table, etype.name) if format == "xlsx" else _csv(table)
    return Export(content, MEDIA_TYPES[format], f"{etype.name}.{format}", len(rows))


def _present(etype: EntityType, rows: list[LedgerRow]) -> list[str]:
    """The attributes the rows have values for, in the ontology's order (name first)."""
    seen = {k for row in rows for k, v in row.properties.items() if v is not None}
    ordered = ["name", *etype.attributes]
    return [k for k in dict.fromkeys(ordered) if k in seen and k in etype.attributes]


def _header(catalog: Catalog, etype: EntityType, keys: list[str], lang: Lang) -> list[str]:
    fixed = {"zh": ("编码", "类型", "地点编码", "地址"), "en": ("key", "type", "place", "address")}
    names = list(fixed.get(lang, FIXED))
    for key in keys:
        label = etype.attributes[key].label
        names.append(key if lang == "key" else (label.zh if lang == "zh" else label.en) or key)
    return names


def _cells(
    catalog: Catalog, etype: EntityType, row: LedgerRow, keys: list[str], lang: Lang
) -> list[Any]:
    cells: list[Any] = [row.key, row.type, row.place or "", row.address]
    for key in keys:
        value = row.properties.get(key)
        attribute = etype.attributes[key]
        if lang != "key" and attribute.is_coded and key not in row.masked and value is not None:
            labels = catalog.code_labels(attribute, "zh" if lang == "zh" else "en")
            value = labels.get(str(value), value)
        cells.append(_cell(value))
    return cells


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def _csv(table: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(table: list[list[Any]], title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for line in table:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _view(query: LedgerQuery) -> str:
    parts = [f"within={query.within}" if query.within else ""]
    parts += [f"{f.key}:{f.op}:{f.value}" for f in query.filters]
    parts += [
        f"q={query.q}" if query.q else "",
        f"createdBy={query.created_by}" if query.created_by else "",
    ]
    return " ".join(p for p in parts if p) or "all"
