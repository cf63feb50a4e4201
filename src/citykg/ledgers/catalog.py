"""What the ledgers can list, filter, sort, search and break down, compiled from the ontology.

There is one generic ledger: an :class:`EntityType` is any entity class (a top class such as
``Person`` or a subclass such as ``Resident``, ``Vehicle``, ``Community``) with what the
ontology says about it: its identity key, how it hangs off the place tree (persons
``RESIDES_IN``, organizations ``LOCATED_AT``, things ``INSTALLED_AT``, events ``OCCURRED_AT``,
places are places), its attributes by property key, which of them are masked, which are
searched, and the relation types that touch it.

User input (a type name, ``key:op:value`` filters, a sort key, a breakdown) is checked here and
turned into Cypher parameters; a bad one raises :class:`ValidationFailed` naming the request
parameter (``type``, ``filter``, ``sort``, ``by``).

Identity keys are stored under their attribute's local name (``idNumber``, ``placeCode``,
``creditCode``, ``thingCode``, ``eventCode``), the convention the place tree, the access area
and the demo city share; every other attribute under its ``ckg:propertyKey``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from typing import Any

from pydantic import ValidationError
from rdflib.namespace import XSD

from citykg.access.masking import Masker, masker_for
from citykg.access.principals import Principal
from citykg.errors import ValidationFailed, Violation
from citykg.geo.rollup import ATTACHMENTS
from citykg.ledgers.models import Filter
from citykg.ontology import Attribute, Ontology, OntologyClass, RelationType

AGE = "age"
AGE_BAND = "ageBand"
BIRTH_DATE = "birthDate"
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 17), (18, 34), (35, 59), (60, 69), (70, 79), (80, None),
)  # fmt: skip
SEARCHED = re.compile(r"^(name|address|alias)$|(Name|Address)$")
"""String attributes a ledger search looks in: names and addresses."""
_NUMBERS = {str(XSD.integer): int, str(XSD.decimal): float, str(XSD.double): float}
_FLOOR = {"text": "", "number": -1.0e300, "boolean": False}


def invalid(path: str, message: str, message_zh: str, value: object = None) -> ValidationFailed:
    """A bad request parameter, named."""
    return ValidationFailed([Violation(path, message, message_zh, value=value)])


@dataclass(frozen=True)
class EntityType:
    """An entity class as a ledger: identity key, attachment to places, attributes."""

    cls: OntologyClass
    top: OntologyClass
    labels: tuple[str, ...]
    key: str
    attachment: str | None
    attributes: Mapping[str, Attribute]
    masked: frozenset[str]
    relations: tuple[RelationType, ...]

    @property
    def name(self) -> str:
        return self.cls.name

    @property
    def is_place(self) -> bool:
        return self.attachment is None

    @cached_property
    def search_keys(self) -> tuple[str, ...]:
        """Unmasked name and address attributes: what ``q`` searches."""
        return tuple(
            key
            for key, a in self.attributes.items()
            if SEARCHED.search(key) and a.range == str(XSD.string) and key not in self.masked
        )

    @property
    def has_age(self) -> bool:
        return BIRTH_DATE in self.attributes

    def href(self, key: str) -> str:
        return f"/ledgers/{self.top.name}/{key}"


@dataclass(frozen=True, slots=True)
class SortKey:
    """A sort on ``key`` (its missing values sort as ``floor``), ascending unless descending."""

    key: str
    descending: bool
    floor: Any

    @property
    def text(self) -> str:
        return ("-" if self.descending else "") + self.key


class Catalog:
    """The ledgers' view of one ontology; build with :func:`catalog_for` (cached)."""

    def __init__(self, ontology: Ontology, masker: Masker | None = None) -> None:
        self.ontology = ontology
        self.masker = masker or Masker(ontology)
        self._relations = {r.graph_type: r for r in ontology.relations.values()}
        self._deepest: dict[tuple[str, ...], EntityType | None] = {}

    # --- types -------------------------------------------------------------------------------

    def entity_type(self, name: str, *, path: str = "type") -> EntityType:
        """The ledger of entity class ``name``; unknown names are refused, naming ``path``."""
        found = self._types.get(name)
        if found is None:
            tops = ", ".join(sorted(c.name for c in self.ontology.top_classes))
            raise invalid(
                path,
                f"{name!r} is not an entity class of the ontology (e.g. {tops} or a subclass)",
                f"{name!r} 不是知识体系中的实体类",
                name,
            )
        return found

    def top_types(self) -> list[EntityType]:
        return [self._types[c.name] for c in self.ontology.top_classes if c.name in self._types]

    def all_masked_keys(self) -> frozenset[str]:
        """Every entity property key masked on some class (what analysts may not name)."""
        return frozenset(k for t in self._types.values() for k in t.masked)

    def relation(self, graph_type: str) -> RelationType | None:
        return self._relations.get(graph_type)

    def qualification(self, graph_type: str) -> str | None:
        """The qualification class holding a relation's attributes (to mask them by)."""
        relation = self.relation(graph_type)
        found = self.ontology.qualification_of(relation) if relation else None
        return found.name if found else None

    def type_of(self, labels: Sequence[str]) -> EntityType | None:
        """The deepest entity class among a node's ``labels`` (``Resident`` over ``Person``),
        remembered per set of labels (a page asks once per row)."""
        wanted = tuple(labels)
        if wanted not in self._deepest:
            known = [self._types[label] for label in wanted if label in self._types]
            self._deepest[wanted] = max(known, key=lambda t: len(t.labels)) if known else None
        return self._deepest[wanted]

    def most_specific(self, labels: Sequence[str]) -> str:
        found = self.type_of(labels)
        return found.name if found else (labels[0] if labels else "")

    @cached_property
    def _types(self) -> dict[str, EntityType]:
        found: dict[str, EntityType] = {}
        for cls in self.ontology.entity_classes:
            top = self.ontology.top_class(cls)
            key = self.ontology.identity_key(cls)
            if top is None or key is None or top.name not in (*ATTACHMENTS, "Place"):
                continue
            labels = self.ontology.graph_labels(cls)
            attributes = {a.property_key: a for a in self.ontology.attributes_of(cls)}
            attributes[key.name] = key
            lineage = {c.iri for c in self.ontology.lineage(cls)}
            relations = tuple(
                r
                for r in self.ontology.relations.values()
                if r.domain in lineage or r.range in lineage
            )
            found[cls.name] = EntityType(
                cls=cls,
                top=top,
                labels=labels,
                key=key.name,
                attachment=ATTACHMENTS.get(top.name),
                attributes=attributes,
                masked=frozenset(self.masker.masked_keys(labels)),
                relations=relations,
            )
        return found

    # --- attributes --------------------------------------------------------------------------

    def attribute(self, etype: EntityType, key: str, *, path: str) -> Attribute:
        found = etype.attributes.get(key)
        if found is None:
            raise invalid(
                path,
                f"{key!r} is not an attribute of {etype.name}",
                f"{key!r} 不是 {etype.name} 的属性",
                key,
            )
        return found

    def may_reveal(self, principal: Principal, etype: EntityType, key: str) -> bool:
        """Whether ``principal`` may see ``key`` of ``etype`` in clear (asked of the masker)."""
        if key not in etype.masked:
            return True
        seen = self.masker.redact(principal, etype.labels, {key: ""}, reveal=[key])
        return key in seen.revealed

    def value(self, attribute: Attribute, text: str, *, path: str) -> Any:
        """``text`` read as the attribute's datatype; a code must be in its code list."""
        code_list = self.ontology.code_list_of(attribute)
        if attribute.is_coded:
            if code_list is not None and text not in code_list.by_notation:
                codes = ", ".join(list(code_list.by_notation)[:12])
                raise invalid(path, f"{text!r} is not a code of {code_list.name} ({codes}…)",
                              f"{text!r} 不在代码表 {code_list.label.zh or code_list.name} 中",
                              text)  # fmt: skip
            return text
        datatype = attribute.range
        try:
            if datatype in _NUMBERS:
                return _NUMBERS[datatype](Decimal(text))
            if datatype == str(XSD.boolean):
                return {"true": True, "false": False, "1": True, "0": False}[text.lower()]
            if datatype == str(XSD.date):
                return date.fromisoformat(text).isoformat()
        except (InvalidOperation, KeyError, ValueError):
            kind = datatype.rsplit("#", 1)[-1]
            raise invalid(path, f"{text!r} is not a valid {kind} for {attribute.name}",
                          f"{text!r} 不是 {attribute.name} 的有效值", text) from None  # fmt: skip
        return text

    def code_labels(self, attribute: Attribute, lang: str = "zh") -> dict[str, str]:
        code_list = self.ontology.code_list_of(attribute)
        if code_list is None:
            return {}
        return {
            c.notation: (c.label.zh if lang == "zh" else c.label.en) for c in code_list.concepts
        }

    # --- filters, sorts, breakdowns ----------------------------------------------------------

    def parse_filter(self, text: str, *, path: str = "filter") -> Filter:
        """``key:op:value``; ``key:value`` means ``eq``; ``key:exists``, ``key:missing``."""
        key, _, rest = text.partition(":")
        op, sep, value = rest.partition(":")
        if not sep and op not in ("exists", "missing"):
            op, value = "eq", rest
        try:
            return Filter(key=key, op=op, value=value)  # type: ignore[arg-type]
        except ValidationError:
            raise invalid(path, f"bad filter {text!r}: write key:op:value with op one of "
                          "eq, ne, lt, lte, gt, gte, in, contains, exists, missing",
                          f"筛选条件 {text!r} 格式错误", text) from None  # fmt: skip

    def compile_filters(
        self, etype: EntityType, filters: Sequence[Filter], *, today: date, path: str = "filter"
    ) -> list[dict[str, Any]]:
        """Filters as ``$filters`` rows ``{key, op, value, values, text}`` for the queries."""
        compiled: list[dict[str, Any]] = []
        for f in filters:
            if f.key == AGE and etype.has_age:
                compiled.extend(_age_filter(f, today=today, path=path))
                continue
            attribute = self.attribute(etype, f.key, path=path)
            if f.op in ("exists", "missing"):
                compiled.append(_row(f.key, f.op))
            elif f.op == "in":
                values = [self.value(attribute, v, path=path) for v in f.value.split(",") if v]
                compiled.append(_row(f.key, "in", values=values))
            elif f.op == "contains":
                compiled.append(_row(f.key, "contains", text=f.value.lower()))
            else:
                compiled.append(_row(f.key, f.op, self.value(attribute, f.value, path=path)))
        return compiled

    def sort_key(self, etype: EntityType, sort: str | None, *, path: str = "sort") -> SortKey:
        """``key`` or ``-key`` (default: the identity key); missing values sort first."""
        text = sort or etype.key
        descending = text.startswith("-")
        key = text.lstrip("-")
        attribute = self.attribute(etype, key, path=path)
        datatype = attribute.range
        kind = (
            "number"
            if datatype in _NUMBERS
            else "boolean"
            if datatype == str(XSD.boolean)
            else "text"
        )
        return SortKey(key, descending, _FLOOR[kind])

    def breakdown_key(self, etype: EntityType, by: str, *, path: str = "by") -> Attribute | None:
        """The attribute to break statistics down by; ``None`` for the derived ``ageBand``."""
        if by == AGE_BAND and etype.has_age:
            return None
        return self.attribute(etype, by, path=path)


