"""Finding terms as a form builder types: by Chinese or English label, synonym
(``skos:altLabel``) or code (the local name, or a code list's notation), over the whole ontology.

A hit is what can become a field: an attribute (a coded one found through any of its code
list's concepts too), a relation, or an entity class (a form's subject, a relation's target).
Hits for the form's subject come first: its own attributes and the relations leaving it.
The index is built once per loaded ontology; a search is a scan of a few thousand lower-cased
strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from citykg.ontology import Ontology
from citykg.ontology.model import Attribute, OntologyClass, RelationType, Text

TermKind = Literal["attribute", "relation", "class"]


@dataclass(frozen=True, slots=True)
class TermHit:
    """A term a field can be made of; ``matched`` is the text that matched when it is not the
    term's own label (a synonym, a code, a concept of its code list)."""

    kind: TermKind
    name: str
    label: Text
    domain: str
    range: str
    code_list: str | None
    matched: str = ""


@dataclass(frozen=True, slots=True)
class _Entry:
    hit: TermHit
    texts: tuple[str, ...]
    """Lower-cased texts that find the hit: label zh/en and name first, then the rest."""


def search_terms(
    ontology: Ontology,
    query: str,
    *,
    subject: str | None = None,
    kinds: Iterable[TermKind] = ("attribute", "relation", "class"),
    limit: int = 20,
) -> list[TermHit]:
    """Terms matching ``query`` (case-insensitive, anywhere in a text), best first: an exact
    match, then a prefix, then a substring; within each, terms of ``subject`` first."""
    needle = query.strip().lower()
    if not needle:
        return []
    wanted = set(kinds)
    lineage = _lineage(ontology, subject)
    ranked: list[tuple[int, int, str, TermHit]] = []
    for entry in _index(ontology):
        if entry.hit.kind not in wanted:
            continue
        rank = _rank(entry.texts, needle)
        if rank is None:
            continue
        fit = 0 if entry.hit.domain in lineage else 1
        score, text = rank
        hit = entry.hit
        if text not in (hit.label.zh.lower(), hit.label.en.lower(), hit.name.lower()):
            hit = TermHit(hit.kind, hit.name, hit.label, hit.domain, hit.range, hit.code_list,
                          matched=text)  # fmt: skip
        ranked.append((score, fit, hit.name, hit))
    ranked.sort(key=lambda r: r[:3])
    return [hit for *_, hit in ranked[:limit]]


def class_terms(ontology: Ontology, subject: str) -> list[TermHit]:
    """Browsing instead of searching: the attributes of ``subject`` and its superclasses, then
    the relations leaving or reaching it, each list by label."""
    lineage = _lineage(ontology, subject)
    hits = [e.hit for e in _index(ontology) if e.hit.kind != "class"]
    own = [h for h in hits if h.kind == "attribute" and h.domain in lineage]
    relations = [h for h in hits if h.kind == "relation"
                 and (h.domain in lineage or h.range in lineage)]  # fmt: skip
    return sorted(own, key=_by_label) + sorted(relations, key=_by_label)


def _by_label(hit: TermHit) -> tuple[str, str]:
    return hit.label.zh or hit.label.en, hit.name


def _rank(texts: tuple[str, ...], needle: str) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for text in texts:
        if needle not in text:
            continue
        score = 0 if text == needle else 1 if text.startswith(needle) else 2
        if best is None or score < best[0]:
            best = (score, text)
            if score == 0:
                break
    return best


def _lineage(ontology: Ontology, subject: str | None) -> set[str]:
    if not subject:
        return set()
    cls = next((c for c in ontology.classes.values() if c.name == subject), None)
    return {c.iri for c in ontology.lineage(cls)} if cls else set()


@lru_cache(maxsize=4)
def _index(ontology: Ontology) -> tuple[_Entry, ...]:
    concepts: dict[str, list[str]] = {}
    for scheme in ontology.code_lists.values():
        concepts[scheme.iri] = [
            text for c in scheme.concepts for text in (c.label.zh, c.label.en, c.notation) if text
        ]
    entries = [_entry(_attribute_hit(a), a, concepts.get(a.code_list or "", ()))
               for a in ontology.attributes.values()]  # fmt: skip
    entries += [_entry(_relation_hit(r), r, ()) for r in ontology.relations.values()]
    entries += [_entry(_class_hit(c), c, ()) for c in ontology.entity_classes]
    return tuple(entries)


def _entry(
    hit: TermHit, term: Attribute | RelationType | OntologyClass, extra: Iterable[str]
) -> _Entry:
    texts = (term.label.zh, term.label.en, term.name, *term.synonyms, *extra)
    return _Entry(hit, tuple(dict.fromkeys(t.lower() for t in texts if t)))


def _attribute_hit(a: Attribute) -> TermHit:
    return TermHit("attribute", a.name, a.label, a.domain, a.range, a.code_list)


def _relation_hit(r: RelationType) -> TermHit:
    return TermHit("relation", r.name, r.label, r.domain, r.range, None)


def _class_hit(c: OntologyClass) -> TermHit:
    return TermHit("class", c.name, c.label, "", "", None)
