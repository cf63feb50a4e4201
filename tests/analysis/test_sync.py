"""The copy follows the city graph: full rebuilds swap in, recorded writes are caught up."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from citykg.access import Principal
from citykg.access.masking import masker_for
from citykg.analysis import Analysis, AnalystCopy
from citykg.analysis.projection import Projection, Ref, projection_key
from citykg.analysis.sync import RECENT, SWEEP_EVERY_S, recorded_changes
from citykg.controls import EXAMPLES_DIR, compile_form, load_form, submit
from citykg.errors import Conflict
from citykg.geo import PlaceScope, merge_places, move_place, rename_place
from citykg.ledgers import Catalog, catalog_for, edit_entity, end_entity
from citykg.ontology import Ontology
from tests.controls.scenario import CHILD, SERVICE, ZHAO, household
from tests.ledgers.city import BUILDING1, C1, C2, D1, D2, D3, SUN, WANG, City

DEADLINE_S = 30.0


@pytest.fixture(scope="module")
def catalog(ontology: Ontology) -> Catalog:
    return catalog_for(ontology)


def copied(analysis: Analysis, query: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of ``query`` on the copy's live slot."""
    state = analysis.state()
    assert state is not None
    return analysis.copy.store(state.slot).read_untrusted(query, params)


def person(analysis: Analysis, key: str) -> dict[str, Any] | None:
    """A person of the copy by clear ID number (hashed as the copy stores it)."""
    rows = copied(analysis, "MATCH (p:Person {idNumber: $h}) RETURN properties(p) AS p",
                  h=analysis.projection.hash(key))  # fmt: skip
    return rows[0]["p"] if rows else None


def test_a_ledger_edit_is_caught_up_without_its_sensitive_value(
    analysis: Analysis, catalog: Catalog, who: dict[str, Principal]
) -> None:
    edit_entity(analysis.main, catalog=catalog, principal=who["worker1"], type="Person", key=WANG,
                values={"name": "王伟强", "mobilePhone": "13700001111"})  # fmt: skip
    report = analysis.catch_up()
    assert report.kind == "catch-up" and report.changes == 1
    assert person(analysis, WANG) == {
        "idNumber": analysis.projection.hash(WANG), "name": "王伟强", "gender": "1",
        "birthDate": "1950-01-01", "isLivingAlone": False,
    }  # fmt: skip
    again = analysis.catch_up()
    assert again.changes == 0, "a change is applied once"


def test_a_form_submission_brings_new_people_and_their_relations(
    analysis: Analysis, ontology: Ontology
) -> None:
    form = compile_form(ontology, load_form(EXAMPLES_DIR / "household-registration.yaml"))
    answers = household(address={"place": D1, "since": "2024-05-01", "is_head": True})
    submit(analysis.main, form=form, answers=answers, principal=SERVICE, submission_id="hh-9")
    analysis.catch_up()
    assert person(analysis, ZHAO) is not None and person(analysis, CHILD) is not None
    for query in (
        "MATCH (p:Person)-[r:RESIDES_IN]->(d:Door {placeCode: $d}) WHERE r.until IS NULL "
        "RETURN count(p) AS n",
        "MATCH (:Thing)-[r]->(:Person) RETURN count(r) AS n",
    ):
        assert copied(analysis, query, d=D1) == analysis.main.read(query, {"d": D1})
    assert _whole(analysis) == _rebuilt(analysis), "caught up = rebuilt"


def test_the_overlap_reads_only_the_entities_of_submissions_not_applied_yet(
    analysis: Analysis, ontology: Ontology
) -> None:
    """Every second the sync reads a minute of writes again (a write is stamped before it
    commits); what it applied already is skipped before its entities are read."""
    form = compile_form(ontology, load_form(EXAMPLES_DIR / "household-registration.yaml"))
    answers = household(address={"place": D1, "since": "2024-05-01", "is_head": True})
    submit(analysis.main, form=form, answers=answers, principal=SERVICE, submission_id="hh-10")
    since = "2000-01-01T00:00:00.000+00:00"
    fresh = {c.id: c for c in recorded_changes(analysis.main, analysis.projection, since)}
    assert Ref("Person", ZHAO) in fresh["s:hh-10"].refs
    known = recorded_changes(analysis.main, analysis.projection, since, known={"s:hh-10"})
    assert "s:hh-10" not in {c.id for c in known}


def test_a_write_that_commits_late_comes_in_with_the_next_sweep(
    analysis: Analysis, ontology: Ontology
) -> None:
    """Between sweeps a sync reads only ``RECENT`` back: a write stamped before that but
    committed since the last sync is missed by it, then applied by the next sweep, once."""
    analysis.catch_up()
    state = analysis.state()
    assert state is not None
    stamped = datetime.fromisoformat(state.as_of) - RECENT - timedelta(seconds=10)
    form = compile_form(ontology, load_form(EXAMPLES_DIR / "household-registration.yaml"))
    answers = household(address={"place": D1, "since": "2024-05-01", "is_head": True})
    submit(analysis.main, form=form, answers=answers, principal=SERVICE, submission_id="hh-late")
    analysis.main.write("MATCH (s:Submission {id: 'hh-late'}) SET s.at = $at",
                        {"at": stamped.isoformat(timespec="milliseconds")})  # fmt: skip
    analysis.seen.swept = time.monotonic()  # a sweep has just run
    assert analysis.catch_up().changes == 0
    analysis.seen.swept = time.monotonic() - SWEEP_EVERY_S
    assert analysis.catch_up().changes == 1
    analysis.seen.swept = time.monotonic() - SWEEP_EVERY_S
    assert analysis.catch_up().changes == 0, "a change is applied once"


