"""``citykg events …``: report, list, follow and handle cases (事件) as a principal of the
graph (``--as``), through the same :mod:`citykg.events` functions as the ``/events`` routes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import yaml
from pydantic import BaseModel

from citykg import events
from citykg.access import principal as load_principal
from citykg.cli import render
from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.events import Action, EventView, Report
from citykg.events.fieldwork import task_for_event, tasks_of_event
from citykg.events.kpi import departments, kpis
from citykg.ledgers import catalog_for
from citykg.ontology import load_ontology
from citykg.tasks.models import TaskSpec

AS = click.option("--as", "as_", required=True, metavar="PRINCIPAL", help="Act as him.")
AS_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


@click.group("events")
def events_group() -> None:
    """Events (事件): report, list, show, act, merge, reopen, rate, field tasks, KPIs."""


def _row(view: EventView) -> dict[str, Any]:
    return {"event": view.id, "state": view.state, "category": view.category,
            "place": view.place or "", "department": view.department_name or "",
            "title": view.title}  # fmt: skip


def _dump(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif isinstance(value, list):
        value = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    return json.dumps(value, ensure_ascii=False, indent=2)


@events_group.command()
@click.argument("description")
@click.option("--category", help="A code of code:EventCategory (else proposed from the text).")
@click.option("--place", help="A place code, if known (else located from the text).")
@click.option("--address", help="An address in free text.")
@click.option("--urgency", default="3", show_default=True, help="1 (most urgent) … 4.")
@AS
@AS_JSON
@graph_option
def report(description: str, category: str | None, place: str | None, address: str | None,
           urgency: str, as_: str, as_json: bool, graph_url: str | None) -> None:  # fmt: skip
    """Report a case: located, classified, routed, with duplicate candidates."""
    fields = {"description": description, "category": category, "place": place,
              "address": address, "urgency": urgency}  # fmt: skip
    body = Report.model_validate(fields)
    settings = build_settings(graph_url)
    ontology = load_ontology(settings.ontology_dir)
    with opened_store(settings) as store:
        taken = events.report(store, ontology=ontology, principal=load_principal(store, as_),
                              report=body, at=datetime.now(UTC))  # fmt: skip
    if as_json:
        click.echo(_dump(taken))
        return
    view = taken.event
    click.echo(f"event {view.id} ({view.state}) at {view.place or '?'} "
               f"-> {view.department_name or 'not routed'}")  # fmt: skip
    for candidate in taken.candidates:
        click.echo(f"  may duplicate {candidate.model_dump(mode='json')}")


@events_group.command("list")
@click.option("--state", multiple=True, help="Only cases in this state (repeatable).")
@click.option("--overdue", is_flag=True, help="Only cases past their deadline.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 500))
@AS
@AS_JSON
@graph_option
def listing(state: tuple[str, ...], overdue: bool, limit: int, as_: str, as_json: bool,
            graph_url: str | None) -> None:  # fmt: skip
    """The principal's queue (an official) or own reports (a resident)."""
    with opened_store(build_settings(graph_url)) as store:
        rows = events.queue(store, load_principal(store, as_), now=datetime.now(UTC),
                            states=list(state), overdue=overdue, skip=0, limit=limit)  # fmt: skip
    click.echo(_dump(rows) if as_json else render.table([_row(v) for v in rows]))


@events_group.command()
@click.argument("event_id")
@AS
@AS_JSON
@graph_option
def show(event_id: str, as_: str, as_json: bool, graph_url: str | None) -> None:
    """One case and its stage history."""
    with opened_store(build_settings(graph_url)) as store:
        view, timeline = events.detail(store, load_principal(store, as_), event_id,
                                       now=datetime.now(UTC))  # fmt: skip
    if as_json:
        click.echo(_dump({"event": view.model_dump(mode="json"), "timeline": timeline}))
        return
    click.echo(f"{view.id}  {view.title}\nstate: {view.state}  stage: {view.stage}  "
               f"place: {view.place or '?'}  department: {view.department_name or '-'}\n"
               f"may now: {', '.join(view.actions) or '-'}")  # fmt: skip
    click.echo(render.table([{k: v for k, v in step.items() if v is not None}
                             for step in timeline]))  # fmt: skip


def _act(event_id: str, action: Action, as_: str, as_json: bool, graph_url: str | None) -> None:
    with opened_store(build_settings(graph_url)) as store:
        view = events.act(store, principal=load_principal(store, as_), event_id=event_id,
                          action=action, at=datetime.now(UTC))  # fmt: skip
    click.echo(_dump(view) if as_json else f"event {view.id}: {view.state}")


