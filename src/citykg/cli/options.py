"""Options shared by several commands, and the settings/store they build."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import yaml

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
        aof_rewrite=settings.aof_rewrite,
    )
    try:
        yield store
    finally:
        store.close()


class Document(click.ParamType[dict[str, Any], Any]):
    """A YAML (or JSON) file holding one mapping: a spec a command validates with its model.
    A file that is missing or does not parse is a usage error naming the argument, not a
    traceback."""

    name = "file"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        try:
            data = yaml.safe_load(Path(value).read_text("utf-8"))
        except OSError as exc:
            self.fail(f"{value}: {exc.strerror}", param, ctx)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.fail(f"{value} is not YAML or JSON: {exc}", param, ctx)
        if not isinstance(data, dict):
            self.fail(f"{value} holds no mapping of fields", param, ctx)
        return data


class JsonObject(click.ParamType[dict[str, Any], Any]):
    """A JSON object given on the command line (a form's answers)."""

    name = "json"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        try:
            data = json.loads(value)
        except json.JSONDecodeError as exc:
            self.fail(f"not JSON: {exc}", param, ctx)
        if not isinstance(data, dict):
            self.fail("a JSON object of fields is expected", param, ctx)
        return data
