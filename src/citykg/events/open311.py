"""Open311 GeoReport v2 mapping: services from the event categories, requests from cases.

Services are the four-digit categories of ``code:EventCategory`` (``service_code`` = the
code, ``group`` = its top class); their attributes are ontology terms of the Event class, as a
form binds them (urgency from ``code:Urgency``, anonymity, wanting a reply); urgency is
required for emergencies (04xx). A request shows ``status`` open or closed, our finer stage in
``status_notes`` (受理 … 评价, the closure kind, the case a duplicate follows) and
``expected_datetime`` from the closing deadline.

``GET requests`` is public, as the spec allows: anyone sees a case's category, stage, agency,
times, compound-level place and coordinates, never who reported it. Reporter name, phone,
person and token are not in the answer at all, and the texts a reporter wrote (description,
address) are cleaned by :func:`public_text`: a contact note and what follows it
(联系人…, 电话…), a name with a form of address (王先生), digit runs of seven or more (phone,
ID numbers) and door numbers (1102室, 3-2-1102, 2单元1102) are cut or masked.
"""

from __future__ import annotations

import re
from typing import Any

from citykg.events.classify import categories
from citykg.events.config import load_rules
from citykg.events.models import EventView
from citykg.ontology import Ontology

REQUIRED_URGENCY = ("04",)
"""Category prefixes whose reports must say how urgent they are."""
_DIGITS = re.compile(r"[0-9０-９]{7,}[xX]?")
_CONTACT = re.compile(
    r"[，,;；。.\s]*(?:联系人|联系电话|联系方式|电话|手机|姓名|来电人|反映人|报告人)"
    r"[:：是为]?.*$", re.DOTALL)  # fmt: skip
_ADDRESSED = re.compile(r"[\u4e00-\u9fff]{1,2}(先生|女士|小姐|师傅|阿姨|大爷|大妈|老师)")
_DOOR = re.compile(
    r"(?:(?<=[0-9０-９][-－—])[0-9０-９]{3,4}(?![0-9０-９]))"
    r"|(?:(?<=单元)[0-9０-９]{3,4})|(?:[0-9０-９]{3,4}(?=[室户]))")  # fmt: skip
_CLOSURES = {"resolved": "已解决", "transferred": "非本单位职责，已转办",
             "unresolvable": "无法解决", "duplicate": "重复件，已并案"}  # fmt: skip


def services(ontology: Ontology) -> list[dict[str, Any]]:
    words = load_rules().categories
    return [
        {"service_code": c.code, "service_name": c.zh, "description": c.en, "metadata": True,
         "type": "realtime", "keywords": ",".join(words.get(c.code, ())), "group": c.group}
        for c in categories(ontology).values()
    ]  # fmt: skip


def definition(ontology: Ontology, code: str) -> dict[str, Any] | None:
    if code not in categories(ontology):
        return None
    urgency = ontology.code_list_named("Urgency").concepts
    yes_no = [{"key": "true", "name": "是"}, {"key": "false", "name": "否"}]
    return {"service_code": code, "attributes": [
        {"variable": True, "code": "urgency", "datatype": "singlevaluelist",
         "required": code.startswith(REQUIRED_URGENCY), "datatype_description": "紧急程度",
         "order": 1, "description": "紧急程度 (code:Urgency)",
         "values": [{"key": c.notation, "name": c.label.zh} for c in urgency]},
        {"variable": True, "code": "anonymous", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "是否匿名", "order": 2, "description": "是否匿名",
         "values": yes_no},
        {"variable": True, "code": "reply_requested", "datatype": "singlevaluelist",
         "required": False, "datatype_description": "是否需要回复", "order": 3,
         "description": "是否需要回复", "values": yes_no},
    ]}  # fmt: skip


def request(view: EventView, names: dict[str, str]) -> dict[str, Any]:
    """A case as an Open311 service request (public fields only)."""
    notes = view.stage
    if view.closure:
        notes += f"：{_CLOSURES.get(view.closure, view.closure)}"
    if view.duplicate_of:
        notes += f"（见 {view.duplicate_of}）"
    if view.overdue and view.status == "open":
        notes += "（已超期）"
    return {
        "service_request_id": view.id, "status": view.status, "status_notes": notes,
        "service_name": names.get(view.category, view.category), "service_code": view.category,
        "description": public_text(view.description),
        "agency_responsible": view.department_name or "", "service_notice": "",
        "requested_datetime": view.reported_at, "updated_datetime": view.updated_at or "",
        "expected_datetime": view.expected_at or "", "address": public_text(view.address),
        "address_id": (view.place or "")[:16], "zipcode": "", "lat": view.lat, "long": view.long,
        "media_url": "",
    }  # fmt: skip


def public_text(text: str | None) -> str:
    """A reporter's text as the public may read it: contact notes cut, names with a form of
    address, long digit runs and door numbers masked."""
    out = _CONTACT.sub("", text or "")
    out = _DIGITS.sub("***", out)
    out = _ADDRESSED.sub(lambda m: "某" + m.group(1), out)
    return _DOOR.sub("***", out)
