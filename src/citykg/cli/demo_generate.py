"""``citykg demo generate`` (also ``citykg generate``): a generated demo city of N persons into a
graph, with its write rates and peak memory."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import click

from citykg.analysis import opened_analysis
from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.demo.fixture import is_empty
from citykg.demo.generate import generate_city
from citykg.errors import Conflict
from citykg.graph import GraphStore, engine_pid
from citykg.ontology import load_ontology
from citykg.upgrade import upgrade_graph


@click.command()
@click.option("--persons", default=10_000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option(
    "--district", default="110105", show_default=True, help="A district code of the shipped slice."
)
@graph_option
def generate(persons: int, seed: int, district: str, graph_url: str | None) -> None:
    """Generate a realistic demo city into an empty graph and report its write rates."""
    settings = build_settings(graph_url)
    with opened_store(settings) as store:
        upgrade_graph(store, settings=settings)
        if not is_empty(store):
            raise Conflict("the graph already holds a city; generate into an empty graph")
        started = time.perf_counter()
        with click.progressbar(length=persons, label="persons", show_pos=True) as bar:

            def progress(kind: str, n: int) -> None:
                if kind == "persons":
                    bar.update(n)

            city = generate_city(
                store,
                ontology=load_ontology(settings.ontology_dir),
                persons=persons,
                seed=seed,
                district=district,
                progress=progress,
            )
        seconds = time.perf_counter() - started
        server = _server_peak_mib(store)
        with opened_analysis(settings, store) as analysis:
            copied = analysis.refresh()
    entities, relations, people = city.entities, city.relation_count, city.nodes["Person"]
    click.echo(f"district {city.district}: {people:,} persons, {entities:,} entities, "
               f"{relations:,} relations in {seconds:.1f} s")  # fmt: skip
    click.echo(f"entities/s:  {entities / seconds:,.0f}")
    click.echo(f"relations/s: {relations / seconds:,.0f}")
    click.echo(f"peak memory: {_peak_mib():,.0f} MiB (this process)")
    if server is not None:
        click.echo(f"peak memory, graph server: {server:,.0f} MiB (the embedded FalkorDB server)")
    click.echo(f"analysts' copy: {copied.entities:,} entities, {copied.relationships:,} "
               f"relationships in {copied.seconds:.1f} s")  # fmt: skip


def _peak_mib() -> float:
    """Peak resident set size of this process; ``ru_maxrss`` is KiB on Linux, bytes on macOS."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _server_peak_mib(store: GraphStore) -> float | None:
    """Peak resident set size of the embedded server (Linux ``VmHWM``), read while it runs: it
    holds the graph, so it is most of the memory at scale. None for a remote graph."""
    pid = engine_pid(store)
    try:
        status = Path(f"/proc/{pid}/status").read_text() if pid else ""
    except OSError:
        return None
    peak = next(
        (line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), None
    )
    return int(peak) / 1024 if peak else None
