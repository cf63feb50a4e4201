"""Auto-fill: every field of a form the graph already knows for a subject, each with its source.

One read (:func:`~citykg.controls.statement.prefill_statement`) fetches the subject, the
submissions that asserted its values, and for each group its current facts: the current place of
an address with the place's ancestors (door → unit → building → compound → community…), and the
current related entities (household members, vehicles…) with their own assertions. Whichever
form wrote a value, prefill shows it: values are keyed by property key, not by form.

The result is shaped like the answers a client would send back:

``{"name": {"value": "王伟", "source": {"submission": "…", "form": "…", "at": "…"}},
"address": {"value": "<place code>", "address": "北京市…101室", "path": [...], "source": …,
"fields": {"since": {...}}}, "members": [{"key": "…", "fields": {...}}]}``

A value's source is the latest submission whose assertion covers its property key (a relation's
attributes: the submission that last set them); values the platform did not collect through a
form have no source.

Who may see a subject: a resident their own person and their household (linked by household
headship or living at the same place); an official a subject whose current place (residence,
location…) lies in their jurisdiction; a service principal any. A subject out of reach answers
exactly like an unknown one (nothing found), so prefill is no oracle for identity keys.
Sensitive values (:mod:`citykg.access.masking`) come masked, with ``"masked": true``, except
to a resident looking at their own household: prefill never reveals, the audited reveal of the
ledgers does. A client sends a masked value back unchanged only by leaving the field out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from citykg.access import Principal
from citykg.access.masking import Masker, mask
from citykg.controls import fragments, queries
from citykg.controls.binding import ADDRESS_RELATIONS, BoundForm, BoundGroup, BoundValue, local
from citykg.controls.compile import CompiledForm
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with
from citykg.ontology.model import relationship_type

Source = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Prefill:
    """What the graph knows for one subject of one form (``found`` False: nothing yet)."""

    form: str
    version: int
    subject: str
    found: bool
    values: dict[str, Any]


def prefill(
    store: GraphStore, *, form: CompiledForm, subject: str, principal: Principal, masker: Masker
) -> Prefill:
    """The known values of ``form``'s fields for ``subject`` (its identity key value), masked
    as ``masker`` says unless they are the resident's own household's.

    A subject ``principal`` may not see answers exactly like an unknown one (``found`` False),
    so prefill never tells whether an identity key is registered elsewhere.
    """
    bound = form.bound
    seen = _visibility(store, bound=bound, key=subject, principal=principal)
    rows = store.read(form.prefill_query, {"key": subject}) if seen != "unseen" else []
    version = form.form.version
    if not rows:
        return Prefill(bound.form.id, version, subject, False, {})
    hidden: Hidden = (lambda _labels: frozenset()) if seen == "own" else _hidden_by(masker)
    return Prefill(bound.form.id, version, subject, True, _Values(bound, hidden).of(rows[0]))


Hidden = Callable[[tuple[str, ...]], frozenset[str]]
"""The property keys to mask on a node (or relation) of these labels (qualification class)."""


def _hidden_by(masker: Masker) -> Hidden:
    return lambda labels: frozenset(masker.masked_keys(labels))


@dataclass(frozen=True, slots=True)
class _Values:
    bound: BoundForm
    hidden: Hidden

    def of(self, row: Mapping[str, Any]) -> dict[str, Any]:
        bound = self.bound
        masked = self.hidden((bound.top.name, *bound.labels))
        values = _fields(bound.values, row["subject"], _assertions(row["asserted"]), masked)
        for group in bound.groups:
            facts = [fact for fact in row[group.slot] if fact is not None]
            shape = self.address if group.is_address else self.related
            if group.is_repeat:
                facts.sort(key=partial(_row_order, group))
                values[group.name] = [shape(group, fact) for fact in facts]
            elif facts:
                values[group.name] = shape(group, facts[0])
        return values

    def relation_hidden(self, group: BoundGroup) -> frozenset[str]:
        qualified_by = group.relation.qualified_by
        return self.hidden((local(qualified_by),)) if qualified_by else frozenset()

    def address(self, group: BoundGroup, fact: list[Any]) -> dict[str, Any]:
        rel, place, path = fact
        ancestors = sorted(
            ({"code": c, "name": n, "level": lv} for c, n, lv in path if c is not None),
            key=lambda p: (p["level"] is None, p["level"] or 0),
        )
        here = {
            "code": place.get("placeCode"),
            "name": place.get("name"),
            "level": place.get("level"),
        }
        source = _relation_source(rel)
        masked = self.relation_hidden(group)
        return {
            "value": here["code"],
            "place": here,
            "path": ancestors,
            "address": "".join(str(p["name"] or "") for p in (*ancestors, here)),
            "source": source,
            "fields": _fields(group.relation_values, rel, lambda _key: source, masked),
        }

    def related(self, group: BoundGroup, fact: list[Any]) -> dict[str, Any]:
        rel, entity, asserted = fact
        assert group.identity is not None
        source = _relation_source(rel)
        masked = self.hidden((group.top.name, *group.labels))
        fields = _fields(group.values, entity, _assertions(asserted), masked)
        fields.update(
            _fields(group.relation_values, rel, lambda _key: source, self.relation_hidden(group))
        )
        key = entity.get(group.identity.key)
        return {"key": mask(key) if group.identity.key in masked else key, "fields": fields}


def _row_order(group: BoundGroup, fact: list[Any]) -> tuple[tuple[bool, str], ...]:
    """Related rows in a stable order, whatever order the graph returns them in: by the
    relation's values (a household member's relation to the head), then the entity's."""
    rel, entity, _asserted = fact
    values = [rel.get(v.key) for v in group.relation_values]
    values += [entity.get(v.key) for v in group.values]
    return tuple((value is None, str(value)) for value in values)


