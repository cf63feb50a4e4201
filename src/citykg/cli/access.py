"""``citykg access …``: who can do what, who can see an entity, and the audit log."""

from __future__ import annotations

import click
from pydantic import BaseModel

from citykg.access import Principal
from citykg.access.audit import recent
from citykg.access.explain import (
    explain_organization,
    explain_person,
    explain_principal,
    explain_role,
    explain_route,
    explain_tag,
    who_can_see,
)
from citykg.cli import render
from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.geo import PlaceScope
from citykg.ledgers import catalog_for
from citykg.ontology import load_ontology

OPERATOR = Principal(
    id="cli", kind="steward", name="citykg CLI", roles=frozenset({"steward"}),
    scope=PlaceScope.everywhere(),
)  # fmt: skip
"""The CLI explains as a steward who may see every place (an operator's tool)."""


@click.group()
def access() -> None:
    """Who can do what: principals, persons, organizations, roles, tags, entities; audit."""


@access.command()
@click.option("--principal", "principal_id", metavar="ID", help="A principal.")
@click.option("--person", metavar="ID_NUMBER", help="A person (through the posts they hold).")
@click.option("--org", metavar="CREDIT_CODE", help="An organization.")
@click.option("--role", metavar="CODE", help="A role code or pattern (SQ05, SQ0*).")
@click.option("--tag", metavar="TAG", help="A post tag (health, civil-affairs…).")
@click.option("--entity", metavar="TYPE:KEY", help="Who may see this entity.")
@click.option("--route", metavar="'METHOD /path'",
              help="May --principal call this route (and reach --entity)?")  # fmt: skip
@graph_option
def explain(
    principal_id: str | None,
    person: str | None,
    org: str | None,
    role: str | None,
    tag: str | None,
    entity: str | None,
    route: str | None,
    graph_url: str | None,
) -> None:
    """Explain what one subject may see and do (give exactly one option; --route goes with
    --principal and optionally --entity), as JSON."""
    given = [v for v in (principal_id, person, org, role, tag, entity) if v]
    if route is None and len(given) != 1:
        raise click.UsageError("give exactly one of --principal, --person, --org, --role, "
                               "--tag, --entity")  # fmt: skip
    if route is not None and (principal_id is None or person or org or role or tag):
        raise click.UsageError("--route goes with --principal (and optionally --entity)")
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        answer: BaseModel
        if route is not None and principal_id is not None:
            type_, _, key = (entity or "").partition(":")
            answer = explain_route(store, explainer=OPERATOR, route=route, catalog=catalog,
                                   principal_id=principal_id,
                                   entity=(type_, key) if entity else None)  # fmt: skip
        elif principal_id:
            answer = explain_principal(store, explainer=OPERATOR, principal_id=principal_id)
        elif person:
            answer = explain_person(store, explainer=OPERATOR, person=person)
        elif org:
            answer = explain_organization(store, explainer=OPERATOR, credit_code=org)
        elif role:
            answer = explain_role(store, explainer=OPERATOR, role=role)
        elif tag:
            answer = explain_tag(store, explainer=OPERATOR, tag=tag, catalog=catalog)
        else:
            type_, _, key = (entity or "").partition(":")
            answer = who_can_see(store, explainer=OPERATOR, catalog=catalog, type=type_, key=key)
    click.echo(answer.model_dump_json(indent=2))


@access.command()
@click.option("--of", "principal_id", default=None, metavar="ID", help="Only this principal.")
@click.option("--limit", default=50, show_default=True)
@graph_option
def audit(principal_id: str | None, limit: int, graph_url: str | None) -> None:
    """The newest audit records: who read or revealed what, when and why."""
    with opened_store(build_settings(graph_url)) as store:
        rows = recent(store, limit=limit, principal_id=principal_id)
    click.echo(render.table(rows))
