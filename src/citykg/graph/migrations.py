"""Versioned graph migrations, applied in order and recorded in the graph itself.

``migrations/`` holds numbered files, ``NNNN_what_it_does.cypher`` (statements separated by a
line holding only ``;``) or ``NNNN_what_it_does.py`` (a function ``upgrade(store)``). A
migration that goes with an ontology release declares it (``// ontology: 0.2.0`` or
``ONTOLOGY_VERSION = "0.2.0"``): that is how ``citykg ontology validate`` knows a breaking
change has its migration. Each statement is atomic; a migration is recorded as a
``:SchemaMigration`` node only after all its statements succeeded, so a failed migration is
retried on the next run and must be idempotent (``MERGE``, ``SET``).

``migrate`` also applies the constraints and indexes compiled from the ontology (idempotent)
and records the ontology version the graph now conforms to.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from citykg.errors import ConfigError
from citykg.graph import queries
from citykg.graph.store import GraphSchema, GraphStore

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(cypher|py)$")
_DECLARED_VERSION = re.compile(
    r"""^(?://\s*ontology:\s*|ONTOLOGY_VERSION\s*=\s*["'])([0-9][0-9A-Za-z.+-]*)""", re.MULTILINE
)


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration file."""

    id: int
    name: str
    path: Path

    @property
    def ontology_version(self) -> str | None:
        """The ontology version this migration brings the graph to, as the file declares it:
        ``// ontology: 0.2.0`` in a Cypher script, ``ONTOLOGY_VERSION = "0.2.0"`` in Python."""
        found = _DECLARED_VERSION.search(self.path.read_text(encoding="utf-8"))
        return found.group(1) if found else None

    def apply(self, store: GraphStore) -> None:
        if self.path.suffix == ".cypher":
            for statement in cypher_statements(self.path.read_text(encoding="utf-8")):
                store.write(statement)  # migration files are code, reviewed like code
            return
        _upgrade_function(self.path)(store)


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """What ``migrate`` did."""

    applied: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    ontology_version: str = ""


def discover(directory: Path) -> list[Migration]:
    """The migrations in ``directory``, in order; a misnamed or duplicate number is an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*")):
        if path.name.startswith((".", "_")) or path.suffix not in {".cypher", ".py"}:
            continue
        match = _NAME.match(path.name)
        if not match:
            raise ConfigError(f"migration file {path.name!r} must be named NNNN_name.cypher|.py")
        number = int(match.group(1))
        if number in found:
            raise ConfigError(f"two migrations numbered {number:04d}: {path.name}")
        found[number] = Migration(number, path.stem, path)
    return [found[n] for n in sorted(found)]


def migrate(
    store: GraphStore, *, directory: Path, schema: GraphSchema, ontology_version: str
) -> MigrationReport:
    """Apply the ontology's schema and wait for its indexes, then every pending migration, then
    record the version."""
    store.apply_schema(schema)
    store.await_indexes()
    done = {row["id"] for row in store.read(queries.APPLIED_MIGRATIONS)}
    report = MigrationReport(ontology_version=ontology_version)
    for migration in discover(directory):
        if migration.id in done:
            report.already.append(migration.name)
            continue
        migration.apply(store)
        store.write(
            queries.RECORD_MIGRATION,
            {
                "id": migration.id,
                "name": migration.name,
                "appliedAt": _now(),
                "ontologyVersion": ontology_version,
            },
        )
        report.applied.append(migration.name)
    store.write(queries.RECORD_ONTOLOGY_VERSION, {"version": ontology_version, "appliedAt": _now()})
    return report


def cypher_statements(text: str) -> list[str]:
    """Split a migration script on lines holding only ``;``; drop ``//`` comment lines."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("//")]
    chunks = re.split(r"^\s*;\s*$", "\n".join(lines), flags=re.MULTILINE)
    return [chunk.strip() for chunk in chunks if chunk.strip()]


def _upgrade_function(path: Path) -> Callable[[GraphStore], None]:
    spec = importlib.util.spec_from_file_location(f"citykg_migration_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"cannot load migration {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    upgrade = getattr(module, "upgrade", None)
    if not callable(upgrade):
        raise ConfigError(f"migration {path.name} has no upgrade(store) function")
    return cast(Callable[[GraphStore], None], upgrade)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
