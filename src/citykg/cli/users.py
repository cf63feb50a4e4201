"""``citykg users …``: principals and their API tokens."""

from __future__ import annotations

import click

from citykg.access import issue_token, principal, revoke_tokens, save_principal
from citykg.access.masking import mask
from citykg.access.principals import KINDS
from citykg.access.tokens import set_password
from citykg.cli.options import build_settings, graph_option, opened_store


@click.group()
def users() -> None:
    """Create principals, issue and revoke API tokens, set passwords, show what a principal is."""


@users.command("add")
@click.argument("principal_id")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--name", required=True, help="Display name.")
@click.option("--person", default=None, help="idNumber of the Person this principal acts as.")
@click.option("--role", "roles", multiple=True, help="A role (officials get theirs from posts).")
@click.option("--token", "with_token", is_flag=True, help="Also issue an API token and print it.")
@graph_option
def add(
    principal_id: str,
    kind: str,
    name: str,
    person: str | None,
    roles: tuple[str, ...],
    with_token: bool,
    graph_url: str | None,
) -> None:
    """Create or update PRINCIPAL_ID."""
    with opened_store(build_settings(graph_url)) as store:
        save_principal(store, id=principal_id, kind=kind, name=name, person=person, roles=roles)
        click.echo(f"saved {kind} {principal_id}")
        if with_token:
            click.echo(issue_token(store, principal_id=principal_id, label="cli"))


@users.command("token")
@click.argument("principal_id")
@click.option("--label", default="cli", help="What the token is for.")
@graph_option
def token(principal_id: str, label: str, graph_url: str | None) -> None:
    """Issue a new API token for PRINCIPAL_ID (printed once; only its hash is stored)."""
    with opened_store(build_settings(graph_url)) as store:
        click.echo(issue_token(store, principal_id=principal_id, label=label))


@users.command("password")
@click.argument("principal_id")
@click.password_option(help="The new password (asked twice when not given).")
@graph_option
def password(principal_id: str, password: str, graph_url: str | None) -> None:
    """Set the web console password of PRINCIPAL_ID (stored as an argon2 hash)."""
    with opened_store(build_settings(graph_url)) as store:
        set_password(store, principal_id=principal_id, password=password)
    click.echo(f"password set for {principal_id}")


@users.command("revoke")
@click.argument("principal_id")
@graph_option
def revoke(principal_id: str, graph_url: str | None) -> None:
    """Revoke every token of PRINCIPAL_ID."""
    with opened_store(build_settings(graph_url)) as store:
        click.echo(f"revoked {revoke_tokens(store, principal_id=principal_id)} token(s)")


@users.command("show")
@click.argument("principal_id")
@graph_option
def show(principal_id: str, graph_url: str | None) -> None:
    """Kind, person, roles, tags, current posts and place scope of PRINCIPAL_ID."""
    with opened_store(build_settings(graph_url)) as store:
        who = principal(store, principal_id)
    click.echo(f"{who}\nperson: {mask(who.person) if who.person else '-'}")
    click.echo(f"roles:  {', '.join(sorted(who.roles)) or '-'}")
    click.echo(f"tags:   {', '.join(sorted(who.tags)) or '-'}")
    for post in who.posts:
        click.echo(f"post:   {post.role or '?'} in {post.organization}")
    click.echo(f"scope:  {who.scope}")
