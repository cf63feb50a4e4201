"""``citykg tasks …``: create, dispatch, follow and act on tasks, as a principal of the graph.

The commands act ``--as`` a principal (``citykg users add``) through :mod:`citykg.tasks`, so
posts, scope and the policy are exactly those of the API.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import yaml

from citykg import tasks
from citykg.access import principal as load_principal
from citykg.cli import render
from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.ledgers import catalog_for
from citykg.ontology import load_ontology
from citykg.tasks.listing import cursor
from citykg.tasks.models import DispatchPreview, ItemSelection, TaskSpec

AS = click.option("--as", "as_", required=True, metavar="PRINCIPAL", help="Act as him.")


@click.group("tasks")
def tasks_group() -> None:
    """Tasks (任务): create, dispatch down the place tree, execute, follow progress."""


@tasks_group.command()
@click.argument("spec_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AS
@click.option("--dispatch", "then_dispatch", is_flag=True, help="Dispatch it at once.")
@graph_option
def create(spec_file: Path, as_: str, then_dispatch: bool, graph_url: str | None) -> None:
    """Create a task from SPEC_FILE (YAML or JSON: title, form, scope, split, deadline…)."""
    spec = TaskSpec.model_validate(yaml.safe_load(spec_file.read_text("utf-8")))
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        who = load_principal(store, as_)
        task = tasks.create_task(store, catalog=catalog, principal=who, spec=spec)
        click.echo(f"task {task.id} ({task.title.zh}) created")
        if then_dispatch:
            done = tasks.dispatch(store, catalog=catalog, principal=who, task_id=task.id)
            click.echo(f"dispatched: {done.parts} parts, {done.items} items in {done.seconds} s")


@tasks_group.command()
@click.argument("task_id")
@AS
@click.option("--preview", is_flag=True, help="Only tell what it would make; write nothing.")
@graph_option
def dispatch(task_id: str, as_: str, preview: bool, graph_url: str | None) -> None:
    """Split and dispatch TASK_ID's whole tree (repeating it creates nothing twice)."""
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        who = load_principal(store, as_)
        if preview:
            _echo_preview(tasks.preview_dispatch(store, catalog=catalog, principal=who,
                                                 task_id=task_id))  # fmt: skip
            return
        done = tasks.dispatch(store, catalog=catalog, principal=who, task_id=task_id)
    click.echo(f"{done.parts} parts ({done.parts_created} new), {done.items} items "
               f"({done.items_created} new) in {done.seconds} s")  # fmt: skip


def _echo_preview(seen: DispatchPreview) -> None:
    levels = ", ".join(f"{level} {n}" for level, n in seen.parts_by_level.items())
    click.echo(f"would make {seen.parts} parts ({levels}; {seen.parts_new} new), "
               f"{seen.items} items ({seen.items_new} new); nothing written")  # fmt: skip
    if seen.unanswered:
        click.echo(f"{len(seen.unanswered)} units whose post nobody holds now:")
        click.echo(render.table([u.model_dump() for u in seen.unanswered]))


