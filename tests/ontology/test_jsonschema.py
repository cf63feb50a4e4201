"""JSON Schema for form renderers: keys are graph property keys, every field names its term."""

from __future__ import annotations

import json
from pathlib import Path

from citykg.ontology import Ontology, json_schemas
from citykg.ontology.generators.jsonschema import DIALECT
from tests.ontology.conftest import MINI, CliRun


def test_entity_schema_includes_inherited_attributes_by_property_key(mini: Ontology) -> None:
    schema = json_schemas(mini)["entities/Resident.json"]
    assert schema["$schema"] == DIALECT
    assert (schema["title"], schema["x-title-zh"]) == ("resident", "居民")
    assert schema["x-labels"] == ["Resident", "Person"]
    assert schema["additionalProperties"] is False
    properties = schema["properties"]
    assert {"registeredSince", "idNumber", "name", "gender"} <= set(properties)
    assert "personName" not in properties  # the graph key is "name"
    assert properties["name"]["x-term"] == "https://w3id.org/citykg/ontology#personName"
    assert sorted(schema["required"]) == ["idNumber", "name"]


def test_field_constraints(mini: Ontology) -> None:
    properties = json_schemas(mini)["entities/Person.json"]["properties"]
    assert properties["idNumber"] | {"x-term": ""} == {
        "title": "resident ID number",
        "x-title-zh": "公民身份号码",
        "description": "GB 11643 resident ID number.",
        "x-term": "",
        "type": "string",
        "pattern": "^[0-9]{17}[0-9X]$",
        "x-sensitivity": "Sensitive",
        "x-check-rule": "GB11643",
    }
    assert (
        properties["heightCm"]["type"],
        properties["heightCm"]["minimum"],
        properties["heightCm"]["maximum"],
    ) == ("integer", 30, 260)
    assert (
        properties["birthDate"]["format"] == "date"
        and properties["birthDate"]["x-minimum"] == "1900-01-01"
    )
    assert (
        properties["nickname"]["type"] == "array"
        and properties["nickname"]["items"]["maxLength"] == 20
    )
    assert properties["mobilePhone"]["maxItems"] == 2


def test_coded_fields_are_enums_of_notations(mini: Ontology) -> None:
    gender = json_schemas(mini)["entities/Person.json"]["properties"]["gender"]
    assert gender["enum"] == ["0", "1", "2", "9"]
    assert gender["x-enum-labels"]["1"] == {"zh": "男性", "en": "male"}
    assert gender["x-code-list"] == "https://w3id.org/citykg/code/Gender"


def test_relation_schema_holds_the_relation_attributes(mini: Ontology) -> None:
    schemas = json_schemas(mini)
    resides = schemas["relations/residesIn.json"]
    assert (resides["x-relationship-type"], resides["x-domain"], resides["x-range"]) == (
        "RESIDES_IN",
        "Person",
        "Place",
    )
    assert set(resides["properties"]) == {"since", "until", "type", "householdHead"}
    assert resides["required"] == ["since"]
    assert resides["properties"]["type"]["enum"] == ["1", "2"]
    assert schemas["relations/knows.json"]["properties"] == {}
    assert schemas["relations/worksFor.json"]["properties"]["kind"]["x-term"].endswith(
        "#employmentKind"
    )


def test_every_class_and_relation_of_the_real_ontology(real: Ontology) -> None:
    schemas = json_schemas(real)
    assert len(schemas) == len(real.entity_classes) + len(real.relations)
    json.dumps(schemas, ensure_ascii=False)  # plain JSON values only


def test_cli_jsonschema(tmp_path: Path, run_cli: CliRun) -> None:
    code, output = run_cli("ontology", "jsonschema", "--dir", str(MINI), "--out", str(tmp_path))
    assert code == 0 and "wrote 18 schemas" in output
    person = json.loads((tmp_path / "entities" / "Person.json").read_text(encoding="utf-8"))
    assert person["$id"].endswith("/entities/Person.json")
    code, output = run_cli("ontology", "jsonschema", "--dir", str(MINI))
    assert code == 0 and "relations/residesIn.json" in json.loads(output)
