"""A generated, realistic demo city: one real district, its real streets and communities, and below
them generated compounds, buildings, units, doors, households, people, organizations, officials,
things and events.

Deterministic from the seed: the same ``(persons, seed, district)`` gives the same codes, ID
numbers and relations. :func:`build_city` makes the whole city in memory (pure, testable
without a graph); :func:`write_city` writes it in ``UNWIND`` batches of :data:`BATCH_SIZE` rows;
:func:`generate_city` does both after importing the district's real divisions from the shipped
slice. Everything generated is marked ``source = demo-generated``.

Scale: each populated community holds about :data:`PERSONS_PER_COMMUNITY` people, so a small
target populates only some communities (spread over the streets); every community of the
district still gets its residents' committee. Only doors that get a household are created.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any, LiteralString

from citykg.demo import queries
from citykg.demo.validation import validate_city
from citykg.errors import ConfigError, NotFound
from citykg.geo.divisions import DivisionRow, shipped_divisions
from citykg.geo.importer import import_divisions
from citykg.graph import Constraint, GraphSchema, GraphStore
from citykg.graph.identifiers import cypher_with
from citykg.ontology import Ontology
from citykg.ontology.checkrules import gb11643_check_char, gb32100_check_char

SOURCE = "demo-generated"
BATCH_SIZE = 5_000
AS_OF = date(2025, 6, 30)
"""The generated city's "today": ages, residence dates and event dates are relative to it."""
VACANT = 0.5
"""Share of door slots left without a door node (vacant, or households not registered)."""
PERSONS_PER_COMMUNITY = 300
"""At least this many people per populated community (all communities at large targets)."""

CITY_SCHEMA = GraphSchema(
    constraints=(
        Constraint("Person", "idNumber"),
        Constraint("Organization", "creditCode"),
        Constraint("Thing", "thingCode"),
        Constraint("Event", "eventCode"),
    )
)
"""The identity keys the generator's relation writes look nodes up by."""

Row = dict[str, Any]
Progress = Callable[[str, int], None]
"""``progress(kind, n)``: ``n`` more rows of ``kind`` ("places", "persons", "RESIDES_IN"…)."""

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉萍红志鹏宇浩婷雪晨欣怡子涵俊"
GIVEN_ALONE = GIVEN.replace("子", "")
COMPOUND_NAMES = ("家园", "花园", "小区", "公寓", "新村", "嘉园", "华庭", "里", "北里", "西里")
COMPOUND_PREFIX = "金安和平幸福阳光光明东方望京团结明德华新丽都远洋星河"
MOBILE_PREFIXES = ("130", "135", "136", "138", "139", "150", "156", "158", "177", "186", "189")
PLATE_LETTERS = "ABCEFGHJKLMNPQ"
PLATE_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SINGLE_STATUSES = ("10", "30", "40")
EDUCATION_ADULT = ("20", "20", "30", "30", "60", "70", "14", "40", "80")

