"""The region an ID number starts with is checked against the shipped division data."""

from __future__ import annotations

import pytest

from citykg.geo.idregions import city_prefixes, id_number_pattern
from citykg.ontology import Ontology, compile_validators, load_ontology
from citykg.ontology.checkrules import gb11643_check_char
from citykg.ontology.model import EntityInstance
from citykg.settings import Settings


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology(Settings().ontology_dir)


def id_number(region: str) -> str:
    first17 = f"{region}19800101123"
    return first17 + gb11643_check_char(first17)


def refusals(ontology: Ontology, key: str) -> list[str]:
    person = EntityInstance("Person", {"idNumber": key, "personName": "王秀英"})
    return [v.path for v in compile_validators(ontology).validate(person)]


def test_the_shape_holds_the_pattern_the_division_data_gives(ontology: Ontology) -> None:
    """Stewards: after a change to geo/data, paste ``id_number_pattern()`` into the shape."""
    patterns = {
        rule.pattern
        for rule in ontology.rules
        if rule.path.endswith("#idNumber") and rule.pattern is not None
    }
    assert patterns == {id_number_pattern()}


@pytest.mark.parametrize(
    "region",
    [
        "110105",  # 朝阳区 today
        "110103",  # 崇文区, merged into 东城区 in 2010: the county is gone, the city is not
        "510202",  # 重庆 as a city of 四川 before 1997 (5102 exists in no 2023 data)
        "522101",  # 遵义地区 (5221), a prefecture until 1997
        "810000",  # a Hong Kong resident's permit
        "830000",  # a Taiwan resident's permit
    ],
)
def test_current_and_historical_regions_are_accepted(ontology: Ontology, region: str) -> None:
    assert refusals(ontology, id_number(region)) == []


@pytest.mark.parametrize("region", ["000000", "999999", "110000", "119901", "710000"])
def test_made_up_regions_are_refused(ontology: Ontology, region: str) -> None:
    assert refusals(ontology, id_number(region)) == ["idNumber"]


def test_every_current_city_and_none_of_province_level_codes_is_a_prefix() -> None:
    prefixes = city_prefixes()
    assert {"1101", "5001", "6590", "8100", "8200", "8300"} <= prefixes
    assert not {p for p in prefixes if p.endswith("00") and p[:2] not in {"81", "82", "83"}}
