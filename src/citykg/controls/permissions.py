"""Who may write what through a form: the facts before the write, decided by the policy.

``form.submit`` (checked by the API) says a principal may submit at all; whether this
submission may be written, held for confirmation or refused is decided by
:func:`citykg.access.policy.decide_write` on the facts this module reads from the graph *before*
the write: which touched entities exist, the places they hang off now, and whether they are
linked now to the submission's subject. Refused fields are named (:class:`OutOfReach`), and
nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from typing import LiteralString

from citykg.access import Principal
from citykg.access.household import household_of
from citykg.access.policy import EntityFacts, WriteDecision, decide_write
from citykg.controls import queries
from citykg.controls.answers import field_problem
from citykg.controls.compile import CompiledForm, EntityRef, SubmissionPlan
from citykg.errors import OutOfReach, Violation
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with


def decide(
    store: GraphStore, *, principal: Principal, form: CompiledForm, plan: SubmissionPlan
) -> WriteDecision:
    """Write, hold or refuse ``plan``; raises :class:`OutOfReach` naming each refused field."""
    if principal.kind == "service":
        return decide_write(principal, subject=_unknown(plan.touched[0]), related=[],
                            answered_places=[])  # fmt: skip
    subject, *related = plan.touched
    facts = _facts(store, subject, plan.touched)
    answered = _answered_places(form, plan)
    household = (
        household_of(store, person=principal.person)
        if principal.kind == "resident" and principal.person
        else ()
    )
    decision = decide_write(
        principal,
        subject=facts[subject.key],
        related=[facts[ref.key] for ref in related],
        answered_places=list(answered.values()),
        household=household,
    )
    if decision.outcome == "refuse":
        raise OutOfReach(_named(form, plan, answered, decision))
    return decision


def _named(
    form: CompiledForm, plan: SubmissionPlan, answered: dict[str, str], decision: WriteDecision
) -> list[Violation]:
    """The refusals as violations at the fields that gave the refused place or key."""
    by_key = {ref.key: ref for ref in plan.touched}
    groups = {g.name: g for g in form.bound.groups if g.is_address}
    problems: list[Violation] = []
    for refusal in decision.refusals:
        if refusal.key in answered.values():
            name = next(n for n, code in answered.items() if code == refusal.key)
            group = groups[name]
            problems.append(
                field_problem(group.label, group.name, refusal.en, refusal.zh, refusal.key)
            )
        elif (ref := by_key.get(refusal.key)) is not None:
            problems.append(field_problem(ref.label, ref.path, refusal.en, refusal.zh))
    return problems


def _answered_places(form: CompiledForm, plan: SubmissionPlan) -> dict[str, str]:
    """The place codes the submission answers, by address field name."""
    groups = plan.write.params["groups"]
    return {
        group.name: code
        for group in form.bound.groups
        if group.is_address and (code := groups[group.slot]["code"]) is not None
    }


_BRANCHES: tuple[LiteralString, ...] = ("0", "1", "2", "3", "4", "5", "6", "7")


def _facts(
    store: GraphStore, subject: EntityRef, refs: tuple[EntityRef, ...]
) -> dict[str, EntityFacts]:
    """Of every touched entity: whether it exists, where it hangs now, if linked to the subject.
    One statement for all its kinds (a branch per kind, ``UNION ALL``): a round trip each was a
    fifth of a submission's time under load."""
    by_class: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ref in refs:
        by_class[(ref.top, ref.key_property)].append(ref.key)
    kinds = list(by_class.items())
    tops = {ref.key: ref.top for ref in refs}
    found: dict[str, EntityFacts] = {}
    for start in range(0, len(kinds), len(_BRANCHES)):
        batch = kinds[start : start + len(_BRANCHES)]
        branches: list[LiteralString] = [
            cypher_with(
                queries.WRITE_FACTS_TEMPLATE,
                top=top,
                key=key,
                subject_top=subject.top,
                subject_key=subject.key_property,
            ).replace("$keys", "$keys[" + _BRANCHES[i] + "]")
            for i, ((top, key), _) in enumerate(batch)
        ]
        params = {"keys": [keys for _, keys in batch], "subject": subject.key}
        for row in store.read(" UNION ALL ".join(branches), params):
            found[str(row["key"])] = EntityFacts(
                key=str(row["key"]),
                exists=bool(row["exists"]),
                is_person=tops[str(row["key"])] == "Person",
                places=tuple(sorted(str(c) for c in row["places"] or [])),
                linked_to_subject=bool(row["linked"]),
            )
    return {ref.key: found.get(ref.key) or _unknown(ref) for ref in refs}


def _unknown(ref: EntityRef) -> EntityFacts:
    return EntityFacts(key=ref.key, exists=False, is_person=ref.top == "Person")
