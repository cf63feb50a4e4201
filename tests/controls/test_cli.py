"""``citykg controls …``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from citykg.cli import cli
from citykg.controls import EXAMPLES_DIR
from tests.backends import Graph


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["controls", *args])
    return result.exit_code, result.output


def test_validate_accepts_the_examples() -> None:
    code, output = run("validate", str(EXAMPLES_DIR / "shop-safety-inspection.yaml"))
    assert code == 0 and output.startswith("ok: shop-safety-inspection v1")


def test_validate_lists_every_problem_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "id": "bad",
                "title": "坏",
                "subject": "Person",
                "fields": [{"name": "x", "term": "nope"}],
            }
        )
    )
    code, output = run("validate", str(path))
    assert code == 1
    assert "x: unknown term 'nope'" in output and "identity key idNumber" in output


def test_check_places_each_problem_at_its_field_and_fails(tmp_path: Path) -> None:
    car = {"name": "car", "kind": "relation", "relation": "householdHeadOf", "target": "Vehicle",
           "fields": [{"name": "plate", "term": "vehiclePlateNumber"}]}  # fmt: skip
    draft = {"id": "draft", "title": "草稿", "subject": "Resident", "fields": [
        {"name": "id_number", "term": "idNumber"}, {"name": "name", "term": "personName"},
        {"name": "born", "term": "birthDate", "constraint": ". > 3"}, car]}  # fmt: skip
    path = tmp_path / "draft.yaml"
    path.write_text(yaml.safe_dump(draft, allow_unicode=True))
    code, output = run("check", str(path), "--json")
    assert code == 1
    placed = {(p["at"], p["field"], p["property"]) for p in json.loads(output)}
    assert placed == {("2", "born", "constraint"), ("3", "car", "")}
    draft["fields"][1]["name"] = "a b"  # its shape: placed by position too
    path.write_text(yaml.safe_dump(draft, allow_unicode=True))
    code, output = run("check", str(path))
    assert code == 1 and re.search(r"^1 +\| a b +\| name +\| String should match", output, re.M)


@pytest.mark.parametrize("name", ["household-registration.yaml", "dog-registration.xlsx"])
def test_check_accepts_the_examples(name: str) -> None:
    code, output = run("check", str(EXAMPLES_DIR / name))
    assert code == 0 and output.startswith(f"ok: {Path(name).stem},")


def test_terms_finds_a_term_by_synonym_and_by_a_concept_of_its_code_list() -> None:
    code, output = run("terms", "身份证", "--subject", "Resident", "--json")
    assert code == 0
    first = json.loads(output)[0]
    assert (first["term"], first["matched"]) == ("idNumber", "身份证")
    code, output = run("terms", "汉族", "--json")
    assert code == 0 and json.loads(output)[0]["term"] == "ethnicity"


def test_schema_prints_the_json_schema() -> None:
    code, output = run("schema")
    assert code == 0 and json.loads(output)["title"] == "FormDefinition"


def test_lineage_of_a_form_file() -> None:
    code, output = run("lineage", str(EXAMPLES_DIR / "epidemic-screening.yaml"), "--json")
    assert code == 0
    terms = {row["term"]: row for row in json.loads(output)}
    assert terms["covid19VaccineDoses"]["fields"] == "vaccine_doses"


def test_import_xlsform_writes_a_form_file(tmp_path: Path) -> None:
    out = tmp_path / "dog.json"
    code, output = run(
        "import-xlsform", str(EXAMPLES_DIR / "dog-registration.xlsx"), "-o", str(out)
    )
    assert code == 0 and output.strip() == f"wrote {out}"
    assert json.loads(out.read_text())["subject"] == "Resident"


def test_load_examples_then_lineage_of_a_term(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYKG_GRAPH_NAME", graph.name)
    url = graph.url
    code, output = run("load-examples", "--graph", url)
    assert code == 0 and "saved: household-registration v1" in output
    code, output = run("load-examples", "--graph", url)
    assert "unchanged: household-registration v1" in output
    code, output = run("lineage", "--term", "vehiclePlateNumber", "--graph", url, "--json")
    assert code == 0 and json.loads(output) == [
        {
            "form": "household-registration",
            "version": 1,
            "title": "人口登记",
            "fields": "vehicles.plate",
        }
    ]