DEPARTMENTS = (
    ("民政局", "civil-affairs"),
    ("卫生健康委员会", "health"),
    ("应急管理局", "emergency"),
    ("城市管理委员会", "city-management"),
    ("市场监督管理局", "market-supervision"),
)
ORG_LABELS: dict[str, tuple[str, ...]] = {
    "ResidentsCommittee": ("SelfGoverningOrganization",),
    "SubdistrictOffice": ("GovernmentDepartment",),
    "GovernmentDepartment": (),
    "Enterprise": (),
    "Shop": ("Enterprise",),
    "School": (),
    "Hospital": (),
}
THING_LABELS: dict[str, tuple[str, ...]] = {
    "Car": ("Vehicle", "MotorVehicle"),
    "LampPost": ("PublicFacility",),
    "ManholeCover": ("PublicFacility",),
    "FireHydrant": ("PublicFacility",),
    "Camera": ("Device",),
}
EVENT_LABELS: dict[str, tuple[str, ...]] = {
    "HotlineCase": ("ResidentRequest",),
    "Complaint": ("ResidentRequest",),
    "Incident": (),
}
EVENT_TITLES: dict[str, tuple[str, ...]] = {
    "HotlineCase": ("楼道照明损坏", "小区供暖不热", "电梯故障停运", "下水道堵塞", "噪音扰民"),
    "Complaint": ("占道经营", "违规停车堵塞消防通道", "装修噪音", "垃圾清运不及时", "餐饮油烟"),
    "Incident": ("井盖缺失", "路灯不亮", "树木倒伏", "道路积水", "电动车楼道充电"),
}
EVENT_STATUSES = ("00", "01", "02", "03", "04", "06", "06", "06", "07", "08")
RELATION_QUERIES: dict[str, LiteralString] = {
    "RESIDES_IN": queries.CREATE_RESIDES_IN,
    "SPOUSE_OF": queries.CREATE_SPOUSE_OF,
    "PARENT_OF": queries.CREATE_PARENT_OF,
    "HOUSEHOLD_HEAD_OF": queries.CREATE_HOUSEHOLD_HEAD_OF,
    "HAS_JURISDICTION_OVER": queries.CREATE_HAS_JURISDICTION_OVER,
    "LOCATED_AT": queries.CREATE_LOCATED_AT,
    "HOLDS_POST_IN": queries.CREATE_HOLDS_POST_IN,
    "OWNED_BY_PERSON": queries.CREATE_OWNED_BY_PERSON,
    "INSTALLED_AT": queries.CREATE_INSTALLED_AT,
    "MAINTAINED_BY": queries.CREATE_MAINTAINED_BY,
    "OCCURRED_AT": queries.CREATE_OCCURRED_AT,
    "REPORTED_BY": queries.CREATE_REPORTED_BY,
}
PREMISES_LABELS = ("Compound", "Building", "BuildingUnit", "Door")


@dataclass(frozen=True, slots=True)
class CitySummary:
    """What was generated: node counts by kind, relation counts by type, and totals."""

    district: str
    divisions: int
    nodes: dict[str, int]
    relations: dict[str, int]

    @property
    def entities(self) -> int:
        return self.divisions + sum(self.nodes.values())

    @property
    def relation_count(self) -> int:
        return sum(self.relations.values())


@dataclass(slots=True)
class City:
    """A generated city in memory: node rows by kind and relation rows by type.

    A node row has ``props`` (graph property keys and values); a relation row has ``from``,
    ``to`` (identity keys) and ``props``. Premises rows are flat (code, name, level, parent…).
    """

    divisions: list[DivisionRow]
    premises: dict[str, list[Row]] = field(default_factory=dict)
    persons: list[Row] = field(default_factory=list)
    organizations: dict[str, list[Row]] = field(default_factory=dict)
    things: dict[str, list[Row]] = field(default_factory=dict)
    events: dict[str, list[Row]] = field(default_factory=dict)
    relations: dict[str, list[Row]] = field(default_factory=dict)
    high_water: list[Row] = field(default_factory=list)

    def relate(self, kind: str, source: str, target: str, **props: Any) -> None:
        self.relations.setdefault(kind, []).append({"from": source, "to": target, "props": props})

    def summary(self) -> CitySummary:
        nodes = {kind: len(rows) for kind, rows in self.premises.items()}
        nodes["Person"] = len(self.persons)
        for group in (self.organizations, self.things, self.events):
            nodes.update({kind: len(rows) for kind, rows in group.items()})
        relations = {kind: len(rows) for kind, rows in self.relations.items()}
        relations["PART_OF"] = len(self.divisions) - 1 + sum(len(r) for r in self.premises.values())
        return CitySummary(self.divisions[-1].code[:6], len(self.divisions), nodes, relations)