@events_group.command()
@click.argument("event_id")
@click.argument("event")
@click.option("--reason", help="Why (required by some steps: return, send back, reopen …).")
@click.option("--note", help="A note kept with the step.")
@click.option("--reply", help="reply: the answer to the reporter.")
@click.option("--department", help="redispatch: the organization (credit code).")
@click.option("--role", help="redispatch: the post role.")
@click.option("--closure", help="close: how it ended (resolved, …).")
@AS
@AS_JSON
@graph_option
def act(event_id: str, event: str, reason: str | None, note: str | None, reply: str | None,
        department: str | None, role: str | None, closure: str | None, as_: str,
        as_json: bool, graph_url: str | None) -> None:  # fmt: skip
    """Send EVENT (dispatch, sign, reply, close, supervise …) to EVENT_ID."""
    action = Action.model_validate({"event": event, "reason": reason, "note": note, "reply": reply,
                                    "department": department, "role": role,
                                    "closure": closure})  # fmt: skip
    _act(event_id, action, as_, as_json, graph_url)


@events_group.command()
@click.argument("event_id")
@click.argument("master")
@AS
@AS_JSON
@graph_option
def merge(event_id: str, master: str, as_: str, as_json: bool, graph_url: str | None) -> None:
    """Confirm EVENT_ID duplicates MASTER: it hangs under it, its reporters follow."""
    _act(event_id, Action(event="merge", master=master), as_, as_json, graph_url)


@events_group.command()
@click.argument("event_id")
@click.option("--reason", required=True, help="Why the case is reopened.")
@AS
@AS_JSON
@graph_option
def reopen(event_id: str, reason: str, as_: str, as_json: bool, graph_url: str | None) -> None:
    """The reporter reopens a closed case within the allowed days."""
    _act(event_id, Action(event="reopen", reason=reason), as_, as_json, graph_url)


@events_group.command()
@click.argument("event_id")
@click.argument("satisfaction", type=click.Choice(["1", "2", "3"]))
@click.option("--feedback", help="What the reporter says.")
@AS
@AS_JSON
@graph_option
def rate(event_id: str, satisfaction: str, feedback: str | None, as_: str, as_json: bool,
         graph_url: str | None) -> None:  # fmt: skip
    """The reporter rates a closed case: 1 满意, 2 基本满意, 3 不满意."""
    action = Action.model_validate({"event": "rate", "satisfaction": satisfaction,
                                    "note": feedback})  # fmt: skip
    _act(event_id, action, as_, as_json, graph_url)


@events_group.command("kpis")
@click.option("--district", help="Every department of this district (a place code).")
@click.option("--group", multiple=True, help="A department (credit code); repeatable.")
@click.option("--start", type=click.DateTime(), required=True, help="From (UTC).")
@click.option("--end", type=click.DateTime(), required=True, help="To (UTC).")
@AS
@AS_JSON
@graph_option
def kpi_table(district: str | None, group: tuple[str, ...], start: datetime, end: datetime,
              as_: str, as_json: bool, graph_url: str | None) -> None:  # fmt: skip
    """The KPI table (on time, satisfaction, stage times) per department."""
    with opened_store(build_settings(graph_url)) as store:
        groups = list(group) or (departments(store, district) if district else [])
        rows = kpis(store, principal=load_principal(store, as_), groups=groups,
                    start=start.replace(tzinfo=UTC), end=end.replace(tzinfo=UTC),
                    now=datetime.now(UTC), by="department")  # fmt: skip
    if as_json:
        click.echo(_dump(rows))
        return
    click.echo(render.table([{k: v for k, v in r.model_dump(mode="json").items()
                              if not isinstance(v, list | dict)} for r in rows]))  # fmt: skip


@events_group.command()
@click.argument("event_id")
@click.argument("spec_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                required=False)  # fmt: skip
@click.option("--dispatch", "dispatched", is_flag=True, help="Dispatch the whole tree at once.")
@AS
@AS_JSON
@graph_option
def task(event_id: str, spec_file: Path | None, dispatched: bool, as_: str, as_json: bool,
         graph_url: str | None) -> None:  # fmt: skip
    """Field work for EVENT_ID: create the task of SPEC_FILE (as for `citykg tasks create`)
    linked to the case; without SPEC_FILE, list the case's tasks."""
    settings = build_settings(graph_url)
    with opened_store(settings) as store:
        who = load_principal(store, as_)
        if spec_file is None:
            found = tasks_of_event(store, principal=who, event_id=event_id)
            rows = [{"task": t.id, "title": t.title.zh, "state": t.state,
                     "scope": ",".join(t.scope)} for t in found]  # fmt: skip
            click.echo(_dump(found) if as_json else render.table(rows))
            return
        spec = TaskSpec.model_validate(yaml.safe_load(spec_file.read_text("utf-8")))
        catalog = catalog_for(load_ontology(settings.ontology_dir))
        made = task_for_event(store, catalog=catalog, principal=who, event_id=event_id, spec=spec,
                              at=datetime.now(UTC), dispatched=dispatched)  # fmt: skip
    click.echo(_dump(made) if as_json else f"task {made.id} ({made.title.zh}) for event {event_id}")
