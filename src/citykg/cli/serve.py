"""``citykg serve`` and ``citykg demo``: run the API (``citykg demo generate`` is a subcommand)."""

from __future__ import annotations

import os
import secrets

import click
import uvicorn

from citykg.access.tokens import set_password
from citykg.analysis import opened_analysis
from citykg.api.app import create_app
from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.demo import prepare_demo
from citykg.settings import Settings


@click.command()
@click.option("--host", default=None, help="Interface to bind (default $CITYKG_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default $CITYKG_PORT, 8000).")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="API processes sharing the port and one graph engine (see docs/scaling.md).",
)
@graph_option
def serve(host: str | None, port: int | None, workers: int, graph_url: str | None) -> None:
    """Serve the API on the configured graph."""
    settings = build_settings(graph_url)
    with opened_store(settings) as store, opened_analysis(settings, store) as analysis:
        host, port = host or settings.host, port or settings.port
        if workers == 1:
            _run(create_app(settings, store=store, analysis=analysis), host, port)
            return
        with analysis.syncing():
            _run_workers(settings, host, port, workers)


@click.group(invoke_without_command=True)
@click.option("--host", default=None, help="Interface to bind (default $CITYKG_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default $CITYKG_PORT, 8000).")
@click.option("--no-serve", is_flag=True, help="Prepare the demo graph and exit.")
@graph_option
@click.pass_context
def demo(
    ctx: click.Context, host: str | None, port: int | None, no_serve: bool, graph_url: str | None
) -> None:
    """Migrate the graph, load the demo city if the graph is empty, and serve the API.

    With a subcommand (citykg demo generate ...) only the subcommand runs.
    """
    if ctx.invoked_subcommand is not None:
        if no_serve or any(v is not None for v in (host, port, graph_url)):  # else ignored
            raise click.UsageError(
                f"options go after the subcommand: citykg demo {ctx.invoked_subcommand} --graph …"
            )
        return
    settings = build_settings(graph_url)
    with opened_store(settings) as store, opened_analysis(settings, store) as analysis:
        city = prepare_demo(store, settings=settings)
        if city.loaded:
            click.echo(
                f"demo city loaded: {city.loaded.places} places, {city.loaded.persons} persons, "
                f"{city.loaded.organizations} organizations"
            )
        else:
            click.echo("graph already holds a city; serving it as it is")
        host, port = host or settings.host, port or settings.port
        click.echo(f"sign in: http://{host}:{port}/ as a username below with its password, "
                   "or with its token")  # fmt: skip
        for principal_id, token in city.tokens.items():
            password = secrets.token_urlsafe(9)  # new each run: the demo may be reachable
            set_password(store, principal_id=principal_id, password=password)
            click.echo(f"token for {principal_id:<9} {token}")
            click.echo(f"password  {principal_id:<9} {password}")
        copied = analysis.refresh()
        click.echo(f"analysts' copy: {copied.entities:,} entities, de-identified, "
                   f"in its own engine ({copied.seconds:.1f} s)")  # fmt: skip
        click.echo(f'try:     curl -H "Authorization: Bearer <token>" http://{host}:{port}/me')
        if not no_serve:
            _run(create_app(settings, store=store, analysis=analysis), host, port)


def _run(app: object, host: str, port: int) -> None:
    _addresses(host, port)
    uvicorn.run(app, host=host, port=port, log_level="info")  # type: ignore[arg-type]


WORKER_START_S = 60
"""How long a worker may take to answer uvicorn's health check: starting one (imports, the
ontology, joining the engine) takes seconds on a busy machine, and at uvicorn's default 5 s a
worker was killed while still starting."""


def _run_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """``workers`` API processes on one port. This process keeps the graph engine (an embedded
    one is joined by each worker) and the analysts' copy in sync; the workers get its settings
    through the environment, with one secret, so a ref or session made by one opens in all."""
    for name, value in settings.model_dump(exclude_none=True).items():
        os.environ[f"CITYKG_{name.upper()}"] = str(value)
    os.environ.setdefault("CITYKG_SECRET", secrets.token_urlsafe(32))
    _addresses(host, port)
    click.echo(f"workers: {workers} API processes")
    uvicorn.run("citykg.api.app:worker_app", factory=True, host=host, port=port,
                workers=workers, log_level="info",
                timeout_worker_healthcheck=WORKER_START_S)  # fmt: skip


def _addresses(host: str, port: int) -> None:
    click.echo(f"console: http://{host}:{port}/")
    click.echo(f"docs:    http://{host}:{port}/docs")
    click.echo(f"health:  http://{host}:{port}/health")
