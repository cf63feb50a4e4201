"""Input no route should ever see, refused before parsing: problem+json naming the field.

A body nested deeper than any form needs would exhaust the parser; NUL characters and unpaired
surrogates are not text the graph or UTF-8 can hold; ``NaN``, ``Infinity`` and numbers beyond a
double are not JSON. Each got a 500 or a 4xx naming no field when it reached the routes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citykg.api.errors import language, problem
from citykg.controls.unholdable import NUL, offences, violation
from citykg.errors import Violation

MAX_DEPTH = 64
"""Nesting a body may have: forms nest a few levels; the parser recurses once per level."""

PER_ROW = re.compile(r"^/forms/[^/]+/submissions/batch submissions\.\d+\.answers(\.|$)")
"""A batch's answers are checked per submission by the write path: one bad row refuses
only itself, the others are written."""
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")

TOO_DEEP = (f"the body is too deeply nested (more than {MAX_DEPTH} levels)",
            f"请求体嵌套过深（超过 {MAX_DEPTH} 层）")  # fmt: skip


class EdgeGuard:
    """ASGI middleware: reads the body once, checks it, and replays it to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        request = Request(scope)
        lang = language(request)
        if is_json(request) and too_deep(body):
            en, zh = TOO_DEEP
            response = problem(400, "body-too-deep", zh if lang == "zh" else en, request.url.path)
            await response(scope, receive, send)
            return
        violations = list(query_offences(request)) + list(body_offences(request, body))
        if violations:
            errors = [{"field": v.path, "message": v.text(lang)} for v in violations]
            detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
            response = problem(422, "validation-failed", detail, request.url.path, errors=errors)
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def is_json(request: Request) -> bool:
    """Only JSON is checked (FastAPI reads a body with no type as JSON): an uploaded
    workbook's bytes are not brackets and strings."""
    kind = request.headers.get("content-type", "")
    return not kind or "json" in kind


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """More than ``limit`` open brackets at once, brackets inside strings not counted."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        if depth > limit:
            return True
    return False


def query_offences(request: Request) -> Iterator[Violation]:
    for name, value in request.query_params.multi_items():
        if "\x00" in name + value:
            yield violation(name, NUL)


def body_offences(request: Request, body: bytes) -> Iterator[Violation]:
    """Offending values of a JSON body; a body that is not JSON is left to the route's parser."""
    if not body or not is_json(request):
        return
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return
    where = request.url.path + " "
    yield from (v for v in offences(value) if not PER_ROW.match(where + v.path))
