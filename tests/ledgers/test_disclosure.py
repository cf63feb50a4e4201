"""Small counts are withheld from those who may not read the rows (an analyst's statistics)."""

from __future__ import annotations

from citykg.access import Principal
from citykg.access.disclosure import withheld
from citykg.ledgers import Catalog, ledger_stats
from tests.ledgers.city import C1, C2, STREET, City


def test_small_counts_are_withheld_and_one_more_when_one_alone_would_be() -> None:
    assert withheld({"a": 10, "b": 3, "c": 7, "d": 0}, 5) == {
        "a": 10,
        "b": None,
        "c": None,  # else b = total - a - c
        "d": 0,  # a zero points at no one
    }
    assert withheld({"a": 10, "b": 3, "c": 1, "d": 8}, 5) == {
        "a": 10,
        "b": None,
        "c": None,
        "d": 8,
    }
    assert withheld({"total": 4}, 5) == {"total": None}
    assert withheld({"a": 5, "b": 6}, 5) == {"a": 5, "b": 6}


def test_an_analyst_sees_a_small_area_withheld_the_street_head_sees_it(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    asked = {"type": "Person", "within": C1, "level": "door", "by": "gender"}
    exact = ledger_stats(city.store, catalog=catalog, principal=who["head"], **asked)
    counted = ledger_stats(city.store, catalog=catalog, principal=who["analyst"], **asked)
    assert exact.suppressed_below is None and counted.suppressed_below == 5
    small = [b.code for b in exact.buckets if b.count is not None and 0 < b.count < 5]
    assert small, "the test city has doors of fewer than 5 persons"
    shown = {b.code: b.count for b in counted.buckets}
    assert all(shown[code] is None for code in small)
    assert counted.total == exact.total  # a community's total is not small
    for bucket in counted.buckets:
        assert all(n is None or n == 0 or n >= 5 for n in bucket.breakdown.values())
    wide = ledger_stats(city.store, catalog=catalog, principal=who["analyst"], type="Person",
                        within=STREET, level="community")  # fmt: skip
    communities = {b.code: b.count for b in wide.buckets}
    assert communities[C1] == exact.total and (communities[C2] or 0) >= 5  # large: shown
