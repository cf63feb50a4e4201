"""Events fixtures: a small generated city (two real streets of Chaoyang, their communities,
compounds, people, committees, street offices and district departments with their posts),
loaded once per module and backend, and principals acting through its posts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from citykg.access import Principal, principal, save_principal
from citykg.demo.generate import build_city, district_divisions, write_city
from citykg.demo.validation import validate_city
from citykg.events.setting import setting
from citykg.geo import ensure_geo_schema, import_divisions
from citykg.graph import GraphStore
from citykg.ontology import Ontology, compile_graph_schema, load_ontology
from citykg.settings import Settings
from tests.backends import BACKENDS, backend_graph

STREETS = ("110105001", "110105003")
T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)

POSTS = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:Organization) WHERE h.until IS NULL "
    "RETURN p.idNumber AS person, h.role AS role, o.creditCode AS org, o.name AS name "
    "ORDER BY org, role, person"
)
RESIDENTS = (
    "MATCH (p:Person)-[:RESIDES_IN]->(d:Door) WHERE NOT (p)-[:HOLDS_POST_IN]->() "
    "RETURN p.idNumber AS person, d.placeCode AS door ORDER BY door, person"
)


@dataclass(frozen=True)
class EventCity:
    store: GraphStore
    ontology: Ontology
    centre: Principal  # 城市管理委员会 BM01: the command centre dispatches
    district_head: Principal  # 城市管理委员会 BM03: handles component problems
    street: Principal  # the first street office's JD04: handles street-level cases
    street_head: Principal  # the first street office's JD01: supervises its street
    other_street: Principal  # the second street office's JD04
    community: Principal  # the first populated community's SQ01
    residents: tuple[Principal, Principal]
    doors: tuple[str, str]
    compounds: dict[str, str]  # code -> name
    buildings: dict[str, tuple[str, str]]  # building code -> (compound name, number)
    service: Principal

    def reload(self, who: Principal) -> Principal:
        return principal(self.store, who.id)


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology(Settings().ontology_dir)


@pytest.fixture(scope="module", params=BACKENDS)
def city(request: pytest.FixtureRequest, ontology: Ontology) -> Iterator[EventCity]:
    store = backend_graph(request).store
    store.clear()
    divisions = [d for d in district_divisions("110105")
                 if len(d.code) <= 6 or d.code[:9] in STREETS]  # fmt: skip
    built = build_city(divisions, persons=900, seed=3)
    validate_city(built, ontology)
    store.apply_schema(compile_graph_schema(ontology))
    ensure_geo_schema(store)
    import_divisions(store, divisions)
    write_city(store, built)
    setting(store, fresh=True)  # intake's cached places and duties: this city's, not the last
    posts = store.read(POSTS)

    def official(pid: str, name_end: str, role: str, *, nth: int = 0) -> Principal:
        rows = [r for r in posts if str(r["name"]).endswith(name_end) and r["role"] == role]
        save_principal(store, id=pid, kind="official", name=pid, person=rows[nth]["person"])
        return principal(store, pid)

    streets = sorted({r["org"] for r in posts if str(r["name"]).endswith("办事处")})
    first_street = [r for r in posts if r["org"] == streets[0]]
    second_street = [r for r in posts if r["org"] == streets[1]]
    save_principal(
        store,
        id="jd04",
        kind="official",
        name="jd04",
        person=next(r["person"] for r in first_street if r["role"] == "JD04"),
    )
    save_principal(
        store,
        id="jd01",
        kind="official",
        name="jd01",
        person=next(r["person"] for r in first_street if r["role"] == "JD01"),
    )
    save_principal(
        store,
        id="jd04b",
        kind="official",
        name="jd04b",
        person=next(r["person"] for r in second_street if r["role"] == "JD04"),
    )
    residents = store.read(RESIDENTS)
    first, last = residents[0], residents[-1]
    for pid, row in (("r1", first), ("r2", last)):
        save_principal(store, id=pid, kind="resident", name=pid, person=row["person"])
    save_principal(store, id="svc", kind="service", name="open311 gateway", roles=["service"])
    premises = store.read("MATCH (c:Compound) RETURN c.placeCode AS code, c.name AS name")
    buildings = store.read(
        "MATCH (b:Building)-[:PART_OF]->(c:Compound) "
        "RETURN b.placeCode AS code, c.name AS compound, b.number AS number"
    )
    yield EventCity(
        store, ontology,
        centre=official("centre", "城市管理委员会", "BM01"),
        district_head=official("cm03", "城市管理委员会", "BM03"),
        street=principal(store, "jd04"), street_head=principal(store, "jd01"),
        other_street=principal(store, "jd04b"),
        community=official("sq01", "居民委员会", "SQ01"),
        residents=(principal(store, "r1"), principal(store, "r2")),
        doors=(str(first["door"]), str(last["door"])),
        compounds={str(r["code"]): str(r["name"]) for r in premises},
        buildings={str(r["code"]): (str(r["compound"]), str(r["number"])) for r in buildings},
        service=principal(store, "svc"),
    )  # fmt: skip
    store.clear()
