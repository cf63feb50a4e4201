"""The access contract's city, principals and oracle.

A generated demo city (``citykg.demo.generate_city``): 朝阳区 (110105) with two populated
communities X and Y in two streets, and a second district, 丰台区 (110106), so that even a
district official has something outside their jurisdiction. Its principals, one per kind of
caller the platform knows: residents of two households (one in X, one in Y), a community worker
of X and one of Y, the head of X's street office, an official of a 朝阳区 department, an
analyst, a form builder, a service account, a security officer; and callers without a token or
with a forged one. Residents' held requests (to be confirmed or declined) and things to end are
made here too, one per cell that uses one up, so no cell depends on another.

:class:`Oracle` reads from the graph, independently of the code under test, what each principal
may see: persons, other entities and premises in their reach, and every sensitive value.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from citykg.access import Principal, issue_token, save_principal
from citykg.access import principal as resolve
from citykg.access.masking import masker_for
from citykg.analysis import Analysis, AnalystCopy
from citykg.analysis.projection import Projection, projection_key
from citykg.api.app import create_app
from citykg.controls import load_examples
from citykg.demo import generate_city
from citykg.geo import PlaceScope
from citykg.graph import GraphStore
from citykg.ledgers import refs
from citykg.ledgers.refs import seal
from citykg.ontology import load_ontology
from citykg.ontology.checkrules import gb11643_check_char
from citykg.settings import Settings
from tests.backends import BACKENDS, backend_graph

SECRET = "the access matrix"
"""Refs and cell keys are sealed with this, so published statistics are the same every run."""
MAIN, OTHER = "110105", "110106"
FORM = "household-registration"
ENDERS = ("worker_x", "worker_y", "street")
"""Who ends, confirms and declines in the matrix: each gets things and held requests of its own."""

# --- what the oracle reads (the test's own Cypher, not the platform's) --------------------------

PERSONS = (
    "MATCH (p:Person) OPTIONAL MATCH (p)-[r:RESIDES_IN]->(d:Place) WHERE r.until IS NULL "
    "RETURN p.idNumber AS id, p.name AS name, p.mobilePhone AS phone, "
    "collect(d.placeCode) AS homes ORDER BY id"
)
ENTITIES = (
    "MATCH (x) WHERE x:Organization OR x:Thing OR x:Event "
    "OPTIONAL MATCH (x)-[a:LOCATED_AT|INSTALLED_AT|OCCURRED_AT]->(pl:Place) WHERE a.until IS NULL "
    "OPTIONAL MATCH (x)-[j:HAS_JURISDICTION_OVER]->(:Place) "
    "OPTIONAL MATCH (x)-[:OWNED_BY_PERSON]->(owner:Person) "
    "RETURN coalesce(x.creditCode, x.thingCode, x.eventCode) AS key, "
    "coalesce(x.name, x.title) AS name, collect(DISTINCT pl.placeCode) AS places, "
    "count(j) > 0 AS public, collect(DISTINCT owner.idNumber) AS owners"
)
PREMISES = "MATCH (pl:Place) WHERE pl.level >= 6 RETURN pl.placeCode AS code ORDER BY code"
POSTS = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:Organization)-[j:HAS_JURISDICTION_OVER]->(pl:Place) "
    "WHERE h.until IS NULL AND j.until IS NULL "
    "RETURN p.idNumber AS person, o.creditCode AS org, h.role AS role, "
    "collect(pl.placeCode) AS places ORDER BY org, role, person"
)
HOUSEHOLD = (
    "MATCH (me:Person {idNumber: $id}) "
    "OPTIONAL MATCH (me)-[r:RESIDES_IN]->(:Place)<-[r2:RESIDES_IN]-(mate:Person) "
    "WHERE r.until IS NULL AND r2.until IS NULL "
    "OPTIONAL MATCH (me)-[:HOUSEHOLD_HEAD_OF*1..2]-(kin:Person) "
    "RETURN collect(DISTINCT mate.idNumber) + collect(DISTINCT kin.idNumber) AS ids"
)
PATHS = (
    "MATCH (d:Place {placeCode: $code})-[:PART_OF*0..12]->(up:Place) "
    "RETURN up.name AS name, up.level AS level ORDER BY up.level"
)
THING = (
    "MATCH (pl:Place {placeCode: $place}) "
    "CREATE (t:Thing:PublicFacility:LampPost {thingCode: $code, name: $name}) "
    "CREATE (t)-[:INSTALLED_AT {installDate: '2020-01-01'}]->(pl)"
)


@dataclass(frozen=True)
class Sight:
    """What one principal may see: persons (ID numbers), other entities (identity keys) and
    premises (place codes) in reach, its own person, its household; ``everything`` for a
    principal whose reach is the whole city on the routes it may call."""

    persons: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset()
    premises: frozenset[str] = frozenset()
    own: str | None = None
    household: frozenset[str] = frozenset()
    everything: bool = False


@dataclass
class Actor:
    """A caller of the matrix: its principal id and token (None: no token), what it may see,
    and the entities its cells use: ``in_*`` within its reach, ``out_*`` outside it."""

    name: str
    token: str | None
    sight: Sight
    targets: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass
class Oracle:
    """Every identifying or sensitive string of the city, and who may see which."""

    names: dict[str, str]  # person ID number -> name
    sensitive: dict[str, set[str]]  # person ID number -> ID number and phone
    entity_names: dict[str, str]  # organization, thing, event key -> name or title
    public: frozenset[str]  # organizations with a jurisdiction: public bodies
    premises: frozenset[str]

    def forbidden(self, sight: Sight, *, clear: str, names: bool) -> tuple[set[str], set[str]]:
        """Digit tokens and exact strings that must not appear in an answer to ``sight``:
        sensitive values in clear (but its own, or its household's where ``clear`` is
        "household"), and keys and names of what lies outside its reach (``names``: a person's
        name outside reach counts)."""
        mine = {sight.own} if sight.own else set()
        if clear == "household":
            mine |= sight.household
        digits = {v for pid, values in self.sensitive.items() if pid not in mine for v in values}
        strings: set[str] = set()
        if sight.everything:
            return digits, strings
        seen_names = {self.names[p] for p in sight.persons if p in self.names}
        if names:
            strings |= {n for p, n in self.names.items() if p not in sight.persons} - seen_names
        outside = set(self.entity_names) - sight.entities - self.public
        seen = {self.entity_names[k] for k in sight.entities if k in self.entity_names}
        strings |= outside | ({self.entity_names[k] for k in outside} - seen - seen_names)
        digits |= self.premises - sight.premises
        return digits, strings


@dataclass
class City:
    store: GraphStore
    client: TestClient
    oracle: Oracle
    actors: dict[str, Actor]
    x: str  # the two populated communities of 110105
    y: str

    def new_id(self, serial: int) -> str:
        """A valid ID number no one in the city has (1990-01-01, sequence ``serial``)."""
        first17 = f"110105199001{serial // 1000 % 28 + 1:02d}{serial % 1000:03d}"
        key = first17 + gb11643_check_char(first17)
        assert key not in self.oracle.names
        return key


def strings_of(body: bytes, content_type: str) -> list[str]:
    """Every string an answer holds: JSON values and keys, CSV cells, or the text."""
    text = body.decode("utf-8-sig", errors="replace")
    if "json" in content_type:
        found: list[str] = []
        _walk(json.loads(text) if text else None, found)
        return found
    if "csv" in content_type:
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return [text]


def _walk(value: Any, found: list[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            found.append(str(k))
            _walk(v, found)
    elif isinstance(value, list):
        for v in value:
            _walk(v, found)
    elif value is not None:
        found.append(str(value))


def leaks(
    strings: list[str],
    forbidden: tuple[set[str], set[str]],
    asked: list[str] = (),  # type: ignore[assignment]
) -> list[str]:
    """The forbidden digit runs (ID numbers, phones, premises codes) and strings found, but
    those the caller sent (an answer may echo what was asked)."""
    digits, exact = forbidden
    sent = {run for s in asked for run in _runs(s)} | set(asked)
    runs = {run for s in strings for run in _runs(s)}
    return sorted(((runs & digits) | (set(strings) & exact)) - sent)


def _runs(text: str) -> list[str]:
    return re.findall(r"\d+[Xx]?", text)


def shape(value: Any) -> Any:
    """The structure of an answer (keys, nesting), not its values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items()) if k != "instance"}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


