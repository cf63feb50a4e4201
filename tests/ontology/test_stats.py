"""``ontology_stats`` and ``citykg ontology stats``, checked against an independent SPARQL count."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.query import ResultRow

from citykg.ontology import Ontology, ontology_stats
from citykg.settings import REPO_ROOT
from tests.ontology.conftest import MINI, CliRun

README = REPO_ROOT / "ontology" / "README.md"


def readme_query() -> str:
    """The SPARQL block of the README section "Counting terms with SPARQL", verbatim."""
    section = README.read_text(encoding="utf-8").split("## Counting terms with SPARQL", 1)[1]
    found = re.search(r"```sparql\n(.*?)```", section, re.DOTALL)
    assert found, "the README section has no ```sparql block"
    return found.group(1)


def sparql_counts(directory: Path) -> dict[str, int]:
    graph = Graph()
    for path in sorted(directory.rglob("*.ttl")):
        graph.parse(path)
    (row,) = graph.query(readme_query())
    assert isinstance(row, ResultRow)
    return {name: int(value) for name, value in row.asdict().items()}


def test_fixture_numbers(mini: Ontology) -> None:
    stats = ontology_stats(mini)
    assert (stats.classes, stats.top_classes, stats.qualification_classes) == (11, 5, 2)
    assert (stats.same_class_relation_types, stats.cross_class_relation_types) == (2, 5)
    assert (stats.entity_attributes, stats.relation_attributes, stats.attributes) == (21, 6, 27)
    assert (stats.coded_attributes, stats.code_lists, stats.concepts) == (3, 3, 8)
    assert stats.version == "0.1.0"


def test_real_ontology_meets_the_mission(real: Ontology) -> None:
    stats = ontology_stats(real)
    assert stats.top_classes == 5
    assert (stats.same_class_relation_types, stats.cross_class_relation_types) == (25, 51)
    assert stats.attributes >= 680 and stats.relation_attributes > 0
    assert stats.code_lists > 0 and stats.concepts > stats.code_lists


@pytest.mark.parametrize("which", ["fixture", "real"])
def test_readme_sparql_agrees_with_stats(which: str, mini: Ontology, real: Ontology) -> None:
    ontology = mini if which == "fixture" else real
    stats = ontology_stats(ontology)
    assert sparql_counts(ontology.directory) == {
        "topClasses": stats.top_classes,
        "sameClass": stats.same_class_relation_types,
        "crossClass": stats.cross_class_relation_types,
        "entityAttributes": stats.entity_attributes,
        "relationAttributes": stats.relation_attributes,
    }


def test_cli_stats(run_cli: CliRun, mini: Ontology) -> None:
    code, output = run_cli("ontology", "stats", "--json", "--dir", str(MINI))
    assert code == 0
    assert json.loads(output) == ontology_stats(mini).as_dict()
    code, output = run_cli("ontology", "stats", "--dir", str(MINI))
    assert code == 0 and re.search(r"cross class relation types\s+5", output)
