"""Masking of sensitive values (脱敏) and their audited reveal.

What is masked comes from the ontology (``ckg:sensitivity``, ``ckg:attributeGroup``) and the
rules file (``masked``): ID numbers read ``11****************``, phones ``138****5678``, other
values ``***``. A caller may ask to reveal named keys with a purpose; a key is revealed only
with ``sensitive.reveal`` and, for a grouped attribute, a post tag granting the group, and every
revealed key is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from citykg.access.check import actions_of
from citykg.access.principals import Principal
from citykg.access.rules import AccessRules, load_rules
from citykg.ontology import Ontology

MASK = "***"


@dataclass(frozen=True, slots=True)
class MaskedKey:
    """A property key masked by default, and the attribute group needed to reveal it."""

    key: str
    group: str | None


@dataclass(frozen=True, slots=True)
class Redaction:
    """Properties as the caller may see them, and which masked keys were revealed."""

    properties: dict[str, Any]
    revealed: list[str]
    masked: list[str]


class Masker:
    """Knows, per node label (or relation qualification class), which property keys are masked;
    compiled once per ontology."""

    def __init__(self, ontology: Ontology, rules: AccessRules | None = None) -> None:
        self.rules = rules or load_rules()
        levels = set(self.rules.file.masked.sensitivity)
        keys = set(self.rules.file.masked.keys)
        self._by_label: dict[str, dict[str, MaskedKey]] = {}
        self._by_labels: dict[tuple[str, ...], dict[str, MaskedKey]] = {}
        for cls in ontology.entity_classes + ontology.qualification_classes:
            masked = {
                a.property_key: MaskedKey(a.property_key, a.attribute_group)
                for a in ontology.attributes_of(cls)
                if (a.sensitivity and a.sensitivity.rsplit("#", 1)[-1] in levels)
                or a.property_key in keys
            }
            self._by_label[cls.name] = masked

    def masked_keys(self, labels: Iterable[str]) -> dict[str, MaskedKey]:
        """The masked keys of an entity with these labels (remembered per set of labels: a page
        asks once per row). The answer is shared: do not change it."""
        wanted = tuple(labels)
        merged = self._by_labels.get(wanted)
        if merged is None:
            merged = {}
            for label in wanted:
                merged.update(self._by_label.get(label, {}))
            self._by_labels[wanted] = merged
        return merged

    def redact(
        self,
        principal: Principal,
        labels: Iterable[str],
        properties: Mapping[str, Any],
        *,
        reveal: Iterable[str] = (),
        own: bool = False,
    ) -> Redaction:
        """Mask what ``principal`` may not see in clear; ``own`` data (a resident's) is clear."""
        masked_keys = self.masked_keys(labels)
        wanted = set(reveal)
        may = self._revealable(principal) if wanted else _never  # a list page asks per row
        out: dict[str, Any] = {}
        revealed: list[str] = []
        masked: list[str] = []
        for key, value in properties.items():
            rule = masked_keys.get(key)
            if rule is None or value is None or own:
                out[key] = value
            elif key in wanted and may(rule):
                out[key] = value
                revealed.append(key)
            else:
                out[key] = mask(value)
                masked.append(key)
        return Redaction(out, sorted(revealed), sorted(masked))

    def _revealable(self, principal: Principal) -> Any:
        can = "sensitive.reveal" in actions_of(principal, rules=self.rules)
        groups = self.rules.groups_for(principal.tags)
        return lambda rule: can and (rule.group is None or rule.group in groups)


def _never(rule: MaskedKey) -> bool:
    return False


@cache
def masker_for(ontology: Ontology) -> Masker:
    """The masker of ``ontology`` with the shipped rules (ontologies are loaded once)."""
    return Masker(ontology)


def mask(value: Any) -> Any:
    """Keep enough to recognise the kind of a value, never enough to narrow it down.

    An ID number keeps only its province (``11****************``): its last digits, with the
    birth date and gender shown beside it and the check digit, would leave a handful of
    candidates to try. A phone keeps its carrier prefix and last four: ten thousand candidates,
    and nothing to try them against.
    """
    if isinstance(value, list):
        return [mask(v) for v in value]
    text = str(value)
    if len(text) >= 15:  # ID numbers, document numbers: 11****************
        return text[:2] + "*" * (len(text) - 2)
    if len(text) == 11 and text.isdigit():  # mobile phones: 138****5678
        return text[:3] + "****" + text[-4:]
    return MASK
