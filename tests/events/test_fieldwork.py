"""Field work for a case (事件 → 任务): the handler creates a task linked to the case through
the tasks service; who sees the case's tasks; out of reach answers like missing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from citykg import events
from citykg.controls import load_examples
from citykg.errors import Forbidden, NotFound
from citykg.events import Action, Report
from citykg.events.fieldwork import task_for_event, tasks_of_event
from citykg.ledgers import catalog_for
from citykg.tasks.models import SplitRule, TaskSpec, Text
from tests.controls.scenario import SERVICE
from tests.events.conftest import T0, EventCity
from tests.events.test_loop import own_building_text


def test_the_handler_sends_field_work_down_and_the_case_shows_it(city: EventCity) -> None:
    load_examples(city.store, ontology=city.ontology, principal=SERVICE)
    text = own_building_text(city, city.doors[0], "小区围墙有裂缝，担心倒塌")
    case = events.report(city.store, ontology=city.ontology, principal=city.residents[0],
                         report=Report(description=text), at=T0).event  # fmt: skip
    case = events.act(city.store, principal=city.centre, event_id=case.id,
                      action=Action(event="dispatch"), at=T0 + timedelta(hours=1))  # fmt: skip
    assert case.place is not None
    spec = TaskSpec(title=Text(zh="围墙安全排查"), form="shop-safety-inspection",
                    scope=(case.place[:9],), split=SplitRule(levels=("community",), items="unit"),
                    deadline=T0 + timedelta(days=7))  # fmt: skip
    catalog = catalog_for(city.ontology)
    with pytest.raises(NotFound):  # another street's office: the case is out of its reach
        task_for_event(city.store, catalog=catalog, principal=city.other_street,
                       event_id=case.id, spec=spec, at=T0)  # fmt: skip
    with pytest.raises(Forbidden):  # the reporter sees the case but does not handle it
        task_for_event(city.store, catalog=catalog, principal=city.residents[0],
                       event_id=case.id, spec=spec, at=T0)  # fmt: skip
    task = task_for_event(city.store, catalog=catalog, principal=city.street, event_id=case.id,
                          spec=spec, at=T0 + timedelta(hours=2), dispatched=True)  # fmt: skip
    assert task.event == case.id
    shown = tasks_of_event(city.store, principal=city.street, event_id=case.id)
    assert [t.id for t in shown] == [task.id]
    assert tasks_of_event(city.store, principal=city.residents[0], event_id=case.id) == []
    with pytest.raises(NotFound):
        tasks_of_event(city.store, principal=city.other_street, event_id=case.id)
