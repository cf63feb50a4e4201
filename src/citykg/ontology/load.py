"""Load a folder of Turtle files into an :class:`~citykg.ontology.model.Ontology`.

rdflib keeps no line numbers, so each file is also scanned as text: the scanner walks the Turtle
statements (skipping strings, IRIs and comments) and records the line where each statement's
subject starts. A term's *definition* is a statement about it in a file that gives it an
``rdf:type``. Loads are cached per directory and invalidated when any file changes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from citykg.errors import ConfigError, ValidationFailed, Violation
from citykg.ontology.model import (
    Attribute,
    Bound,
    CodeList,
    Concept,
    Location,
    Locator,
    Ontology,
    OntologyClass,
    PropertyRule,
    RelationType,
    SparqlRule,
    SubjectRule,
    Text,
)
from citykg.ontology.namespaces import CKG, CKG_IRI, is_project_iri, local_name

MARKER_CLASSES = frozenset({str(CKG.TopClass), str(CKG.RelationType)})
"""Vocabulary classes of ``core.ttl`` that mark terms rather than classify entities."""

_Signature = tuple[tuple[str, int, int], ...]
_CACHE: dict[Path, tuple[_Signature, Ontology]] = {}


def load_ontology(directory: str | Path) -> Ontology:
    """Parse every ``*.ttl`` under ``directory`` (recursively) into one :class:`Ontology`.

    Raises :class:`ConfigError` if the folder does not exist or holds no Turtle file, and
    :class:`ValidationFailed` (one violation per file, ``details`` giving file and line) if a file
    is not valid Turtle.
    """
    root = Path(directory).resolve()
    if not root.is_dir():
        raise ConfigError(f"ontology folder not found: {root}")
    signature = _signature(str(root))
    if not signature:
        raise ConfigError(f"no Turtle (*.ttl) files in {root}")
    cached = _CACHE.get(root)
    if cached is not None and cached[0] == signature:
        return cached[1]
    ontology = _build(root, [_parse(root, root / name) for name, *_ in signature])
    _CACHE[root] = (signature, ontology)
    return ontology


def _signature(root: str) -> _Signature:
    """Every ``*.ttl`` under ``root`` (path relative to it, mtime, size), sorted by path. Read
    on every load, so kept to one ``scandir`` per folder and one ``stat`` per file (0.1 ms for the
    shipped ontology; pathlib's ``rglob`` took 0.9 ms, on every API request)."""
    found: list[tuple[str, int, int]] = []
    for folder, _, files in os.walk(root):
        relative = os.path.relpath(folder, root)
        for name in files:
            if name.endswith(".ttl"):
                info = os.stat(os.path.join(folder, name))
                path = name if relative == "." else f"{relative}/{name}".replace(os.sep, "/")
                found.append((path, info.st_mtime_ns, info.st_size))
    return tuple(sorted(found))


def statement_subjects(text: str) -> Iterator[tuple[str, int]]:
    """Yield (subject IRI, line) for each statement of a Turtle text, prefixed names expanded.

    Blank-node subjects (``[ … ]``) are skipped; ``@prefix``/``PREFIX`` directives are applied.
    """
    prefixes: dict[str, str] = {}
    for token, line in _statement_tokens(text):
        directive = _DIRECTIVE.match(token)
        if directive:
            prefixes[directive["prefix"]] = directive["iri"]
        elif token.startswith("<") and token.endswith(">"):
            yield token[1:-1], line
        elif ":" in token and not token.startswith(("[", "(", "_:")):
            prefix, _, name = token.partition(":")
            if prefix in prefixes:
                yield prefixes[prefix] + _unescape_local(name), line


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _File:
    path: str
    graph: Graph
    lines: dict[str, int]


def _parse(root: Path, path: Path) -> _File:
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=path.as_uri())
    except BadSyntax as exc:
        line = int(getattr(exc, "lines", 0)) + 1
        raise ValidationFailed(
            [
                Violation(
                    path=f"{rel}:{line}",
                    message=f"not valid Turtle: {exc}",
                    details={"file": rel, "line": line},
                )
            ]
        ) from exc
    lines: dict[str, int] = {}
    for subject, line in statement_subjects(text):
        lines.setdefault(subject, line)
    return _File(rel, graph, lines)


_DIRECTIVE = re.compile(r"(?:@prefix|PREFIX)\s+(?P<prefix>[\w.-]*):\s*<(?P<iri>[^>]*)>", re.I)
_DIRECTIVE_START = re.compile(r"@?(prefix|base)\s", re.I)
_SPARQL_DIRECTIVE = re.compile(r"(?:PREFIX\s+[\w.-]*:|BASE)\s*<[^>]*>", re.I)
_TOKEN = re.compile(r"<[^>\s]*>|[^\s;,()\[\]\"'<]+|.")


