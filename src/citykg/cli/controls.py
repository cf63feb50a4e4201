"""``citykg controls …``: check and import forms, publish the format's schema, lineage."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import yaml

from citykg.access import Principal
from citykg.access.tokens import principal as load_principal
from citykg.builder import check as check_draft
from citykg.builder import search_terms
from citykg.builder.draft import field_at
from citykg.cli import render
from citykg.cli.options import build_settings, graph_option, opened_store
from citykg.controls import (
    FormDefinition,
    compile_form,
    form_json_schema,
    form_lineage,
    forms_writing,
    get_compiled,
    load_examples,
    load_form,
    read_xlsform,
    save_form,
)
from citykg.controls.review import held_list
from citykg.controls.service import confirm_held, decline_held
from citykg.errors import NotFound, ValidationFailed, Violation
from citykg.geo import PlaceScope
from citykg.graph import GraphStore
from citykg.ontology import Ontology, load_ontology
from citykg.settings import Settings

OPERATOR = Principal(id="cli", kind="service", name="citykg CLI", scope=PlaceScope.everywhere())
"""The CLI is an operator's tool: it acts as a service principal."""

FORM_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def controls() -> None:
    """Digital form controls: forms bound to the ontology."""


@controls.command()
@click.argument("path", type=FORM_FILE)
def validate(path: Path) -> None:
    """Check the form in PATH (YAML, JSON or XLSForm .xlsx) against the ontology."""
    settings = Settings()
    ontology = load_ontology(settings.ontology_dir)
    form = _checked(ontology, _read(path))
    click.echo(f"ok: {form.id} v{form.version}, {len(form.fields)} fields")


