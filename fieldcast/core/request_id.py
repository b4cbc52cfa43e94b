"""A request id on every request, its response and every log record made while serving it.

The id comes from the proxy's `X-Request-ID` header (nginx: `proxy_set_header X-Request-ID
$request_id;`) when it is a plain token (letters, digits and `._:=+/-`, at most 128
characters); anything else, or none, gets a fresh one (32 hex digits, the shape of nginx's
$request_id). It goes back in the response's `X-Request-ID` and into `logs.log_context`, so
every log line of the request carries it; the access line ends the request.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from .logs import log_context

HEADER = "X-Request-ID"
VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")

access_log = logging.getLogger("fieldcast.access")


def request_id_for(request: HttpRequest) -> str:
    """The proxy's id when it is a plain token, else a new one."""
    offered = request.headers.get(HEADER, "")
    if offered and VALID_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def view_label(request: HttpRequest) -> str:
    """The resolved URL's name (`items:item_page`, not the path with its ids), for logs and metrics."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name  # namespace:url_name, or the view's dotted path when it has no name


class RequestIdMiddleware:
    """First in MIDDLEWARE (after the probe endpoints): the id is set before anything logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        # Left set after the response: Django logs 4xx answers ("Not Found: /x") after the
        # middleware chain returns. `request_finished_clear` ends it when the response is closed.
        log_context.set({"request_id": request_id})
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except BaseException:
            log_context.set(None)
            raise
        response[HEADER] = request_id
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        # The path without its query string: queries carry search words and signed grants.
        access_log.info(
            "%s %s %s %sms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "view": view_label(request),
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


def request_finished_clear(sender: Any, **kwargs: Any) -> None:
    """Django's request_finished signal (the response was closed): the request id ends here."""
    log_context.set(None)
