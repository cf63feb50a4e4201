"""Who may write what through a form: the places it answers and the entities it touches.

``form.submit`` (checked by the API) says a principal may submit at all; this says about whom.
Nothing of a submission is written when any field is out of reach, and the error names each
such field (:class:`~citykg.errors.OutOfReach`).

* **Service** principals (trusted systems feeding the platform) write anywhere.
* An **official** answers addresses only under their jurisdiction now, and touches an existing
  entity only when it hangs off a place there, or is linked now to the submission's subject
  (re-registering a household's members or car); the subject itself may also be one this
  submission gives an address there (a move in).
* A **resident** touches existing entities only of their own household (themselves, household
  links, those at their door) or linked now to the subject; any address may be answered (a
  move). Entities not yet in the graph are anyone's to create.
"""

from __future__ import annotations

from collections import defaultdict

from citykg.access import Principal
from citykg.access.household import household_of
from citykg.controls import queries
from citykg.controls.answers import field_problem
from citykg.controls.compile import CompiledForm, EntityRef, SubmissionPlan
from citykg.errors import OutOfReach, Violation
from citykg.geo import PlaceScope
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with


def ensure_may_write(
    store: GraphStore, *, principal: Principal, form: CompiledForm, plan: SubmissionPlan
) -> None:
    """Raise :class:`OutOfReach` naming every field ``principal`` may not write."""
    if principal.kind == "service":
        return
    problems = _places_out_of_scope(principal, form, plan)
    problems += _entities_out_of_reach(store, principal, form, plan)
    if problems:
        raise OutOfReach(problems)


def _places_out_of_scope(
    principal: Principal, form: CompiledForm, plan: SubmissionPlan
) -> list[Violation]:
    if principal.kind == "resident":
        return []
    groups = plan.write.params["groups"]
    return [
        field_problem(
            group.label,
            group.name,
            "this place is outside your jurisdiction",
            "该地址不在您的管辖范围内",
            code,
        )
        for group in form.bound.groups
        if group.is_address
        and (code := groups[group.slot]["code"]) is not None
        and not principal.scope.contains(code)
    ]


def _entities_out_of_reach(
    store: GraphStore, principal: Principal, form: CompiledForm, plan: SubmissionPlan
) -> list[Violation]:
    subject, *related = plan.touched
    moved_in = principal.kind == "official" and bool(plan.write.params["placeCodes"])
    checked = related if moved_in else [subject, *related]
    if not checked:
        return []
    reachable = _reachable(store, principal, subject, checked)
    return [
        field_problem(
            ref.label,
            ref.path,
            "this record is outside what you may write",
            "该对象不在您可填报的范围内",
        )
        for ref in checked
        if not reachable.get(ref.key, True)
    ]


def _reachable(
    store: GraphStore, principal: Principal, subject: EntityRef, refs: list[EntityRef]
) -> dict[str, bool]:
    """Of ``refs`` already in the graph, whether ``principal`` reaches each (by key)."""
    by_class: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ref in refs:
        by_class[(ref.top, ref.key_property)].append(ref.key)
    scope = principal.scope if principal.kind == "official" else PlaceScope.nothing()
    household = (
        list(household_of(store, person=principal.person))
        if principal.kind == "resident" and principal.person
        else []
    )
    found: dict[str, bool] = {}
    for (top, key), keys in by_class.items():
        statement = cypher_with(
            queries.REACH_TEMPLATE,
            top=top,
            key=key,
            subject_top=subject.top,
            subject_key=subject.key_property,
        )
        params = {**scope.params(), "keys": keys, "subject": subject.key, "household": household}
        found.update({str(r["key"]): bool(r["reachable"]) for r in store.read(statement, params)})
    return found
