"""A small, named city for the ledger, access and scenario tests.

On top of the demo fixture's place tree (北京市 > 朝阳区 > 建外街道 and 朝外街道, two communities
each, doors below) it adds named people and things:

* C1 建外第1社区: the Wang household at door D1 (王伟 head, 李娜 spouse, 王小明 child), 赵奶奶
  (elderly, living alone) at D1B, a shop 王记小卖部 (Wang works there), a camera, a complaint
  reported by Wang, and Wang's car (owned, not installed anywhere);
* C2 建外第2社区: 孙强 at D2;  FAR: 周明 in 朝外街道 (another street);
* officials: worker1 (SQ05) in C1's committee, worker2 (SQ05) in C2's, head (JD01) of the
  建外 street office, doctor (SQ02, tag health) in C1's committee;
* principals with API tokens: worker1, worker2, head, doctor, resident (王伟), analyst.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from citykg.access import issue_token, save_principal
from citykg.demo import load_fixture
from citykg.graph import GraphStore

STREET = "110105001"
C1 = "110105001001"
C2 = "110105001002"
OTHER_STREET = "110105002"
D1 = "1101050010010001001010101"
D1B = "1101050010010001001010102"
D2 = "1101050010020001001010101"
D3 = "1101050020010001001010101"
COMPOUND1 = "1101050010010001"
BUILDING1 = "1101050010010001001"

WANG = "110105195001011234"
LI = "110105195202022220"
XIAOMING = "110105201003033339"
ZHAO = "110105193804044444"
SUN = "110105196005055554"
ZHOU = "110105197006066663"
WORKER1 = "110105198007077772"
WORKER2 = "110105198108088884"
HEAD = "110105197509099993"
DOCTOR = "110105198510101119"

COMMITTEE1 = "55110105MJ00000007"
COMMITTEE2 = "55110105MJ0000001A"
STREET_OFFICE = "11110105MB0000001C"
SHOP = "92110105MA0000000U"
CAR = "CAR-京A12345"
CAMERA = "CAM-0001"
COMPLAINT = "EV-2026-0001"

CITY = """
MATCH (d1:Place {placeCode: $d1}), (d1b:Place {placeCode: $d1b}), (d2:Place {placeCode: $d2}),
      (d3:Place {placeCode: $d3}), (street:Place {placeCode: $street}),
      (compound:Place {placeCode: $compound}), (building:Place {placeCode: $building}),
      (c1org:Organization {creditCode: $committee1}), (c2org:Organization {creditCode: $committee2})
CREATE (wang:Person:Resident {idNumber: $wang, name: '王伟', gender: '1', birthDate: '1950-01-01',
        mobilePhone: '13812345678', chronicDisease: '2', isLivingAlone: false})
CREATE (li:Person:Resident {idNumber: $li, name: '李娜', gender: '2', birthDate: '1952-02-02',
        mobilePhone: '13900001111'})
CREATE (xm:Person:Resident:Minor {idNumber: $xiaoming, name: '王小明', gender: '1',
        birthDate: '2010-03-03'})
CREATE (zhao:Person:Resident:ElderlyPerson {idNumber: $zhao, name: '赵奶奶', gender: '2',
        birthDate: '1938-04-04', isLivingAlone: true, chronicDisease: '3'})
CREATE (sun:Person:Resident {idNumber: $sun, name: '孙强', gender: '1', birthDate: '1960-05-05'})
CREATE (zhou:Person:Resident {idNumber: $zhou, name: '周明', gender: '1', birthDate: '1970-06-06'})
CREATE (w1:Person:Official:CommunityWorker {idNumber: $worker1, name: '社工甲', gender: '2',
        birthDate: '1980-07-07'})
CREATE (w2:Person:Official:CommunityWorker {idNumber: $worker2, name: '社工乙', gender: '1',
        birthDate: '1981-08-08'})
CREATE (head:Person:Official {idNumber: $head, name: '街道主任', gender: '1',
        birthDate: '1975-09-09'})
CREATE (doc:Person:Doctor {idNumber: $doctor, name: '刘医生', gender: '2',
        birthDate: '1985-10-10'})
