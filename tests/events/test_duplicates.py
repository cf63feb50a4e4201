"""Duplicate candidates on intake: the earlier cases at the place, of the category, in the
window; of each place the most recent few, ranked by text; never the report's own batch, never
later ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from citykg import events
from citykg.events import Report, intake
from citykg.events.config import load_rules
from tests.events.conftest import T0, EventCity


def test_candidates_are_the_most_recent_earlier_cases_of_the_place(
    city: EventCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, number = city.buildings[city.doors[0][:19]]
    text = f"{name}{number}号楼楼道里堆满了杂物，没人管"
    at = T0 + timedelta(days=60)

    def report(when: timedelta) -> str:
        call = Report(description=text, source="hotline")
        taken = events.report(city.store, ontology=city.ontology, principal=city.residents[0],
                              report=call, at=at + when)  # fmt: skip
        return taken.event.id

    too_old = report(-timedelta(days=31))  # outside the 30-day window
    earlier = [report(-timedelta(days=d)) for d in (9, 7, 5, 3, 1)]
    later = report(timedelta(days=1))
    rules = load_rules()
    narrow = rules.model_copy(
        update={"duplicates": rules.duplicates.model_copy(update={"per_key": 3, "limit": 5})}
    )
    monkeypatch.setattr(intake, "load_rules", lambda: narrow)
    batch = events.report_many(city.store, ontology=city.ontology, principal=city.residents[0],
                               reports=[Report(description=text, source="hotline")] * 2,
                               at=at)  # fmt: skip
    for view in batch:  # the three most recent before it: not the older, the later, the other
        assert [c.id for c in view.candidates] == sorted(earlier[-3:])  # same text: by id
        assert len({c.text_similarity for c in view.candidates}) == 1
    monkeypatch.setattr(intake, "load_rules", lambda: rules)
    wide = events.report(city.store, ontology=city.ontology, principal=city.residents[0],
                         report=Report(description=f"{name}{number}号楼的杂物堆在楼道"),
                         at=at + timedelta(hours=1))  # fmt: skip
    found = [c.id for c in wide.candidates]
    assert len(found) == rules.duplicates.limit
    assert too_old not in found and later not in found
    assert set(found) <= {*earlier, *(v.event.id for v in batch)}
