"""Change stamps (citykg.graph.stamps): a remembered answer gives way to any process's write."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator

import pytest

from citykg.access import queries as access_queries
from citykg.geo import queries as geo_queries
from citykg.graph import GraphStore, open_store
from citykg.graph import stamps as stamps_module
from citykg.graph.sealing import Keyring
from citykg.graph.stamps import Remembered, named, stamp
from tests.backends import Graph


@pytest.fixture
def other(graph: Graph) -> Iterator[GraphStore]:
    """A second connection to the same graph, as another API process has."""
    keys = Keyring.from_file(graph.key_file) if graph.key_file else None
    store = open_store(graph.url, graph_name=graph.name, keys=keys)
    yield store
    store.close()


def test_only_writes_naming_a_topic_move_its_stamp(store: GraphStore) -> None:
    before = stamp(store, "access")
    store.write("CREATE (:Household {householdId: 'h1'})")
    assert stamp(store, "access") == before
    store.write("CREATE (:Principal {id: 'p1'})")
    moved = stamp(store, "access")
    assert moved != before
    store.write("MATCH (p:Principal {id: 'nobody'}) SET p.name = 'x'")  # names it, changes none
    assert stamp(store, "access") not in (before, moved)


def test_names_are_matched_whole() -> None:
    assert named("MATCH (p)-[h:HOLDS_POST_IN]->(o) SET h.until = $d") == ["access"]
    assert named("CREATE (a:AuditRecord {principal: $principal})") == []
    assert named("MATCH (n:PrincipalNote) RETURN n") == []


def test_an_answer_is_read_again_after_another_process_changes_what_it_rests_on(
    graph: Graph, other: GraphStore
) -> None:
    store = graph.store
    store.write("CREATE (:Principal {id: 'wang', name: '王'})")
    remembered: Remembered[str, str] = Remembered("access")
    reads: list[str] = []

    def name() -> str:
        (row,) = store.read("MATCH (p:Principal {id: 'wang'}) RETURN p.name AS name")
        reads.append(str(row["name"]))
        return str(row["name"])

    assert remembered.get(store, "wang", name) == "王"
    assert remembered.get(store, "wang", name) == "王"
    assert reads == ["王"]  # the second answer was remembered
    other.write("MATCH (p:Principal {id: 'wang'}) SET p.name = '王伟'")
    assert remembered.get(store, "wang", name) == "王伟"
    assert reads == ["王", "王伟"]


def test_clearing_the_graph_forgets_every_answer(store: GraphStore) -> None:
    remembered: Remembered[str, int] = Remembered("access")
    store.write("CREATE (:Principal {id: 'p1'})")
    assert remembered.get(store, "k", lambda: 1) == 1
    assert remembered.get(store, "k", lambda: 2) == 1
    store.clear()
    assert stamp(store, "access") == ""
    assert remembered.get(store, "k", lambda: 2) == 2
    assert remembered.get(store, "k", lambda: 3) == 3  # nothing is kept without a stamp


def test_an_answer_is_kept_no_longer_than_its_max_age(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    remembered: Remembered[str, int] = Remembered("access")
    store.write("CREATE (:Principal {id: 'p1'})")
    assert remembered.get(store, "k", lambda: 1) == 1
    monkeypatch.setattr(stamps_module, "MAX_AGE_S", 0.0)  # as if a minute had passed
    assert remembered.get(store, "k", lambda: 2) == 2


def test_at_most_size_answers_are_kept(store: GraphStore) -> None:
    remembered: Remembered[int, int] = Remembered("access", size=2)
    store.write("CREATE (:Principal {id: 'p1'})")
    for key in (1, 2, 3):
        remembered.get(store, key, lambda: 0)
    assert remembered.get(store, 1, lambda: -1) == -1  # the oldest went
    assert remembered.get(store, 3, lambda: -3) == 0


def test_an_unknown_topic_is_refused() -> None:
    with pytest.raises(KeyError, match="nobody"):
        Remembered("nobody")


WRITES = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE)\b")


def test_the_everyday_writes_leave_remembered_principals_alone() -> None:
    """Forms, tasks, channels, notifications, events and workflow write all day; none of their
    statements names what a principal rests on, so none makes every process read callers
    again. Principals, tokens, posts and place re-codings do."""
    everyday = ("controls", "tasks", "channels", "notifications", "events", "workflow", "ledgers")
    naming: dict[str, list[str]] = {}
    for area in everyday:
        module = importlib.import_module(f"citykg.{area}.queries")
        for name, text in vars(module).items():
            writes = isinstance(text, str) and WRITES.search(text)
            if name.isupper() and writes and named(text):
                naming.setdefault(area, []).append(name)
    assert naming == {}
    assert named(access_queries.MERGE_PRINCIPAL) == named(geo_queries.MOVE_PLACE) == ["access"]