CREATE (wang)-[:RESIDES_IN {since: '2001-01-01', residenceType: '1'}]->(d1)
CREATE (li)-[:RESIDES_IN {since: '2001-01-01', residenceType: '1'}]->(d1)
CREATE (xm)-[:RESIDES_IN {since: '2010-03-03', residenceType: '1'}]->(d1)
CREATE (zhao)-[:RESIDES_IN {since: '1990-01-01', residenceType: '1'}]->(d1b)
CREATE (sun)-[:RESIDES_IN {since: '2015-01-01', residenceType: '1'}]->(d2)
CREATE (zhou)-[:RESIDES_IN {since: '2016-01-01', residenceType: '1'}]->(d3)
CREATE (wang)-[:HOUSEHOLD_HEAD_OF {relationToHead: '10', householdNumber: 'H001'}]->(li)
CREATE (wang)-[:HOUSEHOLD_HEAD_OF {relationToHead: '20', householdNumber: 'H001'}]->(xm)
CREATE (wang)-[:SPOUSE_OF {marriageDate: '1975-05-01', certificateNumber: 'J110105-1975-001'}]->(li)
CREATE (wang)-[:PARENT_OF {parentageType: '1'}]->(xm)
CREATE (so:Organization:SubdistrictOffice:GovernmentDepartment {creditCode: $streetOffice,
        name: '建外街道办事处'})
CREATE (so)-[:HAS_JURISDICTION_OVER {since: '2020-01-01'}]->(street)
CREATE (so)-[:LOCATED_AT {since: '2020-01-01'}]->(street)
CREATE (shop:Organization:Shop:Enterprise {creditCode: $shop, name: '王记小卖部'})
CREATE (shop)-[:LOCATED_AT {since: '2018-01-01'}]->(compound)
CREATE (wang)-[:EMPLOYED_BY {since: '2018-01-01', position: '店主'}]->(shop)
CREATE (car:Thing:Vehicle:MotorVehicle:Car {thingCode: $car, name: '京A12345'})
CREATE (car)-[:OWNED_BY_PERSON {acquisitionDate: '2019-01-01'}]->(wang)
CREATE (cam:Thing:Device:Camera {thingCode: $camera, name: '1号楼门口摄像头'})
CREATE (cam)-[:INSTALLED_AT {installDate: '2021-01-01'}]->(building)
CREATE (ev:Event:ResidentRequest:Complaint {eventCode: $complaint, title: '楼道堆物',
        status: 'open'})
CREATE (ev)-[:OCCURRED_AT {address: '1号楼1单元'}]->(d1)
CREATE (ev)-[:REPORTED_BY {channel: 'app', contactPhone: '13812345678'}]->(wang)
CREATE (w1)-[:HOLDS_POST_IN {role: 'SQ05', tags: ['civil-affairs'], since: '2024-01-01'}]->(c1org)
CREATE (w2)-[:HOLDS_POST_IN {role: 'SQ05', tags: ['civil-affairs'], since: '2024-01-01'}]->(c2org)
CREATE (head)-[:HOLDS_POST_IN {role: 'JD01', tags: [], since: '2023-01-01'}]->(so)
CREATE (doc)-[:HOLDS_POST_IN {role: 'SQ02', tags: ['health'], since: '2022-01-01'}]->(c1org)
"""

PARAMS = {
    "d1": D1,
    "d1b": D1B,
    "d2": D2,
    "d3": D3,
    "street": STREET,
    "compound": COMPOUND1,
    "building": BUILDING1,
    "committee1": COMMITTEE1,
    "committee2": COMMITTEE2,
    "wang": WANG,
    "li": LI,
    "xiaoming": XIAOMING,
    "zhao": ZHAO,
    "sun": SUN,
    "zhou": ZHOU,
    "worker1": WORKER1,
    "worker2": WORKER2,
    "head": HEAD,
    "doctor": DOCTOR,
    "streetOffice": STREET_OFFICE,
    "shop": SHOP,
    "car": CAR,
    "camera": CAMERA,
    "complaint": COMPLAINT,
}

PRINCIPALS = (
    ("worker1", "official", "社工甲", WORKER1, ()),
    ("worker2", "official", "社工乙", WORKER2, ()),
    ("head", "official", "街道主任", HEAD, ()),
    ("doctor", "official", "刘医生", DOCTOR, ()),
    ("resident", "resident", "王伟", WANG, ()),
    ("analyst", "analyst", "数据分析员", None, ("analyst",)),
)


@dataclass
class City:
    """The loaded city's store and an API token per principal id."""

    store: GraphStore
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, principal_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[principal_id]}"}


def build_city(store: GraphStore) -> City:
    """Load the demo fixture, the named people and things above, and the six principals."""
    load_fixture(store)
    store.write(CITY, PARAMS)
    city = City(store)
    for principal_id, kind, name, person, roles in PRINCIPALS:
        save_principal(store, id=principal_id, kind=kind, name=name, person=person, roles=roles)
        city.tokens[principal_id] = issue_token(store, principal_id=principal_id)
    return city