@pytest.fixture(scope="module", params=BACKENDS)
def city(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[City]:
    """The generated city with its principals, held requests and things to end (one per use)."""
    store = backend_graph(request).store
    store.clear()
    # the app seals with SECRET; the process's own secret comes back afterwards, so refs that
    # other modules sealed while being collected stay valid
    own = refs._secret[0]
    try:
        yield from _city(store, tmp_path_factory)
    finally:
        refs._secret[0] = own


def _city(store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    ontology = load_ontology(Settings().ontology_dir)
    generate_city(store, ontology=ontology, persons=600, seed=3, district=MAIN)
    generate_city(store, ontology=ontology, persons=300, seed=5, district=OTHER)
    loader = Principal(id="loader", kind="service", name="表单", scope=PlaceScope.everywhere())
    load_examples(store, ontology=ontology, principal=loader)
    copy = AnalystCopy(f"falkordb://{tmp_path_factory.mktemp('analyst')}", graph_name="matrix")
    analysis = Analysis(
        store, copy, Projection(ontology, masker_for(ontology), projection_key(SECRET))
    )
    analysis.refresh()
    app = create_app(Settings(secret=SECRET), store=store, analysis=analysis)
    with TestClient(app) as client:
        yield _populate(store, client)
    copy.close()
    store.clear()


def _populate(store: GraphStore, client: TestClient) -> City:
    people = store.read(PERSONS)
    homes = {p["id"]: list(p["homes"]) for p in people}
    oracle = Oracle(
        names={p["id"]: p["name"] for p in people},
        sensitive={p["id"]: {p["id"], *([p["phone"]] if p["phone"] else [])} for p in people},
        entity_names={e["key"]: e["name"] for e in store.read(ENTITIES) if e["key"]},
        public=frozenset(e["key"] for e in store.read(ENTITIES) if e["public"]),
        premises=frozenset(r["code"] for r in store.read(PREMISES)),
    )
    populated = sorted({h[:12] for hs in homes.values() for h in hs if h.startswith(MAIN)})
    x, y = populated[0], populated[1]
    assert x[:9] != y[:9], "X and Y lie in different streets"
    posts = store.read(POSTS)

    def holder(role: str, place: str) -> str:
        return next(p["person"] for p in posts if p["role"] == role and place in p["places"])

    def household_at(community: str) -> str:
        """The head of the first household of two or more at a door in ``community``."""
        for pid, hs in sorted(homes.items()):
            if hs and hs[0].startswith(community) and len(_household(store, pid)) >= 2:
                return pid
        raise AssertionError(f"no household in {community}")

    people_of = {
        "resident_a": ("resident", household_at(x)),
        "resident_b": ("resident", household_at(y)),
        "worker_x": ("official", holder("SQ05", x)),
        "worker_y": ("official", holder("SQ05", y)),
        "street": ("official", holder("JD01", x[:9])),
        "district": ("official", holder("BM01", MAIN)),
    }
    accounts = {**people_of, **{k: (k, None) for k in ("analyst", "builder", "service")}}
    actors: dict[str, Actor] = {}
    for name, (kind, person) in accounts.items():
        save_principal(store, id=f"mx-{name}", kind=kind, name=name, person=person,
                       roles=[kind] if person is None else [])  # fmt: skip
    save_principal(store, id="mx-security", kind="steward", name="security", roles=["security"])
    for name in (*accounts, "security"):
        token = issue_token(store, principal_id=f"mx-{name}")
        actors[name] = Actor(name, token, _sight(store, oracle, homes, f"mx-{name}"))
    actors["anonymous"] = Actor("anonymous", None, Sight())
    actors["forged"] = Actor("forged", "ckg_forged-token-of-no-one", Sight())
    city = City(store, client, oracle, actors, x, y)
    _targets(city, homes, posts)
    _tasks(city)
    return city


def _household(store: GraphStore, pid: str) -> frozenset[str]:
    return frozenset({pid, *store.read(HOUSEHOLD, {"id": pid})[0]["ids"]})


def _sight(store: GraphStore, oracle: Oracle, homes: dict[str, list[str]], pid: str) -> Sight:
    who = resolve(store, pid)
    if who.kind in ("service",) or "security" in who.roles:
        return Sight(everything=True)
    if who.kind == "analyst":
        return Sight(premises=oracle.premises)
    if who.kind == "resident" and who.person:
        household = _household(store, who.person)
        doors = {h for p in household for h in homes.get(p, [])}
        premises = {c for c in oracle.premises if any(d.startswith(c) for d in doors)}
        return Sight(persons=household, premises=frozenset(premises), own=who.person,
                     household=household)  # fmt: skip
    if who.kind != "official":
        return Sight()
    roots = who.scope
    persons = {p for p, hs in homes.items() if any(roots.contains(h) for h in hs)}
    posts = store.read(POSTS)
    persons |= {p["person"] for p in posts if all(roots.contains(c) for c in p["places"])}
    entities = {
        e["key"]
        for e in store.read(ENTITIES)
        if any(roots.contains(c) for c in e["places"]) or set(e["owners"]) & persons
    }
    premises = {c for c in oracle.premises if roots.contains(c)}
    return Sight(persons=frozenset(persons | {who.person or ""}), entities=frozenset(entities),
                 premises=frozenset(premises), own=who.person)  # fmt: skip


def _targets(city: City, homes: dict[str, list[str]], posts: list[dict[str, Any]]) -> None:
    """The entities each actor's cells use, in reach (``in_…``) and outside it (``out_…``)."""
    store, x, y = city.store, city.x, city.y
    o = sorted({h[:12] for hs in homes.values() for h in hs if h.startswith(OTHER)})[0]
    first = {
        c: sorted(p for p, hs in homes.items() if hs and hs[0].startswith(c)) for c in (x, y, o)
    }
    door = {c: homes[first[c][0]][0] for c in (x, y, o)}
    committee = {c: next(p["org"] for p in posts if p["places"] == [c]) for c in (x, y, o)}
    events = store.read(
        "MATCH (e:Event)-[:OCCURRED_AT]->(pl:Place) OPTIONAL MATCH (e)-[:REPORTED_BY]->(r:Person)"
        "-[h:RESIDES_IN]->(home:Place) WHERE h.until IS NULL "
        "RETURN e.eventCode AS code, pl.placeCode AS place, collect(home.placeCode) AS homes "
        "ORDER BY code"
    )

    def event_in(area: str) -> str:
        """An event in ``area``, one reported by someone living elsewhere if there is one."""
        here = [e for e in events if e["place"].startswith(area)]
        away = [e for e in here if e["homes"] and not e["homes"][0].startswith(area)]
        return str((away or here)[0]["code"])

    for name in (*ENDERS, "far"):
        area = {"worker_x": x, "worker_y": y, "street": x, "far": o}[name]
        store.write(THING, {"place": door[area], "code": f"LP-MATRIX-{name}", "name": f"{name}灯"})
    far = first[o][0]
    save_principal(store, id="mx-resident_o", kind="resident", name="resident_o", person=far)
    city.actors["resident_o"] = Actor(
        "resident_o", issue_token(store, principal_id="mx-resident_o"), Sight()
    )
    home = {x: homes[city.actors["resident_a"].sight.own or ""][0],
            y: homes[city.actors["resident_b"].sight.own or ""][0], o: homes[far][0]}  # fmt: skip
    held = {
        f"{verb}-{name}": _hold(
            city, {x: "resident_a", y: "resident_b", o: "resident_o"}[area], home[area], n
        )
        for n, (verb, name, area) in enumerate(
            [(v, e, {"worker_y": y}.get(e, x)) for e in ENDERS for v in ("confirm", "decline")]
            + [("view", "x", x), ("view", "y", y), ("view", "o", o)]
        )
    }
    mine = {
        "resident_a": x, "resident_b": y, "worker_x": x, "worker_y": y, "street": x,
        "district": x,
    }  # fmt: skip
    missing_person = city.new_id(999)
    for name, actor in city.actors.items():
        area = mine.get(name, x)
        other = {x: y, y: x}[area] if name != "district" else o
        person_in = actor.sight.own if actor.sight.own and name.startswith("resident") else None
        actor.targets = {
            "person_in": person_in or first[area][1],
            "person_out": first[other][0] if name != "resident_a" else first[y][0],
            "person_missing": missing_person,
            "area_in": area, "area_out": other,
            "door_in": door[area], "door_out": door[other],
            "event_in": event_in(area), "event_out": event_in(other),
            "org_in": committee[area], "org_out": committee[other],
            "principal_in": "mx-worker_x" if area == x else "mx-worker_y",
            "principal_out": "mx-worker_y" if area == x else "mx-worker_x",
            "held_in": held["view-x" if area == x else "view-y"],
            "held_out": held[{x: "view-x", y: "view-y", o: "view-o"}[other]],
            "confirm_in": held.get(f"confirm-{name}", held["view-x"]),
            "decline_in": held.get(f"decline-{name}", held["view-x"]),
            "thing_in": f"LP-MATRIX-{name}" if name in ENDERS else "LP-MATRIX-far",
            "thing_out": "LP-MATRIX-far",
        }  # fmt: skip
        if name in ("resident_a", "resident_b"):  # their home; a neighbour's household in X
            actor.targets["door_in"] = homes[actor.sight.own or ""][0]
            if name == "resident_a":
                out = next(p for p in first[x] if p not in actor.sight.household)
                actor.targets["person_out"] = out
            # a door they ask to move to is theirs to see in their own requests
            typed = {c for c in city.oracle.premises if actor.targets["door_out"].startswith(c)}
            actor.sight = replace(actor.sight, premises=actor.sight.premises | typed)


TASK_ITEMS = (
    "MATCH (i:TaskItem {task: $task}) RETURN i.id AS id, i.place AS place, i.part AS part "
    "ORDER BY id"
)
TASK_PARTS = (
    "MATCH (p:TaskPart {task: $task}) RETURN p.id AS id, p.place AS place, p.level AS level "
    "ORDER BY id"
)
FRESH = ("act", "execute", "transfer", "reassign", "batch")
"""Rows that move an item: each caller gets an item of its own for each (``{act}`` …)."""


def _task(city: City, who: str, scope: str, split: str) -> str:
    """A task created and dispatched through the API by ``who`` over ``scope``."""
    spec = {"title": {"zh": "矩阵任务"}, "form": FORM, "scope": [scope], "split": split,
            "deadline": "2030-01-01T00:00:00+00:00"}  # fmt: skip
    headers = city.actors[who].headers
    created = city.client.post("/tasks", json=spec, headers=headers)
    assert created.status_code == 201, created.text
    task = str(created.json()["id"])
    dispatched = city.client.post(f"/tasks/{task}/dispatch", headers=headers)
    assert dispatched.status_code == 200, dispatched.text
    return task


def _tasks(city: City) -> None:
    """Tasks in flight: one per person of 朝阳区 split to streets and communities by the
    district official (items and parts in X and Y), one split further by the split cells, and
    one of 丰台区 dispatched by its district official (outside everyone's reach)."""
    x, y = city.x, city.y
    main = _task(city, "district", MAIN, "per-person")
    spare = _task(city, "district", MAIN, "per-person")
    far_official = next(p["person"] for p in city.store.read(POSTS)
                        if p["role"] == "BM01" and OTHER in p["places"])  # fmt: skip
    save_principal(city.store, id="mx-district_o", kind="official", name="district_o",
                   person=far_official)  # fmt: skip
    city.actors["district_o"] = Actor(
        "district_o", issue_token(city.store, principal_id="mx-district_o"), Sight()
    )
    far = _task(city, "district_o", OTHER, "per-person")
    items = {
        c: [i["id"] for i in city.store.read(TASK_ITEMS, {"task": t}) if i["place"].startswith(c)]
        for t, c in ((main, x), (main, y), (far, OTHER))
    }
    pools = {c: list(ids[1:]) for c, ids in items.items()}
    parts = {
        (t, p["place"]): p["id"]
        for t in (main, spare, far)
        for p in city.store.read(TASK_PARTS, {"task": t})
    }
    far_part = next(v for (t, place), v in parts.items() if t == far and len(place) == 12)
    for actor in city.actors.values():
        if "area_in" not in actor.targets:  # district_o: the far task's creator, no cells
            continue
        area = actor.targets["area_in"]
        other = actor.targets["area_out"]
        out = other if other in (x, y) else OTHER
        far_area = far_part if out == OTHER else None
        actor.targets |= {
            "task_in": main, "task_out": far,
            "item_in": items[area][0], "item_out": items[out][0],
            "part_in": parts[(main, area)], "part_out": far_area or parts[(main, out)],
            "split_in": parts[(spare, area)], "split_out": far_area or parts[(spare, out)],
        }  # fmt: skip
        for key in FRESH:
            actor.targets[f"{key}_in"] = pools[area].pop(0)


def _hold(city: City, resident: str, door: str, serial: int) -> str:
    """A resident's request to register a new person at their door: held for confirmation."""
    answers = {"id_number": city.new_id(serial), "name": "新登记", "gender": "1", "address": door}
    response = city.client.post(f"/forms/{FORM}/submissions", json={"answers": answers},
                                headers=city.actors[resident].headers)  # fmt: skip
    assert response.status_code == 202, response.text
    return str(response.json()["submission"])


def person_ref(key: str) -> str:
    return seal(key)
