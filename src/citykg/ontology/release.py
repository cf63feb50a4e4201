"""Ontology releases: version bumps, the changelog, and "no breaking change without a migration".

The version is ``owl:versionInfo`` in ``core.ttl`` (semantic versioning). The *previous release*
is the ontology as it was in git just before the current version string first appeared (or
``HEAD``, while a bump is not yet committed). Against it, :func:`release_problems` demands that
breaking changes come with a new version and a migration in ``migrations/`` that declares it
(``// ontology: X`` or ``ONTOLOGY_VERSION = "X"``), so the graph and the ontology move together.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

from citykg.errors import ConfigError
from citykg.graph.migrations import discover
from citykg.ontology.diff import OntologyDiff, diff_ontologies, git_output, load_source
from citykg.ontology.load import load_ontology
from citykg.ontology.model import Ontology
from citykg.ontology.rules import Problem

Part = Literal["major", "minor", "patch"]
HEADER_FILE = "core.ttl"
CHANGELOG = "CHANGELOG.md"
ONTOLOGY_IRI = "https://w3id.org/citykg/ontology"
_VERSION = re.compile(r'(owl:versionInfo\s+")(\d+)\.(\d+)\.(\d+)(")')


def check_release(
    directory: Path, *, migrations_dir: Path, since: str | None = None
) -> list[Problem]:
    """:func:`release_problems` against ``since`` (a folder or git revision), or else against
    both the previous release in git and ``HEAD`` (so an uncommitted breaking change without a
    bump is caught before it is committed). Nothing to check outside git."""
    new = load_ontology(directory)
    bases = [since] if since else release_bases(directory, new.version or "")
    found: dict[str, Problem] = {}
    for base in bases:
        old = load_source(base, directory=directory)
        for problem in release_problems(old=old, new=new, migrations_dir=migrations_dir):
            found.setdefault(problem.message, problem)
    return list(found.values())


def release_problems(*, old: Ontology, new: Ontology, migrations_dir: Path) -> list[Problem]:
    """Breaking changes since ``old`` need a version bump and a migration declaring it."""
    breaking = diff_ontologies(old, new).breaking
    if not breaking:
        return []
    where = new.locate(ONTOLOGY_IRI)
    first = "; ".join(str(c) for c in breaking[:3])
    if new.version == old.version:
        message = (
            f"{len(breaking)} breaking change(s) since release {old.version} ({first}); "
            "bump the version (citykg ontology bump major) and add a migration"
        )
    elif not any(m.ontology_version == new.version for m in discover(migrations_dir)):
        message = (
            f"version {new.version} has {len(breaking)} breaking change(s) ({first}) but no "
            f"migration in {migrations_dir.name}/ declares '// ontology: {new.version}'"
        )
    else:
        return []
    return [Problem("error", where.file, where.line, ONTOLOGY_IRI, message, "release")]


def previous_release(directory: Path, version: str) -> str | None:
    """The git revision of the ontology before ``version`` was introduced; None outside git."""
    folder = directory.resolve()
    try:
        log = git_output(
            folder, "log", "--format=%H", "-S", f'owl:versionInfo "{version}"', "--", HEADER_FILE
        ).decode()
    except ConfigError:
        return None
    commits = log.split()
    if not commits:
        return "HEAD" if _has_revision(folder, "HEAD") else None
    parent = f"{commits[0]}^"
    return parent if _has_file(folder, f"{parent}:./{HEADER_FILE}") else None


def release_bases(directory: Path, version: str) -> list[str]:
    """The previous release in git (if any), then ``HEAD``: what the working tree answers to."""
    bases = [base] if (base := previous_release(directory, version)) else []
    if _has_revision(directory.resolve(), "HEAD") and "HEAD" not in bases:
        bases.append("HEAD")
    return bases


def bump_version(directory: Path, part: Part, *, changes: OntologyDiff | None = None) -> str:
    """Raise the version in ``core.ttl`` and open a changelog entry; returns the new version."""
    header = directory / HEADER_FILE
    text = header.read_text(encoding="utf-8")
    found = _VERSION.search(text)
    if not found:
        raise ConfigError(f'{header}: no owl:versionInfo "X.Y.Z" to bump')
    major, minor, patch = (int(found.group(i)) for i in (2, 3, 4))
    new = {
        "major": f"{major + 1}.0.0",
        "minor": f"{major}.{minor + 1}.0",
        "patch": f"{major}.{minor}.{patch + 1}",
    }[part]
    header.write_text(_VERSION.sub(rf"\g<1>{new}\g<5>", text, count=1), encoding="utf-8")
    _add_changelog_entry(directory / CHANGELOG, new, changes)
    return new


def _add_changelog_entry(path: Path, version: str, changes: OntologyDiff | None) -> None:
    lines = [f"## {version} ({date.today().isoformat()})", ""]
    if changes is not None:
        lines.append(
            f"- {len(changes.changes)} change(s), {len(changes.breaking)} breaking "
            f"(since {changes.old_version or 'the previous release'})"
        )
        lines += [f"- breaking: {c}" for c in changes.breaking[:50]]
    lines.append("- (describe what changed and why)")
    old = path.read_text(encoding="utf-8") if path.exists() else "# Ontology changelog\n"
    title, _, rest = old.partition("\n")
    path.write_text(f"{title}\n\n" + "\n".join(lines) + "\n" + rest, encoding="utf-8")


def _has_file(folder: Path, spec: str) -> bool:
    """Whether ``REV:./path`` names a file (the ontology may be younger than the repository)."""
    try:
        git_output(folder, "cat-file", "-e", spec)
    except ConfigError:
        return False
    return True


def _has_revision(folder: Path, revision: str) -> bool:
    try:
        git_output(folder, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except ConfigError:
        return False
    return True
