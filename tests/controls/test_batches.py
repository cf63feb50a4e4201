"""Many submissions per statement: each still atomic, in order, and reported on its own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from citykg.controls import (
    CompiledForm,
    SubmissionContext,
    SubmissionPlan,
    SubmissionRequest,
    SubmissionResult,
    submit,
    submit_many,
    writer,
)
from citykg.controls.writer import MAX_BATCH, GroupCommit, gather_seconds
from citykg.errors import ValidationFailed
from citykg.graph import GraphStore
from tests.controls.scenario import (
    DOOR_A,
    DOOR_B,
    NOW,
    SERVICE,
    WANG,
    count_nodes,
    household,
    person_id,
)


def single(n: int, **changes: Any) -> dict[str, Any]:
    """A one-person household ``n`` at door A (no members, no car)."""
    name = "住户" + "".join("〇一二三四五六七八九"[int(digit)] for digit in str(n))
    answers = household(id_number=person_id("19700101", n), name=name, members=[])
    return {**answers, "vehicles": [], **changes}


def requests(count: int, first: int = 100) -> list[SubmissionRequest]:
    return [SubmissionRequest(single(n), f"batch-{n}", at=NOW) for n in range(first, first + count)]


def people(store: GraphStore) -> int:
    return int(store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"])


def test_a_batch_writes_every_submission_and_reports_each_in_order(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    before = people(city)
    batch = requests(MAX_BATCH + 6)  # more than one statement's worth
    outcomes = submit_many(
        city, form=forms["household-registration"], requests=batch, principal=SERVICE
    )
    assert [o.submission for o in outcomes if isinstance(o, SubmissionResult)] == [
        r.submission_id for r in batch
    ]
    assert people(city) == before + len(batch)
    homes = city.read(
        "MATCH (p:Person)-[r:RESIDES_IN]->(:Place {placeCode: $door}) "
        "WHERE p.name STARTS WITH '住户' RETURN count(r) AS n",
        {"door": DOOR_A},
    )
    assert homes == [{"n": len(batch)}]


def test_one_bad_submission_is_rejected_alone(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    batch = requests(5)
    batch[1] = SubmissionRequest(single(101, gender="7"), "batch-101", at=NOW)
    batch[3] = SubmissionRequest(single(103, address="1101059999990001001010101"), "batch-103")
    outcomes = submit_many(
        city, form=forms["household-registration"], requests=batch, principal=SERVICE
    )
    assert isinstance(outcomes[1], ValidationFailed)
    assert [v.path for v in outcomes[1].violations] == ["gender"]
    assert isinstance(outcomes[3], ValidationFailed)
    assert [v.path for v in outcomes[3].violations] == ["address"]
    assert [o.submission for o in outcomes if isinstance(o, SubmissionResult)] == [
        "batch-100",
        "batch-102",
        "batch-104",
    ]
    written = city.read("MATCH (s:Submission) WHERE s.id STARTS WITH 'batch-' RETURN s.id AS id")
    assert sorted(r["id"] for r in written) == ["batch-100", "batch-102", "batch-104"]
    assert (
        city.read("MATCH (p:Person {idNumber: $id}) RETURN p", {"id": person_id("19700101", 103)})
        == []
    )


def test_two_submissions_about_one_person_apply_in_order_with_history(
    city: GraphStore, forms: dict[str, CompiledForm]
) -> None:
    form = forms["household-registration"]
    first = SubmissionRequest(household(mobile_phone="13800000001"), "same-1", at=NOW)
    moved = household(mobile_phone="13800000002", address=DOOR_B)
    second = SubmissionRequest(moved, "same-2", at=NOW + timedelta(minutes=1))
    again = SubmissionRequest(household(), "same-1", at=NOW)
    outcomes = submit_many(city, form=form, requests=[first, second, again], principal=SERVICE)
    assert [o.replayed for o in outcomes if isinstance(o, SubmissionResult)] == [
        False,
        False,
        True,
    ]
    wang = city.read(
        "MATCH (p:Person {idNumber: $id}) "
        "OPTIONAL MATCH (p)-[:HAD_VALUE]->(old:PastValue {key: 'mobilePhone'}) "
        "RETURN p.mobilePhone AS phone, collect(old.value) AS past, "
        "collect(old.source) AS sources",
        {"id": WANG},
    )
    assert wang == [{"phone": "13800000002", "past": ["13800000001"], "sources": ["same-1"]}]
    homes = city.read(
        "MATCH (:Person {idNumber: $id})-[r:RESIDES_IN]->(d:Place) "
        "RETURN d.placeCode AS door, r.until IS NULL AS current ORDER BY current",
        {"id": WANG},
    )
    assert homes == [{"door": DOOR_A, "current": False}, {"door": DOOR_B, "current": True}]


def test_concurrent_callers_lose_nothing(city: GraphStore, forms: dict[str, CompiledForm]) -> None:
    form = forms["household-registration"]
    before = count_nodes(city)

    def send(n: int) -> SubmissionResult:
        return submit(
            city,
            form=form,
            answers=single(n),
            principal=SERVICE,
            submission_id=f"thread-{n}",
            at=NOW,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(200, 280)))
    assert all(not r.replayed for r in results)
    assert count_nodes(city) == before + 2 * 80  # each: the submission and its person


def plans(form: CompiledForm, first: int, count: int) -> list[SubmissionPlan]:
    """Planned one-person households, not yet written."""
    context = SubmissionContext(submission_id="", author="test", at=NOW, today=NOW.date())
    return [
        form.plan(single(n), replace(context, submission_id=f"gather-{n}"))
        for n in range(first, first + count)
    ]


def test_a_lone_caller_never_waits(
    city: GraphStore, forms: dict[str, CompiledForm], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "MAX_GATHER_S", 600.0)  # a wait would hang the test
    monkeypatch.setattr(writer, "COMMIT_DELAY_S", 600.0)
    commit = GroupCommit(city)
    for n in (300, 301):  # the second after a batch of one
        assert all(q.written for q in commit.write(plans(forms["household-registration"], n, 1)))
        assert commit.last_batch == 1


def test_the_writer_waits_for_a_caller_still_planning(
    city: GraphStore, forms: dict[str, CompiledForm], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller queues while another is planning: one statement carries both."""
    monkeypatch.setattr(writer, "MAX_GATHER_S", 600.0)
    monkeypatch.setattr(writer, "COMMIT_DELAY_S", 600.0)
    form = forms["household-registration"]
    first, second = plans(form, 310, 1), plans(form, 311, 1)
    commit = GroupCommit(city)
    with ThreadPoolExecutor(max_workers=1) as pool, commit.planning() as write:
        queued = pool.submit(commit.write, first)
        while not commit.gathering:  # the other caller has the write turn and waits
            assert not queued.done()
        mine = write(second)
        assert all(q.written for q in [*queued.result(), *mine])
    assert commit.last_batch == 2


def test_the_gather_lasts_as_long_as_the_last_statement_within_bounds() -> None:
    assert gather_seconds(0.0) == writer.COMMIT_DELAY_S
    assert gather_seconds(0.007) == 0.007
    assert gather_seconds(5.0) == writer.MAX_GATHER_S
