"""Releases: a breaking change needs a version bump and a migration that declares it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from citykg.ontology import load_ontology
from citykg.ontology.release import bump_version, check_release, previous_release
from tests.ontology.conftest import MINI

REQUIRE_BIRTH_DATE = (
    "ckgsh:Person-birthDate a sh:PropertyShape ; sh:path ckg:birthDate ;",
    "ckgsh:Person-birthDate a sh:PropertyShape ; sh:path ckg:birthDate ; sh:minCount 1 ;",
)


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the fixture ontology at version 0.1.0, committed."""
    shutil.copytree(MINI, tmp_path / "ontology")
    (tmp_path / "migrations").mkdir()
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "release 0.1.0")
    return tmp_path


def make_breaking_change(repo: Path) -> None:
    shapes = repo / "ontology" / "shapes" / "person.ttl"
    old, new = REQUIRE_BIRTH_DATE
    text = shapes.read_text(encoding="utf-8")
    assert old in text
    shapes.write_text(text.replace(old, new), encoding="utf-8")


def problems(repo: Path) -> list[str]:
    found = check_release(repo / "ontology", migrations_dir=repo / "migrations")
    return [p.message for p in found]


def test_the_first_release_has_nothing_to_compare_with(repo: Path) -> None:
    assert previous_release(repo / "ontology", "0.1.0") is None
    assert problems(repo) == []


def test_a_breaking_change_without_a_bump_fails(repo: Path) -> None:
    make_breaking_change(repo)
    [message] = problems(repo)
    assert "breaking change(s) since release 0.1.0" in message
    assert "birthDate" in message


def test_a_bump_without_a_migration_fails(repo: Path) -> None:
    make_breaking_change(repo)
    assert bump_version(repo / "ontology", "major") == "1.0.0"
    [message] = problems(repo)
    assert "no migration" in message and "// ontology: 1.0.0" in message


def test_a_bump_with_a_declaring_migration_passes_before_and_after_commit(repo: Path) -> None:
    make_breaking_change(repo)
    bump_version(repo / "ontology", "major")
    (repo / "migrations" / "0001_require_birth_dates.cypher").write_text(
        "// ontology: 1.0.0\n"
        "MATCH (p:Person) WHERE p.birthDate IS NULL SET p.birthDate = '1900-01-01'\n"
    )
    assert problems(repo) == []
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "release 1.0.0")
    assert previous_release(repo / "ontology", "1.0.0") is not None
    assert problems(repo) == []
    (repo / "migrations" / "0001_require_birth_dates.cypher").unlink()
    assert len(problems(repo)) == 1


def test_bump_writes_the_version_and_a_changelog_entry(repo: Path) -> None:
    assert bump_version(repo / "ontology", "minor") == "0.2.0"
    assert load_ontology(repo / "ontology").version == "0.2.0"
    changelog = (repo / "ontology" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Ontology changelog\n\n## 0.2.0 (")
