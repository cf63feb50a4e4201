"""What the analysts' copy holds, and how each value is transformed on the way in.

The copy is a projection of the city graph built from allow-lists, so that nothing the
platform adds later leaks by default:

* **nodes**: only those carrying an ontology top class (Person, Place and the place tree,
  Organization, Thing, Event) and its identity key, with only their ontology entity-class
  labels. Platform bookkeeping (audit records, principals, tokens, submissions, past values,
  forms, place aliases and changes, reviews, migrations) has no such label and is never copied;
* **properties**: only ontology attributes of the node's classes (of the relation's
  qualification class for a relationship). Provenance stamps, authors, ends' free-text reasons
  and other platform fields are left out;
* **sensitive values**: whatever the masker masks (``ckg:sensitivity`` and ``masked.keys`` of
  ``access/rules.yaml``, on entities and on relation qualifications) is left out, except a
  masked **identity key** (a person's ID number), which becomes ``HMAC-SHA256(k, value)`` so the
  same person is one node, and joins and distinct counts still work;
* **relationships**: only ontology relation types (``PART_OF`` of the place tree included)
  between two copied nodes.

The HMAC key comes from ``CITYKG_SECRET`` (a key of its own, derived with a label, as the refs
do in :mod:`citykg.ledgers.refs`); without the secret, from a random key file beside an
embedded copy (development), else each process draws its own. The copy records which key built
it (:attr:`Projection.key_id`), so a process never mixes its hashes with another key's: it
rebuilds instead.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from citykg.access.masking import Masker
from citykg.ontology import Ontology

_PROCESS_KEY = secrets.token_bytes(32)


def projection_key(secret: str | None, key_file: Path | None = None) -> bytes:
    """The HMAC key of the copy: derived from the deployment's secret; without one, a random
    key kept in ``key_file`` (beside an embedded copy, so every process on this machine hashes
    alike) or, with no such file, this process's own."""
    if secret:
        return hashlib.sha256(b"citykg analyst copy\0" + secret.encode()).digest()
    if key_file is None:
        return _PROCESS_KEY
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(secrets.token_bytes(32))
    except FileExistsError:
        pass  # drawn before, by this or another process
    return key_file.read_bytes()


@dataclass(frozen=True, slots=True)
class Top:
    """A top class as the copy addresses it: label, identity key, and whether that key is
    masked (then stored as a keyed hash)."""

    label: str
    key: str
    hashed: bool


@dataclass(frozen=True, slots=True)
class Ref:
    """An entity of the city graph: its top class label and clear identity key."""

    top: str
    key: str


@dataclass(frozen=True, slots=True)
class CopiedNode:
    """A node as it goes into the copy: its labels (sorted) and de-identified properties."""

    ref: Ref
    labels: tuple[str, ...]
    properties: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CopiedRelationship:
    """A relationship as it goes into the copy, between two entities of the city graph."""

    type: str
    start: Ref
    end: Ref
    properties: dict[str, Any]


class Projection:
    """The copy's allow-lists and value transforms for one ontology, masker and key."""

    def __init__(self, ontology: Ontology, masker: Masker, key: bytes) -> None:
        self._ontology = ontology
        self._masker = masker
        self._key = key
        self.key_id = hmac.digest(key, b"citykg analyst copy key id", hashlib.sha256).hex()[:16]
        self.labels = frozenset(c.name for c in ontology.entity_classes)
        tops: list[Top] = []
        for cls in ontology.top_classes:
            identity = ontology.identity_key(cls)
            if identity is not None:
                hashed = identity.name in masker.masked_keys(ontology.graph_labels(cls))
                tops.append(Top(cls.name, identity.name, hashed))
        self.tops = tuple(sorted(tops, key=lambda t: t.label))
        self._tops = {t.label: t for t in self.tops}
        self._qualified = {
            r.graph_type: ontology.qualification_of(r) for r in ontology.relations.values()
        }
        self.relation_types = tuple(sorted(self._qualified))

    def top(self, label: str) -> Top:
        return self._tops[label]

    def top_of(self, labels: Iterable[str]) -> Top | None:
        """The top class among a node's labels (None: not an entity, never copied)."""
        return next((self._tops[label] for label in labels if label in self._tops), None)

    def copy_key(self, ref: Ref) -> str:
        """The identity key as the copy stores it: a keyed hash where the key is masked."""
        return self.hash(ref.key) if self._tops[ref.top].hashed else ref.key

    def hash(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()

    def node(self, labels: Iterable[str], properties: Mapping[str, Any]) -> CopiedNode | None:
        """The node as the copy holds it; None for a node that is not an entity with its key."""
        kept = tuple(sorted(label for label in labels if label in self.labels))
        top = self.top_of(kept)
        key = properties.get(top.key) if top else None
        if top is None or key is None:
            return None
        ref = Ref(top.label, str(key))
        allowed = self._node_keys(kept)
        copied = {k: v for k, v in properties.items() if k in allowed and v is not None}
        copied[top.key] = self.copy_key(ref)
        return CopiedNode(ref, kept, copied)

    def relationship(
        self, rel_type: str, start: Ref, end: Ref, properties: Mapping[str, Any]
    ) -> CopiedRelationship | None:
        """The relationship as the copy holds it; None for a type outside the ontology."""
        if rel_type not in self._qualified:
            return None
        allowed = self._relation_keys(rel_type)
        kept = {k: v for k, v in properties.items() if k in allowed and v is not None}
        return CopiedRelationship(rel_type, start, end, kept)

    def _node_keys(self, labels: tuple[str, ...]) -> frozenset[str]:
        return _attribute_keys(self._ontology, self._masker, labels)

    def _relation_keys(self, rel_type: str) -> frozenset[str]:
        qualification = self._qualified[rel_type]
        if qualification is None:
            return frozenset()
        return _attribute_keys(self._ontology, self._masker, (qualification.name,))


@cache
def _attribute_keys(ontology: Ontology, masker: Masker, labels: tuple[str, ...]) -> frozenset[str]:
    """Property keys of the classes named ``labels`` that the masker leaves in clear."""
    masked = masker.masked_keys(labels)
    return frozenset(
        a.property_key
        for label in labels
        for a in ontology.attributes_of(ontology.class_named(label))
        if a.property_key not in masked
    )
