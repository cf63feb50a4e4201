"""Counts shown to those who may not read the rows (an analyst's) are perturbed by the cell key
method, small ones withheld; those who read the rows get exact counts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citykg.access import Principal
from citykg.access.disclosure import PERTURBATION, Table
from citykg.ledgers import Catalog, ledger_stats, refs
from tests.ledgers.city import C1, C2, STREET, City

PEOPLE = [f"11010519800101{i:04d}" for i in range(400)]


@pytest.fixture(autouse=True)
def deployment_secret() -> Iterator[None]:
    """A fixed secret: without one each process draws its own, and the noise (so whether a
    property of it holds) would change from run to run."""
    drawn = refs._secret[0]
    refs.use_secret("a deployment's secret")
    yield
    refs._secret[0] = drawn


def test_the_same_people_always_give_the_same_number_near_the_true_one() -> None:
    table = Table.of(PEOPLE, smallest=5)
    again = Table.of(reversed(PEOPLE), smallest=5)
    for size in (7, 20, 100):
        cells = [frozenset(PEOPLE[i : i + size]) for i in range(0, 400 - size, size)]
        published = [table.publish(cell) for cell in cells]
        assert published == [again.publish(cell) for cell in cells]
        assert all(p is not None and abs(p - size) <= 2 for p in published)
    offsets = [table.publish(frozenset(PEOPLE[i : i + 50])) - 50 for i in range(350)]  # type: ignore[operator]
    assert abs(sum(offsets) / len(offsets)) < 0.3  # unbiased
    assert {d for _, d in PERTURBATION} == set(offsets)


def test_small_cells_are_withheld_zero_included() -> None:
    table = Table.of(PEOPLE, smallest=5)
    assert table.publish(frozenset()) is None  # "withheld" never tells empty from one person
    assert all(table.publish(frozenset(PEOPLE[i : i + 2])) is None for i in range(100))
    threes = [table.publish(frozenset(PEOPLE[i : i + 3])) for i in range(100)]
    assert set(threes) == {None, 5}  # a 3 is sometimes published as 5: withheld or not says little


def test_one_more_person_in_the_population_changes_every_cell_s_noise() -> None:
    with_one, without = Table.of(PEOPLE, smallest=5), Table.of(PEOPLE[1:], smallest=5)
    cells = [frozenset(PEOPLE[i : i + 30]) for i in range(1, 391, 30)]
    changed = [with_one.publish(c) != without.publish(c) for c in cells]
    assert sum(changed) >= len(cells) // 2  # cells without that person change too


def test_an_analyst_sees_a_small_area_withheld_the_street_head_sees_it(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    asked = {"type": "Person", "within": C1, "level": "door", "by": "gender"}
    exact = ledger_stats(city.store, catalog=catalog, principal=who["head"], **asked)
    counted = ledger_stats(city.store, catalog=catalog, principal=who["analyst"], **asked)
    assert exact.suppressed_below is None and not exact.perturbed
    assert counted.suppressed_below == 5 and counted.perturbed
    true = {b.code: b.count or 0 for b in exact.buckets}
    assert any(0 < n <= 2 for n in true.values()), "the test city has doors of 1 or 2 persons"
    shown = {b.code: b.count for b in counted.buckets}
    assert all(shown[code] is None for code, n in true.items() if n <= 2)
    assert all(n is None or (n >= 5 and abs(n - true[c]) <= 2) for c, n in shown.items())
    for bucket in counted.buckets:  # every gender code listed, so none tells it is present
        assert set(bucket.breakdown) >= set(counted.labels)
        assert all(n is None or n >= 5 for n in bucket.breakdown.values())
    wide = ledger_stats(city.store, catalog=catalog, principal=who["analyst"], type="Person",
                        within=STREET, level="community")  # fmt: skip
    communities = {b.code: b.count for b in wide.buckets}
    assert all(n is None or n >= 5 for n in communities.values())
    assert communities[C1] is not None and communities[C2] is not None  # large: shown
