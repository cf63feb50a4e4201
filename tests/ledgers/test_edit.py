"""Edits go through the forms' write path; ending is a recorded end-dating, never a removal."""

from __future__ import annotations

import pytest

from citykg.access import Principal
from citykg.errors import Forbidden, NotFound, ValidationFailed
from citykg.ledgers import Catalog, LedgerQuery, edit_entity, end_entity, ledger_page
from tests.ledgers.city import C2, SUN, WANG, City


def test_an_edit_is_validated_and_recorded_with_history(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    result = edit_entity(
        city.store,
        catalog=catalog,
        principal=who["worker1"],
        type="Person",
        key=WANG,
        values={"mobilePhone": "13700001111"},
    )
    row = city.store.read(
        "MATCH (p:Person {idNumber: $id})-[a:ASSERTED_BY]->(s:Submission) "
        "OPTIONAL MATCH (p)-[:HAD_VALUE]->(old:PastValue {key: 'mobilePhone'}) "
        "RETURN p.mobilePhone AS phone, s.author AS author, s.channel AS channel, "
        "s.form AS form, a.keys AS keys, old.value AS old",
        {"id": WANG},
    )[0]
    assert row["phone"] == "13700001111" and row["old"] == "13812345678"
    assert row["author"] == "worker1" and row["channel"] == "ledger"
    assert row["form"] == "ledger-edit-person" and "mobilePhone" in row["keys"]
    assert result.submission and not result.replayed


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"gender": "7"}, "gender"),
        ({"idNumber": "x"}, "values.idNumber"),
        ({"shoeSize": 42}, "values.shoeSize"),
        ({}, "values"),
    ],
)
def test_a_bad_edit_writes_nothing_and_names_the_field(
    city: City, catalog: Catalog, who: dict[str, Principal], values: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        edit_entity(
            city.store,
            catalog=catalog,
            principal=who["worker1"],
            type="Person",
            key=WANG,
            values=values,
        )
    assert info.value.violations[0].path == field
    assert city.store.read("MATCH (s:Submission) RETURN count(s) AS n")[0]["n"] == 0


def test_edits_stay_inside_the_scope_and_need_the_right(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with pytest.raises(NotFound):
        edit_entity(
            city.store,
            catalog=catalog,
            principal=who["worker2"],
            type="Person",
            key=WANG,
            values={"mobilePhone": "13700001111"},
        )
    with pytest.raises(Forbidden):
        edit_entity(
            city.store,
            catalog=catalog,
            principal=who["resident"],
            type="Person",
            key=WANG,
            values={"mobilePhone": "13700001111"},
        )


def test_ending_end_dates_the_residence_and_keeps_everything(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    ended = end_entity(
        city.store,
        catalog=catalog,
        principal=who["worker2"],
        type="Person",
        key=SUN,
        reason="迁出本市",
    )
    assert (ended.ended, ended.remaining) == (1, 0)
    row = city.store.read(
        "MATCH (p:Person {idNumber: $id})-[r:RESIDES_IN]->() "
        "MATCH (p)-[:ASSERTED_BY]->(s:Submission {form: 'ledger-end'}) "
        "RETURN r.until AS until, p.endedAt AS endedAt, p.endReason AS reason, s.author AS by",
        {"id": SUN},
    )[0]
    assert row["until"] and row["endedAt"] and row["reason"] == "迁出本市"
    assert row["by"] == "worker2"
    page = ledger_page(
        city.store,
        catalog=catalog,
        principal=who["worker2"],
        query=LedgerQuery(type="Person", within=C2, q=SUN),
    )
    assert page.items == []
    with pytest.raises(ValidationFailed) as info:
        end_entity(
            city.store,
            catalog=catalog,
            principal=who["worker2"],
            type="Person",
            key=SUN,
            reason=" ",
        )
    assert info.value.violations[0].path == "reason"


def test_places_are_not_ended_through_ledgers(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with pytest.raises(ValidationFailed) as info:
        end_entity(
            city.store,
            catalog=catalog,
            principal=who["head"],
            type="Door",
            key="1101050010010001001010101",
            reason="拆除",
        )
    assert info.value.violations[0].path == "type"
