from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive (no database touched: /readyz checks dependencies)."""
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    if "matches the given query" in message:  # Django's wording, not written for people
        message = ""
    return render(request, "404.html", {"message": message}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database: the failure may be the database itself.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


@lru_cache(maxsize=1)
def _baseline_body() -> bytes:
    path = Path(settings.DATA_DIR) / "bench" / "baseline.html"
    return path.read_bytes() if path.exists() else b"baseline"


def bench_baseline(request: HttpRequest) -> HttpResponse:
    """The benchmark's baseline: the item page's bytes with no work (BENCH_BASELINE_VIEW)."""
    return HttpResponse(_baseline_body(), content_type="text/html; charset=utf-8")