def _fields(
    values: tuple[BoundValue, ...],
    props: Mapping[str, Any],
    source: Callable[[str], Source | None],
    masked: frozenset[str],
) -> dict[str, Any]:
    return {
        v.name: _field(props[v.key], source(v.key), v.key in masked)
        for v in values
        if props.get(v.key) is not None
    }


def _field(value: Any, source: Source | None, masked: bool) -> dict[str, Any]:
    if masked:
        return {"value": mask(value), "masked": True, "source": source}
    return {"value": value, "source": source}


def _assertions(asserted: list[Any]) -> Callable[[str], Source | None]:
    """The latest assertion of each property key: ``[keys, at, submission, form]`` rows."""
    latest: dict[str, Source] = {}
    for keys, at, submission, form in sorted(
        (a for a in asserted if a is not None), key=lambda a: str(a[1])
    ):
        for key in keys or ():
            latest[key] = {"submission": submission, "form": form, "at": at}
    return latest.get


def _relation_source(rel: Mapping[str, Any]) -> Source | None:
    if rel.get("assertedBy") is None:
        return None
    return {"submission": rel["assertedBy"], "at": rel.get("assertedAt")}


# --- who may see a subject ------------------------------------------------------------------


def _visibility(
    store: GraphStore, *, bound: BoundForm, key: str, principal: Principal
) -> Literal["own", "seen", "unseen"]:
    """How ``principal`` sees the subject: ``own`` (a resident's household, in clear), ``seen``
    (masked), or ``unseen``: outside their reach, told apart from unknown by nothing."""
    if principal.kind == "service":
        return "seen"
    if principal.kind == "resident" and principal.person and bound.top.name == "Person":
        if key == principal.person or _household(store, principal.person, key):
            return "own"
    elif principal.kind == "official":
        places = _places_of(store, bound, key) or []
        if any(principal.scope.contains(code) for code in places):
            return "seen"
    return "unseen"


def _household(store: GraphStore, me: str, other: str) -> bool:
    rows = store.read(queries.HOUSEHOLD_LINKS, {"me": me, "other": other})
    return bool(rows) and int(rows[0]["links"]) > 0


def _places_of(store: GraphStore, bound: BoundForm, key: str) -> list[str] | None:
    """The subject's current places (a place is its own); None when the subject is unknown."""
    if bound.top.name == "Place":
        return [key]
    relation = ADDRESS_RELATIONS.get(bound.top.name)
    if relation is None:
        return []
    query = cypher_with(
        fragments.SUBJECT_PLACES_TEMPLATE,
        top=bound.top.name,
        key=bound.identity.key,
        rel=relationship_type(relation),
    )
    rows = store.read(query, {"key": key})
    return [str(code) for code in rows[0]["places"]] if rows else None
