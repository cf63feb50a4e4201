"""``validate_ontology``: SHACL-SHACL on the shapes, then the project's rules.

The one entry point the CLI and the tests share (as pySHACL's ``validate``). It answers with a
list of :class:`~citykg.ontology.rules.Problem`, each with a file and line a steward can open.
"""

from __future__ import annotations

from pathlib import Path

from pyshacl.entrypoints import meta_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from citykg.errors import ValidationFailed
from citykg.ontology.load import load_ontology
from citykg.ontology.model import Ontology
from citykg.ontology.namespaces import curie
from citykg.ontology.rules import Problem, RuleOptions, check_ontology, problem


def validate_ontology(
    directory: str | Path, *, options: RuleOptions | None = None
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
    problems = check_shapes(ontology) + check_ontology(ontology, options=options)
    return sorted(problems, key=lambda p: (p.file, p.line, p.rule, p.message))


def check_shapes(ontology: Ontology) -> list[Problem]:
    """Validate the shapes against the W3C SHACL-SHACL shapes graph (bundled with pySHACL)."""
    _conforms, report, _text = meta_validate(ontology.graph, inference="none")
    assert isinstance(report, Graph)
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        where = ontology.locate(focus) if focus is not None else ontology.locate("")
        name = curie(str(focus)) if isinstance(focus, URIRef) else "an inline shape"
        detail = f" ({curie(str(path))})" if path is not None else ""
        problems.append(
            problem("shacl-shacl", where, str(focus or ""), f"{name}{detail}: {message}")
        )
    return problems