@cache
def catalog_for(ontology: Ontology) -> Catalog:
    """The catalog of ``ontology`` (ontologies are loaded once per folder, so this is too)."""
    return Catalog(ontology, masker_for(ontology))


def age_bands(today: date) -> list[dict[str, str]]:
    """``$bands`` rows ``{label, after, upto}``: a birth date in (after, upto] is in the band."""
    bands = []
    for low, high in AGE_BANDS:
        label = f"{low}+" if high is None else f"{low}-{high}"
        after = "" if high is None else _years_before(today, high + 1).isoformat()
        bands.append(
            {"label": label, "after": after, "upto": _years_before(today, low).isoformat()}
        )
    return bands


def _row(
    key: str, op: str, value: Any = None, *, values: list[Any] | None = None, text: str = ""
) -> dict[str, Any]:
    """One ``$filters`` row; ``text`` is apart from ``value`` so each keeps one type."""
    return {"key": key, "op": op, "value": value, "values": values or [], "text": text}


def _age_filter(f: Filter, *, today: date, path: str) -> list[dict[str, Any]]:
    """An ``age`` condition as conditions on ``birthDate`` (age ≥ n ⇔ born on or before
    today minus n years)."""
    if f.op in ("exists", "missing"):
        return [_row(BIRTH_DATE, f.op)]
    try:
        years = int(f.value)
    except ValueError:
        raise invalid(path, f"age must be a whole number of years, not {f.value!r}",
                      f"年龄须为整数，而不是 {f.value!r}", f.value) from None  # fmt: skip
    if f.op not in ("eq", "lt", "lte", "gt", "gte") or not 0 <= years <= 150:
        raise invalid(path, f"age supports eq, lt, lte, gt, gte with 0–150, not {f.op} {years}",
                      "年龄筛选只支持 eq、lt、lte、gt、gte（0–150）", f.value)  # fmt: skip
    # age >= n: born <= today-n;  age < n: born > today-n;  age <= n ⇔ age < n+1; age > n ⇔ >= n+1
    upto = {"gte": years, "gt": years + 1, "eq": years}.get(f.op)
    after = {"lt": years, "lte": years + 1, "eq": years + 1}.get(f.op)
    rows = []
    if upto is not None:
        rows.append(_row(BIRTH_DATE, "lte", _born(today, upto)))
    if after is not None:
        rows.append(_row(BIRTH_DATE, "gt", _born(today, after)))
    return rows


def _born(today: date, years: int) -> str:
    return _years_before(today, years).isoformat()


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)
