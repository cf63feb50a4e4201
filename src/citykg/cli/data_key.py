"""``citykg data-key``: the keys that seal ID numbers and phones in the graph, and rotating them."""

from __future__ import annotations

import click

from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.graph.rekey import rekey
from citykg.graph.sealing import new_key_line


@click.group("data-key")
def data_key() -> None:
    """Data keys: sealed ID numbers and phones (docs/privacy.md §7)."""


@data_key.command("new")
def new() -> None:
    """Print a new data key, a line for CITYKG_DATA_KEY_FILE (put it first to make it current)."""
    click.echo(new_key_line())


@data_key.command("rotate")
@graph_option
def rotate(graph_url: str | None) -> None:
    """Seal every value again under the current (first) key of CITYKG_DATA_KEY_FILE; the older
    keys must still be in the file. Run it with the API stopped, then drop the old keys."""
    settings = build_settings(graph_url)
    with opened_store(settings) as store:
        done = rekey(store)
        key = store.sealer.keyring.current.id
    click.echo(f"{done.values} sealed values in {done.properties} properties now under key {key}")