def _statement_tokens(text: str) -> Iterator[tuple[str, int]]:
    """Yield (first token, line) of every top-level statement; directives whole."""
    i, line, n = 0, 1, len(text)
    depth, at_start = 0, True
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif at_start and depth == 0:
            at_start = False
            if _DIRECTIVE_START.match(text, i):  # @prefix, @base, PREFIX, BASE
                directive = _DIRECTIVE.match(text, i)
                yield (directive.group(0) if directive else "@base"), line
                sparql_style = _SPARQL_DIRECTIVE.match(text, i)
                if sparql_style:  # PREFIX and BASE end without a "."
                    i, at_start = sparql_style.end(), True
                    continue
            else:
                token = _TOKEN.match(text, i)
                assert token is not None  # the pattern ends with "." and so always matches
                yield token.group(0), line
                if token.group(0) not in ("[", "("):
                    i = token.end()
                    continue
            # a Turtle directive or a blank-node subject: scan on character by character
        elif c in "\"'":
            i, line = _skip_string(text, i, line)
        elif c == "<":
            end = text.find(">", i)
            i = n if end < 0 else end + 1
        else:
            if c in "[(":
                depth += 1
            elif c in "])":
                depth -= 1
            elif c == "." and depth == 0 and (i + 1 == n or text[i + 1] in " \t\r\n#"):
                at_start = True
            i += 1


def _skip_string(text: str, i: int, line: int) -> tuple[int, int]:
    quote = text[i] * 3 if text.startswith(text[i] * 3, i) else text[i]
    j = i + len(quote)
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text.startswith(quote, j):
            return j + len(quote), line + text.count("\n", i, j)
        j += 1
    return len(text), line + text.count("\n", i)


def _unescape_local(name: str) -> str:
    return re.sub(r"\\(.)", r"\1", name)


# --------------------------------------------------------------------------------------------
# Building the model
# --------------------------------------------------------------------------------------------


def _build(root: Path, files: list[_File]) -> Ontology:
    graph = Graph()
    graph.bind("ckg", CKG_IRI)
    for f in files:
        graph += f.graph
        for prefix, namespace in f.graph.namespaces():
            graph.bind(prefix, namespace, override=False)
    definitions: dict[str, list[Location]] = {}
    mentions: dict[str, Location] = {}
    for f in files:
        typed = {str(s) for s in f.graph.subjects(RDF.type) if isinstance(s, URIRef)}
        for iri, line in f.lines.items():
            mentions.setdefault(iri, Location(f.path, line))
            if iri in typed:
                definitions.setdefault(iri, []).append(Location(f.path, line))
        for iri in typed - f.lines.keys():
            definitions.setdefault(iri, []).append(Location(f.path, 0))
    locate = Locator(graph, {k: tuple(v) for k, v in definitions.items()}, mentions)
    builder = _Builder(graph, locate)
    return Ontology(
        directory=root,
        graph=graph,
        version=builder.version(),
        files=tuple(f.path for f in files),
        classes=builder.classes(),
        attributes=builder.attributes(),
        relations=builder.relations(),
        code_lists=builder.code_lists(),
        rules=builder.property_rules(),
        subject_rules=builder.subject_rules(),
        sparql_rules=builder.sparql_rules(),
        locate=locate,
    )


