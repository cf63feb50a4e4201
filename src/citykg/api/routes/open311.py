"""``/open311/v2/``: Open311 GeoReport v2 over the events, each endpoint in JSON and XML.

Discovery, services, a service's definition, ``POST requests`` (``api_key`` is an API token of
a principal that may report: the routes are public, the key is checked here), ``GET
requests`` (filters and the 90-day window), one request, and ``tokens/{token}``. Errors use
the spec's format (``[{"code": 400, "description": …}]`` / ``<errors><error>…``) and codes:
400 bad or missing input, 403 a missing or unknown ``api_key``, 404 unknown service, request,
token or jurisdiction.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from citykg import events
from citykg.access import authenticate
from citykg.api.deps import AppSettings, Store
from citykg.errors import CityKGError, Forbidden, NotFound, ValidationFailed
from citykg.events import Report, open311
from citykg.events import queries as event_queries
from citykg.events.classify import categories
from citykg.events.views import load, names_of, view
from citykg.ontology import Ontology, load_ontology

Format = Literal["json", "xml"]
_XML = {"text/xml": {"schema": {"type": "string"}}}
_ERRORS = {
    "application/json": {
        "schema": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "description"],
                "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
            },
        }
    },
    **_XML,
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The answer, in the format the path names.", "content": _XML},
    400: {"description": "Bad or missing input.", "content": _ERRORS},
    403: {"description": "A missing or unknown api_key.", "content": _ERRORS},
    404: {"description": "Unknown service, request, token or jurisdiction.", "content": _ERRORS},
}
"""The spec's answers: JSON or XML as the path says, errors in its own list (not problems)."""
router = APIRouter(prefix="/open311/v2", tags=["open311"], responses=RESPONSES)
WINDOW = timedelta(days=90)
LIMIT = 1000
STATUSES = r"^(\s*(open|closed)?\s*)(,\s*(open|closed)?\s*)*$"
"""``status`` of ``GET requests``: a comma-separated list (documented only: a mismatch is the
spec's 400, not a problem)."""
Status = Annotated[str | None, Query(json_schema_extra={"pattern": STATUSES})]


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _answer(fmt: Format, root: str, item: str, body: Callable[[], Any]) -> Response:
    """Run ``body`` and render it; library errors become the spec's errors."""
    try:
        data = body()
    except Open311Error as exc:
        return _errors(fmt, exc.code, exc.description)
    except ValidationFailed as exc:
        text = "; ".join(f"{v.path}: {v.message}" for v in exc.violations)
        return _errors(fmt, 400, text)
    except Forbidden as exc:
        return _errors(fmt, 403, exc.message)
    except NotFound as exc:
        return _errors(fmt, 404, exc.message)
    except CityKGError as exc:
        return _errors(fmt, 400, exc.message)
    if fmt == "json":
        return JSONResponse(data)
    return Response(_xml(root, item, data), media_type="text/xml; charset=utf-8")


def _errors(fmt: Format, code: int, description: str) -> Response:
    errors = [{"code": code, "description": description}]
    if fmt == "json":
        return JSONResponse(errors, status_code=code)
    return Response(_xml("errors", "error", errors), status_code=code,
                    media_type="text/xml; charset=utf-8")  # fmt: skip


def _xml(root: str, item: str, data: Any) -> bytes:
    top = ET.Element(root)
    for entry in data if isinstance(data, list) else [data]:
        node = top if not isinstance(data, list) else ET.SubElement(top, item)
        _fill(node, entry)
    text: bytes = ET.tostring(top, encoding="utf-8", xml_declaration=True)
    return text


def _fill(node: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, list):
                holder = ET.SubElement(node, key)
                for entry in inner:
                    _fill(ET.SubElement(holder, key[:-1] if key.endswith("s") else key), entry)
            else:
                _fill(ET.SubElement(node, key), inner)
    elif value is not None:
        node.text = str(value).lower() if isinstance(value, bool) else str(value)


def _ontology(settings: AppSettings) -> Ontology:
    return load_ontology(settings.ontology_dir)


def _jurisdiction(value: str | None) -> None:
    if value and value not in ("110105", "citykg") and not value.isdigit():
        raise Open311Error(404, f"jurisdiction_id: unknown jurisdiction {value!r}")


@router.get("/discovery.{fmt}")
def discovery(request: Request, fmt: Format) -> Response:
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    data = {"changeset": "2026-12-05T00:00:00Z", "contact": "citykg",
            "key_service": "API tokens from `citykg users token`", "endpoints": [
                {"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                 "changeset": "2026-12-05T00:00:00Z", "type": "production",
                 "formats": ["application/json", "text/xml"]}]}  # fmt: skip
    return _answer(fmt, "discovery", "endpoint", lambda: data)


@router.get("/services.{fmt}")
def services(fmt: Format, settings: AppSettings, jurisdiction_id: str | None = None) -> Response:
    def body() -> Any:
        _jurisdiction(jurisdiction_id)
        return open311.services(_ontology(settings))

    return _answer(fmt, "services", "service", body)


@router.get("/services/{service_code}.{fmt}")
def service_definition(service_code: str, fmt: Format, settings: AppSettings,
                       jurisdiction_id: str | None = None) -> Response:  # fmt: skip
    def body() -> Any:
        _jurisdiction(jurisdiction_id)
        found = open311.definition(_ontology(settings), service_code)
        if found is None:
            raise Open311Error(404, f"service_code: unknown service {service_code!r}")
        return found

    return _answer(fmt, "service_definition", "service_definition", body)


