"""The fast validator agrees with pySHACL, instance by instance, on the real ontology.

A seeded generator makes instances of every class and every relation type, half of them valid
and half breaking exactly one rule; each is judged by :func:`compile_validators` and by pySHACL
on :func:`to_rdf` of it (batched, results split by focus node). Any disagreement is printed.
"""

from __future__ import annotations

from collections import Counter

import pytest

from citykg.ontology import Ontology, compile_validators
from tests.ontology.instances import Case, generate_cases
from tests.ontology.reference import shacl_results

COUNT = 2000


def disagreements(ontology: Ontology, cases: list[Case]) -> list[str]:
    validators = compile_validators(ontology)
    fast = [validators.validate(case.instance) for case in cases]
    reference = shacl_results(ontology, [case.instance for case in cases])
    found = []
    for i, case in enumerate(cases):
        fast_ok, shacl_ok = not fast[i], not reference[i]
        if fast_ok != shacl_ok or fast_ok != case.valid:
            verdicts = {"expected": case.valid, "fast": fast_ok, "pySHACL": shacl_ok}
            found.append(
                f"#{i} {case.instance.cls} {case.mutation or 'valid'}: "
                + ", ".join(f"{k} {'valid' if ok else 'invalid'}" for k, ok in verdicts.items())
                + f"\n    fast:    {[(v.path, v.details.get('constraint')) for v in fast[i]]}\n"
                f"    pySHACL: {reference[i]}\n"
                f"    instance: {case.instance}"
            )
    return found


@pytest.fixture(scope="module")
def cases(real: Ontology) -> list[Case]:
    return generate_cases(real, n=COUNT, seed=20240501)


def test_cases_cover_every_class_and_relation_type(real: Ontology, cases: list[Case]) -> None:
    assert {c.instance.cls for c in cases} == {c.name for c in real.entity_classes}
    used = {r.relation for c in cases for r in c.instance.relations}
    assert used == {r.name for r in real.relations.values()}
    assert sum(c.valid for c in cases) == COUNT // 2
    kinds = Counter(c.mutation.split(":")[0].split(".")[-1] for c in cases if not c.valid)
    assert {
        "datatype",
        "missing",
        "too-many",
        "pattern",
        "range",
        "code",
        "target",
        "check",
    } <= set(kinds)


def test_fast_validator_agrees_with_pyshacl(real: Ontology, cases: list[Case]) -> None:
    found = disagreements(real, cases)
    assert not found, f"{len(found)} disagreements:\n" + "\n".join(found[:20])


def test_fixture_agrees_too(mini: Ontology) -> None:
    found = disagreements(mini, generate_cases(mini, n=300, seed=7))
    assert not found, "\n".join(found[:20])
