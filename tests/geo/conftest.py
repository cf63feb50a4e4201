"""Geo fixtures: real Beijing divisions (Chaoyang district) plus the demo city's premises."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citykg.demo import load_fixture
from citykg.geo import (
    DivisionRow,
    Gazetteer,
    PlaceScope,
    import_divisions,
    select_divisions,
    shipped_divisions,
)
from citykg.graph import GraphStore

EVERYWHERE = PlaceScope.everywhere()


@pytest.fixture(scope="session")
def divisions() -> list[DivisionRow]:
    """The shipped slice: the whole country to streets, Beijing to communities."""
    return shipped_divisions()


@pytest.fixture(scope="session")
def gazetteer(divisions: list[DivisionRow]) -> Gazetteer:
    return Gazetteer.from_divisions(divisions)


@pytest.fixture(scope="session")
def chaoyang(divisions: list[DivisionRow]) -> list[DivisionRow]:
    """北京市 > 市辖区 > 朝阳区 and everything under it (real NBS 2023 codes)."""
    return select_divisions(divisions, within="110105")


@pytest.fixture
def city(store: GraphStore, chaoyang: list[DivisionRow]) -> Iterator[GraphStore]:
    """Chaoyang district imported, then the demo fixture's compounds, doors and residents."""
    import_divisions(store, chaoyang)
    load_fixture(store)
    yield store
