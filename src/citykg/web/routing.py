"""Page routes: HTML for the errors the services raise, as the API gives problem+json.

Not found and not yours look the same (404), as in the API; no right is 403; a request the
services refuse (a malformed ref, a bad filter) is 400 with their messages; no session sends
the browser to the sign-in page; a POST without the CSRF token is 403 and does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from citykg.errors import Forbidden, NotFound, ValidationFailed
from citykg.web.render import render
from citykg.web.session import CsrfRefused


class SignInNeeded(Exception):
    """No valid session: the page answers with a redirect to the sign-in form."""


class PageRoute(APIRoute):
    """A route whose errors are pages (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded:
                return RedirectResponse("/", status_code=303)
            except (NotFound, Forbidden, ValidationFailed, CsrfRefused) as error:
                return failure(request, error)

        return page


def page_router(*checks: Callable[..., Any]) -> APIRouter:
    """A router of pages, each admitted by ``checks`` first: outside the OpenAPI (the API's
    route guard leaves them to their own rules, :func:`citykg.web.auth.mirrors`)."""
    return APIRouter(
        include_in_schema=False,
        route_class=PageRoute,
        dependencies=[Depends(check) for check in checks],
    )


def failure(request: Request, error: Exception) -> Response:
    if isinstance(error, NotFound):
        return render(request, "error.html", {"title": "not_found"}, status=404)
    if isinstance(error, CsrfRefused):
        return render(request, "error.html", {"title": "forbidden", "text": "bad_csrf"}, status=403)
    if isinstance(error, Forbidden):
        return render(request, "error.html", {"title": "forbidden"}, status=403)
    assert isinstance(error, ValidationFailed)
    return render(
        request, "error.html", {"title": "bad_request", "violations": error.violations}, status=400
    )
