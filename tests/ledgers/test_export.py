"""Exports: CSV and XLSX of a ledger view, masked unless revealed, always audited."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from citykg.access import Principal
from citykg.access.audit import recent
from citykg.errors import Forbidden, ValidationFailed
from citykg.ledgers import Catalog, Filter, LedgerQuery, export_ledger
from tests.ledgers.city import WANG, City

OLD = LedgerQuery(
    type="Person",
    filters=(Filter(key="age", op="gte", value="70"),),
    within="110105001001",
    sort="name",
)


def test_csv_export_is_the_view_masked_and_audited(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    file = export_ledger(
        city.store,
        catalog=catalog,
        principal=who["head"],
        query=OLD,
        columns=["name", "gender", "mobilePhone"],
    )
    assert file.media_type.startswith("text/csv") and file.filename == "Person.csv"
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))
    assert rows[0] == ["编码", "类型", "地点编码", "地址", "姓名", "性别", "手机号码"]
    wang = next(r for r in rows if r[4] == "王伟")
    assert wang[0] == "11****************" and wang[5] == "男性" and wang[6] == "138****5678"
    assert len(rows) - 1 == file.rows
    (record,) = recent(city.store, principal_id="head")
    assert record["action"] == "ledger.export" and f"{file.rows} rows" in record["detail"]


def test_xlsx_export_with_an_audited_reveal(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    asked = OLD.model_copy(update={"purpose": "高龄补贴核对"})
    file = export_ledger(
        city.store,
        catalog=catalog,
        principal=who["head"],
        query=asked,
        format="xlsx",
        columns=["name"],
        reveal=["idNumber"],
        lang="key",
    )
    sheet = load_workbook(io.BytesIO(file.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["key", "type", "place", "address", "name"]
    assert values[1 + [v[4] for v in values[1:]].index("王伟")][:2] == [WANG, "Resident"]
    (record,) = recent(city.store, principal_id="head")
    assert record["fields"] == ["idNumber"] and record["purpose"] == "高龄补贴核对"


def test_export_needs_its_own_right_and_a_purpose_to_reveal(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with pytest.raises(Forbidden):  # SQ05 reads ledgers but may not export them
        export_ledger(city.store, catalog=catalog, principal=who["worker1"], query=OLD)
    with pytest.raises(ValidationFailed) as info:
        export_ledger(
            city.store, catalog=catalog, principal=who["head"], query=OLD, reveal=["idNumber"]
        )
    assert info.value.violations[0].path == "purpose"
    with pytest.raises(ValidationFailed) as info:
        export_ledger(
            city.store, catalog=catalog, principal=who["head"], query=OLD, columns=["shoeSize"]
        )
    assert info.value.violations[0].path == "columns"
