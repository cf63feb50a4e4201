"""Form definitions: the example forms load, the format has a JSON Schema, bad files are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citykg.controls import EXAMPLES_DIR, FormDefinition, form_json_schema, load_form, parse_form
from citykg.controls.models import AttributeField, ChoiceField, RepeatField
from citykg.errors import ValidationFailed

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yaml"))


def test_the_four_example_forms_are_there() -> None:
    assert {p.stem for p in EXAMPLES} >= {
        "household-registration",
        "elderly-health-check",
        "shop-safety-inspection",
        "epidemic-screening",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_forms_load_with_bilingual_titles(path: Path) -> None:
    form = load_form(path)
    assert form.title.zh and form.title.en
    assert form.id == path.stem


def test_fields_default_to_attribute_fields_and_kinds_select_the_variant() -> None:
    form = load_form(EXAMPLES_DIR / "household-registration.yaml")
    kinds = {f.name: type(f) for f in form.fields}
    assert kinds["name"] is AttributeField
    assert kinds["gender"] is ChoiceField
    assert kinds["members"] is RepeatField


def test_a_json_form_and_a_plain_string_label() -> None:
    form = parse_form(
        {
            "id": "mini",
            "title": "小表",
            "subject": "Person",
            "fields": [{"name": "id", "term": "idNumber", "label": "身份证"}],
        }
    )
    assert form.title.en == "小表" and form.fields[0].label is not None
    assert FormDefinition.model_validate_json(form.model_dump_json()) == form


def test_the_published_json_schema_describes_every_field_kind() -> None:
    schema = form_json_schema()
    assert schema["$id"].endswith("/form.json")
    assert {"AttributeField", "ChoiceField", "AddressField", "RelationField", "RepeatField"} <= set(
        schema["$defs"]
    )
    json.dumps(schema)


def test_a_malformed_form_is_refused_with_the_path_of_each_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "id": "Bad Id",
                "title": "x",
                "subject": "Person",
                "fields": [{"name": "1x", "kind": "nope"}],
            }
        )
    )
    with pytest.raises(ValidationFailed) as raised:
        load_form(path)
    paths = {v.path for v in raised.value.violations}
    assert "id" in paths and any(p.startswith("fields.0") for p in paths)


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed")
    with pytest.raises(ValidationFailed, match="not valid yaml"):
        load_form(path)


def test_the_digest_ignores_the_version() -> None:
    form = load_form(EXAMPLES[0])
    assert form.digest() == form.model_copy(update={"version": 7}).digest()
