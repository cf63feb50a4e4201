"""Editing a ledger entry, and ending one: through the forms' write path, never a silent change.

**Edit.** The changed attributes become a one-off form on the entity's class (its identity key,
the edited attributes, and the attributes the ontology requires, answered with the values the
entity has) and are submitted with :func:`citykg.controls.submit`: the same validation (SHACL
compiled rules, code lists), the same provenance (``(entity)-[:ASSERTED_BY]->(:Submission
{author, at, form, channel: "ledger"})``) and the same history (a replaced value is kept as a
``:PastValue``) as any form. The form is named ``ledger-edit-<class>``.

**End (soft delete).** Nothing is removed: the entity's current place relations that lie in the
principal's scope get ``until`` = today (a residence, a location, an installation), and when none
is left the entity is marked ``endedAt``/``endReason``; the change is recorded as a
``:Submission`` (form ``ledger-end``) the entity is ``ASSERTED_BY``. The entity leaves the
place's ledger at once and its past relations stay in its detail. The coded ``status`` attribute
some classes have is left to forms, whose code lists it follows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from citykg.access.policy import read_reach as reach
from citykg.access.principals import Principal
from citykg.controls import CompiledForm, SubmissionResult, compile_form, submit
from citykg.controls.models import AttributeField, ChoiceField, FormDefinition, Text
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with
from citykg.ledgers import queries
from citykg.ledgers.catalog import Catalog, EntityType, invalid
from citykg.ledgers.detail import find_entity
from citykg.ledgers.refs import unseal
from citykg.ontology import Ontology

EDIT = "ledger.edit"
CHANNEL = "ledger"
END_FORM = "ledger-end"


@dataclass(frozen=True, slots=True)
class EndResult:
    """What ending did: relations ended, relations left outside the scope, the submission."""

    submission: str
    ended: int
    remaining: int


def edit_entity(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    type: str,
    key: str,
    values: Mapping[str, Any],
    submission_id: str | None = None,
) -> SubmissionResult:
    """Change attributes of an entity ``principal`` may see and edit (``ledger.edit``).

    Raises NotFound (not visible), Forbidden, ValidationFailed (``values.<key>`` per bad value).
    """
    etype = _editable(catalog, type)
    scope = reach(principal, action=EDIT)
    clear_key = unseal(key)
    if not values:
        raise invalid("values", "nothing to change", "没有要修改的内容")
    for name in values:
        if name == etype.key:
            raise invalid(f"values.{name}", "the identity key cannot be edited",
                          "不能修改标识编码", name)  # fmt: skip
        catalog.attribute(etype, name, path=f"values.{name}")
    current = find_entity(store, etype=etype, reach=scope, key=clear_key)["properties"]
    required = _required(catalog.ontology, etype)
    edited = tuple(sorted(values))
    form = _edit_form(catalog.ontology, etype.name, tuple(dict.fromkeys((*required, *edited))))
    answers = {etype.key: clear_key}
    answers |= {k: current.get(k) for k in required}
    answers |= dict(values)
    return submit(
        store,
        form=form,
        answers=answers,
        principal=principal,
        submission_id=submission_id or str(uuid.uuid4()),
        channel=CHANNEL,
    )


def end_entity(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    type: str,
    key: str,
    reason: str,
    submission_id: str | None = None,
    today: date | None = None,
) -> EndResult:
    """End an entity's presence in the ledgers of ``principal``'s scope (``ledger.edit``)."""
    etype = _editable(catalog, type)
    scope = reach(principal, action=EDIT)
    if not reason.strip():
        raise invalid("reason", "say why the entry ends (moved away, deceased, scrapped…)",
                      "请说明注销原因（迁出、死亡、报废……）")  # fmt: skip
    clear_key = unseal(key)
    find_entity(store, etype=etype, reach=scope, key=clear_key)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    identifier = submission_id or str(uuid.uuid4())
    submission = {"id": identifier, "form": END_FORM, "formVersion": 1, "author": principal.id,
                  "authorPerson": principal.person, "channel": CHANNEL, "at": now,
                  "reason": reason}  # fmt: skip
    statement = cypher_with(
        queries.END_ENTITY_TEMPLATE, top=etype.top.name, key=etype.key, rel=etype.attachment or ""
    )
    rows = store.write(
        statement,
        {
            "key": clear_key,
            "today": (today or date.today()).isoformat(),
            "at": now,
            "reason": reason,
            "keys": ["endedAt", "endReason"],
            "submission": {k: v for k, v in submission.items() if v is not None},
            **scope.params(),
        },
    ).rows
    if not rows:
        raise invalid("key", "it has no current place in your jurisdiction to end",
                      "该对象在您的辖区内没有当前的关联地点", key)  # fmt: skip
    return EndResult(identifier, int(rows[0]["ended"]), int(rows[0]["remaining"]))


def _editable(catalog: Catalog, type: str) -> EntityType:
    etype = catalog.entity_type(type)
    if etype.is_place:
        raise invalid("type", "places change through the place hierarchy (citykg geo: rename, "
                      "move, merge), not the ledger", "地点请通过地理层级维护（更名、迁移、合并）",
                      type)  # fmt: skip
    return etype


def _required(ontology: Ontology, etype: EntityType) -> tuple[str, ...]:
    """The attributes the ontology requires of the class (a form must cover them)."""
    return tuple(
        key
        for key, attribute in etype.attributes.items()
        if key != etype.key and ontology.cardinality(etype.cls, attribute.iri)[0]
    )


@lru_cache(maxsize=256)
def _edit_form(ontology: Ontology, class_name: str, keys: tuple[str, ...]) -> CompiledForm:
    cls = ontology.class_named(class_name)
    identity = ontology.identity_key(cls)
    assert identity is not None
    attributes = {a.property_key: a for a in ontology.attributes_of(cls)}
    fields: list[AttributeField | ChoiceField] = [
        AttributeField(name=identity.name, term=identity.name)
    ]
    for key in keys:
        field_type = ChoiceField if attributes[key].is_coded else AttributeField
        fields.append(field_type(name=key, term=attributes[key].name))
    form = FormDefinition(
        id=f"ledger-edit-{class_name.lower()}",
        title=Text(zh=f"台账编辑：{cls.label.zh}", en=f"Ledger edit: {cls.label.en}"),
        subject=class_name,
        fields=tuple(fields),
    )
    return compile_form(ontology, form)
