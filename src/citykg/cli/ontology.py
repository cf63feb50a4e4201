"""``citykg ontology …``: the schema stewards' commands."""

from __future__ import annotations

import click


@click.group()
def ontology() -> None:
    """Validate, count, diff and document the City Knowledge System."""
