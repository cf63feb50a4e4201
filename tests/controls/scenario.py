"""The test scenario: people with valid ID numbers, doors in two communities, answer factories."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from citykg.access import Principal
from citykg.controls import SubmissionContext
from citykg.geo import PlaceScope
from citykg.graph import GraphStore
from citykg.ontology.checkrules import gb11643_check_char

SERVICE = Principal(id="svc", kind="service", name="test service", scope=PlaceScope.everywhere())
DOOR_A = "1101050010010001001010101"
"""建外第1社区 (110105001001) … 1号楼1单元101室 in the demo city."""
DOOR_B = "1101050010020001001010101"
"""建外第2社区 (110105001002) … 1号楼1单元101室."""
COMMUNITY_A = "110105001001"
COMMUNITY_B = "110105001002"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def person_id(born: str, serial: int = 1) -> str:
    """A valid resident ID number (GB 11643) from Chaoyang for a birth date ``YYYYMMDD``."""
    first17 = f"110105{born}{serial:03d}"
    return first17 + gb11643_check_char(first17)


WANG = person_id("19491231", 2)
LI = person_id("19520306", 11)
ZHAO = person_id("19800101", 21)
CHILD = person_id("20100808", 31)
SHOP = "91110105MA01ABCD5F"
"""A unified social credit code with a valid GB 32100 check character."""


def resident(person: str) -> Principal:
    """A resident acting as ``person``."""
    return Principal(id=f"r-{person}", kind="resident", name="居民", person=person)


def official(*roots: str, id: str = "o") -> Principal:
    """An official whose jurisdiction is the places under ``roots`` (a committee director:
    SQ01 edits the ledger and confirms requests)."""
    return Principal(id=id, kind="official", name="社区工作者", roles=frozenset({"SQ01"}),
                     scope=PlaceScope.within(*roots))  # fmt: skip


def context(submission_id: str = "sub-1", **changes: Any) -> SubmissionContext:
    """A submission context at :data:`NOW` (place codes stand for themselves)."""
    values: dict[str, Any] = {
        "submission_id": submission_id,
        "author": "svc",
        "at": NOW,
        "today": date(2026, 11, 23),
    }
    values.update(changes)
    return SubmissionContext(**values)


def household(**changes: Any) -> dict[str, Any]:
    """Answers to the household registration form: 王 at door A, a spouse, a child, a car."""
    answers: dict[str, Any] = {
        "id_number": WANG,
        "name": "王秀英",
        "gender": "2",
        "mobile_phone": "13800138000",
        "marital_status": "20",
        "address": {"place": DOOR_A, "since": "2001-05-01", "is_head": True},
        "members": [
            {"id_number": ZHAO, "name": "赵强", "gender": "1", "relation_to_head": "10"},
            {"id_number": CHILD, "name": "赵明", "gender": "1", "relation_to_head": "20"},
        ],
        "vehicles": [{"plate": "京A12345", "brand": "大众", "fuel": "A"}],
    }
    answers.update(changes)
    return answers


def count_nodes(store: GraphStore) -> int:
    return int(store.read("MATCH (n) RETURN count(n) AS n")[0]["n"])


def count_relationships(store: GraphStore) -> int:
    return int(store.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"])
