"""The ``citykg`` command: a thin layer over the library (one group per area)."""

from __future__ import annotations

import click

from citykg.cli.ontology import ontology


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="citykg")
def main() -> None:
    """citykg: the city knowledge graph and its applications."""


main.add_command(ontology)
