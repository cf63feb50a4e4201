"""Classification: the ontology's Event class and a category of ``code:EventCategory``.

A category the reporter (or the hotline operator) picks is kept and marked picked; otherwise
one is proposed from the words of the text (``categories`` in ``rules.yaml``) and marked
proposed, so a handler knows which to check. Picked and proposed are never mixed up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from citykg.errors import ValidationFailed, Violation
from citykg.events.config import EventRules, Source
from citykg.ontology import Ontology

OTHER = "0699"
"""The category of a text no rule recognises (扩展事件 · 其他)."""


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    zh: str
    en: str
    group: str
    """The top class's label (市容环境, 街面秩序 …)."""


@dataclass(frozen=True, slots=True)
class Classification:
    """What a report is: its Event class, its category, and whether the category was picked."""

    event_class: str
    category: str
    picked: bool
    matched: str | None = None
    """The word that proposed the category (None when picked or nothing matched)."""


@cache
def categories(ontology: Ontology) -> dict[str, Category]:
    """Every subclass category (four-digit code) of the code list, by code."""
    concepts = ontology.code_list_named("EventCategory").concepts
    tops = {c.notation: c for c in concepts if len(c.notation) == 2}
    return {
        c.notation: Category(c.notation, c.label.zh, c.label.en, tops[c.notation[:2]].label.zh)
        for c in concepts
        if len(c.notation) == 4 and c.notation[:2] in tops
    }


def classify(
    ontology: Ontology, rules: EventRules, *, text: str, source: Source, picked: str | None
) -> Classification:
    """The class by source; the picked category (checked) or one proposed from ``text``."""
    event_class = rules.classes[source]
    if picked:
        if picked not in categories(ontology):
            raise ValidationFailed([Violation(
                "category", f"unknown category {picked!r}: a four-digit code of "
                "code:EventCategory", f"未知的事件类别 {picked!r}", value=picked)])  # fmt: skip
        return Classification(event_class, picked, True)
    best: tuple[int, int, str, str] | None = None
    for code, words in rules.categories.items():
        for word in words:
            at = text.find(word)
            if at >= 0 and (best is None or (len(word), -at) > (best[0], best[1])):
                best = (len(word), -at, code, word)
    if best is None:
        return Classification(event_class, OTHER, False)
    return Classification(event_class, best[2], False, best[3])
