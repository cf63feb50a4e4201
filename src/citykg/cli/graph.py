"""``citykg status``, ``cypher``, ``migrate``, ``compact``: the graph itself."""

from __future__ import annotations

import json
import time

import click

from citykg.access import principal
from citykg.analysis import analyst_graph_url, copy_id, copy_state, opened_analysis, run_query
from citykg.cli import render
from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.graph.status import graph_status
from citykg.upgrade import upgrade_graph


@click.command()
@graph_option
def status(graph_url: str | None) -> None:
    """Backend, data location, node and relationship counts, ontology version, analysts' copy."""
    settings = build_settings(graph_url)
    copy = copy_id(analyst_graph_url(settings), settings.graph_name)
    with opened_store(settings) as store:
        report = graph_status(store)
        keys = store.sealer.keyring
        analysts = copy_state(store, copy) if report.health.ok else None
    health = report.health
    click.echo(f"backend:        {health.backend} ({health.detail or 'server'})")
    click.echo(f"location:       {health.location}")
    click.echo(f"answers:        {'yes' if health.ok else 'NO: ' + health.detail}")
    click.echo(f"version:        {health.version}")
    click.echo(f"nodes:          {report.nodes}")
    click.echo(f"relationships:  {report.relationships}")
    click.echo(f"ontology:       {report.ontology_version or '(not migrated: run citykg migrate)'}")
    click.echo(f"data key:       {keys.current.id} ({len(keys.keys)} in the keyring)")
    for label, count in list(report.labels.items())[:15]:
        click.echo(f"  {label:<24}{count}")
    click.echo(f"analyst copy:   {copy.partition('#')[0]}")
    if analysts is None:
        click.echo("  not built yet (citykg analysis refresh)")
    else:
        click.echo(f"  as of          {analysts.as_of}")
        click.echo(f"  rebuilt at     {analysts.rebuilt_at}")
        click.echo(f"  entities       {analysts.entities} (at the rebuild)")
        click.echo(f"  relationships  {analysts.relationships} (at the rebuild)")


@click.command()
@click.argument("query")
@click.option("--as", "as_", required=True, metavar="PRINCIPAL", help="An analyst principal.")
@click.option(
    "--param", "-p", "params", multiple=True, metavar="NAME=TEXT", help="A string $param."
)
@click.option("--params", "params_json", default="{}", metavar="JSON", help="Typed $params.")
@click.option("--json", "fmt", flag_value="json", help="Print JSON.")
@click.option("--csv", "fmt", flag_value="csv", help="Print CSV.")
@click.option("--timeout", "timeout_ms", default=30_000, show_default=True, help="Milliseconds.")
@click.option("--max-rows", default=1_000, show_default=True, help="Rows to print at most.")
@click.option("--purpose", default="", help="Why (kept in the audit log).")
@graph_option
def cypher(
    query: str,
    as_: str,
    params: tuple[str, ...],
    params_json: str,
    fmt: str | None,
    timeout_ms: int,
    max_rows: int,
    purpose: str,
    graph_url: str | None,
) -> None:
    """Run one read-only QUERY as an analyst, on the de-identified copy of the graph (brought up
    to date first): no sensitive value is in it, the server refuses writes, and the query is
    audited."""
    values = {**_json_object(params_json), **dict(_parameter(p) for p in params)}
    settings = build_settings(graph_url)
    with opened_store(settings) as store, opened_analysis(settings, store) as analysis:
        analysis.catch_up()
        result = run_query(
            store,
            analysis.copy,
            principal=principal(store, as_),
            query=query,
            params=values,
            max_rows=max_rows,
            timeout_ms=timeout_ms,
            purpose=purpose,
        )
    output = {"json": render.as_json, "csv": render.as_csv}.get(fmt or "", render.table)
    click.echo(output(result.rows).rstrip("\n"))
    if result.truncated:
        click.echo(f"(first {max_rows} rows; raise --max-rows for more)", err=True)
    click.echo(f"(analysts' copy as of {result.as_of})", err=True)


@click.command()
@graph_option
def migrate(graph_url: str | None) -> None:
    """Apply the ontology's constraints and indexes and every pending migration."""
    settings = build_settings(graph_url)
    with opened_store(settings) as store:
        report = upgrade_graph(store, settings=settings)
    for name in report.applied:
        click.echo(f"applied  {name}")
    click.echo(
        f"{len(report.applied)} applied, {len(report.already)} already applied; "
        f"graph conforms to ontology {report.ontology_version}"
    )


@click.command()
@graph_option
def compact(graph_url: str | None) -> None:
    """Rewrite the engine's files from the graph as it is now (FalkorDB: its AOF), e.g. from cron
    off-peak with CITYKG_AOF_REWRITE=scheduled: the rewrite pauses a large city's server."""
    settings = build_settings(graph_url)
    with opened_store(settings) as store:
        began = time.monotonic()
        store.compact()
    click.echo(f"compacted in {time.monotonic() - began:.1f} s")


def _parameter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise click.BadParameter(f"expected NAME=TEXT, got {text!r}", param_hint="--param")
    return name, value


def _json_object(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--params") from exc
    if not isinstance(value, dict):
        raise click.BadParameter("expected a JSON object", param_hint="--params")
    return value
