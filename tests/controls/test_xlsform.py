"""XLSForm import: survey/choices/settings sheets whose names are ontology terms."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from citykg.controls import EXAMPLES_DIR, bind_form, read_xlsform
from citykg.controls.models import AddressField, AttributeField, ChoiceField, RepeatField
from citykg.errors import ValidationFailed
from citykg.ontology import Ontology

HEADER = (
    "type",
    "name",
    "label::Chinese (zh)",
    "label::English (en)",
    "required",
    "choice_filter",
    "appearance",
    "relation",
    "target",
)
SETTINGS = [("form_id", "form_title", "subject"), ("mini", "小表", "Person")]


def workbook(
    tmp_path: Path, survey: Sequence[Sequence[object]], **sheets: list[tuple[object, ...]]
) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in {"survey": [HEADER, *survey], "settings": SETTINGS, **sheets}.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    path = tmp_path / "form.xlsx"
    book.save(path)
    return path


def test_the_example_workbook_imports_and_binds(ontology: Ontology) -> None:
    form = read_xlsform(EXAMPLES_DIR / "dog-registration.xlsx")
    assert form.id == "dog-registration" and form.title.en == "Dog registration"
    kinds = {f.name: type(f) for f in form.fields}
    assert kinds == {
        "idNumber": AttributeField,
        "personName": AttributeField,
        "mobile": AttributeField,
        "home": AddressField,
        "dogs": RepeatField,
    }
    dogs = form.fields[-1]
    assert isinstance(dogs, RepeatField) and dogs.relation == "keeperOf" and dogs.target == "Pet"
    species = next(f for f in dogs.fields if f.name == "petSpecies")
    assert isinstance(species, ChoiceField) and [c.value for c in species.choices] == ["1"]
    sterilized = next(f for f in dogs.fields if f.name == "petIsSterilized")
    assert isinstance(sterilized, AttributeField) and sterilized.type == "boolean"
    assert bind_form(ontology, form).groups[1].identity is not None


def test_labels_per_language_and_required(tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        [
            ("text", "idNumber", "身份证号", "ID number", "yes"),
            ("text", "personName", "姓名", "Name", "${idNumber} != ''"),
        ],
    )
    first, second = read_xlsform(path).fields
    assert first.label is not None and (first.label.zh, first.label.en) == ("身份证号", "ID number")
    assert first.required is True and second.required == "${idNumber} != ''"


def test_an_address_group_holds_relation_fields(tmp_path: Path, ontology: Ontology) -> None:
    path = workbook(
        tmp_path,
        [
            ("text", "idNumber"),
            ("text", "personName"),
            ("begin_group", "home", "住址", None, None, None, "address"),
            ("date", "residenceSince"),
            ("end_group",),
        ],
    )
    home = read_xlsform(path).fields[-1]
    assert isinstance(home, AddressField) and home.fields[0].name == "residenceSince"
    assert bind_form(ontology, read_xlsform(path)).groups[0].relation.name == "residesIn"


@pytest.mark.parametrize(
    ("survey", "message"),
    [
        ([("select_one g", "gender", None, None, None, "${x} = 1")], "choice_filter"),
        ([("geoshape", "area")], "unsupported type 'geoshape'"),
        ([("begin_repeat", "pets")], "a group is not closed"),
        ([("end_group",)], "end_group without a matching begin"),
    ],
)
def test_what_cannot_be_imported_is_refused_by_row(
    tmp_path: Path, survey: list[tuple[object, ...]], message: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        read_xlsform(workbook(tmp_path, survey))
    violation = raised.value.violations[0]
    assert message in violation.message and violation.path.startswith("survey row ")


def test_a_workbook_without_a_survey_is_refused(tmp_path: Path) -> None:
    book = Workbook()
    path = tmp_path / "empty.xlsx"
    book.save(path)
    with pytest.raises(ValidationFailed, match="no survey sheet"):
        read_xlsform(path)
