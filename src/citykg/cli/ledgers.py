"""``citykg ledgers …``: list, open, count and export ledgers, as a principal of the graph.

The commands act ``--as`` a principal (``citykg users add``) so the scope, masking and audit
are exactly those of the API: an operator's shell is not a way around them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from citykg.access import principal as load_principal
from citykg.cli import render
from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.ledgers import (
    LedgerQuery,
    catalog_for,
    entity_detail,
    export_ledger,
    ledger_page,
    ledger_stats,
)
from citykg.ontology import load_ontology


@click.group()
def ledgers() -> None:
    """Entity ledgers (people, places, things, organizations) as a principal sees them."""


def view_options[F: Callable[..., Any]](command: F) -> F:
    """The options that choose a ledger view: --as, --within, --filter, --q, --sort."""
    for option in reversed((
        click.option("--as", "as_", required=True, metavar="PRINCIPAL", help="Act as him."),
        click.option("--within", metavar="CODE", help="Only under this place."),
        click.option("--filter", "filters", multiple=True, metavar="KEY:OP:VALUE"),
        click.option("--q", "q", default=None, help="Search names and addresses."),
        click.option("--created-by", default=None, metavar="CREDIT_CODE"),
        click.option("--sort", default=None, metavar="KEY|-KEY"),
        click.option("--purpose", default=None, help="Why (audited with sensitive use)."),
        graph_option,
    )):  # fmt: skip
        command = option(command)
    return command


@ledgers.command("list")
@click.argument("type_")
@view_options
@click.option("--limit", default=50, show_default=True)
@click.option("--cursor", default=None)
def list_(
    type_: str,
    as_: str,
    within: str | None,
    filters: tuple[str, ...],
    q: str | None,
    created_by: str | None,
    sort: str | None,
    purpose: str | None,
    graph_url: str | None,
    limit: int,
    cursor: str | None,
) -> None:
    """One page of the TYPE ledger (Person, Resident, Vehicle, Community…)."""
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        query = LedgerQuery(
            type=type_, within=within, filters=tuple(catalog.parse_filter(f) for f in filters),
            q=q, created_by=created_by, sort=sort, cursor=cursor, limit=limit, purpose=purpose,
        )  # fmt: skip
        page = ledger_page(
            store, catalog=catalog, principal=load_principal(store, as_), query=query
        )
    rows = [{"key": r.key, "type": r.type, "name": r.properties.get("name", ""),
             "address": r.address, "place": r.place} for r in page.items]  # fmt: skip
    click.echo(render.table(rows))
    if page.next_cursor:
        click.echo(f"next: --cursor {page.next_cursor}")


@ledgers.command()
@click.argument("type_")
@click.argument("key")
@click.option("--as", "as_", required=True, metavar="PRINCIPAL")
@click.option("--reveal", multiple=True, metavar="KEY", help="A masked attribute to show.")
@click.option("--purpose", default=None, help="Why (required with --reveal; audited).")
@graph_option
def show(
    type_: str,
    key: str,
    as_: str,
    reveal: tuple[str, ...],
    purpose: str | None,
    graph_url: str | None,
) -> None:
    """One entity of TYPE with identity key (or ref) KEY, and its relations."""
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        found = entity_detail(store, catalog=catalog, principal=load_principal(store, as_),
                              type=type_, key=key, reveal=reveal, purpose=purpose)  # fmt: skip
    click.echo(f"{found.type} {found.key}")
    for name, value in found.properties.items():
        click.echo(f"  {name:<24}{render.cell(value)}")
    for group in found.relations:
        click.echo(f"{group.label.zh or group.relation} ({group.total})")
        for item in group.items:
            path = " > ".join(step.name for step in item.path)
            mark = "" if item.current else " [ended]"
            click.echo(f"  {item.type} {item.key} {item.name or ''}{mark} {path}".rstrip())


@ledgers.command()
@click.argument("type_")
@click.option("--as", "as_", required=True, metavar="PRINCIPAL")
@click.option("--within", metavar="CODE", help="Place to count under (default: jurisdiction).")
@click.option("--level", default=None, help="Roll up by level: 1–9 or street, community…")
@click.option("--by", default=None, help="Break down by an attribute or ageBand.")
@click.option("--filter", "filters", multiple=True, metavar="KEY:OP:VALUE")
@click.option("--purpose", default=None)
@graph_option
def stats(
    type_: str,
    as_: str,
    within: str | None,
    level: str | None,
    by: str | None,
    filters: tuple[str, ...],
    purpose: str | None,
    graph_url: str | None,
) -> None:
    """Counts of TYPE rolled up by place, optionally broken down by an attribute."""
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        result = ledger_stats(
            store, catalog=catalog, principal=load_principal(store, as_), type=type_,
            within=within, level=level, by=by, purpose=purpose,
            filters=[catalog.parse_filter(f) for f in filters],
        )  # fmt: skip
    small = f"<{result.suppressed_below}"
    rows = [{"code": b.code, "name": b.name, "count": _count(b.count, small),
             **{result.labels.get(k, k): _count(n, small) for k, n in b.breakdown.items()}}
            for b in result.buckets]  # fmt: skip
    if rows:
        click.echo(render.table(rows))
    total = _count(result.total, small)
    click.echo(f"total {result.type} under {result.code} {result.name}: {total}")
    if result.suppressed_below:
        click.echo(f"counts below {result.suppressed_below} are withheld (shown as {small})")


def _count(n: int | None, small: str) -> int | str:
    """A count, or the mark of a withheld one."""
    return small if n is None else n


@ledgers.command()
@click.argument("type_")
@view_options
@click.option("--format", "format_", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--reveal", multiple=True, metavar="KEY")
def export(
    type_: str,
    as_: str,
    within: str | None,
    filters: tuple[str, ...],
    q: str | None,
    created_by: str | None,
    sort: str | None,
    purpose: str | None,
    graph_url: str | None,
    format_: str,
    out: Path,
    reveal: tuple[str, ...],
) -> None:
    """Write the TYPE ledger view to a CSV or XLSX file (audited)."""
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        query = LedgerQuery(
            type=type_, within=within, filters=tuple(catalog.parse_filter(f) for f in filters),
            q=q, created_by=created_by, sort=sort, purpose=purpose,
        )  # fmt: skip
        file = export_ledger(store, catalog=catalog, principal=load_principal(store, as_),
                             query=query, format="xlsx" if format_ == "xlsx" else "csv",
                             reveal=reveal)  # fmt: skip
    out.write_bytes(file.content)
    click.echo(f"wrote {file.rows} rows to {out}")
