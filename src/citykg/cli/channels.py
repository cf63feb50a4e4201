"""``citykg channels …``: open, edit and manage service channels, list a resident's, file and
handle requests, as a principal of the graph (``--as``), through :mod:`citykg.channels`."""

from __future__ import annotations

from typing import Any, get_args

import click

from citykg import channels
from citykg.access import principal as load_principal
from citykg.channels import ChannelEdit, ChannelSpec, RequestIn
from citykg.cli import render
from citykg.cli.options import Document, JsonObject, build_settings, graph_option, opened_store
from citykg.ledgers import catalog_for
from citykg.ontology import load_ontology
from citykg.tasks.models import LevelName

AS = click.option("--as", "as_", required=True, metavar="PRINCIPAL", help="Act as him.")


@click.group("channels")
def channels_group() -> None:
    """Service channels (服务通道): open, list, request, handle, statistics."""


@channels_group.command()
@click.argument("spec_file", type=Document())
@AS
@graph_option
def create(spec_file: dict[str, Any], as_: str, graph_url: str | None) -> None:
    """Open a channel from SPEC_FILE (YAML or JSON: title, form, places, roles …)."""
    spec = ChannelSpec.model_validate(spec_file)
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        made = channels.create_channel(store, catalog=catalog, principal=load_principal(store, as_),
                                       spec=spec)  # fmt: skip
    click.echo(f"channel {made.id} ({made.title.zh}) open at {', '.join(made.places)}")


@channels_group.command("list")
@AS
@graph_option
def listing(as_: str, graph_url: str | None) -> None:
    """Channels in the principal's jurisdiction (an official) or offered where they live."""
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        who = load_principal(store, as_)
        if who.kind == "resident":
            rows = [{"channel": o.channel.id, "title": o.channel.title.zh,
                     "offered_at": o.offered_at, "remaining": o.remaining}
                    for o in channels.offered(store, catalog=catalog, principal=who)]  # fmt: skip
        else:
            rows = [{"channel": c.id, "title": c.title.zh, "places": ",".join(c.places),
                     "status": c.status, "limit": c.limit}
                    for c in channels.list_channels(store, principal=who)]  # fmt: skip
    click.echo(render.table(rows))


@channels_group.command()
@click.argument("channel_id")
@click.argument("edit_file", type=Document())
@AS
@graph_option
def edit(channel_id: str, edit_file: dict[str, Any], as_: str, graph_url: str | None) -> None:
    """Change CHANNEL_ID by EDIT_FILE (the fields given replace the stored ones; places stay)."""
    change = ChannelEdit.model_validate(edit_file)
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        view = channels.change_channel(store, catalog=catalog, principal=load_principal(store, as_),
                                       channel_id=channel_id, event="edit",
                                       edit=change)  # fmt: skip
    click.echo(f"channel {view.id} ({view.title.zh}): {view.status}, version {view.version}")


@channels_group.command("act")
@click.argument("channel_id")
@click.argument("event", type=click.Choice(["pause", "resume", "close"]))
@AS
@graph_option
def act(channel_id: str, event: str, as_: str, graph_url: str | None) -> None:
    """Pause, resume or close CHANNEL_ID."""
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        view = channels.change_channel(store, catalog=catalog, principal=load_principal(store, as_),
                                       channel_id=channel_id, event=event)  # fmt: skip
    click.echo(f"channel {view.id}: {view.status}")


@channels_group.command()
@click.argument("channel_id")
@click.argument("answers", type=JsonObject())
@AS
@graph_option
def request(channel_id: str, answers: dict[str, Any], as_: str, graph_url: str | None) -> None:
    """File a request to CHANNEL_ID with ANSWERS (a JSON object of the form's fields)."""
    settings = build_settings(graph_url)
    ontology = load_ontology(settings.ontology_dir)
    with opened_store(settings) as store:
        view = channels.request_service(store, ontology=ontology, catalog=catalog_for(ontology),
                                        principal=load_principal(store, as_),
                                        channel_id=channel_id,
                                        body=RequestIn(answers=answers))  # fmt: skip
    click.echo(f"request {view.id}: {view.state}, to {view.organization}/{view.role}")


@channels_group.command("queue")
@AS
@graph_option
def handlers_queue(as_: str, graph_url: str | None) -> None:
    """Requests routed to the principal's posts, oldest first."""
    with opened_store(build_settings(graph_url)) as store:
        found = channels.queue(store, principal=load_principal(store, as_))
    click.echo(render.table([{"request": r.id, "channel": r.channel, "place": r.place,
                              "state": r.state, "received": r.received_at}
                             for r in found]))  # fmt: skip


@channels_group.command("handle")
@click.argument("request_id")
@click.argument("event", type=click.Choice(["accept", "start", "reply", "finish", "decline"]))
@click.option("--text", default=None, help="The reply (reply, finish, decline need one).")
@AS
@graph_option
def handle(request_id: str, event: str, text: str | None, as_: str, graph_url: str | None) -> None:
    """Move REQUEST_ID on as its handling post."""
    with opened_store(build_settings(graph_url)) as store:
        view = channels.act_on_request(store, principal=load_principal(store, as_),
                                       request_id=request_id, event=event, text=text)  # fmt: skip
    click.echo(f"request {view.id}: {view.state}")


@channels_group.command()
@click.argument("channel_id")
@AS
@click.option(
    "--level", default="community", show_default=True, type=click.Choice(get_args(LevelName))
)
@graph_option
def stats(channel_id: str, as_: str, level: LevelName, graph_url: str | None) -> None:
    """Requests by state and place, median hours to the first reply and to done."""
    with opened_store(build_settings(graph_url)) as store:
        view = channels.channel_stats(
            store, principal=load_principal(store, as_), channel_id=channel_id, level=level
        )
    click.echo(render.as_json([view.model_dump()]))