@controls.command()
@click.argument("path", type=FORM_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def check(path: Path, as_json: bool) -> None:
    """Check the form in PATH (YAML, JSON or XLSForm .xlsx) as the form builder does: every
    problem at its field's position ("3", "3.1"; "-" the form itself) with the property at
    fault, its shape and its fit to the ontology alike. Exit code 1 when there are problems."""
    ontology = load_ontology(Settings().ontology_dir)
    draft = _draft(path)
    problems = check_draft(None, ontology, draft).problems
    if not problems:
        click.echo(f"ok: {draft.get('id')}, {len(draft.get('fields') or [])} fields")
        return
    rows = [{"at": p.at or "-", "field": _field_name(draft, p.at), "property": p.prop,
             "message": p.message} for p in problems]  # fmt: skip
    _show(rows, as_json)
    raise click.exceptions.Exit(1)


@controls.command()
@click.argument("query")
@click.option("--subject", help="The form's class: its own attributes and relations come first.")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def terms(query: str, subject: str | None, limit: int, as_json: bool) -> None:
    """Find ontology terms for a form by Chinese or English label, synonym or code (what the
    form builder's search box and GET /terms answer)."""
    ontology = load_ontology(Settings().ontology_dir)
    hits = search_terms(ontology, query, subject=subject, limit=limit)
    _show([{"kind": h.kind, "term": h.name, "label": h.label.zh, "label_en": h.label.en,
            "matched": h.matched} for h in hits], as_json)  # fmt: skip


@controls.command()
def schema() -> None:
    """Print the JSON Schema of the form definition format."""
    click.echo(json.dumps(form_json_schema(), ensure_ascii=False, indent=2))


@controls.command()
@click.argument("form", required=False)
@click.option("--term", help="List the stored forms that write this term instead.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@graph_option
def lineage(form: str | None, term: str | None, as_json: bool, graph_url: str | None) -> None:
    """The terms FORM writes (a file or a stored form id), or the forms writing --term."""
    if (form is None) == (term is None):
        raise click.UsageError("give FORM or --term, not both")
    settings = build_settings(graph_url)
    ontology = load_ontology(settings.ontology_dir)
    rows: list[dict[str, Any]]
    if form is not None and Path(form).is_file():
        rows = _terms(ontology, _checked(ontology, _read(Path(form))))
    else:
        with opened_store(settings) as store:
            if term is not None:
                rows = _uses(store, ontology, term)
            else:
                rows = _terms(
                    ontology, get_compiled(store, ontology=ontology, form_id=str(form)).form
                )
    _show(rows, as_json)


@controls.command("import-xlsform")
@click.argument("path", type=FORM_FILE)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the form here (.yaml or .json) instead of printing YAML.",
)
@click.option("--save", is_flag=True, help="Also save the form into the graph.")
@graph_option
def import_xlsform(path: Path, output: Path | None, save: bool, graph_url: str | None) -> None:
    """Convert the XLSForm workbook PATH into a form definition checked against the ontology."""
    settings = build_settings(graph_url)
    ontology = load_ontology(settings.ontology_dir)
    form = _checked(ontology, read_xlsform(path))
    data = form.model_dump(mode="json", exclude_none=True)
    is_json = output is not None and output.suffix == ".json"
    text = json.dumps(data, ensure_ascii=False, indent=2) if is_json else _yaml(data)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    if save:
        with opened_store(settings) as store:
            saved = save_form(store, ontology=ontology, form=form, principal=OPERATOR)
        click.echo(f"saved {saved.id} v{saved.version}")


@controls.command("load-examples")
@graph_option
def load_examples_(graph_url: str | None) -> None:
    """Save the example forms (examples/forms) into the graph."""
    settings = build_settings(graph_url)
    ontology = load_ontology(settings.ontology_dir)
    with opened_store(settings) as store:
        for saved in load_examples(store, ontology=ontology, principal=OPERATOR):
            state = "saved" if saved.created else "unchanged"
            click.echo(f"{state}: {saved.id} v{saved.version} ({len(saved.terms)} terms)")


@controls.command()
@click.option("--as", "as_", required=True, metavar="PRINCIPAL", help="An official or author.")
@click.option("--status", type=click.Choice(["pending", "confirmed", "declined"]),
              default="pending", show_default=True)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@graph_option
def reviews(as_: str, status: str, as_json: bool, graph_url: str | None) -> None:
    """Held submissions (审核) that PRINCIPAL authored or may confirm."""
    with opened_store(build_settings(graph_url)) as store:
        held = held_list(store, principal=load_principal(store, as_), status=status)  # type: ignore[arg-type]
    _show([{"id": h.id, "form": h.form, "at": h.at, "places": ",".join(h.confirm_at),
            "status": h.status, "reason": h.reason_zh} for h in held], as_json)  # fmt: skip


@controls.command()
@click.argument("held_id")
@click.option("--as", "as_", required=True, metavar="PRINCIPAL", help="The confirming official.")
@click.option("--decline", "note", metavar="WHY", help="Decline it, saying why, instead.")
@graph_option
def confirm(held_id: str, as_: str, note: str | None, graph_url: str | None) -> None:
    """Confirm (write) or --decline a held submission as official PRINCIPAL."""
    settings = build_settings(graph_url)
    with opened_store(settings) as store:
        who = load_principal(store, as_)
        if note is None:
            done = confirm_held(store, ontology=load_ontology(settings.ontology_dir),
                                principal=who, held_id=held_id)  # fmt: skip
        else:
            done = decline_held(store, principal=who, held_id=held_id, note=note)
    click.echo(f"{done.id}: {done.status} by {done.decided_by}")


def _read(path: Path) -> FormDefinition:
    return read_xlsform(path) if path.suffix == ".xlsx" else load_form(path)


def _draft(path: Path) -> dict[str, Any]:
    """The definition in PATH as plain data (what the builder edits), unparsed, so that shape
    problems are placed at their fields too; an XLSForm is read into a definition first."""
    if path.suffix == ".xlsx":
        return read_xlsform(path).model_dump(mode="json", exclude_none=True)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        data = exc
    if not isinstance(data, dict):
        kind = "json" if path.suffix == ".json" else "yaml"
        why = data if isinstance(data, Exception) else "no form (a mapping) in the file"
        en, zh = f"not a form in {kind}: {why}", f"无法读取 {path.name} 中的表单：{why}"
        raise ValidationFailed([Violation(path=path.name, message=en, message_zh=zh)])
    return data


def _field_name(draft: dict[str, Any], at: str) -> str:
    try:
        return str(field_at(draft, at).get("name", "")) if at else ""
    except (NotFound, ValidationFailed):
        return ""


def _checked(ontology: Ontology, form: FormDefinition) -> FormDefinition:
    """``form`` if it fits the ontology; else every problem on stderr and exit code 1."""
    try:
        compile_form(ontology, form)
    except ValidationFailed as exc:
        for v in exc.violations:
            click.echo(f"{v.path or form.id}: {v.message}", err=True)
        raise click.exceptions.Exit(1) from None
    return form


def _uses(store: GraphStore, ontology: Ontology, term: str) -> list[dict[str, Any]]:
    return [
        {"form": u.form, "version": u.version, "title": u.title.zh, "fields": ", ".join(u.fields)}
        for u in forms_writing(store, ontology=ontology, term=term)
    ]


def _terms(ontology: Ontology, form: FormDefinition) -> list[dict[str, Any]]:
    bound = compile_form(ontology, form).bound
    return [
        {"term": u.term, "kind": u.kind, "label": u.label.zh, "fields": ", ".join(u.fields)}
        for u in form_lineage(ontology, bound)
    ]


def _show(rows: Sequence[dict[str, Any]], as_json: bool) -> None:
    click.echo(render.as_json(rows) if as_json else render.table(rows))


def _yaml(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
