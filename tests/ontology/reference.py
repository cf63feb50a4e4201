"""The reference verdicts: pySHACL on :func:`~citykg.ontology.to_rdf` of many instances at once.

Used by the differential test and ``bench/validate.py``. Instances are rendered under distinct
subjects into one data graph per batch (with the code lists merged in, as the README says);
each result is given back to the instance whose subject its focus node lies under.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query

from citykg.ontology import EntityInstance, Ontology, code_lists_graph, to_rdf
from citykg.ontology.namespaces import local_name

SUBJECT = "urn:citykg:test:"
TARGET = "urn:citykg:target:"
_BATCH = 1000


def shacl_results(ontology: Ontology, instances: Sequence[EntityInstance]) -> list[list[str]]:
    """For each instance, the pySHACL results about it (empty: it conforms).

    The relation targets of one class are merged into one node per batch (they are the same
    minimal valid instance), so pySHACL judges each once, not once per relation; a result on
    one is a bug of ``to_rdf`` and fails loudly.
    """
    results: list[list[str]] = [[] for _ in instances]
    codes = code_lists_graph(ontology)
    with prepared_sparql():
        for start in range(0, len(instances), _BATCH):
            data = Graph()
            data += codes
            for i in range(start, min(start + _BATCH, len(instances))):
                data += _share_targets(to_rdf(instances[i], ontology, subject=f"{SUBJECT}{i}"))
            _conforms, report, _text = validate(
                data,
                shacl_graph=ontology.graph,
                ont_graph=ontology.graph,
                advanced=True,
                inference="none",
            )
            assert isinstance(report, Graph)
            for result in report.subjects(RDF.type, SH.ValidationResult):
                focus = str(report.value(result, SH.focusNode))
                assert not focus.startswith(TARGET), f"to_rdf made an invalid target: {focus}"
                if focus.startswith(SUBJECT):
                    index = int(focus[len(SUBJECT) :].split("/")[0])
                    path = report.value(result, SH.resultPath)
                    message = report.value(result, SH.resultMessage)
                    results[index].append(f"{focus} {path}: {message}")
    return results


def _share_targets(graph: Graph) -> Graph:
    targets = {
        node: URIRef(f"{TARGET}{local_name(str(cls))}")
        for node, cls in graph.subject_objects(RDF.type)
        if "/target/" in str(node)
    }
    shared = Graph()
    for s, p, o in graph:
        shared.add((targets.get(s, s), p, targets.get(o, o)))
    return shared


@contextmanager
def prepared_sparql() -> Iterator[None]:
    """Parse each SPARQL text once while the block runs.

    pySHACL sends the same constraint text for every focus node and rdflib parses it every time
    (a tenth of a second for the check-rule queries); a prepared query is reusable by design.
    """
    original = SPARQLProcessor.query
    cache: dict[tuple[str, str | None, frozenset[tuple[str, Any]]], Query] = {}

    def query(
        self: SPARQLProcessor,
        str_or_query: str | Query,
        initBindings: Mapping[str, Any] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        if isinstance(str_or_query, str):
            key = (str_or_query, base, frozenset((initNs or {}).items()))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(str_or_query), base, initNs)
            str_or_query = cache[key]
        return original(self, str_or_query, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        SPARQLProcessor.query = original  # type: ignore[method-assign]