def test_an_end_a_rename_a_move_and_a_merge_are_caught_up(
    analysis: Analysis, catalog: Catalog, who: dict[str, Principal]
) -> None:
    end_entity(analysis.main, catalog=catalog, principal=who["worker2"], type="Person", key=SUN,
               reason="迁出")  # fmt: skip
    everywhere = PlaceScope.everywhere()
    rename_place(analysis.main, code=C1, name="建外第一社区", author="t", scope=everywhere)
    moved = move_place(analysis.main, code=BUILDING1, to=C2 + "0001", author="t",
                       scope=everywhere)  # fmt: skip
    merged = merge_places(analysis.main, code=D3, into=D2, author="t", scope=everywhere)
    analysis.catch_up()
    assert copied(analysis, "MATCH (d:Place {placeCode: $d}) RETURN d", d=merged.old_code) == []
    ended = copied(
        analysis,
        "MATCH (:Person {idNumber: $h})-[r:RESIDES_IN]->() RETURN r.until IS NULL AS current",
        h=analysis.projection.hash(SUN),
    )
    assert ended == [{"current": False}]
    assert copied(analysis, "MATCH (c:Place {placeCode: $c}) RETURN c.name AS n", c=C1) == [
        {"n": "建外第一社区"}
    ]
    assert copied(analysis, "MATCH (b:Place {placeCode: $b}) RETURN b", b=BUILDING1) == []
    homes = copied(analysis, "MATCH (:Person {idNumber: $h})-[:RESIDES_IN]->(d:Door)"
                   "-[:PART_OF*4]->(c:Place) RETURN d.placeCode AS door, c.placeCode AS up",
                   h=analysis.projection.hash(WANG))  # fmt: skip
    assert homes == [{"door": moved.new_code + D1[len(BUILDING1) :], "up": C2}]
    assert _whole(analysis) == _rebuilt(analysis), "caught up = rebuilt"


def test_the_api_syncs_in_the_background(
    client: TestClient, city: City, analysis: Analysis, catalog: Catalog, who: dict[str, Principal]
) -> None:
    query = {"query": "MATCH (p:Person {name: '王新名'}) RETURN count(p) AS n"}

    def renamed() -> bool:
        answer = client.post("/cypher", json=query, headers=city.headers("analyst")).json()
        return bool(answer["rows"] == [{"n": 1}])

    assert not renamed()
    edit_entity(city.store, catalog=catalog, principal=who["worker1"], type="Person", key=WANG,
                values={"name": "王新名"})  # fmt: skip
    assert eventually(renamed), f"not in the copy within {DEADLINE_S} s"


def test_a_rebuild_swaps_slots_and_another_key_rebuilds(
    analysis: Analysis, copy_engine: AnalystCopy, ontology: Ontology
) -> None:
    before = analysis.state()
    report = analysis.refresh()
    after = analysis.state()
    assert before is not None and after is not None
    assert after.slot != before.slot and after.generation == before.generation + 1
    entities = analysis.main.read(
        "MATCH (n) WHERE n:Person OR n:Place OR n:Organization OR n:Thing OR n:Event "
        "RETURN count(n) AS n"
    )
    assert report.entities == after.entities == entities[0]["n"]
    other_key = Projection(ontology, masker_for(ontology), projection_key("another"))
    other = Analysis(analysis.main, copy_engine, other_key)
    assert other.catch_up().kind == "rebuild"
    assert other.state().key_id == other_key.key_id  # type: ignore[union-attr]


def test_only_one_process_writes_the_copy(analysis: Analysis) -> None:
    analysis.main.write(
        "MATCH (c:AnalystCopy) SET c.holder = 'elsewhere', c.leaseUntil = '9999-01-01'"
    )
    with pytest.raises(Conflict, match="another process"):
        analysis.refresh()
    planted = analysis.main.write(
        "CREATE (s:Submission {id: 'x', at: '9000-01-01'}) WITH s "
        "MATCH (p:Person {idNumber: $w}) CREATE (p)-[:ASSERTED_BY]->(s)",
        {"w": WANG},
    )
    assert planted.relationships_created == 1
    assert analysis.catch_up().kind == "busy"


def eventually(check: Callable[[], bool]) -> bool:
    """Poll ``check`` until it holds or :data:`DEADLINE_S` passes."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def _whole(analysis: Analysis) -> list[str]:
    """Everything in the copy, as a sorted list of texts (labels and keys in order)."""
    nodes = copied(analysis, "MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels = copied(analysis, "MATCH (a)-[r]->(b) RETURN type(r) AS l, properties(r) AS p, "
                  "properties(a) AS a, properties(b) AS b")  # fmt: skip
    return sorted(repr(_sorted(row)) for row in nodes + rels)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return sorted((k, _sorted(v)) for k, v in value.items())
    return sorted(value) if isinstance(value, list) else value


def _rebuilt(analysis: Analysis) -> list[str]:
    analysis.refresh()
    return _whole(analysis)


def test_a_copy_that_lost_its_data_is_rebuilt(analysis: Analysis) -> None:
    state = analysis.state()
    assert state is not None
    analysis.copy.store(state.slot).clear()
    assert analysis.catch_up().kind == "rebuild"
    assert person(analysis, WANG) is not None