def district_divisions(district: str) -> list[DivisionRow]:
    """The shipped slice's rows of ``district`` and its ancestors, parents first."""
    rows = _slice()
    ancestors = {district[:2], district[:4]}
    selected = [r for r in rows if r.code.startswith(district) or r.code in ancestors]
    if not any(r.code == district and r.level == 3 for r in selected):
        raise NotFound(f"district: no district with code {district!r} in the shipped slice")
    if not any(r.level == 5 for r in selected):
        raise ConfigError(f"district {district}: the shipped slice has no communities for it")
    return selected


def generate_city(
    store: GraphStore,
    *,
    ontology: Ontology,
    persons: int = 10_000,
    seed: int = 1,
    district: str = "110105",
    progress: Progress | None = None,
) -> CitySummary:
    """Import ``district``'s real divisions and write a generated city of about ``persons``,
    every entity and relation checked against ``ontology`` before anything is written."""
    divisions = district_divisions(district)
    city = build_city(divisions, persons=persons, seed=seed)
    validate_city(city, ontology)
    import_divisions(store, divisions, progress=_tagged(progress, "places"))
    write_city(store, city, progress=progress)
    return city.summary()


def write_city(store: GraphStore, city: City, *, progress: Progress | None = None) -> None:
    """Write ``city`` (whose divisions are already in the graph) in ``UNWIND`` batches."""
    store.apply_schema(CITY_SCHEMA)
    for label in PREMISES_LABELS:
        query = cypher_with(queries.CREATE_PREMISES, label=label, group="Premises")
        _batched(store, query, city.premises.get(label, []), progress, "places")
    _batched(store, queries.SET_HIGH_WATER, city.high_water, None, "places")
    _batched(store, queries.CREATE_PERSONS, city.persons, progress, "persons")
    for top, group, lineages in (
        ("Organization", city.organizations, ORG_LABELS),
        ("Thing", city.things, THING_LABELS),
        ("Event", city.events, EVENT_LABELS),
    ):
        for kind, rows in group.items():
            a, b, c = (*lineages[kind], kind, kind, kind)[:3]
            query = cypher_with(queries.CREATE_ENTITIES, top=top, a=a, b=b, c=c)
            _batched(store, query, rows, progress, kind)
    for kind, rows in city.relations.items():
        _batched(store, RELATION_QUERIES[kind], rows, progress, kind)


def build_city(divisions: Sequence[DivisionRow], *, persons: int, seed: int) -> City:
    """The whole generated city under ``divisions`` (one district's rows), in memory."""
    return _Builder(divisions, persons=persons, seed=seed).build()


def _batched(
    store: GraphStore,
    query: LiteralString,
    rows: Sequence[Row],
    progress: Progress | None,
    kind: str,
) -> None:
    for offset in range(0, len(rows), BATCH_SIZE):
        batch = rows[offset : offset + BATCH_SIZE]
        store.write(query, {"rows": list(batch), "source": SOURCE})
        if progress is not None:
            progress(kind, len(batch))


@cache
def _slice() -> tuple[DivisionRow, ...]:
    return tuple(shipped_divisions())


def _tagged(progress: Progress | None, kind: str) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda n: progress(kind, n)


