"""Graph migrations: applied once, in order, recorded in the graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from citykg.errors import ConfigError, QueryError
from citykg.graph import Constraint, GraphSchema, GraphStore
from citykg.graph.migrations import cypher_statements, discover, migrate
from citykg.graph.status import graph_status

SCHEMA = GraphSchema(constraints=(Constraint("Person", "idNumber"),))


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_tag_places.cypher").write_text(
        "// every place gets a level\nMATCH (p:Place) SET p.level = coalesce(p.level, 0)\n;\n"
        "MERGE (:Place {placeCode: '11'})\n"
    )
    (directory / "0002_count.py").write_text(
        "def upgrade(store):\n    store.write(\"MERGE (:Marker {key: 'py'})\")\n"
    )
    (directory / "README.md").write_text("not a migration")
    return directory


def test_pending_migrations_apply_in_order_once(store: GraphStore, migrations_dir: Path) -> None:
    first = migrate(store, directory=migrations_dir, schema=SCHEMA, ontology_version="1.0.0")
    assert first.applied == ["0001_tag_places", "0002_count"]
    again = migrate(store, directory=migrations_dir, schema=SCHEMA, ontology_version="1.1.0")
    assert again.applied == [] and again.already == ["0001_tag_places", "0002_count"]
    assert store.read("MATCH (m:Marker) RETURN count(m) AS n") == [{"n": 1}]
    status = graph_status(store)
    assert status.ontology_version == "1.1.0"
    assert status.migrations == ["0001_tag_places", "0002_count"]


def test_a_failing_migration_is_not_recorded(store: GraphStore, tmp_path: Path) -> None:
    (tmp_path / "0001_broken.cypher").write_text("MATCH (n RETURN n")
    with pytest.raises(QueryError):
        migrate(store, directory=tmp_path, schema=SCHEMA, ontology_version="1.0.0")
    assert graph_status(store).migrations == []


def test_the_schema_is_applied(store: GraphStore, tmp_path: Path) -> None:
    migrate(store, directory=tmp_path, schema=SCHEMA, ontology_version="1.0.0")
    store.write("CREATE (:Person {idNumber: '1'})")
    with pytest.raises(Exception, match="uniqueness"):
        store.write("CREATE (:Person {idNumber: '1'})")


@pytest.mark.parametrize("name", ["1_short.cypher", "0001-dash.cypher", "0001_UPPER.py"])
def test_misnamed_migrations_are_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("RETURN 1")
    with pytest.raises(ConfigError, match="NNNN_name"):
        discover(tmp_path)


def test_duplicate_numbers_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.cypher").write_text("RETURN 1")
    (tmp_path / "0001_b.py").write_text("def upgrade(store): pass")
    with pytest.raises(ConfigError, match="two migrations numbered 0001"):
        discover(tmp_path)


def test_cypher_scripts_split_on_semicolon_lines() -> None:
    script = "// comment\nMATCH (n)\nSET n.x = 'a;b'\n;\n\nRETURN 1\n;\n"
    assert cypher_statements(script) == ["MATCH (n)\nSET n.x = 'a;b'", "RETURN 1"]
