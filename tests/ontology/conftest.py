"""Fixtures for the ontology tests: the small fixture ontology, an editable copy, the real one."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from citykg.cli import main
from citykg.ontology import Ontology, RuleOptions, load_ontology
from citykg.settings import Settings

MINI = Path(__file__).parent / "fixtures" / "mini"
MINI_OPTIONS = RuleOptions(relation_counts={"same-class": 2, "cross-class": 5})
"""The fixture has 2 same-class and 5 cross-class relation types (the real one 25 and 51)."""

Edit = Callable[[str, str, str], int]


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line of ``path`` containing ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="session")
def mini() -> Ontology:
    return load_ontology(MINI)


@pytest.fixture(scope="session")
def real() -> Ontology:
    return load_ontology(Settings().ontology_dir)


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A private copy of the fixture ontology, to seed errors into."""
    return Path(shutil.copytree(MINI, tmp_path / "ontology"))


@pytest.fixture
def edit(mini_copy: Path) -> Edit:
    """``edit(file, old, new)`` replaces text in the copy; returns the line where ``new`` lands."""

    def apply(file: str, old: str, new: str) -> int:
        path = mini_copy / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return line_of(path, new.splitlines()[0]) if new else 0

    return apply


CliRun = Callable[..., tuple[int, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CliRun:
    """``run_cli("ontology", "stats")`` runs the real entry point: (exit code, stdout + stderr)."""

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["citykg", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run
