"""The ``citykg`` command: a thin layer over the library (one module per group of commands).

Errors from the library become exit codes here and nowhere else:
1 invalid input or ontology, 2 bad configuration, 3 graph unavailable, 4 query rejected,
5 forbidden, 6 not found or conflict.
"""

from __future__ import annotations

import sys

import click
import pydantic

from citykg.cli.access import access
from citykg.cli.analysis import analysis
from citykg.cli.channels import channels_group
from citykg.cli.controls import controls
from citykg.cli.data_key import data_key
from citykg.cli.demo_generate import generate
from citykg.cli.events import events_group
from citykg.cli.geo import geo
from citykg.cli.graph import compact, cypher, migrate, status
from citykg.cli.ledgers import ledgers
from citykg.cli.notify import notify_group
from citykg.cli.ontology import ontology
from citykg.cli.serve import demo, serve
from citykg.cli.tasks import tasks_group
from citykg.cli.users import users
from citykg.errors import (
    CityKGError,
    ConfigError,
    Conflict,
    Forbidden,
    GraphUnavailable,
    NotFound,
    QueryError,
    ValidationFailed,
)

EXIT_CODES: dict[type[CityKGError], int] = {
    ValidationFailed: 1,
    ConfigError: 2,
    GraphUnavailable: 3,
    QueryError: 4,
    Forbidden: 5,
    NotFound: 6,
    Conflict: 6,
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="citykg")
def cli() -> None:
    """citykg: the city knowledge graph and its applications."""


for command in (status, cypher, migrate, compact, serve, demo, ontology, users, geo, controls,
                ledgers, access, analysis, generate, data_key):  # fmt: skip
    cli.add_command(command)
cli.add_command(tasks_group)
cli.add_command(channels_group)
cli.add_command(notify_group)
cli.add_command(events_group)
demo.add_command(generate)  # ``citykg demo generate``; ``citykg generate`` is the same command


def main() -> None:
    """Entry point: run the CLI, turning library errors into a one-line message and exit code."""
    try:
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and not isinstance(code, bool) and code:
            sys.exit(code)  # a command's Exit(n): click returns its code here instead of raising
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except pydantic.ValidationError as exc:  # an option or file the models refuse
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "input"
            click.echo(f"error: {field}: {error['msg']}", err=True)
        sys.exit(1)
    except CityKGError as exc:
        click.echo(f"error: {exc}", err=True)
        code = next((c for kind, c in EXIT_CODES.items() if isinstance(exc, kind)), 1)
        sys.exit(code)
