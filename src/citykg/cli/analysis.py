"""``citykg analysis refresh``: rebuild the analysts' de-identified copy of the graph."""

from __future__ import annotations

import click

from citykg.analysis import opened_analysis
from citykg.cli.options import build_settings, graph_option, opened_store


@click.group()
def analysis() -> None:
    """The analysts' de-identified copy of the graph (what `citykg cypher` queries)."""


@analysis.command()
@graph_option
def refresh(graph_url: str | None) -> None:
    """Rebuild the copy in full from the graph, then swap it in (the API keeps it up to date
    from recorded writes; a rebuild also brings in imports and generated cities)."""
    settings = build_settings(graph_url)
    with opened_store(settings) as store, opened_analysis(settings, store) as analysts:
        report = analysts.refresh()
    click.echo(
        f"analysts' copy rebuilt: {report.entities:,} entities, {report.relationships:,} "
        f"relationships in {report.seconds:.1f} s (as of {report.as_of})"
    )
