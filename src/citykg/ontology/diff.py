"""What changed between two ontology versions, and whether existing data or clients break.

Every term is reduced to a *snapshot* of facets (a class's parents, an attribute's range, a shape's
``sh:maxCount`` …). Comparing snapshots gives added, removed and changed terms; each change is
classified by a rule per facet. Breaking: removing a term or concept, narrowing a datatype or a
range, adding ``sh:minCount`` or lowering ``sh:maxCount`` (and other tightenings), changing a
property key or code. Not breaking: additions, widenings, label and definition edits.

Versions come from folders or from git revisions of the repository's ontology folder
(:func:`load_source`).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rdflib.namespace import XSD

from citykg.errors import ConfigError
from citykg.ontology.load import load_ontology
from citykg.ontology.model import Ontology, PropertyRule, Text
from citykg.ontology.namespaces import curie

ChangeKind = Literal["added", "removed", "changed"]
Facets = dict[str, Any]
Classifier = Callable[[Any, Any, Ontology, Ontology], bool]
"""(old value, new value, old ontology, new ontology) -> is the change breaking?"""


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: a term added or removed, or one facet of it changed."""

    term: str
    kind: ChangeKind
    term_kind: str
    facet: str
    old: str
    new: str
    breaking: bool

    def __str__(self) -> str:
        impact = "BREAKING" if self.breaking else "ok"
        detail = f" {self.facet}: {self.old or '-'} → {self.new or '-'}" if self.facet else ""
        return f"{impact:8} {self.kind:7} {self.term_kind} {curie(self.term)}{detail}"


@dataclass(frozen=True, slots=True)
class OntologyDiff:
    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)


def diff_ontologies(old: Ontology, new: Ontology) -> OntologyDiff:
    """Every change from ``old`` to ``new``, breaking ones first, then by term."""
    before, after = _snapshot(old), _snapshot(new)
    changes: list[Change] = []
    for key in sorted(before.keys() | after.keys()):
        if key not in after:
            kind, _ = before[key]
            changes.append(Change(key, "removed", kind, "", "", "", kind != "shape"))
        elif key not in before:
            kind, facets = after[key]
            breaking = kind == "shape" and _shape_added_is_breaking(facets, old)
            changes.append(Change(key, "added", kind, "", "", "", breaking))
        else:
            kind, old_facets = before[key]
            new_facets = after[key][1]
            for facet, classify in _FACETS[kind].items():
                a, b = old_facets.get(facet), new_facets.get(facet)
                if a != b:
                    breaking = classify(a, b, old, new)
                    changes.append(
                        Change(key, "changed", kind, facet, _show(a), _show(b), breaking)
                    )
    changes.sort(key=lambda c: (not c.breaking, c.term, c.facet))
    return OntologyDiff(old.version or "", new.version or "", tuple(changes))


