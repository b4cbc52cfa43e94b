"""API rate limits: requests per minute per token (else member, else address), reads and
writes counted apart, in the shared cache (fieldcast.core.ratelimit). Over the limit the
API answers 429 with `Retry-After` (seconds)."""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.throttling import BaseThrottle

from fieldcast.core.ratelimit import PerMinute, check_write, hit

from .auth import client_bucket

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ApiThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        if request.method in SAFE_METHODS:
            scope, limit = "api-read", settings.API_READ_RATE_LIMIT_PER_MINUTE
        else:
            scope, limit = "api-write", settings.API_WRITE_RATE_LIMIT_PER_MINUTE
        wait = hit(scope, client_bucket(request), limit=limit)
        self._local.wait = wait
        return wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


def limit_write(request: HttpRequest, scope: str, *, per_minute: PerMinute = None) -> None:
    """Count one write in the same scope (and at the same limit) as the site's form for it,
    so the API is no way around the site's limits; raises Throttled (429 + Retry-After)."""
    wait = check_write(request, scope, per_minute=per_minute)
    if wait is not None:
        raise Throttled(wait=wait)
