"""Form definitions as data: pydantic models, their JSON Schema, loading from YAML or JSON.

A form has bilingual titles, a **subject** entity class and a list of fields. Every field binds
to the ontology (checked when the form is saved, see :mod:`citykg.controls.binding`):

``attribute``  an attribute of the subject (``term`` names it; it defaults to the field name and
               may be the attribute's local name, ``personMobilePhone``, or its property key,
               ``mobilePhone``)
``choice``     a coded attribute, answered with code notations from its SKOS code list
               (``multiple`` for select-multiple; ``choices`` narrows and relabels the list)
``address``    a place, given as a place code or a free-text Chinese address, resolved through
               the geographic hierarchy; writes the subject's ``relation`` to it (default: the
               subject's residence or location relation), ``fields`` are that relation's
               attributes; a new place ends the current relation when ``ends_previous``
``relation``   one other entity linked by ``relation`` (``direction`` says which end the subject
               is), ``target`` its class; ``fields`` are attributes of the target (its identity
               key among them) and of the relation
``repeat``     like ``relation``, for several entities (household members, vehicles)

Value fields carry the XLSForm options: ``required`` (a boolean or an expression), ``constraint``
with ``constraint_message``, ``relevant`` (show-if), ``default``, ``calculation``, ``read_only``,
``hint`` and labels per language. Expressions use :mod:`citykg.controls.expressions`.

Answers mirror the fields: a value per value field, a string (or ``{"place": ..., <relation
fields>}``) per address field, an object per relation field and a list of objects per repeat.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    Tag,
    ValidationError,
    model_validator,
)

from citykg.errors import ValidationFailed, Violation

Lang = Literal["zh", "en"]
FieldName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]
FormId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
Scalar = str | int | float | bool
ValueType = Literal["text", "integer", "decimal", "date", "datetime", "boolean", "uri"]
PlaceLevel = Literal["community", "compound", "building", "unit", "door"]
Direction = Literal["outgoing", "incoming"]

SCHEMA_ID = "https://w3id.org/citykg/schema/form.json"
PLACE_KEY = "place"
"""In an address answer given as an object, the key holding the address itself."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Frozen):
    """A text in Chinese and English; a plain string in a form file sets both."""

    zh: str = ""
    en: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"zh": data, "en": data} if isinstance(data, str) else data

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to the other language."""
        return (self.zh or self.en) if lang == "zh" else (self.en or self.zh)


class Choice(_Frozen):
    """One offered answer of a choice field: a code notation and, optionally, its own label."""

    value: str
    label: Text | None = None


class _FieldBase(_Frozen):
    name: FieldName
    label: Text | None = None
    """Default: the bound term's label."""
    hint: Text | None = None
    required: StrictBool | str = False
    """``true``, or an expression: the field is required when it holds."""
    relevant: str | None = None
    """Show-if expression; a field that is not relevant is not written."""


class _ValueField(_FieldBase):
    term: str | None = None
    """The attribute (local name or property key); defaults to ``name``."""
    constraint: str | None = None
    constraint_message: Text | None = None
    default: Scalar | tuple[Scalar, ...] | None = None
    calculation: str | None = None
    read_only: StrictBool = False
    """Never taken from the answers: written from ``calculation``/``default`` or not at all."""

    @property
    def term_name(self) -> str:
        return self.term or self.name


class AttributeField(_ValueField):
    """A value of one attribute."""

    kind: Literal["attribute"] = "attribute"
    type: ValueType | None = None
    """Optional: when given it must match the attribute's datatype."""


class ChoiceField(_ValueField):
    """One code (or several with ``multiple``) of a coded attribute's code list."""

    kind: Literal["choice"] = "choice"
    multiple: StrictBool = False
    choices: tuple[Choice, ...] = ()
    """A subset of the code list to offer, in order (default: every code)."""


def _value_kind(data: Any) -> str:
    """A field's kind; anything that is not a field (a number in the list) is read as an
    attribute field, so the check names what it lacks instead of failing."""
    if isinstance(data, dict):
        return str(data.get("kind", "attribute"))
    return str(getattr(data, "kind", "attribute"))


ValueField = Annotated[
    Annotated[AttributeField, Tag("attribute")] | Annotated[ChoiceField, Tag("choice")],
    Discriminator(_value_kind),
]


class AddressField(_FieldBase):
    """A place reached through the geographic hierarchy, and the subject's relation to it."""

    kind: Literal["address"]
    relation: str | None = None
    """Default: ``residesIn`` (Person), ``locatedAt`` (Organization), ``installedAt`` (Thing),
    ``occurredAt`` (Event)."""
    level: PlaceLevel | None = None
    """The address must reach at least this level."""
    ends_previous: StrictBool = True
    """A new place ends the subject's current relation to another place (``until`` = today)."""
    fields: tuple[ValueField, ...] = ()
    """Attributes of the relation (``since``, ``residenceType``…)."""


class RelationField(_FieldBase):
    """One related entity, matched by its identity key, and the relation's attributes."""

    kind: Literal["relation"]
    relation: str
    target: str
    direction: Direction = "outgoing"
    fields: tuple[ValueField, ...]


class RepeatField(_FieldBase):
    """Several related entities (a repeat group), each as in :class:`RelationField`."""

    kind: Literal["repeat"]
    relation: str
    target: str
    direction: Direction = "outgoing"
    fields: tuple[ValueField, ...]
    min_count: StrictInt = Field(default=0, ge=0)
    max_count: StrictInt | None = Field(default=None, ge=1)


GroupField = AddressField | RelationField | RepeatField
AnyField = Annotated[
    Annotated[AttributeField, Tag("attribute")]
    | Annotated[ChoiceField, Tag("choice")]
    | Annotated[AddressField, Tag("address")]
    | Annotated[RelationField, Tag("relation")]
    | Annotated[RepeatField, Tag("repeat")],
    Discriminator(_value_kind),
]


class FormDefinition(_Frozen):
    """A form: what it is called, which entity class it is about, and its fields."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "$id": SCHEMA_ID,
            "$schema": "https://json-schema.org/draft/2020-12/schema",
        },
    )

    id: FormId
    version: StrictInt = Field(default=1, ge=1)
    title: Text
    description: Text | None = None
    subject: str
    """The subject's ontology class (local name), e.g. ``Resident``."""
    language: Lang = "zh"
    """The form's own language: the default for labels and error messages."""
    fields: tuple[AnyField, ...]

    def digest(self) -> str:
        """A fingerprint of the content (the version excluded), to spot unchanged saves."""
        text = self.model_copy(update={"version": 1}).model_dump_json()
        return hashlib.sha256(text.encode()).hexdigest()


def form_json_schema() -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of the form definition format."""
    return FormDefinition.model_json_schema(mode="validation")


def parse_form(data: Any) -> FormDefinition:
    """A form from already-parsed data; malformed input raises :class:`ValidationFailed`."""
    try:
        return FormDefinition.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            [
                Violation(
                    path=".".join(str(p) for p in error["loc"]) or "form",
                    message=error["msg"],
                    message_zh=f"表单格式错误：{error['msg']}",
                    value=error.get("input") if _is_scalar(error.get("input")) else None,
                )
                for error in exc.errors()
            ]
        ) from None


def load_form(path: Path) -> FormDefinition:
    """A form from a ``.yaml``/``.yml`` or ``.json`` file."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValidationFailed(
            [
                Violation(
                    path=path.name,
                    message=f"not valid {path.suffix[1:]}: {exc}",
                    message_zh=f"无法解析 {path.name}：{exc}",
                )
            ]
        ) from None
    return parse_form(data)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
