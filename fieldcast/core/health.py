"""/healthz (the process answers), /readyz (its dependencies answer) and the middleware that
serves them and /metrics ahead of everything else.

/readyz checks, each cheaply: the database (`SELECT 1`), the cache (a set and a get of one
key), the media storage (an existence check; for a local folder also that it is writable)
and the task queue (the waiting tasks per queue, which it reports). 200 with
`{"status": "ok", "checks": {...}, "queues": {...}}` when every check passed; 503 with
`"status": "unavailable"` and `"failed": [names]` otherwise, each failed check saying why
(to METRICS_ALLOWED_IPS / METRICS_TOKEN; others see only that it failed).
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import views

log = logging.getLogger(__name__)

STORAGE_PROBE_NAME = "readyz-probe"


class CheckFailed(Exception):
    pass


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_cache() -> dict[str, Any]:
    key, value = "readyz:probe", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise CheckFailed("the cache did not return the value just written")
    return {}


def check_storage() -> dict[str, Any]:
    if isinstance(default_storage, FileSystemStorage):
        location = str(default_storage.location)
        if not os.path.isdir(location):
            raise CheckFailed(f"the media folder {location} does not exist")
        if not os.access(location, os.W_OK | os.X_OK):
            raise CheckFailed(f"the media folder {location} is not writable")
    # Object storage: one HEAD request; an unreachable or refusing store raises.
    default_storage.exists(STORAGE_PROBE_NAME)
    return {"backend": type(default_storage).__name__}


def check_queue() -> dict[str, Any]:
    from .ops import queue_depths

    queues = queue_depths()
    return {
        "queues": {
            name: {"waiting": figures.waiting, "oldest_waiting_s": round(figures.oldest_waiting_s, 1)}
            for name, figures in queues.items()
        }
    }


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "queue": check_queue,
}


def readiness() -> tuple[bool, dict[str, Any]]:
    """Run every check; (all passed, the JSON body)."""
    checks: dict[str, Any] = {}
    failed: list[str] = []
    body: dict[str, Any] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            details = check()
        except Exception as exc:
            failed.append(name)
            checks[name] = {"ok": False, "error": _describe(exc)}
        else:
            if name == "queue":
                body["queues"] = details.pop("queues")
            checks[name] = {"ok": True, **details}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    summary: dict[str, Any] = {"status": "unavailable" if failed else "ok"}
    if failed:
        summary["failed"] = failed
    return not failed, {**summary, "checks": checks, **body}


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    from .metrics import metrics_allowed

    ready, body = readiness()
    if not ready:
        log.warning("readyz: not ready: %s", json.dumps({name: body["checks"][name] for name in body["failed"]}))
        if not metrics_allowed(request):
            # The errors name hosts, paths and drivers: only for the monitoring addresses (and
            # the log); anyone else learns which checks failed.
            for name in body["failed"]:
                body["checks"][name]["error"] = "failed (details in the log, or from METRICS_ALLOWED_IPS)"
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    from .metrics import metrics_view

    return metrics_view(request)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return views.healthz(request)


ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics,
}


class OpsEndpointsMiddleware:
    """First in MIDDLEWARE: answers GET/HEAD /healthz, /readyz and /metrics before anything else.

    So probes and scrapers are never redirected to HTTPS (SECURE_SSL_REDIRECT), never refused
    for a Host outside ALLOWED_HOSTS (a load balancer or Prometheus asks by address), never
    rate limited, never sent to the two-factor setup, never cached and never counted in the
    access log or the latency histogram. None of them builds a URL from the Host header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        return endpoint(request)
