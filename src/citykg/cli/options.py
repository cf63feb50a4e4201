"""Options shared by several commands, and the settings/store they build."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from citykg.graph import GraphStore, open_store
from citykg.ledgers.refs import use_secret
from citykg.settings import Settings


def graph_option[F: Callable[..., Any]](function: F) -> F:
    """``--graph URL``: overrides CITYKG_GRAPH for this command."""
    return click.option(
        "--graph",
        "graph_url",
        default=None,
        metavar="URL",
        help="Graph to use: falkordb:///abs/path, falkordb://host:port or neo4j://user:pw@host/db "
        "(default: $CITYKG_GRAPH, else ./data/graph embedded).",
    )(function)


def build_settings(graph_url: str | None) -> Settings:
    settings = Settings()
    use_secret(settings.secret)
    return settings.model_copy(update={"graph": graph_url}) if graph_url else settings


@contextmanager
def opened_store(settings: Settings) -> Iterator[GraphStore]:
    """The configured graph, closed (and an embedded server stopped) on the way out."""
    store = open_store(
        settings.graph,
        graph_name=settings.graph_name,
        neo4j_notifications=settings.neo4j_notifications,
        durability=settings.durability,
    )
    try:
        yield store
    finally:
        store.close()
