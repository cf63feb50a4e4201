"""Benchmark: the fast validator against pySHACL on the same generated instances.

Run ``python bench/validate.py [-n 5000] [--seed 1] [--skip-shacl]``. Instances come from the
differential test's generator (every class and relation type, half invalid); pySHACL judges
them as the test does (``to_rdf``, batched, code lists merged, ontology as ``ont_graph``).
Everything runs on one core.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests/ package is reused

from tests.ontology.instances import generate_cases
from tests.ontology.reference import shacl_results

from citykg.ontology import EntityInstance, Ontology, compile_validators, load_ontology
from citykg.settings import Settings


def rate(run: Callable[[], object], count: int, *, repeat: int = 1) -> float:
    """Instances per second of the fastest of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return count / best


def person_lineage(ontology: Ontology, instances: Sequence[EntityInstance]) -> list[EntityInstance]:
    person = ontology.class_named("Person")
    return [i for i in instances if ontology.is_subclass(ontology.class_named(i.cls), person)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=5000, help="instances to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-shacl", action="store_true", help="time the fast validator only")
    args = parser.parse_args()

    ontology = load_ontology(Settings().ontology_dir)
    start = time.perf_counter()
    validators = compile_validators(ontology)
    compile_seconds = time.perf_counter() - start
    instances = [case.instance for case in generate_cases(ontology, n=args.count, seed=args.seed)]
    people = person_lineage(ontology, instances)
    sizes = [len(p.attributes) for p in people]
    rows = [
        (
            "fast validator, all classes",
            len(instances),
            rate(lambda: [validators.validate(i) for i in instances], len(instances), repeat=5),
        ),
        (
            "fast validator, Person lineage",
            len(people),
            rate(lambda: [validators.validate(i) for i in people], len(people), repeat=5),
        ),
    ]
    if not args.skip_shacl:
        rows.append(
            (
                "pySHACL (batched), all classes",
                len(instances),
                rate(lambda: shacl_results(ontology, instances), len(instances)),
            )
        )
    print(
        f"ontology {ontology.version}: {len(ontology.entity_classes)} classes, compiled in "
        f"{compile_seconds:.2f} s; Person instances: {sum(sizes) / len(sizes):.1f} attributes, "
        f"{sum(len(p.relations) for p in people) / len(people):.1f} relations on average"
    )
    for name, count, per_second in rows:  # "label: value" lines, as bench/run_all.py reads them
        print(f"{name + ':':35} {per_second:8,.0f} instances/s ({count:,} instances)")
    if not args.skip_shacl:
        print(f"fast / pySHACL: {rows[0][2] / rows[2][2]:,.0f}×")


if __name__ == "__main__":
    main()
