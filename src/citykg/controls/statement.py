"""The text of a form's write statement, built once per form version from its bound fields.

The text depends only on the form: labels, relationship types and identity keys come from the
ontology and are spliced with :func:`~citykg.graph.identifiers.cypher_with`; the answers travel
as parameters (:mod:`citykg.controls.compile` builds them). The shape, from the fragments in
:mod:`citykg.controls.fragments`::

    UNWIND $submissions AS sub      (one row per submission in the batch)
    guard (replayed id → no row; a place code not in the graph → no row)
    CREATE (s:Submission) …
    the subject: found, history kept, created with its values or updated, ASSERTED_BY s
    CALL { address: end the current relation elsewhere, update or create it }     per address
    CALL { UNWIND rows: each entity as the subject, then MERGE the relation }     per group
    RETURN s.id

Every part of a submission runs or none does: the guard filters its row before anything is
written, and each ``CALL`` is a unit subquery that keeps that row. A batch is one statement, so
it is all written or not at all; :mod:`citykg.controls.writer` only batches submissions that
touch different entities (FalkorDB runs each stage for every row before the next), and sends
each alone again when a batch fails, so one bad submission never holds back the others.

What the graph then holds (PROV-O in property-graph form):

* ``(:Submission {id, form, formVersion, at, author, authorPerson, channel, task})``, an
  activity, ``-[:USED_FORM]->(:Form)`` when the form is stored;
* ``(entity)-[:ASSERTED_BY {keys, at}]->(submission)`` for every entity written, ``keys`` the
  property keys it set: prefill and history read sources from these;
* relationships carry ``assertedBy``/``assertedAt`` (who set their attributes last) and, once
  ended, ``until`` and ``endedBy``;
* history: a property whose value changes first becomes
  ``(entity)-[:HAD_VALUE]->(:PastValue {key, value, since, source, until, replacedBy})``;
  the entity keeps the current value, which is what views read. A new address ends the current
  relation to another place (``until`` = the submission's day) and creates the new one.

Not kept as history: earlier attributes of a relation that stays current (they are updated in
place), and related entities a later submission leaves out (nothing is removed).
"""

from __future__ import annotations

from typing import LiteralString

from citykg.controls import fragments
from citykg.controls.binding import BoundForm, BoundGroup, BoundValue
from citykg.graph.identifiers import cypher_with


def submission_statement(bound: BoundForm) -> LiteralString:
    """The one write statement every submission of ``bound`` runs."""
    text: LiteralString = fragments.SUBMISSION_OPEN + fragments.SUBJECT_ROW
    text += _entity(fragments.CARRY_SUBJECT, bound.top.name, bound.identity, bound.labels,
                    bound.values)  # fmt: skip
    text += fragments.SUBJECT_DONE
    for group in bound.groups:
        text += _address(group) if group.is_address else _related(group)
    return text + fragments.SUBMISSION_CLOSE


def prefill_statement(bound: BoundForm) -> LiteralString:
    """The one read statement prefill runs: the subject and every group's current facts."""
    text = cypher_with(fragments.PREFILL_OPEN_TEMPLATE, top=bound.top.name, key=bound.identity.key)
    for group in bound.groups:
        rel = group.relation.graph_type
        if group.is_address:
            text += cypher_with(fragments.PREFILL_ADDRESS_TEMPLATE, slot=group.slot, rel=rel)
            continue
        opening = (
            fragments.PREFILL_RELATED_OUTGOING_TEMPLATE
            if group.outgoing
            else fragments.PREFILL_RELATED_INCOMING_TEMPLATE
        )
        text += cypher_with(opening, rel=rel, top=group.top.name)
        text += cypher_with(fragments.PREFILL_RELATED_CLOSE_TEMPLATE, slot=group.slot)
    text += fragments.PREFILL_RETURN
    for group in bound.groups:
        text += cypher_with(fragments.PREFILL_RETURN_SLOT_TEMPLATE, slot=group.slot)
    return text


def _address(group: BoundGroup) -> LiteralString:
    rel = group.relation.graph_type
    text = cypher_with(fragments.ADDRESS_OPEN_TEMPLATE, slot=group.slot)
    if group.ends_previous:
        text += cypher_with(fragments.ADDRESS_END_PREVIOUS_TEMPLATE, rel=rel, slot=group.slot)
    return text + cypher_with(fragments.ADDRESS_SET_TEMPLATE, rel=rel, slot=group.slot)


def _related(group: BoundGroup) -> LiteralString:
    assert group.identity is not None
    text = cypher_with(fragments.RELATED_OPEN_TEMPLATE, slot=group.slot)
    text += _entity(fragments.CARRY_RELATED, group.top.name, group.identity, group.labels,
                    group.values)  # fmt: skip
    text += fragments.RELATED_ROW
    link = (
        fragments.RELATED_OUTGOING_TEMPLATE
        if group.outgoing
        else fragments.RELATED_INCOMING_TEMPLATE
    )
    return text + cypher_with(link, rel=group.relation.graph_type) + fragments.RELATED_CLOSE


def _entity(
    carry: LiteralString,
    top: str,
    identity: BoundValue,
    labels: tuple[str, ...],
    values: tuple[BoundValue, ...],
) -> LiteralString:
    """Find the entity of ``row``, keep history, create it with its values or update it, then
    find it again as ``e`` and link it to the submission."""
    key = identity.key
    text = cypher_with(fragments.ENTITY_FIND_TEMPLATE, top=top, key=key)
    text += "WITH " + carry + fragments.ENTITY_CHANGED + fragments.ENTITY_HISTORY
    text += cypher_with(fragments.ENTITY_CREATE_TEMPLATE, top=top)
    for label in labels:
        text += cypher_with(fragments.LABEL_TEMPLATE, label=label)
    text += cypher_with(fragments.ENTITY_CREATE_KEY_TEMPLATE, key=key)
    for name in dict.fromkeys(v.key for v in values if not v.on_relation and v.key != key):
        text += cypher_with(fragments.ENTITY_CREATE_VALUE_TEMPLATE, name=name)
    text += fragments.ENTITY_CREATE_CLOSE + fragments.ENTITY_UPDATE
    if labels:
        text += fragments.ENTITY_UPDATE_LABELS
        for label in labels:
            text += cypher_with(fragments.LABEL_TEMPLATE, label=label)
    text += fragments.ENTITY_UPDATE_CLOSE
    return text + "WITH " + carry + cypher_with(fragments.ENTITY_AGAIN_TEMPLATE, top=top, key=key)