class _Builder:
    """Reads the merged graph into model objects, locating each one."""

    def __init__(self, graph: Graph, locate: Locator) -> None:
        self.g = graph
        self.locate = locate

    # --- helpers --------------------------------------------------------------------------

    def text(self, subject: Node, predicate: URIRef) -> Text:
        values: dict[str, str] = {}
        for obj in self.g.objects(subject, predicate):
            if isinstance(obj, Literal):
                lang = (obj.language or "").split("-")[0].lower()
                values.setdefault(lang, str(obj))
        return Text(zh=values.get("zh", ""), en=values.get("en", ""))

    def strings(self, subject: Node, predicate: URIRef) -> tuple[str, ...]:
        return tuple(sorted(str(o) for o in self.g.objects(subject, predicate)))

    def iris(self, subject: Node, predicate: URIRef) -> tuple[str, ...]:
        return tuple(sorted(str(o) for o in self.g.objects(subject, predicate)))

    def iri(self, subject: Node, predicate: URIRef) -> str | None:
        found = self.iris(subject, predicate)
        return found[0] if found else None

    def string(self, subject: Node, predicate: URIRef) -> str | None:
        value = self.g.value(subject, predicate)
        return None if value is None else str(value)

    def integer(self, subject: Node, predicate: URIRef) -> int | None:
        """An integer, or None when absent or malformed (SHACL-SHACL reports malformed ones)."""
        value = self.g.value(subject, predicate)
        python = value.toPython() if isinstance(value, Literal) else None
        return python if isinstance(python, int) and not isinstance(python, bool) else None

    def bound(self, subject: Node, predicate: URIRef) -> Bound | None:
        value = self.g.value(subject, predicate)
        if not isinstance(value, Literal):
            return None
        python = value.toPython()
        return python if isinstance(python, Bound) else None

    def typed(self, rdf_type: URIRef) -> list[URIRef]:
        return sorted({s for s in self.g.subjects(RDF.type, rdf_type) if isinstance(s, URIRef)})

    # --- terms ----------------------------------------------------------------------------

    def version(self) -> str | None:
        for ontology in self.g.subjects(RDF.type, OWL.Ontology):
            version = self.string(ontology, OWL.versionInfo)
            if version is not None:
                return version
        return None

    def classes(self) -> dict[str, OntologyClass]:
        return {
            str(s): OntologyClass(
                iri=str(s),
                name=local_name(s),
                label=self.text(s, RDFS.label),
                definition=self.text(s, SKOS.definition),
                parents=tuple(p for p in self.iris(s, RDFS.subClassOf) if is_project_iri(p)),
                is_top=(s, RDF.type, CKG.TopClass) in self.g,
                identity_key=self.iri(s, CKG.identityKey),
                location=self.locate(s),
                synonyms=self.strings(s, SKOS.altLabel),
            )
            for s in self.typed(OWL.Class)
            if str(s).startswith(CKG_IRI) and str(s) not in MARKER_CLASSES
        }

    def attribute_subjects(self) -> list[URIRef]:
        relation_types = set(self.typed(CKG.RelationType))
        coded = [
            s
            for s in self.typed(OWL.ObjectProperty)
            if s not in relation_types
            and ((s, RDFS.range, SKOS.Concept) in self.g or (s, CKG.codeList, None) in self.g)
        ]
        found = set(self.typed(OWL.DatatypeProperty)) | set(coded)
        return sorted(s for s in found if str(s).startswith(CKG_IRI))

    def attributes(self) -> dict[str, Attribute]:
        return {
            str(s): Attribute(
                iri=str(s),
                name=local_name(s),
                label=self.text(s, RDFS.label),
                definition=self.text(s, SKOS.definition),
                domains=self.iris(s, RDFS.domain),
                ranges=self.iris(s, RDFS.range),
                code_list=self.iri(s, CKG.codeList),
                property_key=self.string(s, CKG.propertyKey) or local_name(s),
                sensitivity=self.iri(s, CKG.sensitivity),
                attribute_group=self.string(s, CKG.attributeGroup),
                check_rule=self.iri(s, CKG.checkRule),
                location=self.locate(s),
                synonyms=self.strings(s, SKOS.altLabel),
            )
            for s in self.attribute_subjects()
        }

    def relations(self) -> dict[str, RelationType]:
        return {
            str(s): RelationType(
                iri=str(s),
                name=local_name(s),
                label=self.text(s, RDFS.label),
                definition=self.text(s, SKOS.definition),
                domains=self.iris(s, RDFS.domain),
                ranges=self.iris(s, RDFS.range),
                inverse_name=self.text(s, CKG.inverseName),
                qualified_by=self.iri(s, CKG.qualifiedBy),
                location=self.locate(s),
                synonyms=self.strings(s, SKOS.altLabel),
            )
            for s in self.typed(CKG.RelationType)
        }

    def code_lists(self) -> dict[str, CodeList]:
        concepts: dict[str, list[Concept]] = {}
        for s, scheme in self.g.subject_objects(SKOS.inScheme):
            if isinstance(s, URIRef):
                concepts.setdefault(str(scheme), []).append(
                    Concept(
                        iri=str(s),
                        notation=self.string(s, SKOS.notation) or "",
                        label=self.text(s, SKOS.prefLabel),
                        scheme=str(scheme),
                        location=self.locate(s),
                    )
                )
        return {
            str(s): CodeList(
                iri=str(s),
                name=local_name(s),
                label=self.text(s, RDFS.label),
                definition=self.text(s, SKOS.definition),
                source=self.string(s, DCTERMS.source) or "",
                concepts=tuple(sorted(concepts.get(str(s), []), key=_notation_order)),
                location=self.locate(s),
            )
            for s in self.typed(SKOS.ConceptScheme)
        }

    # --- shapes ---------------------------------------------------------------------------

    def targets(self, shape: Node) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.iris(shape, SH.targetClass), self.iris(shape, SH.targetSubjectsOf)

    def shape_contexts(self) -> Iterator[tuple[Node, Node | None]]:
        """(property shape, node shape holding it or None) for every property shape in use."""
        for node_shape, prop in sorted(self.g.subject_objects(SH.property)):
            yield prop, node_shape
        for prop in self.typed(SH.PropertyShape):
            if (None, SH.property, prop) not in self.g and any(self.targets(prop)):
                yield prop, None

    def property_rules(self) -> tuple[PropertyRule, ...]:
        rules = []
        for prop, node_shape in self.shape_contexts():
            path = self.g.value(prop, SH.path)
            classes, subjects_of = self.targets(node_shape if node_shape is not None else prop)
            own_classes, own_subjects = self.targets(prop) if node_shape is not None else ((), ())
            if not isinstance(path, URIRef) or not (classes or subjects_of or own_classes):
                continue  # a complex path, or a helper such as ckgsh:InScheme-<Scheme>
            rules.append(
                PropertyRule(
                    shape=str(prop),
                    node_shape=None if node_shape is None else str(node_shape),
                    target_classes=classes + own_classes,
                    target_subjects_of=subjects_of + own_subjects,
                    path=str(path),
                    datatype=self.iri(prop, SH.datatype),
                    min_count=self.integer(prop, SH.minCount),
                    max_count=self.integer(prop, SH.maxCount),
                    pattern=self.string(prop, SH.pattern),
                    flags=self.string(prop, SH.flags) or "",
                    min_inclusive=self.bound(prop, SH.minInclusive),
                    max_inclusive=self.bound(prop, SH.maxInclusive),
                    min_exclusive=self.bound(prop, SH.minExclusive),
                    max_exclusive=self.bound(prop, SH.maxExclusive),
                    min_length=self.integer(prop, SH.minLength),
                    max_length=self.integer(prop, SH.maxLength),
                    in_scheme=self.in_scheme(prop),
                    in_values=self.values_in(prop),
                    class_=self.iri(prop, SH["class"]),
                    node_kind=self.iri(prop, SH.nodeKind),
                    less_than_or_equals=self.iri(prop, SH.lessThanOrEquals),
                    message=self.text(prop, SH.message),
                    location=self.locate(prop),
                )
            )
        return tuple(rules)

    def values_in(self, prop: Node) -> tuple[object, ...] | None:
        head = self.g.value(prop, SH["in"])
        if head is None:
            return None
        return tuple(
            v.toPython() if isinstance(v, Literal) else str(v) for v in Collection(self.g, head)
        )

    def subject_rules(self) -> tuple[SubjectRule, ...]:
        return tuple(
            SubjectRule(
                shape=str(shape),
                target_classes=self.targets(shape)[0],
                target_subjects_of=self.targets(shape)[1],
                class_=str(cls),
                message=self.text(shape, SH.message),
                location=self.locate(shape),
            )
            for shape, cls in sorted(self.g.subject_objects(SH["class"]))
            if (shape, SH.path, None) not in self.g and any(self.targets(shape))
        )

    def in_scheme(self, prop: Node) -> str | None:
        for node in self.g.objects(prop, SH.node):
            for inner in self.g.objects(node, SH.property):
                if self.g.value(inner, SH.path) == SKOS.inScheme:
                    value = self.g.value(inner, SH.hasValue)
                    if value is not None:
                        return str(value)
        return None

    def sparql_rules(self) -> tuple[SparqlRule, ...]:
        rules = []
        for shape, constraint in sorted(self.g.subject_objects(SH.sparql)):
            holder = self.g.value(predicate=SH.property, object=shape)
            classes, subjects_of = self.targets(shape)
            if holder is not None:
                outer = self.targets(holder)
                classes, subjects_of = classes + outer[0], subjects_of + outer[1]
            path = self.g.value(shape, SH.path)
            message = self.text(constraint, SH.message)
            rules.append(
                SparqlRule(
                    shape=str(shape),
                    target_classes=classes,
                    target_subjects_of=subjects_of,
                    path=None if path is None else str(path),
                    select=self.string(constraint, SH.select) or "",
                    message=message if message.en or message.zh else self.text(shape, SH.message),
                    location=self.locate(constraint),
                )
            )
        return tuple(rules)


def _notation_order(concept: Concept) -> tuple[int, int, str]:
    notation = concept.notation
    return (0, int(notation), "") if notation.isdigit() else (1, 0, notation)
