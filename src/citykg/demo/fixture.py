"""A tiny demo city: one district, its streets and communities down to doors, a few residents.

Deterministic and small (a few hundred nodes) so the first ``make demo`` is instant; the
generated realistic city (``citykg demo generate``) replaces it. Province, city and district
carry their real national codes; everything below is marked ``source = demo-fixture``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from citykg.access import issue_token, revoke_tokens, save_principal
from citykg.demo import queries
from citykg.graph import GraphStore
from citykg.graph.identifiers import cypher_with
from citykg.ontology.checkrules import gb11643_check_char, gb32100_check_char

SOURCE = "demo-fixture"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"

# (code, name, level, class, group, parent)
UPPER_LEVELS = [
    ("1101", "市辖区", 2, "City", "AdministrativeDivision", "11"),
    ("110105", "朝阳区", 3, "District", "AdministrativeDivision", "1101"),
]
STREETS = {"110105001": "建外街道", "110105002": "朝外街道"}


@dataclass(frozen=True, slots=True)
class FixtureSummary:
    places: int
    persons: int
    organizations: int


def load_fixture(store: GraphStore, *, seed: int = 7) -> FixtureSummary:
    """Write the fixture city (idempotent: MERGE on identity keys)."""
    rng = random.Random(seed)
    places = _places()
    store.write(queries.MERGE_ROOT_PLACE, {"code": "11", "name": "北京市", "source": SOURCE})
    for label, group in dict.fromkeys((p[3], p[4]) for p in places):
        rows = [
            {"code": c, "name": n, "level": lvl, "parent": parent}
            for c, n, lvl, cls, _, parent in places
            if cls == label
        ]
        store.write(
            cypher_with(queries.MERGE_PLACES, label=label, group=group),
            {"rows": rows, "source": SOURCE},
        )
    doors = [p[0] for p in places if p[3] == "Door"]
    residents = [
        _resident(rng, door, i) for i, door in enumerate(doors) for _ in range(rng.randint(1, 3))
    ]
    store.write(queries.MERGE_RESIDENTS, {"rows": residents, "source": SOURCE})
    communities = [p for p in places if p[3] == "Community"]
    committees = [
        {"community": code, "name": f"{name}居民委员会", "creditCode": _credit_code(i)}
        for i, (code, name, *_rest) in enumerate(communities)
    ]
    store.write(queries.MERGE_COMMITTEES, {"rows": committees, "source": SOURCE})
    workers = [
        {"person": row["person"], "organization": row["organization"], "role": "SQ05",
         "tags": ["civil-affairs"], "since": "2024-01-01", "title": "社区专职工作者"}
        for row in store.read(queries.FIRST_RESIDENT_PER_COMMITTEE)
    ]  # fmt: skip
    store.write(queries.MERGE_POSTS, {"rows": workers})
    return FixtureSummary(len(places) + 1, len(residents), len(committees))


def demo_principals(store: GraphStore) -> dict[str, str]:
    """Demo principals (an analyst, a community worker, a resident, a form builder) with fresh
    API tokens."""
    worker = store.read(queries.COMMITTEE_WORKER)[0]
    resident = store.read(queries.SOME_RESIDENT)[0]
    people = [
        ("analyst", "analyst", "数据分析员", None, ("analyst",)),
        ("worker", "official", f"{worker['name']}（{worker['community']}）", worker["person"], ()),
        ("resident", "resident", resident["name"], resident["person"], ()),
        ("builder", "builder", "表单搭建员", None, ("builder",)),
    ]
    tokens = {}
    for principal_id, kind, name, person, roles in people:
        save_principal(store, id=principal_id, kind=kind, name=name, person=person, roles=roles)
        revoke_tokens(store, principal_id=principal_id)
        tokens[principal_id] = issue_token(store, principal_id=principal_id, label="demo")
    return tokens


def is_empty(store: GraphStore) -> bool:
    return int(store.read(queries.COUNT_CITY_NODES)[0]["n"]) == 0


def _places() -> list[tuple[str, str, int, str, str, str]]:
    places = list(UPPER_LEVELS)
    for street_code, street in STREETS.items():
        places.append((street_code, street, 4, "Subdistrict", "AdministrativeDivision", "110105"))
        for c in range(1, 3):
            community = f"{street_code}{c:03d}"
            places.append(
                (
                    community,
                    f"{street[:2]}第{c}社区",
                    5,
                    "Community",
                    "AdministrativeDivision",
                    street_code,
                )
            )
            compound = f"{community}0001"
            places.append((compound, f"{street[:2]}{c}号院", 6, "Compound", "Premises", community))
            for b in range(1, 3):
                building = f"{compound}{b:03d}"
                places.append((building, f"{b}号楼", 7, "Building", "Premises", compound))
                for u in range(1, 3):
                    unit = f"{building}{u:02d}"
                    places.append((unit, f"{u}单元", 8, "BuildingUnit", "Premises", building))
                    for d in (101, 102, 201, 202):
                        places.append((f"{unit}{d:04d}", f"{d}室", 9, "Door", "Premises", unit))
    return places


def _resident(rng: random.Random, door: str, serial: int) -> dict[str, object]:
    year, month, day = rng.randint(1935, 2015), rng.randint(1, 12), rng.randint(1, 28)
    gender = rng.choice("12")
    sequence = rng.randrange(0, 500) * 2 + (1 if gender == "1" else 0)
    first17 = f"110105{year:04d}{month:02d}{day:02d}{sequence:03d}"
    return {
        "door": door,
        "idNumber": first17 + gb11643_check_char(first17),
        "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
        "gender": gender,
        "birthDate": f"{year:04d}-{month:02d}-{day:02d}",
        "since": f"{rng.randint(2000, 2025)}-{rng.randint(1, 12):02d}-01",
        "residenceType": rng.choice(["1", "1", "1", "2"]),
    }


def _credit_code(serial: int) -> str:
    first17 = f"55110105MJ{serial:07d}"
    return first17 + gb32100_check_char(first17)
