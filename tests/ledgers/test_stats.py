"""Statistics rolled up the place tree, within the principal's jurisdiction."""

from __future__ import annotations

import pytest

from citykg.access import Principal
from citykg.errors import Forbidden, NotFound, ValidationFailed
from citykg.ledgers import Catalog, Filter, ledger_stats
from tests.ledgers.city import C1, C2, STREET, City


def count_in(city: City, prefix: str, extra: str = "") -> int:
    query = (
        "MATCH (p:Person)-[r:RESIDES_IN]->(d:Place) WHERE d.placeCode STARTS WITH $c "
        "AND r.until IS NULL " + extra + " RETURN count(DISTINCT p) AS n"
    )
    return int(city.store.read(query, {"c": prefix})[0]["n"])


def test_a_street_head_rolls_up_by_community_with_a_breakdown(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    stats = ledger_stats(
        city.store,
        catalog=catalog,
        principal=who["head"],
        type="Person",
        level="community",
        by="gender",
    )
    assert stats.code == STREET and stats.level == 5 and stats.total == count_in(city, STREET)
    buckets = {b.code: b for b in stats.buckets}
    assert set(buckets) == {C1, C2}
    assert buckets[C1].count == count_in(city, C1)
    assert sum(buckets[C1].breakdown.values()) == buckets[C1].count
    assert buckets[C1].breakdown.get("2", 0) == count_in(city, C1, "AND p.gender = '2'")
    assert stats.labels["1"] and sum(stats.breakdown.values()) == stats.total


def test_elderly_living_alone_and_age_bands(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    alone = ledger_stats(
        city.store,
        catalog=catalog,
        principal=who["worker1"],
        type="Person",
        filters=[
            Filter(key="isLivingAlone", value="true"),
            Filter(key="age", op="gte", value="60"),
        ],
    )
    assert alone.code == C1 and alone.total == 1  # 赵奶奶
    bands = ledger_stats(
        city.store, catalog=catalog, principal=who["worker1"], type="Person", by="ageBand"
    )
    assert bands.breakdown["80+"] >= 1 and sum(bands.breakdown.values()) == bands.total


def test_stats_stay_inside_the_jurisdiction(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with pytest.raises(NotFound):
        ledger_stats(
            city.store, catalog=catalog, principal=who["worker1"], type="Person", within=STREET
        )
    with pytest.raises(Forbidden):
        ledger_stats(city.store, catalog=catalog, principal=who["resident"], type="Person")
    with pytest.raises(ValidationFailed) as info:
        ledger_stats(city.store, catalog=catalog, principal=who["analyst"], type="Person")
    assert info.value.violations[0].path == "within"
    city_wide = ledger_stats(
        city.store,
        catalog=catalog,
        principal=who["analyst"],
        type="Person",
        within="110105",
        level="street",
    )
    assert city_wide.perturbed and city_wide.total is not None  # the cell key method: ±2
    assert abs(city_wide.total - count_in(city, "110105")) <= 2


def test_a_breakdown_by_a_masked_attribute_needs_the_right_to_reveal_it(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with pytest.raises(Forbidden):
        ledger_stats(
            city.store,
            catalog=catalog,
            principal=who["worker1"],
            type="Person",
            by="chronicDisease",
            purpose="统计",
        )
    sick = ledger_stats(
        city.store,
        catalog=catalog,
        principal=who["doctor"],
        type="Person",
        by="chronicDisease",
        purpose="慢病统计",
    )
    assert sick.breakdown["2"] == 1 and sick.breakdown["3"] == 1


@pytest.mark.parametrize(
    ("asked", "field"),
    [({"level": "city"}, "level"), ({"by": "x"}, "by"), ({"type": "Nope"}, "type")],
)
def test_bad_stats_input_names_the_parameter(
    city: City, catalog: Catalog, who: dict[str, Principal], asked: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        ledger_stats(
            city.store, catalog=catalog, principal=who["worker1"], **{"type": "Person", **asked}
        )  # type: ignore[arg-type]
    assert info.value.violations[0].path == field