def load_source(source: str, *, directory: str | Path) -> Ontology:
    """An ontology from a folder, or from a git revision of ``directory`` (``HEAD~1``, a tag …).

    The revision is read with ``git ls-tree``/``git show`` from the repository holding
    ``directory``; nothing in the working tree changes. Raises :class:`ConfigError` when
    ``source`` is neither.
    """
    if Path(source).is_dir():
        return load_ontology(source)
    folder = Path(directory).resolve()
    root = Path(git_output(folder, "rev-parse", "--show-toplevel").decode().strip())
    prefix = folder.relative_to(root).as_posix()
    listing = git_output(root, "ls-tree", "-r", "--name-only", f"{source}:{prefix}").decode()
    files = [name for name in listing.splitlines() if name.endswith(".ttl")]
    if not files:
        raise ConfigError(f"no Turtle files under {prefix}/ at revision {source!r}")
    with tempfile.TemporaryDirectory(prefix="citykg-ontology-") as tmp:
        for name in files:
            target = Path(tmp, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(git_output(root, "show", f"{source}:{prefix}/{name}"))
        return load_ontology(tmp)


# --------------------------------------------------------------------------------------------
# Snapshots
# --------------------------------------------------------------------------------------------


def _snapshot(o: Ontology) -> dict[str, tuple[str, Facets]]:
    terms: dict[str, tuple[str, Facets]] = {}
    for c in o.classes.values():
        terms[c.iri] = (
            "class",
            {
                **_texts(c.label, c.definition),
                "parents": tuple(sorted(c.parents)),
                "identityKey": c.identity_key,
            },
        )
    for a in o.attributes.values():
        terms[a.iri] = (
            "attribute",
            {
                **_texts(a.label, a.definition),
                "domain": a.domain,
                "range": a.range,
                "codeList": a.code_list,
                "propertyKey": a.property_key,
                "checkRule": a.check_rule,
                "sensitivity": a.sensitivity,
                "attributeGroup": a.attribute_group,
            },
        )
    for r in o.relations.values():
        terms[r.iri] = (
            "relation",
            {
                **_texts(r.label, r.definition),
                "domain": r.domain,
                "range": r.range,
                "qualifiedBy": r.qualified_by,
                "inverseName": (r.inverse_name.zh, r.inverse_name.en),
            },
        )
    for s in o.code_lists.values():
        terms[s.iri] = "code list", {**_texts(s.label, s.definition), "source": s.source}
        for concept in s.concepts:
            terms[concept.iri] = (
                "concept",
                {
                    "label": (concept.label.zh, concept.label.en),
                    "notation": concept.notation,
                    "scheme": concept.scheme,
                },
            )
    for rule in o.rules:
        terms[_rule_key(rule)] = "shape", _rule_facets(rule)
    return terms


def _texts(label: Text, definition: Text) -> Facets:
    return {"label": (label.zh, label.en), "definition": (definition.zh, definition.en)}


def _rule_key(rule: PropertyRule) -> str:
    """Shapes are matched by what they constrain (blank-node shapes have no stable IRI)."""
    targets = ",".join(curie(t) for t in (*rule.target_classes, *rule.target_subjects_of))
    return f"{rule.path} @ {targets}"


def _rule_facets(rule: PropertyRule) -> Facets:
    return {
        "path": rule.path,
        "targets": (*rule.target_classes, *rule.target_subjects_of),
        "datatype": rule.datatype,
        "minCount": rule.min_count,
        "maxCount": rule.max_count,
        "pattern": rule.pattern,
        "minInclusive": rule.min_inclusive,
        "maxInclusive": rule.max_inclusive,
        "minLength": rule.min_length,
        "maxLength": rule.max_length,
        "inScheme": rule.in_scheme,
        "class": rule.class_,
        "message": (rule.message.zh, rule.message.en),
    }


def _shape_added_is_breaking(facets: Facets, old: Ontology) -> bool:
    """A new shape on terms that already existed breaks their data when it makes a value
    required or constrains an existing attribute or relation; on new terms it breaks nothing."""
    targets = facets["targets"]
    if not any(t in old.classes or t in old.attributes or t in old.relations for t in targets):
        return False
    path = str(facets["path"])
    return bool(facets.get("minCount")) or path in old.attributes or path in old.relations


# --------------------------------------------------------------------------------------------
# Classifiers
# --------------------------------------------------------------------------------------------


def _never(*_: Any) -> bool:
    return False


def _always(*_: Any) -> bool:
    return True


def _added_or_changed(_: Any, new: Any, *__: Any) -> bool:
    """Adding or changing a restriction (pattern, check rule) breaks; dropping it does not."""
    return new is not None


def _raised(old: Any, new: Any, *_: Any) -> bool:
    """A lower bound (minCount, minInclusive, minLength) added or raised."""
    return new is not None and (old is None or _greater(new, old))


def _lowered(old: Any, new: Any, *_: Any) -> bool:
    """An upper bound (maxCount, maxInclusive, maxLength) added or lowered."""
    return new is not None and (old is None or _greater(old, new))


def _datatype(old: Any, new: Any, *_: Any) -> bool:
    """Any datatype change narrows, except integer → decimal."""
    return (old, new) != (str(XSD.integer), str(XSD.decimal)) and new is not None


def _class_widened(old: Any, new: Any, _: Ontology, after: Ontology) -> bool:
    """A class end (domain, range, sh:class) may move up the hierarchy, not down or across."""
    if new is None:
        return False
    if old is None or old not in after.classes or new not in after.classes:
        return True
    return not after.is_subclass(after.classes[old], after.classes[new])


def _range(old: Any, new: Any, before: Ontology, after: Ontology) -> bool:
    if old in after.classes or new in after.classes:
        return _class_widened(old, new, before, after)
    return _datatype(old, new)


def _greater(a: Any, b: Any) -> bool:
    try:
        return bool(a > b)
    except TypeError:
        return True


_FACETS: Mapping[str, Mapping[str, Classifier]] = {
    "class": {"label": _never, "definition": _never, "parents": _always, "identityKey": _always},
    "attribute": {
        "label": _never,
        "definition": _never,
        "domain": _class_widened,
        "range": _range,
        "codeList": _always,
        "propertyKey": _always,
        "checkRule": _added_or_changed,
        "sensitivity": _never,
        "attributeGroup": _never,
    },
    "relation": {
        "label": _never,
        "definition": _never,
        "domain": _class_widened,
        "range": _class_widened,
        "qualifiedBy": lambda old, new, *_: old is not None,
        "inverseName": _never,
    },
    "code list": {"label": _never, "definition": _never, "source": _never},
    "concept": {"label": _never, "notation": _always, "scheme": _always},
    "shape": {
        "datatype": _datatype,
        "minCount": _raised,
        "maxCount": _lowered,
        "pattern": _added_or_changed,
        "minInclusive": _raised,
        "maxInclusive": _lowered,
        "minLength": _raised,
        "maxLength": _lowered,
        "inScheme": _always,
        "class": _class_widened,
        "message": _never,
    },
}


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return " / ".join(_show(v) for v in value if v)
    return curie(str(value))


def git_output(folder: Path, *args: str) -> bytes:
    """``git -C folder args…`` output; a failure is a :class:`ConfigError` naming the command."""
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise ConfigError("git is not installed; pass two folders instead") from exc
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise ConfigError(
            f"not a folder nor a git revision: git {' '.join(args)}: {reason[-1] if reason else ''}"
        )
    return done.stdout
