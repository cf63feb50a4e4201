"""The ledgers' input and output shapes (pydantic, so the API serves them as they are).

Inputs: :class:`LedgerQuery` (what to list: type, place, filters, search, sort, page) and
:class:`Filter` (one attribute condition). Outputs: :class:`LedgerPage` of :class:`LedgerRow`,
:class:`EntityDetail` with :class:`RelationGroup` and :class:`RelatedEntity`,
:class:`LedgerStats` of :class:`StatsBucket`. Property values in outputs are already masked for
the principal who asked.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FilterOp = Literal["eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "exists", "missing"]
FILTER_OPS: tuple[FilterOp, ...] = (
    "eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "exists", "missing",
)  # fmt: skip
MAX_PAGE = 500


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- inputs ------------------------------------------------------------------------------------


class Filter(_Frozen):
    """One condition on an attribute: ``gender eq 2``, ``age gte 60``, ``gender in 1,2``.

    ``value`` is text as typed by a user; the catalog reads it by the attribute's datatype and
    code list. ``age`` is derived from ``birthDate`` for classes that have one.
    """

    key: str
    op: FilterOp = "eq"
    value: str = ""


class LedgerQuery(_Frozen):
    """Which entities to list, in which order, from where (``cursor``) and how many."""

    type: str = Field(description="An entity class: Person, Resident, Vehicle, Community…")
    within: str | None = Field(default=None, description="Only under this place (code).")
    filters: tuple[Filter, ...] = ()
    q: str | None = Field(default=None, description="Search names and addresses; or an exact key.")
    created_by: str | None = Field(
        default=None, description="Organization (credit code) whose staff first submitted it."
    )
    sort: str | None = Field(default=None, description="Attribute key; '-key' for descending.")
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    purpose: str | None = Field(default=None, description="Why (audited with sensitive filters).")


# --- outputs -----------------------------------------------------------------------------------


class Text(_Frozen):
    zh: str = ""
    en: str = ""


class LedgerRow(_Frozen):
    """One entity in a ledger page: its key (masked if sensitive), a ``ref`` to open it with,
    its class, properties and where it is attached."""

    type: str
    key: str
    ref: str
    labels: list[str]
    properties: dict[str, Any]
    place: str | None = Field(description="The place it is attached to (its own code for places).")
    address: str = Field(description="Compound, building, unit and door names of that place.")
    masked: list[str] = []


class LedgerPage(_Frozen):
    """A page of a ledger and the cursor of the next one (``None`` on the last page)."""

    type: str
    items: list[LedgerRow]
    next_cursor: str | None
    limit: int


class PlaceStep(_Frozen):
    code: str
    name: str
    level: int | None = None


class RelatedEntity(_Frozen):
    """The entity at the other end of a relation, and the relation's own attributes.

    ``href`` is set when the caller may open it (it lies in their scope). One that hangs off
    places outside their scope shows its top class only, with ``outside`` saying so: no key,
    ref, name or path. One that hangs off no place (a household's car) shows its key and name.
    """

    type: str
    key: str | None
    ref: str | None
    name: str | None
    current: bool = Field(description="False for an ended relation (it has an 'until').")
    properties: dict[str, Any] = Field(description="The relation's attributes (masked).")
    path: list[PlaceStep] = Field(default=[], description="A place's full address path.")
    href: str | None = None
    outside: Text | None = Field(
        default=None, description="Set when it lies outside what you may see (its class only)."
    )


class RelationGroup(_Frozen):
    """All relations of one type and direction, e.g. the persons this one is head of."""

    relation: str
    type: str
    direction: Literal["out", "in"]
    label: Text
    total: int
    items: list[RelatedEntity]


class EntityDetail(_Frozen):
    type: str
    key: str
    ref: str
    labels: list[str]
    properties: dict[str, Any]
    masked: list[str]
    revealed: list[str]
    relations: list[RelationGroup]


class StatsBucket(_Frozen):
    """One place at the roll-up level: how many entities match, split by the breakdown."""

    code: str
    name: str
    count: int | None
    breakdown: dict[str, int | None] = {}


class LedgerStats(_Frozen):
    """Counts of a ledger under a place, rolled up by level and broken down by an attribute.

    ``direct`` counts entities attached above the roll-up level (at the place itself). For
    those who may not read the rows counts are perturbed, and ``None`` when withheld as too
    small (``suppressed_below``; see :mod:`citykg.access.disclosure`).
    """

    type: str
    code: str
    name: str
    level: int | None
    by: str | None
    total: int | None
    direct: int | None
    breakdown: dict[str, int | None]
    buckets: list[StatsBucket]
    labels: dict[str, str] = Field(default={}, description="Breakdown values' labels.")
    suppressed_below: int | None = Field(
        default=None, description="Published counts below this are withheld (None)."
    )
    perturbed: bool = Field(
        default=False,
        description="Counts are perturbed by the cell key method (±2; the same people always "
        "give the same number), for those who may not read the rows.",
    )
