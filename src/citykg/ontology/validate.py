"""``validate_ontology``: SHACL-SHACL on the shapes, then the project's rules.

The one entry point the CLI and the tests share (as pySHACL's ``validate``). It answers with a
list of :class:`~citykg.ontology.rules.Problem`, each with a file and line a steward can open.

SHACL-SHACL is slow (about a second per thousand shape triples), so it runs per file, in
parallel processes, and remembers the findings of each file by the hash of its text when a
``cache_dir`` is given: re-validating after editing one file re-checks that file only.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from citykg.errors import ValidationFailed
from citykg.ontology.load import load_ontology
from citykg.ontology.model import Ontology
from citykg.ontology.namespaces import curie
from citykg.ontology.rules import Problem, RuleOptions, check_ontology, problem

Finding = tuple[str, str, str]
"""(IRI of the named shape holding the focus, "inline" or "", message)."""

_PARALLEL_ABOVE = 2000
"""Shape triples above which files are checked in parallel processes."""


def validate_ontology(
    directory: str | Path, *, options: RuleOptions | None = None, cache_dir: Path | None = None
) -> list[Problem]:
    """Every problem of the ontology in ``directory``, sorted by file and line.

    A file that is not Turtle is one problem (nothing else can be checked then). Raises
    :class:`~citykg.errors.ConfigError` if the folder is missing or empty.
    """
    try:
        ontology = load_ontology(directory)
    except ValidationFailed as exc:
        return [
            Problem(
                "error",
                str(v.details["file"]),
                int(str(v.details["line"])),
                "",
                v.message,
                "turtle",
            )
            for v in exc.violations
        ]
    problems = check_shapes(ontology, cache_dir=cache_dir) + check_ontology(
        ontology, options=options
    )
    return sorted(problems, key=lambda p: (p.file, p.line, p.rule, p.message))


def check_shapes(ontology: Ontology, *, cache_dir: Path | None = None) -> list[Problem]:
    """Validate the shapes against the W3C SHACL-SHACL shapes graph (bundled with pySHACL)."""
    groups = _shape_graphs(ontology)
    keys = {file: _cache_key(ontology.directory / file) for file in groups}
    findings: dict[str, list[Finding]] = {}
    for file, key in keys.items():
        cached = cache_dir / f"{key}.json" if cache_dir else None
        if cached is not None and cached.is_file():
            findings[file] = [tuple(f) for f in json.loads(cached.read_text())]
    todo = {f: g.serialize(format="nt") for f, g in groups.items() if f not in findings}
    findings.update(_run(todo, parallel=sum(len(groups[f]) for f in todo) > _PARALLEL_ABOVE))
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for file in todo:
            (cache_dir / f"{keys[file]}.json").write_text(json.dumps(findings[file]))
    return [
        problem(
            "shacl-shacl",
            ontology.locate(holder),
            holder,
            f"{'an inline shape of ' if inline else ''}{curie(holder)}: {message}",
        )
        for file in sorted(findings)
        for holder, inline, message in findings[file]
    ]


def meta_check(ntriples: str) -> list[Finding]:
    """SHACL-SHACL on one graph of shapes (N-Triples text); runs in a worker process."""
    from pyshacl.entrypoints import meta_validate  # heavy; the write path never needs it

    graph = Graph().parse(data=ntriples, format="nt")
    _conforms, report, _text = meta_validate(graph, inference="none")
    assert isinstance(report, Graph)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = str(report.value(result, SH.resultMessage))
        holder = _named_holder(graph, focus)
        detail = f"{curie(str(path))}: " if path is not None else ""
        found.append((str(holder or ""), "inline" if holder != focus else "", detail + message))
    return sorted(found)


def _run(todo: dict[str, str], *, parallel: bool) -> dict[str, list[Finding]]:
    if not parallel or len(todo) < 2:
        return {file: meta_check(text) for file, text in todo.items()}
    workers = min(len(todo), os.cpu_count() or 1)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        return dict(zip(todo, pool.map(meta_check, todo.values()), strict=True))


def _shape_graphs(ontology: Ontology) -> dict[str, Graph]:
    """Per file, every shape written there with the blank nodes it holds."""
    g = ontology.graph
    groups: dict[str, Graph] = {}
    seeds = {s for s, p, _ in g if str(p).startswith(str(SH)) and not _is_held(g, s)}
    for seed in sorted(seeds, key=str):
        graph = groups.setdefault(ontology.locate(seed).file, Graph())
        stack: list[Node] = [seed]
        while stack:
            node = stack.pop()
            for triple in g.triples((node, None, None)):
                if triple not in graph:
                    graph.add(triple)
                    if isinstance(triple[2], BNode):
                        stack.append(triple[2])
    return groups


def _is_held(graph: Graph, node: Node) -> bool:
    return isinstance(node, BNode) and (None, None, node) in graph


def _named_holder(graph: Graph, node: Node | None) -> Node | None:
    seen: set[Node] = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        node = next(iter(graph.subjects(None, node)), None)
    return node if isinstance(node, URIRef) else None


def _cache_key(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    digest.update(f"pyshacl {version('pyshacl')}".encode())
    return digest.hexdigest()
