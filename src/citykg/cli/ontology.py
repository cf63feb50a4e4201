"""``citykg ontology …``: the schema stewards' commands.

Exit codes: 0 ok, 1 the ontology has problems (``validate``) or is not Turtle, 2 bad input (a
missing folder, an unknown git revision: ``ConfigError``, mapped by :func:`citykg.cli.main`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import click

from citykg.ontology import (
    diff_ontologies,
    json_schemas,
    load_ontology,
    load_source,
    ontology_stats,
    validate_ontology,
    write_docs,
)
from citykg.ontology.release import bump_version, check_release, release_bases
from citykg.settings import Settings

SHACL_CACHE = Path(tempfile.gettempdir()) / "citykg" / "shacl-shacl"
"""Where ``validate`` remembers SHACL-SHACL findings per file (keyed by the file's hash)."""


@click.group()
def ontology() -> None:
    """Validate, count, diff and document the City Knowledge System."""


def ontology_dir(command: Callable[..., None]) -> Callable[..., None]:
    """The shared ``--dir`` option: the ontology folder, by default ``Settings().ontology_dir``."""
    return click.option(
        "--dir",
        "directory",
        type=click.Path(path_type=Path),
        default=lambda: Settings().ontology_dir,
        show_default="settings: ontology_dir",
        help="Folder of the ontology's Turtle files.",
    )(command)


@ontology.command()
@ontology_dir
@click.option("--no-cache", is_flag=True, help="Re-run SHACL-SHACL on every file.")
@click.option(
    "--since",
    default=None,
    metavar="REV",
    help="Release to check breaking changes against (default: the previous release in git).",
)
def validate(directory: Path, no_cache: bool, since: str | None) -> None:
    """Check the ontology: SHACL-SHACL and the README rules, with file and line of each problem,
    and that breaking changes since the previous release come with a version bump and a
    migration."""
    problems = validate_ontology(directory, cache_dir=None if no_cache else SHACL_CACHE)
    problems += check_release(directory, migrations_dir=Settings().migrations_dir, since=since)
    for found in problems:
        click.echo(str(found))
    errors = sum(p.severity == "error" for p in problems)
    click.echo(f"{errors} errors, {len(problems) - errors} warnings", err=True)
    if errors:
        raise SystemExit(1)


@ontology.command()
@ontology_dir
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def stats(directory: Path, as_json: bool) -> None:
    """Count classes, relation types, attributes, code lists, concepts and shapes."""
    numbers = ontology_stats(load_ontology(directory)).as_dict()
    if as_json:
        click.echo(json.dumps(numbers, indent=2))
        return
    width = max(len(name) for name in numbers)
    for name, value in numbers.items():
        click.echo(f"{name.replace('_', ' '):{width}}  {value}")


@ontology.command()
@ontology_dir
@click.argument("old")
@click.argument("new")
@click.option("--breaking-only", is_flag=True, help="Show breaking changes only.")
def diff(directory: Path, old: str, new: str, breaking_only: bool) -> None:
    """Compare two versions: OLD and NEW are folders or git revisions of the ontology folder.

    Example: ``citykg ontology diff HEAD ontology`` (last commit against the working tree).
    """
    result = diff_ontologies(
        load_source(old, directory=directory), load_source(new, directory=directory)
    )
    for change in result.breaking if breaking_only else result.changes:
        click.echo(str(change))
    click.echo(
        f"{result.old_version} → {result.new_version}: {len(result.changes)} changes, "
        f"{len(result.breaking)} breaking",
        err=True,
    )


@ontology.command()
@ontology_dir
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("build/ontology-docs"),
    show_default=True,
    help="Folder to write the HTML reference into.",
)
def docs(directory: Path, out: Path) -> None:
    """Write the bilingual HTML reference (index, a page per top class, an SVG overview)."""
    written = write_docs(load_ontology(directory), out)
    click.echo(f"wrote {len(written)} files to {out}")


@ontology.command()
@ontology_dir
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to write one schema file per class and relation (default: stdout).",
)
def jsonschema(directory: Path, out: Path | None) -> None:
    """Generate JSON Schema (draft 2020-12) for every entity class and relation type."""
    schemas = json_schemas(load_ontology(directory))
    if out is None:
        click.echo(json.dumps(schemas, ensure_ascii=False, indent=2))
        return
    for name, schema in schemas.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    click.echo(f"wrote {len(schemas)} schemas to {out}")


@ontology.command()
@ontology_dir
@click.argument("part", type=click.Choice(["major", "minor", "patch"]))
def bump(directory: Path, part: str) -> None:
    """Raise owl:versionInfo (PART: major for breaking changes) and open a CHANGELOG entry."""
    current = load_ontology(directory)
    bases = release_bases(directory, current.version or "")
    changes = (
        diff_ontologies(load_source(bases[0], directory=directory), current) if bases else None
    )
    new = bump_version(directory, part, changes=changes)  # type: ignore[arg-type]
    click.echo(f"{current.version} → {new}; edit {directory / 'CHANGELOG.md'} to say why")
    if changes and changes.breaking:
        click.echo(
            f"{len(changes.breaking)} breaking change(s): add a migration declaring "
            f"'// ontology: {new}' to migrations/"
        )
