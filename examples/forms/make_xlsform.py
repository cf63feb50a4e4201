"""Write ``dog-registration.xlsx``, the XLSForm example (犬只登记), with openpyxl.

Run ``python examples/forms/make_xlsform.py`` to regenerate it. The ``name`` column names
ontology terms (``personName``, ``keeperOf``…); ``save_to`` binds a field to a term under
another name; ``relation``/``target`` are citykg's columns for a group of related entities.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

SURVEY = [
    ("type", "name", "label::zh", "label::en", "required", "constraint",
     "constraint_message::zh", "relevant", "calculation", "read_only", "save_to",
     "relation", "target"),
    ("text", "idNumber", "公民身份号码", "ID number", "yes", None, None, None, None, None, None,
     None, None),
    ("text", "personName", "姓名", "Name", "yes", None, None, None, None, None, None, None, None),
    ("text", "mobile", "手机号码", "Mobile phone", "yes", "regex(., '^1[3-9][0-9]{9}$')",
     "请填写 11 位手机号码", None, None, None, "mobilePhone", None, None),
    ("address", "home", "饲养地址", "Where the dog is kept", "yes", None, None, None, None, None,
     None, None, None),
    ("begin_repeat", "dogs", "犬只", "Dogs", None, None, None, None, None, None, None,
     "keeperOf", "Pet"),
    ("text", "licence", "犬只登记证号", "Dog licence number", "yes", None, None, None, None,
     None, "petLicenceNumber", None, None),
    ("calculate", "code", None, None, None, None, None, None, "concat('DOG-', ${licence})", "yes",
     "thingCode", None, None),
    ("text", "dog_name", "犬名", "Dog's name", "yes", None, None, None, None, None, "thingName",
     None, None),
    ("select_one species", "petSpecies", "物种", "Species", None, None, None, None, None, None,
     None, None, None),
    ("text", "petBreed", "品种", "Breed", None, None, None, None, None, None, None, None, None),
    ("select_one yes_no", "petIsSterilized", "是否绝育", "Sterilized", None, None, None, None,
     None, None, None, None, None),
    ("date", "petRabiesVaccinationDate", "狂犬疫苗接种日期", "Rabies vaccination", None,
     ". <= today()", "接种日期不能晚于今天", None, None, None, None, None, None),
    ("date", "since", "开始饲养日期", "Kept since", None, None, None, None, None, None,
     "petKeepingSince", None, None),
    ("end_repeat", None, None, None, None, None, None, None, None, None, None, None, None),
]
CHOICES = [
    ("list_name", "name", "label::zh", "label::en"),
    ("species", "1", "犬", "dog"),
]
SETTINGS = [
    ("form_id", "form_title::zh", "form_title::en", "version", "default_language", "subject"),
    ("dog-registration", "犬只登记", "Dog registration", 1, "zh", "Resident"),
]


def main() -> None:
    workbook = Workbook()
    sheets = {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS}
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(HERE / "dog-registration.xlsx")


if __name__ == "__main__":
    main()
