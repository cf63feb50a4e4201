"""Form builder benchmark: term search as a builder types, and checking a 60-field form.

    .venv/bin/python bench/builder.py [--runs 200]

Term search runs over the whole ontology (every attribute, relation and entity class, and the
concepts of every code list) for queries typed one character at a time, Chinese and English,
each timed in process (``citykg.builder.search_terms``, what ``GET /terms`` and the builder's
search box call). The check is :func:`citykg.builder.check` without a store (what the builder
runs on every keystroke, before the lineage look-ups) on a 60-field form about a resident built
from the ontology's own person attributes. Prints p50/p95 (nearest rank) against the targets:
search p95 < 30 ms, check < 100 ms.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from citykg.builder import check, search_terms
from citykg.builder.draft import field_for
from citykg.ontology import Ontology, load_ontology
from citykg.settings import Settings

TYPED = ("身份证", "手机号码", "住址", "民族", "vehicle", "mobile", "idNumber", "household")
"""What a builder types, each query timed at every prefix (身, 身份, 身份证 …)."""
FIELDS = 60


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def line(name: str, samples: list[float], target: float) -> str:
    p95 = percentile(samples, 0.95)
    verdict = "met" if p95 < target else "NOT met"
    return (f"{name}: p50 {percentile(samples, 0.5):.2f} ms, p95 {p95:.2f} ms "
            f"(target p95 < {target:.0f} ms: {verdict}; {len(samples)} runs)")  # fmt: skip


def sixty_fields(ontology: Ontology) -> dict[str, Any]:
    """A resident form of 60 fields: identity, name, an address, a repeat group of members,
    and the attributes of Resident, then of Person (coded ones as choice fields) up to 60."""
    draft: dict[str, Any] = {"id": "sixty", "title": "60", "subject": "Resident", "fields": []}

    def add(kind: str, term: str) -> None:
        draft["fields"].append(field_for(ontology, draft, kind, term))

    for term in ("idNumber", "personName"):
        add("attribute", term)
    add("relation", "residesIn")
    add("relation", "householdHeadOf")
    draft["fields"][-1]["kind"] = "repeat"
    draft["fields"][-1]["fields"].append({"name": "person_name", "term": "personName"})
    domains = [ontology.class_named(name).iri for name in ("Resident", "Person")]
    for attribute in sorted(ontology.attributes.values(),
                            key=lambda a: (a.domain != domains[0], a.name)):  # fmt: skip
        if len(draft["fields"]) >= FIELDS:
            break
        if attribute.domain in domains and attribute.name not in ("idNumber", "personName"):
            add("attribute", attribute.name)
    return draft


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    ontology = load_ontology(Settings().ontology_dir)
    concepts = sum(len(c.concepts) for c in ontology.code_lists.values())
    print(f"ontology: {len(ontology.attributes):,} attributes, {len(ontology.relations):,} "
          f"relations, {len(ontology.classes):,} classes, {concepts:,} concepts")  # fmt: skip
    search_terms(ontology, "warm", subject="Resident")  # the index is built once per ontology
    queries = [word[:n] for word in TYPED for n in range(1, len(word) + 1)]
    searches: list[float] = []
    while len(searches) < args.runs:
        for query in queries:
            started = time.perf_counter()
            search_terms(ontology, query, subject="Resident")
            searches.append((time.perf_counter() - started) * 1000)
    print(line(f"term search as typed ({len(queries)} prefixes)", searches, 30))
    draft = sixty_fields(ontology)
    problems = check(None, ontology, draft).problems
    assert not problems, problems
    checks = []
    for n in range(args.runs):
        draft["title"] = f"60 fields, run {n}"  # a new definition each time, as when typing
        started = time.perf_counter()
        check(None, ontology, draft)
        checks.append((time.perf_counter() - started) * 1000)
    print(line(f"check of a {len(draft['fields'])}-field form", checks, 100))


if __name__ == "__main__":
    main()