@tasks_group.command("list")
@AS
@click.option("--before", default="", metavar="CURSOR", help="The next page: after this task.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@graph_option
def list_(as_: str, before: str, limit: int, as_json: bool, graph_url: str | None) -> None:
    """The tasks the principal follows, newest first: created through its posts, or reaching
    its jurisdiction. The last column is the cursor of the next page (``--before``)."""
    with opened_store(build_settings(graph_url)) as store:
        found = tasks.followed(store, principal=load_principal(store, as_), before=before,
                               limit=limit)  # fmt: skip
    rows = [{"task": t.id, "title": t.title.zh or t.title.en, "state": t.state,
             "scope": " ".join(t.scope), "deadline": t.deadline, "created_by": t.created_by,
             "cursor": cursor(t)} for t in found]  # fmt: skip
    click.echo(render.as_json(rows) if as_json else render.table(rows))


@tasks_group.command()
@AS
@click.option("--state", "states", multiple=True, help="Only items in this state.")
@click.option("--limit", default=50, show_default=True)
@graph_option
def mine(as_: str, states: tuple[str, ...], limit: int, graph_url: str | None) -> None:
    """Items assigned to a post the principal holds now."""
    with opened_store(build_settings(graph_url)) as store:
        found = tasks.mine(store, principal=load_principal(store, as_), states=states,
                           limit=limit)  # fmt: skip
    rows = [{"item": i.id, "task": i.task, "place": i.place, "state": i.state, "due": i.due,
             "allowed": ",".join(i.allowed)} for i in found]  # fmt: skip
    click.echo(render.table(rows))


@tasks_group.command()
@click.argument("item_id")
@click.argument("event")
@AS
@click.option("--reason", default=None, help="Why (a reason code for return_invalid).")
@graph_option
def act(item_id: str, event: str, as_: str, reason: str | None, graph_url: str | None) -> None:
    """Send EVENT (start, approve, request_redo, return_invalid) to ITEM_ID."""
    with opened_store(build_settings(graph_url)) as store:
        view = tasks.act(store, principal=load_principal(store, as_), item_id=item_id,
                         event=event, reason=reason)  # fmt: skip
    click.echo(f"{view.id}: {view.state}")


@tasks_group.command("return")
@click.argument("task_id")
@AS
@click.option("--within", default=None, metavar="CODE", help="Only items under this place.")
@click.option("--reason", required=True, help="wrong_address, moved_away, duplicate, not_ours")
@graph_option
def return_(task_id: str, as_: str, within: str | None, reason: str, graph_url: str | None) -> None:
    """Return every item the filter selects as invalid (无效批量退回)."""
    with opened_store(build_settings(graph_url)) as store:
        done = tasks.act_many(store, principal=load_principal(store, as_), task_id=task_id,
                              selection=ItemSelection(within=within), event="return_invalid",
                              reason=reason)  # fmt: skip
    click.echo(f"{done.moved} of {done.selected} returned ({done.conflicts} conflicts, "
               f"{done.refused} not yours)")  # fmt: skip


@tasks_group.command()
@click.argument("task_id")
@AS
@click.option("--level", default=None, help="Only nodes of this level (street, community…).")
@click.option("--json", "as_json", is_flag=True)
@graph_option
def progress(
    task_id: str, as_: str, level: str | None, as_json: bool, graph_url: str | None
) -> None:
    """Live progress at every node the principal may see."""
    with opened_store(build_settings(graph_url)) as store:
        view = tasks.progress(store, principal=load_principal(store, as_), task_id=task_id)
    rows = [
        {"place": n.place, "name": n.name, "level": n.level, "expected": n.expected,
         "done": n.done, "on_time": n.on_time, "overdue": n.overdue, "returned": n.returned,
         "completion": n.completion_rate, "timeliness": n.on_time_rate, "reported": n.reported}
        for n in view.nodes if level is None or n.level == level
    ]  # fmt: skip
    click.echo(render.as_json(rows) if as_json else render.table(rows))


@tasks_group.command()
@click.argument("task_id")
@AS
@graph_option
def bottlenecks(task_id: str, as_: str, graph_url: str | None) -> None:
    """Time per stage and level (median, p90) and the overdue units (堵点)."""
    with opened_store(build_settings(graph_url)) as store:
        found = tasks.bottlenecks(store, principal=load_principal(store, as_), task_id=task_id)
    click.echo(render.table([s.model_dump() for s in found.stages]))
    late = [{"place": n.place, "name": n.name, "overdue": n.overdue,
             "completion": n.completion_rate} for n in found.overdue[:20]]  # fmt: skip
    click.echo(render.table(late))


@tasks_group.command()
@click.argument("task_id")
@AS
@click.option("--level", required=True, help="street, community…")
@click.option("--attribute", required=True, help="A property key of the items' subjects.")
@click.option("--purpose", default=None, help="Why (audited for a masked attribute).")
@graph_option
def answers(
    task_id: str, as_: str, level: str, attribute: str, purpose: str | None,
    graph_url: str | None,
) -> None:  # fmt: skip
    """The done items' answers counted per place of LEVEL (e.g. care needs by community)."""
    settings = build_settings(graph_url)
    catalog = catalog_for(load_ontology(settings.ontology_dir))
    with opened_store(settings) as store:
        counted = tasks.answers_by_level(store, catalog=catalog, task_id=task_id, level=level,
                                         principal=load_principal(store, as_),
                                         attribute=attribute, purpose=purpose)  # fmt: skip
    click.echo(render.table([a.model_dump() for a in counted]))


@tasks_group.command()
@click.argument("task_id")
@AS
@click.option("--format", "format_", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@graph_option
def export(task_id: str, as_: str, format_: str, out: Path, graph_url: str | None) -> None:
    """Write the progress of the nodes the principal may see to a CSV or XLSX file."""
    with opened_store(build_settings(graph_url)) as store:
        done = tasks.export_progress(store, principal=load_principal(store, as_),
                                     task_id=task_id, format=format_)  # fmt: skip
    out.write_bytes(done.content)
    click.echo(f"{done.rows} rows written to {out}")


@tasks_group.command()
@click.argument("task_id")
@AS
@graph_option
def verify(task_id: str, as_: str, graph_url: str | None) -> None:
    """Check that every node's counters equal a direct count of its items' states."""
    with opened_store(build_settings(graph_url)) as store:
        view = tasks.progress(store, principal=load_principal(store, as_), task_id=task_id)
        direct = tasks.direct_counts(store, task_id=task_id)
    below: dict[str, dict[str, int]] = {}
    for node in sorted(view.nodes, key=lambda n: -len(n.place)):
        own = direct.get(node.part, {})
        expect = {s: own.get(s, 0) + below.get(node.part, {}).get(s, 0) for s in node.counts}
        if expect != node.counts:
            raise click.ClickException(f"{node.place}: counters {node.counts} != items {expect}")
        if node.parent:
            up = below.setdefault(node.parent, {})
            for s, n in node.counts.items():
                up[s] = up.get(s, 0) + n
    click.echo(f"{len(view.nodes)} nodes: counters equal the items' states "
               f"({datetime.now().isoformat(timespec='seconds')})")  # fmt: skip