@router.post("/requests.{fmt}")
async def post_request(request: Request, fmt: Format, store: Store,
                       settings: AppSettings) -> Response:  # fmt: skip
    form = dict((await request.form()).items())

    def body() -> Any:
        return _post(store, _ontology(settings), {k: str(v) for k, v in form.items()})

    return _answer(fmt, "service_requests", "request", body)


def _post(store: Any, ontology: Ontology, form: dict[str, str]) -> list[dict[str, Any]]:
    key = form.get("api_key", "").strip()
    if not key:
        raise Open311Error(403, "api_key: an API key is required to post requests")
    principal = authenticate(store, key)
    if principal is None:
        raise Open311Error(403, "api_key: unknown or revoked API key")
    _jurisdiction(form.get("jurisdiction_id"))
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code: required")
    definition = open311.definition(ontology, code)
    if definition is None:
        raise Open311Error(404, f"service_code: unknown service {code!r}")
    attributes = {k[len("attribute["):-1]: v for k, v in form.items()
                  if k.startswith("attribute[") and k.endswith("]")}  # fmt: skip
    for attribute in definition["attributes"]:
        value = attributes.get(attribute["code"])
        if attribute["required"] and not value:
            raise Open311Error(400, f"attribute[{attribute['code']}]: required for {code}")
        keys = {v["key"] for v in attribute["values"]}
        if value and value not in keys:
            raise Open311Error(400, f"attribute[{attribute['code']}]: one of {sorted(keys)}")
    lat, lon = form.get("lat"), form.get("long")
    address, place = form.get("address_string"), form.get("address_id")
    if not ((lat and lon) or address or place):
        raise Open311Error(400, "lat/long, address_string or address_id: a location is required")
    name = " ".join(x for x in (form.get("last_name"), form.get("first_name")) if x) or None
    report = Report(
        description=form.get("description") or address or categories(ontology)[code].zh,
        source="open311", category=code, place=place or None,
        lat=_float(lat, "lat"), long=_float(lon, "long"), address=address or None,
        urgency=attributes.get("urgency") or "3", reporter_name=name,
        reporter_phone=form.get("phone") or None,
        anonymous=attributes.get("anonymous") == "true",
        reply_requested=attributes.get("reply_requested") != "false", service_code=code,
    )  # fmt: skip
    intake = events.report(store, ontology=ontology, principal=principal, report=report,
                           at=datetime.now(UTC))  # fmt: skip
    return [{"service_request_id": intake.event.id, "token": intake.event.id,
             "service_notice": f"{intake.event.stage}；预计办结 {intake.event.expected_at}",
             "account_id": None}]  # fmt: skip


def _float(value: str | None, field: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Open311Error(400, f"{field}: not a number: {value!r}") from None


@router.get("/requests.{fmt}")
def get_requests(fmt: Format, store: Store, settings: AppSettings,
                 service_request_id: str | None = None, service_code: str | None = None,
                 start_date: str | None = None, end_date: str | None = None,
                 status: Status = None,
                 jurisdiction_id: str | None = None) -> Response:  # fmt: skip
    def body() -> Any:
        _jurisdiction(jurisdiction_id)
        ids = _split(service_request_id)
        end = _date(end_date, "end_date") or datetime.now(UTC)
        start = _date(start_date, "start_date") or end - WINDOW
        if end - start > WINDOW:
            raise Open311Error(400, "start_date/end_date: the range may not span more than 90 days")
        if ids:
            start, end = datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
        statuses = set(_split(status)) or {"open", "closed"}
        if not statuses <= {"open", "closed"}:
            raise Open311Error(400, "status: open or closed")
        rows = store.read(event_queries.PUBLIC, {
            "from": int(start.timestamp() * 1000), "to": int(end.timestamp() * 1000),
            "codes": _split(service_code), "ids": ids, "limit": LIMIT})  # fmt: skip
        return _requests(store, settings, [str(r["event"]["id"]) for r in rows], statuses)

    return _answer(fmt, "service_requests", "request", body)


@router.get("/requests/{service_request_id}.{fmt}")
def get_request(service_request_id: str, fmt: Format, store: Store, settings: AppSettings,
                jurisdiction_id: str | None = None) -> Response:  # fmt: skip
    def body() -> Any:
        _jurisdiction(jurisdiction_id)
        return _requests(store, settings, [service_request_id], {"open", "closed"})

    return _answer(fmt, "service_requests", "request", body)


@router.get("/tokens/{token}.{fmt}")
def token(token: str, fmt: Format, store: Store, jurisdiction_id: str | None = None) -> Response:
    def body() -> Any:
        _jurisdiction(jurisdiction_id)
        load(store, token)  # tokens are the request ids: NotFound when unknown
        return [{"service_request_id": token, "token": token}]

    return _answer(fmt, "service_requests", "request", body)


def _requests(store: Any, settings: AppSettings, ids: list[str],
              statuses: set[str]) -> list[dict[str, Any]]:  # fmt: skip
    now = datetime.now(UTC)
    cases = [load(store, i) for i in ids]
    names = names_of(store, [c.props.get("department") for c in cases])
    labels = {c.code: c.zh for c in categories(_ontology(settings)).values()}
    views = [view(c, None, now=now, names=names) for c in cases]
    return [open311.request(v, labels) for v in views if v.status in statuses]


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _date(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{field}: not a W3C date-time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