class _Builder:
    """One generation run: the random generator, the identity keys issued, the city so far."""

    def __init__(self, divisions: Sequence[DivisionRow], *, persons: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.city = City(divisions=list(divisions))
        self.target = persons
        self.district = next(r for r in divisions if r.level == 3)
        self.streets = [r for r in divisions if r.level == 4]
        self.communities = [r for r in divisions if r.level == 5]
        self.ids: set[str] = set()
        self.credit_serial = 0
        self.thing_serial = 0
        self.plates: set[str] = set()
        # Floating people come from real districts whose codes sort after this one, so the
        # first resident (by ID number) of a community is a local one.
        self.elsewhere = sorted(
            r.code
            for r in _slice()
            if r.level == 3 and r.code > self.district.code and r.code[:2] != self.district.code[:2]
        )
        self.people: dict[str, Row] = {}
        self.departments: dict[str, str] = {}
        self.residents_of: dict[str, list[str]] = {}
        self.places_of: dict[str, list[str]] = {}

    def build(self) -> City:
        populated = self._populated_communities()
        quota = math.ceil(self.target / len(populated))
        for community in populated:
            self._populate(community, quota)
        self._organizations(populated)
        self._things()
        self._events()
        return self.city

    # --- places and households ----------------------------------------------------------------

    def _populated_communities(self) -> list[DivisionRow]:
        wanted = max(1, min(len(self.communities), self.target // PERSONS_PER_COMMUNITY))
        step = len(self.communities) / wanted
        return [self.communities[int(i * step)] for i in range(wanted)]

    def _premises(self, label: str, level: int, parent: Row, number: int, name: str) -> Row:
        """A new place under ``parent``, whose high-water mark rises to ``number``."""
        width = {6: 4, 7: 3, 8: 2, 9: 4}[level]
        row = {"code": f"{parent['code']}{number:0{width}d}", "name": name, "level": level,
               "parent": parent["code"], "number": number, "highWater": 0}  # fmt: skip
        self.city.premises.setdefault(label, []).append(row)
        parent["highWater"] = number
        return row

    def _populate(self, community: DivisionRow, quota: int) -> None:
        marks: Row = {"code": community.code, "highWater": 0}
        doors: list[str] = []
        people = 0
        slots = self._doors(marks)
        while people < quota:
            door = next(slots)
            doors.append(door)
            people += self._household(door, community.code)
        self.city.high_water.append(marks)
        self.places_of[community.code].extend(self.rng.sample(doors, min(len(doors), 20)))

    def _doors(self, community: Row) -> Iterator[str]:
        """Door codes of ever new compounds, buildings and units, vacant doors left out."""
        rng = self.rng
        for number in itertools.count(1):
            name = "".join(rng.sample(COMPOUND_PREFIX, 2)) + rng.choice(COMPOUND_NAMES)
            compound = self._premises("Compound", 6, community, number, name)
            self.places_of.setdefault(community["code"], []).append(compound["code"])
            for b in range(1, rng.randint(5, 40) + 1):
                building = self._premises("Building", 7, compound, b, f"{b}号楼")
                floors, per_floor = rng.randint(6, 33), rng.randint(2, 4)
                for u in range(1, rng.randint(2, 6) + 1):
                    unit = self._premises("BuildingUnit", 8, building, u, f"{u}单元")
                    for floor in range(1, floors + 1):
                        for d in range(1, per_floor + 1):
                            if rng.random() < VACANT:
                                continue
                            serial = floor * 100 + d
                            yield self._premises("Door", 9, unit, serial, f"{serial}室")["code"]

    def _household(self, door: str, community: str) -> int:
        rng = self.rng
        kind = rng.choices(
            ("single-elderly", "elderly-couple", "single", "couple", "family", "three-gen",
             "renters"),
            weights=(10, 12, 10, 13, 30, 12, 13),
        )[0]  # fmt: skip
        since = self._date(AS_OF.year - 30, AS_OF.year)
        members: list[tuple[str, str]] = []  # (id, relation to head)

        def person(age_lo: int, age_hi: int, gender: str, **extra: Any) -> str:
            pid = self._person(age_lo, age_hi, gender, **extra)
            self.residents_of.setdefault(community, []).append(pid)
            return pid

        if kind == "renters":
            renters = rng.randint(1, 3)
            for _ in range(renters):
                pid = person(20, 40, rng.choice("12"), floating=True)
                moved_in = self._date(AS_OF.year - 3, AS_OF.year)
                self.city.relate("RESIDES_IN", pid, door, since=moved_in,
                                 residenceType=rng.choice("23"))  # fmt: skip
            return renters
        if kind in ("single-elderly", "single"):
            lo, hi = (65, 92) if kind == "single-elderly" else (22, 45)
            head = person(lo, hi, rng.choice("12"))
            members.append((head, "02"))
        else:
            lo, hi = {"elderly-couple": (60, 88), "couple": (24, 45)}.get(kind, (28, 50))
            head = person(lo, hi, "1", married=True)
            wife = person(max(lo, self._age(head) - 8), self._age(head) + 3, "2", married=True)
            members += [(head, "02"), (wife, "10")]
            married = self._date(self._born(wife).year + 21, AS_OF.year - 1)
            self.city.relate("SPOUSE_OF", head, wife, marriageDate=married)
            if kind in ("family", "three-gen"):
                youngest = min(self._age(head), self._age(wife)) - 22
                for _ in range(rng.randint(1, 2)):
                    gender = rng.choice("12")
                    child = person(0, min(youngest, 22), gender)
                    members.append((child, "20" if gender == "1" else "30"))
                    for parent in (head, wife):
                        self.city.relate("PARENT_OF", parent, child, parentageType="1")
            if kind == "three-gen":
                elder_lo = self._age(head) + 22
                for gender in rng.sample(("1", "2"), rng.randint(1, 2)):
                    elder = person(elder_lo, elder_lo + 12, gender, married=True)
                    members.append((elder, "51" if gender == "1" else "52"))
                    self.city.relate("PARENT_OF", elder, head, parentageType="1")
        for pid, relation in members:
            self.city.relate("RESIDES_IN", pid, door, since=since, residenceType="1",
                             householdHead=pid == head, relationToHead=relation)  # fmt: skip
            if pid != head:
                self.city.relate("HOUSEHOLD_HEAD_OF", head, pid, relationToHead=relation,
                                 since=since)  # fmt: skip
        return len(members)

    def _person(
        self, age_lo: int, age_hi: int, gender: str, *, floating: bool = False,
        married: bool = False,
    ) -> str:  # fmt: skip
        rng = self.rng
        age_lo, age_hi = max(0, age_lo), max(0, age_lo, age_hi)
        born = AS_OF - timedelta(days=rng.randint(age_lo * 365 + 1, age_hi * 365 + 364))
        region = rng.choice(self.elsewhere) if floating else self.district.code
        while True:
            sequence = rng.randrange(0, 500) * 2 + (1 if gender == "1" else 0)
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            pid = first17 + gb11643_check_char(first17)
            if pid not in self.ids:
                break
        self.ids.add(pid)
        age = _age(born)
        props: dict[str, Any] = {
            "idNumber": pid,
            "name": _person_name(rng),
            "gender": gender,
            "birthDate": born.isoformat(),
            "ethnicity": "01" if rng.random() < 0.92 else rng.choice(("02", "03", "05", "08")),
            "maritalStatus": "20" if married else "10" if age < 30 else rng.choice(SINGLE_STATUSES),
        }  # fmt: skip
        if age >= 12:
            props["mobilePhone"] = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if age >= 6:
            props["education"] = "80" if age < 12 else (
                "70" if age < 15 else "60" if age < 19 else rng.choice(EDUCATION_ADULT)
            )  # fmt: skip
        if age >= 18:
            props["politicalStatus"] = "01" if rng.random() < 0.1 else "13"
        row = {"props": props, "elderly": age >= 60, "minor": age < 18, "floating": floating}
        self.city.persons.append(row)
        self.people[pid] = row
        return pid

    # --- organizations and officials ------------------------------------------------------------

    def _credit(self, prefix: str) -> str:
        self.credit_serial += 1
        body = f"{self.credit_serial:08d}"
        first17 = f"{prefix}{self.district.code}{body}{self.credit_serial % 10}"
        return first17 + gb32100_check_char(first17)

    def _org(self, kind: str, name: str, prefix: str, org_type: str, place: str) -> str:
        code = self._credit(prefix)
        props = {"creditCode": code, "name": name, "organizationType": org_type}
        self.city.organizations.setdefault(kind, []).append({"props": props})
        self.city.relate("LOCATED_AT", code, place, main=True)
        return code

    def _post(self, person: str, org: str, role: str, tags: list[str], level: str) -> None:
        self.city.relate(
            "HOLDS_POST_IN", person, org, role=role, tags=tags,
            since=self._date(AS_OF.year - 10, AS_OF.year - 1),
        )  # fmt: skip
        self.city.relations["HOLDS_POST_IN"][-1].update(
            community=level == "community", grid=role.startswith("WG")
        )

    def _staff(self, pool: list[str], taken: set[str], count: int) -> list[str]:
        adults = [p for p in pool if p not in taken and 23 <= self._age(p) <= 58]
        chosen = self.rng.sample(adults, min(count, len(adults)))
        taken.update(chosen)
        return chosen

    def _organizations(self, populated: list[DivisionRow]) -> None:
        rng = self.rng
        taken: set[str] = set()
        district = self.district.code
        for community in self.communities:
            committee = self._org(
                "ResidentsCommittee", f"{community.name}居民委员会", "54", "54", community.code
            )
            self.city.relate("HAS_JURISDICTION_OVER", committee, community.code,
                             jurisdictionType="1", since="2000-01-01")  # fmt: skip
            pool = self.residents_of.get(community.code, [])
            if not pool:
                continue
            first = min(pool)  # the community's first resident leads a residents' group
            if self._age(first) >= 18:
                taken.add(first)
                self._post(first, committee, "SQ06", ["civil-affairs"], "community")
            staff = self._staff(pool, taken, 5)
            for person, role in zip(staff, ("SQ01", "SQ02", "SQ05", "SQ05", "WG02"), strict=False):
                tags = ["health", "civil-affairs"] if role == "SQ05" else ["civil-affairs"]
                self._post(person, committee, role, tags, "community")
        everyone = sorted(self.people)
        for street in self.streets:
            office = self._org("SubdistrictOffice", f"{street.name}办事处", "11", "11", street.code)
            self.city.relate("HAS_JURISDICTION_OVER", office, street.code,
                             jurisdictionType="1", since="2000-01-01")  # fmt: skip
            pool = [p for c, ps in self.residents_of.items() if c.startswith(street.code)
                    for p in ps]  # fmt: skip
            for person, role in zip(
                self._staff(pool, taken, 5), ("JD01", "JD02", "JD04", "JD05", "JD05"), strict=False
            ):
                self._post(person, office, role, ["civil-affairs"], "street")
        for name, tag in DEPARTMENTS:
            dept = self._org(
                "GovernmentDepartment", f"{self.district.name}{name}", "11", "11", district
            )
            self.departments[tag] = dept
            self.city.relate("HAS_JURISDICTION_OVER", dept, district,
                             jurisdictionType="2", since="2000-01-01")  # fmt: skip
            for person, role in zip(
                self._staff(everyone, taken, 3), ("BM01", "BM03", "BM05"), strict=False
            ):
                self._post(person, dept, role, [tag], "district")
        compounds = [c for community in populated for c in self.places_of[community.code][:1]]
        for i, street in enumerate(self.streets):
            if i % 3 == 0:
                place = rng.choice(compounds) if compounds else street.code
                self._org("Hospital", f"{street.name[:-2]}社区卫生服务中心", "12", "12", place)
            place = rng.choice(compounds) if compounds else street.code
            self._org("School", f"{self.district.name}{street.name[:-2]}小学", "12", "12", place)
        for i in range(max(1, self.target // 200)):
            place = rng.choice(compounds)
            self._org("Shop", f"{rng.choice(SURNAMES)}记便利店（{i + 1}店）", "92", "92", place)
        for i in range(max(1, self.target // 500)):
            place = rng.choice(compounds)
            name = f"北京{''.join(rng.sample(COMPOUND_PREFIX, 2))}科技有限公司{i + 1}"
            self._org("Enterprise", name, "91", "91", place)

    # --- things and events ----------------------------------------------------------------------

    def _thing(self, kind: str, code: str, name: str, **props: Any) -> str:
        self.city.things.setdefault(kind, []).append(
            {"props": {"thingCode": code, "name": name, **props}}
        )
        return code

    def _things(self) -> None:
        rng = self.rng
        for pid, row in self.people.items():
            if row["minor"] or rng.random() > 0.18:
                continue
            while True:
                plate = "京" + rng.choice(PLATE_LETTERS) + "".join(rng.choices(PLATE_CHARS, k=5))
                if plate not in self.plates:
                    break
            self.plates.add(plate)
            self._thing("Car", plate, f"小型汽车{plate}", plateNo=plate, plateType="02")
            self.city.relate("OWNED_BY_PERSON", plate, pid,
                             acquisitionDate=self._date(AS_OF.year - 12, AS_OF.year))  # fmt: skip
        facilities = (
            ("LampPost", "路灯", "city-management", 3),
            ("ManholeCover", "井盖", "city-management", 3),
            ("FireHydrant", "消火栓", "emergency", 1),
            ("Camera", "监控摄像机", "city-management", 2),
        )
        compounds = [r["code"] for r in self.city.premises.get("Compound", [])]
        for compound in compounds:
            for kind, name, tag, most in facilities:
                for _ in range(rng.randint(1, most)):
                    self.thing_serial += 1
                    code = f"{kind[:2].upper()}{self.district.code}{self.thing_serial:07d}"
                    self._thing(kind, code, f"{name}{self.thing_serial}")
                    self.city.relate("INSTALLED_AT", code, compound,
                                     installDate=self._date(2005, AS_OF.year))  # fmt: skip
                    self.city.relate("MAINTAINED_BY", code, self.departments[tag])

    def _events(self) -> None:
        rng = self.rng
        kinds = tuple(EVENT_LABELS)
        adults = sorted(p for p, row in self.people.items() if not row["minor"])
        places = [p for ps in self.places_of.values() for p in ps]
        for serial in range(1, max(1, self.target // 20) + 1):
            kind = rng.choices(kinds, weights=(5, 3, 2))[0]
            day = self._date(AS_OF.year - 1, AS_OF.year)
            code = f"SJ{self.district.code}{day.replace('-', '')}{serial:06d}"
            status = rng.choice(EVENT_STATUSES)
            props = {
                "eventCode": code,
                "title": rng.choice(EVENT_TITLES[kind]),
                "status": status,
                "occurredAt": f"{day}T{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:00",
            }
            self.city.events.setdefault(kind, []).append({"props": props})  # fmt: skip
            self.city.relate("OCCURRED_AT", code, rng.choice(places))
            if kind != "Incident":
                channel = "01" if kind == "HotlineCase" else rng.choice(("02", "05", "07"))
                self.city.relate("REPORTED_BY", code, rng.choice(adults), channel=channel,
                                 reportedAt=props["occurredAt"])  # fmt: skip

    # --- helpers ------------------------------------------------------------------------------

    def _date(self, first_year: int, last_year: int) -> str:
        start = date(first_year, 1, 1)
        end = min(date(last_year, 12, 31), AS_OF)
        return (start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))).isoformat()

    def _born(self, pid: str) -> date:
        return date(int(pid[6:10]), int(pid[10:12]), int(pid[12:14]))

    def _age(self, pid: str) -> int:
        return _age(self._born(pid))


def _person_name(rng: random.Random) -> str:
    """A surname and one or two given characters; a lone 子 would make words (孙子, 王子)."""
    surname, size = rng.choice(SURNAMES), rng.randint(1, 2)
    return surname + "".join(rng.choices(GIVEN if size == 2 else GIVEN_ALONE, k=size))


def _age(born: date) -> int:
    return AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
