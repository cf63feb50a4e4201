"""What the Neo4j store asks of the driver, checked without a server: the driver connects lazily,
so the configuration a store passes can be read before any statement runs."""

from __future__ import annotations

from collections.abc import Iterator

import neo4j
import pytest

from citykg.graph.neo4j import Neo4jStore, driver_options
from citykg.graph.sealing import Keyring
from citykg.settings import Settings


@pytest.fixture
def store() -> Iterator[Neo4jStore]:
    store = Neo4jStore(
        uri="neo4j://127.0.0.1:7687",
        user="u",
        password="p",
        database="city",
        keys=Keyring.derived("tests"),
    )
    yield store
    store.close()


def test_reads_are_read_transactions_and_writes_write_transactions(store: Neo4jStore) -> None:
    read, write = store.statement_options(read=True), store.statement_options(read=False)
    assert read["routing_"] is neo4j.RoutingControl.READ
    assert write["routing_"] is neo4j.RoutingControl.WRITE
    assert read["database_"] == write["database_"] == "city"


def test_a_read_follows_the_last_write_of_the_process(store: Neo4jStore) -> None:
    """One bookmark manager for every statement: a read waits for the bookmark of the last
    write, so a cluster member that has not caught up yet does not answer it."""
    managers = {id(store.statement_options(read=r)["bookmark_manager_"]) for r in (True, False)}
    assert len(managers) == 1
    assert store.statement_options(read=True)["bookmark_manager_"] is not None


def test_notifications_are_off_unless_asked_for() -> None:
    assert Settings.model_fields["neo4j_notifications"].default == "OFF"
    assert driver_options("OFF") == {
        "notifications_min_severity": neo4j.NotificationMinimumSeverity.OFF
    }
    assert driver_options("WARNING") == {
        "notifications_min_severity": neo4j.NotificationMinimumSeverity.WARNING
    }
