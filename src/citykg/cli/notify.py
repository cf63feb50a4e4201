"""``citykg notify …``: preview whom a notice reaches, send it, follow its read rates, re-send
to the unread, flush the outbox, read an inbox and mark read, as a principal of the graph
(``--as``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import click

from citykg import notifications
from citykg.access import principal as load_principal
from citykg.cli import render
from citykg.cli.options import Document, build_settings, graph_option, opened_store
from citykg.ledgers import catalog_for
from citykg.notifications import LogFile, NotificationSpec
from citykg.ontology import load_ontology
from citykg.tasks.models import LevelName

AS = click.option("--as", "as_", required=True, metavar="PRINCIPAL", help="Act as him.")


@click.group("notify")
def notify_group() -> None:
    """Notifications (通知下发): send, roll-ups, unread, re-send, outbox, inbox."""


@notify_group.command()
@click.argument("scope", nargs=-1, required=True)
@click.option("--filter", "filters", multiple=True, metavar="KEY:OP:VALUE",
              help="A ledger filter on the persons (repeatable).")  # fmt: skip
@AS
@graph_option
def preview(scope: tuple[str, ...], filters: tuple[str, ...], as_: str,
            graph_url: str | None) -> None:  # fmt: skip
    """How many a notice to SCOPE (place codes) would reach now; nothing is sent."""
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        reach = notifications.reach_count(store, catalog=catalog,
                                          principal=load_principal(store, as_), scope=scope,
                                          filters=filters)  # fmt: skip
    click.echo(render.table([p.model_dump() for p in reach.places]))
    click.echo(f"total: {reach.residents:,} residents")


@notify_group.command()
@click.argument("spec_file", type=Document())
@AS
@graph_option
def send(spec_file: dict[str, Any], as_: str, graph_url: str | None) -> None:
    """Send the notification of SPEC_FILE (YAML or JSON: title, body, scope …)."""
    spec = NotificationSpec.model_validate(spec_file)
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        done = notifications.send(store, catalog=catalog, principal=load_principal(store, as_),
                                  spec=spec)  # fmt: skip
    state = "replayed, nothing new" if done.replayed else f"{done.delivered:,} delivered"
    click.echo(f"notification {done.notification}: {state}, {done.recipients:,} recipients, "
               f"{done.seconds} s")  # fmt: skip


@notify_group.command()
@click.argument("notification_id")
@AS
@click.option(
    "--level", default="building", show_default=True, type=click.Choice(get_args(LevelName))
)
@graph_option
def rollup(notification_id: str, as_: str, level: LevelName, graph_url: str | None) -> None:
    """Delivered, read, unread and confirmed per place of LEVEL."""
    with opened_store(build_settings(graph_url)) as store:
        view = notifications.rollup(store, principal=load_principal(store, as_),
                                    notification_id=notification_id,
                                    level=level)  # fmt: skip
    click.echo(render.table([p.model_dump() for p in view.places]))
    click.echo(f"total: {view.delivered} delivered, {view.read} read, {view.unread} unread, "
               f"{view.confirmed} confirmed")  # fmt: skip


@notify_group.command()
@click.argument("notification_id")
@AS
@click.option("--limit", default=50, show_default=True)
@graph_option
def unread(notification_id: str, as_: str, limit: int, graph_url: str | None) -> None:
    """Recipients who have not read it (masked)."""
    with opened_store(build_settings(graph_url)) as store:
        rows = notifications.unread(store, principal=load_principal(store, as_),
                                    notification_id=notification_id, limit=limit)  # fmt: skip
    click.echo(render.table([r.model_dump() for r in rows]))


@notify_group.command()
@click.argument("notification_id")
@AS
@graph_option
def resend(notification_id: str, as_: str, graph_url: str | None) -> None:
    """A new attempt to the unread only."""
    with opened_store(build_settings(graph_url)) as store:
        done = notifications.resend(store, principal=load_principal(store, as_),
                                    notification_id=notification_id)  # fmt: skip
    click.echo(f"attempt {done.attempt}: {done.reached:,} unread recipients")


@notify_group.command()
@click.option(
    "--log",
    "log_path",
    default="outbound.jsonl",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The log channel's file.",
)
@graph_option
def flush(log_path: Path, graph_url: str | None) -> None:
    """Hand due outbox entries to the outbound channels (failures kept, retried later)."""
    with opened_store(build_settings(graph_url)) as store:
        report = notifications.flush(store, outbound=notifications.registry(LogFile(log_path)))
    click.echo(f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed")
    for failure in report.failures:
        click.echo(f"  {failure.channel} {failure.person}: {failure.error}", err=True)


@notify_group.command()
@AS
@click.option("--since", default="", help="The cursor of the last answer.")
@graph_option
def inbox(as_: str, since: str, graph_url: str | None) -> None:
    """The principal's messages after --since."""
    with opened_store(build_settings(graph_url)) as store:
        box = notifications.inbox(store, principal=load_principal(store, as_), since=since)
    click.echo(render.table([{"notification": m.notification, "title": m.title.zh,
                              "priority": m.priority, "read": m.read_at or ""}
                             for m in box.messages]))  # fmt: skip
    click.echo(f"next: {box.next}")


@notify_group.command()
@click.argument("notification_id")
@AS
@click.option("--confirm", is_flag=True, help="Confirm (回执) a notice that asks for it.")
@graph_option
def read(notification_id: str, as_: str, confirm: bool, graph_url: str | None) -> None:
    """Mark NOTIFICATION_ID read in the principal's inbox (and confirmed, with --confirm)."""
    with opened_store(build_settings(graph_url)) as store:
        receipt = notifications.mark(store, principal=load_principal(store, as_),
                                     notification_id=notification_id, confirm=confirm)  # fmt: skip
    confirmed = f", confirmed {receipt.confirmed_at}" if receipt.confirmed_at else ""
    click.echo(f"notification {receipt.notification}: read {receipt.read_at}{confirmed}")
