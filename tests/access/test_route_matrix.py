# ruff: noqa: E501  (the matrix is a table: one row per line, read across)
"""The access contract: every route of the OpenAPI × every kind of caller, on a generated city.

Each row of :data:`MATRIX` is a route (and a case of it), the request it makes and what each
caller gets for a target within their reach; the same request for a target outside their reach
and for one that does not exist must answer alike (status and shape: existence is never
revealed), and no answer may hold, for that caller, a sensitive value in clear (an ID number, a
phone: their own excepted) nor the key or name of anything outside their reach (the oracle of
``conftest.py`` reads both from the graph). A route of the app missing from the matrix fails
:func:`test_every_route_is_in_the_matrix`: a new route ships with its row.

An expectation, per caller (columns :data:`CALLERS`), for the target within reach:

* ``200``: that status; outside reach and missing answer alike, and not with a success;
* ``200=``: that status; outside reach and missing answer alike (a success that finds nothing);
* ``200*``: that status outside reach too (the caller's reach is the whole city here);
* ``4xx``: refused somehow; ``any``: not yet specified (only the leak checks apply).

Callers without a token, or with a forged one, get 401 on every route but public ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml

from citykg.access import principal as principal_of
from citykg.api.guard import declared_routes
from citykg.channels.demo import save_service_form
from citykg.ledgers.refs import seal
from citykg.ontology import load_ontology
from citykg.settings import Settings
from tests.access.conftest import FORM, FRESH, Actor, City, leaks, shape, strings_of

Variant = Literal["in", "out", "missing"]
CALLERS = ("resident_a", "resident_b", "worker_x", "worker_y", "street", "district",
           "analyst", "builder", "service", "security")  # fmt: skip
ANONYMOUS = ("anonymous", "forged")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, Any]
    json: Any = None


Build = Callable[[City, Actor, Variant], Request | None]


@dataclass(frozen=True)
class Case:
    """One row: a route, what is asked, and what each caller gets (see the module docstring)."""

    route: str
    name: str
    build: Build
    expect: str
    public: bool = False
    anonymous: int = 200
    """What a public route answers a caller without a token (Open311: 403 without api_key)."""
    names: bool = True
    """Names of persons outside reach count as leaks (analysts' Cypher shows names)."""
    clear: str = "own"
    """Whose sensitive values may show in clear: ``own``, or ``household`` (a resident's)."""

    def expected(self, caller: str) -> str:
        return dict(zip(CALLERS, self.expect.split(), strict=True))[caller]


# --- what a request names: targets within reach, outside it, missing ---------------------------


def slots(city: City, actor: Actor, variant: Variant) -> dict[str, str] | None:
    """The values a request's placeholders take for ``actor`` and ``variant``; a missing place
    lies beside the one outside reach (one in reach may be told missing)."""
    t = actor.targets
    if variant == "missing":
        return {
            "person": seal(t["person_missing"]), "id": t["person_missing"],
            "door": t["door_out"][:21] + "9999", "area": t["area_out"][:9] + "999",
            "event": "SJ-NO-SUCH-EVENT", "org": "91110105MA0NOSUCH0", "principal": "mx-nobody",
            "held": "no-such-request", "confirm": "no-such-request",
            "decline": "no-such-request", "thing": "LP-NO-SUCH-THING",
            "task": "no-such-task", "part": "no-such-task:110105", "split": "no-such-task:110105",
            **{k: "no-such-item" for k in ("item", *FRESH)},
        }  # fmt: skip
    pick = {k[: -len(variant) - 1]: v for k, v in t.items() if k.endswith("_" + variant)}
    if variant == "in":
        pick |= {"confirm": t["confirm_in"], "decline": t["decline_in"]}
    else:
        pick |= {"confirm": t["held_out"], "decline": t["held_out"]}
        pick |= {k: t["item_out"] for k in FRESH}  # one item out of reach for every row
    return {**pick, "id": pick["person"], "person": seal(pick["person"])}


def req(method: str, path: str, targeted: bool = True, **options: Any) -> Build:
    """A request whose path, params and body name targets by ``{slot}`` placeholders."""

    def build(city: City, actor: Actor, variant: Variant) -> Request | None:
        if variant != "in" and not targeted:
            return None
        filled = slots(city, actor, variant) or {}
        fill = _filler(filled)
        return Request(
            method, fill(path), fill(options.get("params", {})), fill(options.get("json"))
        )

    return build


def _filler(values: dict[str, str]) -> Callable[[Any], Any]:
    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.format(**values)
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return fill


def registration(serial: int) -> Build:
    """A new person registered at the target door (a fresh ID number per caller and variant)."""

    def build(city: City, actor: Actor, variant: Variant) -> Request:
        filled = slots(city, actor, variant) or {}
        number = (
            serial
            + 10 * list(city.actors).index(actor.name)
            + ["in", "out", "missing"].index(variant)
        )
        answers = {"id_number": city.new_id(number), "name": "矩阵新人", "gender": "1",
                   "address": filled["door"]}  # fmt: skip
        body: dict[str, Any] = {"answers": answers}
        if serial >= 300:
            body = {"submissions": [body]}
        path = f"/forms/{FORM}/submissions" + ("/batch" if serial >= 300 else "")
        return Request("POST", path, {}, body)

    return build


def resolve(city: City, actor: Actor, variant: Variant) -> Request:
    """Resolve a door's address: the target's, or one more door in the outside target's unit."""
    code = actor.targets["door_in" if variant == "in" else "door_out"]
    names = city.store.read(
        "MATCH (d:Place {placeCode: $code})-[:PART_OF*0..12]->(up:Place) "
        "RETURN up.name AS name ORDER BY up.level",
        {"code": code},
    )
    text = "".join(str(r["name"]) for r in names)
    return Request(
        "POST",
        "/places/resolve",
        {},
        {"address": text + ("9909室" if variant == "missing" else "")},
    )


def new_form(city: City, actor: Actor, variant: Variant) -> Request | None:
    if variant != "in":
        return None
    path = Path(__file__).parents[2] / "examples" / "forms" / f"{FORM}.yaml"
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Request("POST", "/forms", {}, {**form, "id": "matrix-form"})


def probe(method: str, path: str) -> Build:
    """A route whose expectations are not written yet: asked about a thing that does not exist."""
    return req(method, re.sub(r"\{(\w+)\}", r"no-such-\1", path), targeted=False)


_MADE: dict[int, tuple[City, dict[str, str]]] = {}


def made(city: City) -> dict[str, str]:
    """A service channel, a resident's request to it, a notice (must confirm) and a reported
    case in each of X, Y and the other district, made once per city through the API by those
    who may: X's street head, the district official (Y), the other district's official, and the
    area's resident for the request and the case; keyed ``kind:community``."""
    if id(city) in _MADE and _MADE[id(city)][0] is city:
        return _MADE[id(city)][1]
    save_service_form(city.store, ontology=load_ontology(Settings().ontology_dir))
    far = city.actors["district"].targets["area_out"]
    ids: dict[str, str] = {}
    for area, official, resident in ((city.x, "street", "resident_a"),
                                     (city.y, "district", "resident_b"),
                                     (far, "district_o", "resident_o")):  # fmt: skip
        headers = city.actors[official].headers
        channel = city.client.post("/channels", headers=headers, json={
            "title": {"zh": "矩阵服务"}, "form": "resident-service", "places": [area],
            "roles": ["SQ05"]})  # fmt: skip
        assert channel.status_code == 201, channel.text
        ids[f"channel:{area}"] = channel.json()["id"]
        notice = city.client.post("/notifications", headers=headers, json={
            "title": {"zh": "矩阵通知"}, "body": {"zh": "矩阵"}, "scope": [area],
            "must_confirm": True})  # fmt: skip
        assert notice.status_code == 201, notice.text
        ids[f"notice:{area}"] = notice.json()["notification"]
        person = principal_of(city.store, f"mx-{resident}").person or ""
        answers = {"id_number": person, "name": city.oracle.names[person]}
        request = city.client.post(f"/me/channels/{ids[f'channel:{area}']}/requests",
                                   headers=city.actors[resident].headers,
                                   json={"answers": answers})  # fmt: skip
        assert request.status_code == 201, request.text
        ids[f"request:{area}"] = request.json()["id"]
        case = city.client.post("/events", headers=city.actors[resident].headers,
                                json={"description": "楼道灯坏了，矩阵", "place": area})  # fmt: skip
        assert case.status_code == 201, case.text
        ids[f"event:{area}"] = case.json()["event"]["id"]
    _MADE[id(city)] = (city, ids)  # the city held: its id is not reused by the next
    return ids


def on(method: str, path: str, **options: Any) -> Build:
    """A request naming a channel, a request, a notice or a case (``{channel}``,
    ``{request}``, ``{notice}``, ``{event}``) of the caller's community, of the one outside its
    reach, or none."""

    def build(city: City, actor: Actor, variant: Variant) -> Request:
        ids = made(city)
        area = actor.targets["area_in" if variant == "in" else "area_out"]
        own = {k: ids.get(f"{k}:{area}", f"no-such-{k}") if variant != "missing"
               else f"no-such-{k}" for k in ("channel", "request", "notice", "event")}  # fmt: skip
        fill = _filler({**(slots(city, actor, variant) or {}), **own})
        return Request(method, fill(path), fill(options.get("params", {})),
                       fill(options.get("json")))  # fmt: skip

    return build


ALL = "200 200 200 200 200 200 200 200 200 200"
WEEK = {"start": "2026-01-01T00:00:00+00:00", "end": "2026-01-08T00:00:00+00:00"}
OFFICIALS_READ = "403 403 200 200 200 200 403 403 403 403"
DETAIL = "404 404 200 200 200 200 403 403 403 403"
EDITORS = "403 403 200 200 200 403 403 403 403 403"
EXPLAINERS = "403 403 403 403 200 403 403 403 403 200*"
PENDING = "any any any any any any any any any any"
TASK_READ = "404 404 200 200 200 200 404 404 200* 404"
MANAGERS = "403 403 403 403 200 200 403 403 403 403"
SENDERS = "403 403 200 200 200 200 403 403 403 403"
RECIPIENTS = "200 200 200 200 200 200 404 404 404 404"
CASE_READ = "200 200 200 200 200 200 404 404 200* 404"

#      route                                  case        request                               ra   rb   wx   wy   st   di   an   bu   sv   sec
MATRIX: tuple[Case, ...] = (
    Case("GET /health", "", req("GET", "/health", False), ALL, public=True),
    Case("GET /me", "", req("GET", "/me", False), ALL),
    Case("GET /places/{code}", "door", req("GET", "/places/{door}"),
         "404 404 200 200 200 200 200* 404 404 404"),
    Case("GET /places/{code}/children", "community", req("GET", "/places/{area}/children"),
         "404 404 200 200 200 200 200* 404 404 404"),
    Case("GET /places/{code}/stats", "community", req("GET", "/places/{area}/stats", params={"level": "door"}),
         "404 404 200 200 200 200 200* 404 404 404"),
    Case("POST /places/parse", "", req("POST", "/places/parse", False, json={"address": "北京市朝阳区"}), ALL),
    Case("POST /places/resolve", "door", resolve,
         "200= 200= 200= 200= 200= 200= 200= 200= 200= 200="),
    Case("GET /forms", "", req("GET", "/forms", False), ALL),
    Case("POST /forms", "", new_form, "403 403 403 403 403 403 403 201 403 403"),
    Case("GET /forms/{form_id}", "", req("GET", f"/forms/{FORM}", False), ALL),
    Case("POST /forms/{form_id}/submissions", "new person", registration(100),
         "202= 202= 201 201 201 201 403 403 201* 403"),
    Case("POST /forms/{form_id}/submissions/batch", "new person", registration(300),
         "200= 200= 200= 200= 200= 200= 403 403 200* 403"),
    Case("GET /forms/{form_id}/prefill", "person", req("GET", f"/forms/{FORM}/prefill", params={"subject": "{person}"}),
         "200= 200= 200= 200= 200= 200= 200= 200= 200* 200=", clear="household"),
    Case("POST /forms/{form_id}/prefill", "person", req("POST", f"/forms/{FORM}/prefill", json={"subject": "{id}", "purpose": "矩阵"}),
         "200= 200= 200= 200= 200= 200= 200= 200= 200* 200=", clear="household"),
    Case("GET /forms/{form_id}/lineage", "", req("GET", f"/forms/{FORM}/lineage", False), ALL),
    Case("GET /terms/{term}/forms", "", req("GET", "/terms/idNumber/forms", False), ALL),
    Case("GET /terms", "", req("GET", "/terms", False, params={"q": "身份证"}), "403 403 403 403 403 403 403 200 403 403"),
    Case("POST /forms/check", "", req("POST", "/forms/check", False, json={"id": "draft", "title": "草稿", "subject": "Resident", "fields": []}),
         "403 403 403 403 403 403 403 200 403 403"),
    Case("GET /reviews", "", req("GET", "/reviews", False), ALL),
    Case("GET /reviews/{held_id}", "request", req("GET", "/reviews/{held}"),
         "200 200 200 200 200 200 404 404 404 404"),
    Case("POST /reviews/{held_id}/confirm", "request", req("POST", "/reviews/{confirm}/confirm", json={"note": "矩阵"}), EDITORS),
    Case("POST /reviews/{held_id}/decline", "request", req("POST", "/reviews/{decline}/decline", json={"note": "矩阵"}), EDITORS),
    Case("GET /ledgers", "", req("GET", "/ledgers", False), ALL),
    Case("GET /ledgers/{type}", "persons", req("GET", "/ledgers/Person", params={"within": "{area}"}), OFFICIALS_READ),
    Case("GET /ledgers/{type}/stats", "persons by door", req("GET", "/ledgers/Person/stats", params={"within": "{area}", "level": "door", "by": "gender"}),
         "403 403 200 200 200 200 200* 403 403 403"),
    Case("GET /ledgers/{type}/export", "persons", req("GET", "/ledgers/Person/export", params={"within": "{area}", "format": "csv"}),
         "403 403 403 403 200 403 403 403 403 403"),
    Case("POST /ledgers/{type}/lookup", "person", req("POST", "/ledgers/Person/lookup", json={"key": "{id}", "purpose": "矩阵"}),
         "200 200 200 200 200 200 403 403 403 403"),
    Case("GET /ledgers/{type}/{key}", "person", req("GET", "/ledgers/Person/{person}"),
         "200 200 200 200 200 200 403 403 403 403"),
    Case("GET /ledgers/{type}/{key}", "event", req("GET", "/ledgers/Event/{event}"), DETAIL),
    Case("GET /ledgers/{type}/{key}", "door", req("GET", "/ledgers/Place/{door}"), DETAIL),
    Case("GET /ledgers/{type}/{key}", "committee", req("GET", "/ledgers/Organization/{org}"), DETAIL),
    Case("PATCH /ledgers/{type}/{key}", "person", req("PATCH", "/ledgers/Person/{person}", json={"values": {"ethnicity": "01"}}), EDITORS),
    Case("POST /ledgers/{type}/{key}/end", "lamp post", req("POST", "/ledgers/Thing/{thing}/end", json={"reason": "矩阵"}), EDITORS),
    Case("POST /cypher", "persons", req("POST", "/cypher", False, json={"query": "MATCH (p:Person) RETURN p.name AS name, p LIMIT 20", "purpose": "矩阵"}),
         "403 403 403 403 403 403 200 403 403 403", names=False),
    Case("GET /access/principals/{principal_id}", "worker", req("GET", "/access/principals/{principal}"), EXPLAINERS),
    Case("GET /access/persons/{person}", "person", req("GET", "/access/persons/{person}"), EXPLAINERS),
    Case("GET /access/organizations/{credit_code}", "committee", req("GET", "/access/organizations/{org}"), EXPLAINERS),
    Case("GET /access/roles/{role}", "SQ05", req("GET", "/access/roles/SQ05", False), "403 403 403 403 200 403 403 403 403 200"),
    Case("GET /access/tags/{tag}", "civil-affairs", req("GET", "/access/tags/civil-affairs", False), "403 403 403 403 200 403 403 403 403 200"),
    Case("GET /access/entities/{type}/{key}", "person", req("GET", "/access/entities/Person/{person}"), EXPLAINERS),
    Case("GET /access/audit", "", req("GET", "/access/audit", False), "403 403 403 403 403 403 403 403 403 200"),
    # tasks: a per-person task of 110105 (items and parts in X and Y), one of 110106 out of
    # everyone's reach. A task, part or item out of reach answers 404 like a missing one before
    # any state or permission check; analysts see no task (they have the de-identified copy);
    # the service principal reads every task but holds no task action, so it acts on none
    Case("POST /tasks", "community", req("POST", "/tasks", json={"title": {"zh": "矩阵"}, "form": FORM, "scope": ["{area}"], "split": {"levels": ["compound"], "items": "unit"}, "deadline": "2030-01-01T00:00:00+00:00"}), "403 403 403 403 201 201 403 403 403 403"),
    Case("GET /tasks", "", req("GET", "/tasks", False), ALL),
    Case("GET /tasks/{task_id}", "task", req("GET", "/tasks/{task}"), TASK_READ),
    Case("POST /tasks/{task_id}/dispatch", "task", req("POST", "/tasks/{task}/dispatch"), "403 403 403 403 403 200 403 403 403 403"),
    Case("GET /tasks/{task_id}/dispatch/preview", "task", req("GET", "/tasks/{task}/dispatch/preview"), "403 403 403 403 403 200 403 403 403 403"),
    Case("GET /tasks/mine/items", "", req("GET", "/tasks/mine/items", False), ALL),
    Case("GET /tasks/{task_id}/items", "task", req("GET", "/tasks/{task}/items", params={"limit": 20}), "200= 200= 200= 200= 200= 200= 200= 200= 200* 200="),
    Case("GET /tasks/items/{item_id}", "item", req("GET", "/tasks/items/{item}"), TASK_READ),
    Case("GET /tasks/items/{item_id}/transitions", "item", req("GET", "/tasks/items/{item}/transitions"), TASK_READ),
    Case("POST /tasks/items/{item_id}/act", "start", req("POST", "/tasks/items/{act}/act", json={"event": "start"}), "404 404 200 200 403 403 404 404 403* 404"),
    Case("POST /tasks/items/{item_id}/execute", "no answers", req("POST", "/tasks/items/{execute}/execute", json={"answers": {}, "submission_id": "matrix-{execute}"}), "404 404 422 422 403 403 403 403 403 403"),
    Case("POST /tasks/items/{item_id}/transfer", "to Y's committee", req("POST", "/tasks/items/{transfer}/transfer", json={"organization": "{org}", "role": "SQ01", "reason": "矩阵"}), "403 403 200 200 403 403 403 403 403 403"),
    Case("POST /tasks/items/{item_id}/reassign", "to its own part", req("POST", "/tasks/items/{reassign}/reassign", json={"part": "{part}"}), "403 403 403 403 200 403 403 403 403 403"),
    Case("POST /tasks/{task_id}/items/batch", "start one", req("POST", "/tasks/{task}/items/batch", json={"event": "start", "selection": {"ids": ["{batch}"]}}), "404 404 200 200 200 200 404 404 200* 404"),
    Case("GET /tasks/{task_id}/returned", "task", req("GET", "/tasks/{task}/returned"), "403 403 403 403 200= 200= 403 403 403 403"),
    Case("POST /tasks/parts/{part_id}/split", "to compounds", req("POST", "/tasks/parts/{split}/split", json={"level": "compound"}), "403 403 403 403 403 403 403 403 403 403"),
    Case("POST /tasks/parts/{part_id}/act", "reopen an open part", req("POST", "/tasks/parts/{part}/act", json={"event": "reopen", "reason": "矩阵"}), "404 404 409 409 409 409 404 404 409* 404"),
    Case("GET /tasks/{task_id}/progress", "task", req("GET", "/tasks/{task}/progress"), TASK_READ),
    Case("GET /tasks/{task_id}/bottlenecks", "task", req("GET", "/tasks/{task}/bottlenecks"), TASK_READ),
    Case("GET /tasks/{task_id}/export", "task", req("GET", "/tasks/{task}/export", params={"format": "csv"}), TASK_READ),
    Case("GET /tasks/{task_id}/stream", "task", req("GET", "/tasks/{task}/stream", params={"once": "true"}), TASK_READ),
    # channels and notifications: one channel, request and notice in X, Y and the far district
    # (made). A request is seen by its household and its handling post (a street or district
    # official is neither); officials live in their own area, so they read their notices too
    Case("POST /notifications/preview", "community", req("POST", "/notifications/preview", json={"scope": ["{area}"]}), SENDERS),
    Case("POST /channels", "community", req("POST", "/channels", json={"title": {"zh": "矩阵"}, "form": FORM, "places": ["{area}"], "roles": ["SQ05"]}), "403 403 403 403 201 201 403 403 403 403"),
    Case("GET /channels", "", req("GET", "/channels", False), ALL),
    Case("GET /channels/queue", "", req("GET", "/channels/queue", False), ALL),
    Case("GET /channels/requests/{request_id}", "request", on("GET", "/channels/requests/{request}"), "200 200 200 200 404 404 404 404 200* 404"),
    Case("POST /channels/requests/{request_id}/act", "reply", on("POST", "/channels/requests/{request}/act", json={"event": "reply", "text": "矩阵"}), "403 403 200 200 404 404 403 403 403 403"),
    Case("GET /channels/{channel_id}", "channel", on("GET", "/channels/{channel}"), "404 404 200 200 200 200 404 404 200* 404"),
    Case("PATCH /channels/{channel_id}", "category", on("PATCH", "/channels/{channel}", json={"category": "矩阵"}), MANAGERS),
    Case("POST /channels/{channel_id}/act", "resume an open one", on("POST", "/channels/{channel}/act", json={"event": "resume"}), "403 403 403 403 409 409 403 403 403 403"),
    Case("GET /channels/{channel_id}/stats", "channel", on("GET", "/channels/{channel}/stats"), MANAGERS),
    Case("GET /me/channels", "", req("GET", "/me/channels", False), ALL),
    Case("GET /me/channels/requests", "", req("GET", "/me/channels/requests", False), ALL),
    Case("POST /me/channels/{channel_id}/requests", "no answers", on("POST", "/me/channels/{channel}/requests", json={"answers": {}}), "422 422 422 422 422 422 403 403 403* 403"),
    Case("POST /notifications", "community", req("POST", "/notifications", json={"title": {"zh": "矩阵"}, "body": {"zh": "矩阵"}, "scope": ["{area}"]}), "403 403 201 201 201 201 403 403 403 403"),
    Case("GET /notifications", "", req("GET", "/notifications", False), ALL),
    Case("POST /notifications/outbox/flush", "", req("POST", "/notifications/outbox/flush", False), SENDERS),
    Case("GET /notifications/{notification_id}", "notice", on("GET", "/notifications/{notice}"), SENDERS),
    Case("GET /notifications/{notification_id}/rollup", "notice", on("GET", "/notifications/{notice}/rollup"), SENDERS),
    Case("GET /notifications/{notification_id}/unread", "notice", on("GET", "/notifications/{notice}/unread"), SENDERS),
    Case("POST /notifications/{notification_id}/resend", "notice", on("POST", "/notifications/{notice}/resend"), SENDERS),
    Case("GET /notifications/{notification_id}/failures", "notice", on("GET", "/notifications/{notice}/failures"), SENDERS),
    Case("GET /me/messages", "", req("GET", "/me/messages", False), ALL),
    Case("GET /me/messages/stream", "", req("GET", "/me/messages/stream", False, params={"once": "true"}), ALL),
    Case("POST /me/messages/{notification_id}/read", "notice", on("POST", "/me/messages/{notice}/read"), RECIPIENTS),
    Case("POST /me/messages/{notification_id}/confirm", "notice", on("POST", "/me/messages/{notice}/confirm"), RECIPIENTS),
    # events: a case reported by the resident of X, of Y and of the far district (at their
    # community). Anyone who may report reports anywhere in the city (a photo on the way);
    # a case is read by its reporter and the officials of its place; only its handling post,
    # the command centre or a service principal moves it (dispatch, field work), so the
    # matrix's officials are refused; an open case cannot be reopened or rated (409)
    Case("POST /events", "at my community", req("POST", "/events", json={"description": "井盖丢了，矩阵", "place": "{area}"}), "201* 201* 201* 201* 201* 201* 403 403 201* 403"),
    Case("GET /events", "", req("GET", "/events", False), "200 200 200 200 200 200 403 403 200 403"),
    Case("GET /events/kpis", "week", req("GET", "/events/kpis", False, params=WEEK), "403 403 200 200 200 200 403 403 403 403"),
    Case("GET /events/kpis/deadlines", "week", req("GET", "/events/kpis/deadlines", False, params={**WEEK, "group": "{area}", "by": "community"}), "403 403 200 200 200 200 403 403 403 403"),
    Case("GET /events/{event_id}", "case", on("GET", "/events/{event}"), CASE_READ),
    Case("POST /events/{event_id}/transitions", "dispatch", on("POST", "/events/{event}/transitions", json={"event": "dispatch"}), "403 403 403 403 403 403 404 404 200* 404"),
    Case("POST /events/{event_id}/merge", "into itself", on("POST", "/events/{event}/merge", json={"master": "{event}"}), "403 403 403 403 403 403 403 403 403 403"),
    Case("POST /events/{event_id}/reopen", "an open case", on("POST", "/events/{event}/reopen", json={"reason": "矩阵"}), "409 409 409 409 409 409 404 404 409* 404"),
    Case("POST /events/{event_id}/rating", "an open case", on("POST", "/events/{event}/rating", json={"satisfaction": "1", "resolved": True}), "409 409 409 409 409 409 404 404 409* 404"),
    Case("POST /events/{event_id}/tasks", "field work", on("POST", "/events/{event}/tasks", json={"title": {"zh": "矩阵现场核查"}, "form": FORM, "scope": ["{area}"], "split": {"levels": ["compound"], "items": "unit"}, "deadline": "2030-01-01T00:00:00+00:00"}), "403 403 403 403 403 403 403 403 403 403"),
    Case("GET /events/{event_id}/tasks", "case", on("GET", "/events/{event}/tasks"), CASE_READ),
)  # fmt: skip

# Routes whose rows wait for their expectations: asked about things that do not exist.
PENDING_ROUTES: tuple[str, ...] = ()
# Open311 is public as its spec has it (POST requests checks its api_key in the route).
OPEN311_ROUTES = (  # route, the path asked, what any caller gets (the spec's codes)
    ("GET /open311/v2/discovery.{fmt}", "/open311/v2/discovery.json", 200),
    # the full list shows every category label (道路积水 …), which the oracle also knows as
    # titles of events out of reach: asked in a format it refuses instead
    ("GET /open311/v2/services.{fmt}", "/open311/v2/services.yaml", 422),
    ("GET /open311/v2/services/{service_code}.{fmt}", "/open311/v2/services/0505.json", 200),
    ("POST /open311/v2/requests.{fmt}", "/open311/v2/requests.json", 403),
    ("GET /open311/v2/requests.{fmt}", "/open311/v2/requests.json", 200),
    ("GET /open311/v2/requests/{service_request_id}.{fmt}", "/open311/v2/requests/SJ-none.json",
     404),
    ("GET /open311/v2/tokens/{token}.{fmt}", "/open311/v2/tokens/SJ-none.json", 404),
)  # fmt: skip
ROWS = MATRIX + tuple(
    Case(route, "pending", probe(*route.split(" ", 1)), PENDING) for route in PENDING_ROUTES
) + tuple(
    Case(route, "", req(route.split(" ")[0], path, False), " ".join([str(status)] * 10),
         public=True, anonymous=status)
    for route, path, status in OPEN311_ROUTES
)  # fmt: skip


def send(city: City, actor: Actor, request: Request) -> tuple[int, Any, list[str]]:
    response = city.client.request(
        request.method, request.path, params=request.params, json=request.json,
        headers=actor.headers,
    )  # fmt: skip
    kind = response.headers.get("content-type", "")
    body = response.json() if "json" in kind and response.content else None
    return response.status_code, body, strings_of(response.content, kind)


def test_every_route_is_in_the_matrix(city: City) -> None:
    """Every route of the app has a row, and every row a route: a new route ships with one."""
    routes = set(declared_routes(city.client.app))  # type: ignore[arg-type]
    rows = {case.route for case in ROWS}
    assert routes - rows == set(), "routes with no row in the access matrix"
    assert rows - routes == set(), "rows of the access matrix for routes the app has not"


@pytest.mark.parametrize(
    ("case", "caller"),
    [(case, caller) for case in ROWS for caller in (*CALLERS, *ANONYMOUS)],
    ids=lambda v: v.route + (f" {v.name}" if v.name else "") if isinstance(v, Case) else v,
)
def test_the_cell(city: City, case: Case, caller: str) -> None:
    actor = city.actors[caller]
    answers, asked = {}, {}
    for variant in ("in", "out", "missing"):
        request = case.build(city, actor, variant)  # type: ignore[arg-type]
        if request is not None:
            answers[variant] = send(city, actor, request)
            asked[variant] = [
                request.path,
                *strings_of(json.dumps([request.params, request.json]).encode(), "json"),
            ]
    forbidden = city.oracle.forbidden(actor.sight, clear=case.clear, names=case.names)
    for variant, (_, _, strings) in answers.items():
        found = leaks(strings, forbidden, asked[variant])
        assert found == [], f"{variant}: outside the caller's reach"
    statuses = {variant: status for variant, (status, _, _) in answers.items()}
    if caller in ANONYMOUS:
        assert statuses["in"] == (case.anonymous if case.public else 401)
        return
    expected = case.expected(caller)
    code = expected.rstrip("=*")
    if code == "any":
        return
    if code == "4xx":
        assert 400 <= statuses["in"] < 500, statuses
    else:
        assert statuses["in"] == int(code), answers["in"][1]
    if "out" not in answers:
        return
    if expected.endswith("*"):
        assert statuses["out"] == int(code), answers["out"][1]
        return
    (out, out_body, _), (missing, missing_body, _) = answers["out"], answers["missing"]
    assert (out, shape(out_body)) == (missing, shape(missing_body)), "not yours ≠ missing"
    if not expected.endswith("=") and code.startswith("2"):
        assert not 200 <= out < 300, "outside the caller's reach, and yet a success"
