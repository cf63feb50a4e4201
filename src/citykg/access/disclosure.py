"""Statistics for those who count but may not read the rows (an analyst): the cell key method.

An analyst counts the whole city but reads no row, and counts can still point at a person: a
count of 1 in a small area, or two overlapping questions whose answers differ by one person
(``birthDate gte`` against ``gt`` the same day, broken down by education, shows that person's
education as the one cell that changed). Exact counts with suppression cannot hold across such
questions. Published counts are therefore perturbed by the **cell key method** of the national
statistics offices (ABS TableBuilder, Eurostat's census hypercubes):

* every record has a fixed pseudo-random **record key**, a keyed hash (HMAC-SHA256 with a key
  derived from ``CITYKG_SECRET``) of its identity key, so no one without the secret can compute
  it; a published table also has a **table key**, the sum of a second record key over every
  record it counts;
* a cell's key is a hash of the sum of its records' keys (mod 2**32) and the table key, read
  as a number in [0, 1); the count is published as ``n + d``, ``d`` looked up from the cell key
  in :data:`PERTURBATION` (-2 … +2, mean 0, variance 1.2), and withheld (``None``) when that is
  below ``statistics.smallest_count`` (rules.yaml), zero included, so "withheld" never tells an
  empty cell from one person.

What this guarantees: the same question over the same people gets the same numbers, so asking
again (or asking an equivalent question) averages nothing out; two questions whose populations
differ by one person get fresh noise in *every* cell (the table key changed, and each cell's key
hashes it), so their difference shows noise, not the person's cell; a cell is withheld only when
its perturbed count is small, so no large cell is hidden by secondary suppression and then
rebuilt from a finer level; margins (totals, direct counts, breakdown totals) are perturbed on
their own, so subtracting published cells from them gives noise. Its limits: it is not
differential privacy, and an analyst who builds many *different* populations that all differ by
the same person can average the noise away (about twenty pairs of questions); statistics
questions are not audited today, so nothing notices such a pattern.
"""

from __future__ import annotations

import hashlib
import hmac
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from citykg.access.check import allowed
from citykg.access.principals import Principal
from citykg.access.rules import load_rules
from citykg.ledgers.refs import derived_key

ROWS = "ledger.read"
Cell = tuple[str, str]
"""A cell of a table: a bucket's place code and a breakdown value (``""`` without one)."""

PERTURBATION: tuple[tuple[float, int], ...] = ((0.1, -2), (0.3, -1), (0.7, 0), (0.9, 1), (1.0, 2))
"""The perturbation table: a cell key below a bound (cumulative probability) gets its offset."""
_BOUNDS = [bound for bound, _ in PERTURBATION]
_SPACE = 2**32


def smallest_count(principal: Principal) -> int | None:
    """The smallest count ``principal`` may be shown; None when they may read the rows (their
    counts are exact)."""
    if allowed(principal=principal, action=ROWS):
        return None
    return load_rules().file.statistics.smallest_count


@dataclass(frozen=True, slots=True)
class Table:
    """One published table: the cell-key share of each record it counts, and its table key."""

    shares: Mapping[str, int]
    table_key: int
    smallest: int

    @classmethod
    def of(cls, population: Iterable[str], *, smallest: int) -> Table:
        """The table over ``population`` (identity keys of every record counted)."""
        secret = derived_key("statistics cell keys")
        keys = {record: _record_keys(record, secret) for record in population}
        table_key = sum(mixed for _, mixed in keys.values()) % _SPACE
        return cls({record: share for record, (share, _) in keys.items()}, table_key, smallest)

    def publish(self, members: Collection[str]) -> int | None:
        """The published count of the cell holding ``members`` (records of the population)."""
        cell = sum(self.shares[m] for m in members) % _SPACE
        digest = hashlib.blake2b(f"{self.table_key}:{cell}".encode(), digest_size=4).digest()
        key = int.from_bytes(digest) / _SPACE
        shown = len(members) + PERTURBATION[bisect_right(_BOUNDS, key)][1]
        return shown if shown >= self.smallest else None


def _record_keys(record: str, secret: bytes) -> tuple[int, int]:
    """A record's two keys (its share of a cell key, its share of a table key), each in 2**32."""
    digest = hmac.digest(secret, record.encode(), "sha256")
    return int.from_bytes(digest[:4]), int.from_bytes(digest[4:8])


@dataclass(frozen=True, slots=True)
class Measure:
    """The cells of a table and how a group of them is counted (``None``: withheld). Every
    published number (a cell, a bucket, a breakdown total, a total) counts a group of cells."""

    cells: frozenset[Cell]
    count: Callable[[Collection[Cell]], int | None]
    perturbed: bool

    def __call__(self, cells: Collection[Cell]) -> int | None:
        return self.count(cells)


def exact(counts: Mapping[Cell, int]) -> Measure:
    """Counts for those who may read the rows: a group counts the sum of its cells."""
    return Measure(frozenset(counts), lambda cells: sum(counts[c] for c in cells), False)


def perturbed(members: Mapping[Cell, frozenset[str]], *, smallest: int) -> Measure:
    """Counts published by the cell key method from each cell's members (identity keys)."""
    table = Table.of(frozenset().union(*members.values()), smallest=smallest)

    def count(cells: Collection[Cell]) -> int | None:
        return table.publish(frozenset().union(*(members[c] for c in cells)))

    return Measure(frozenset(members), count, True)
