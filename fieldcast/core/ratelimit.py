"""Rate limits on writes, kept in the shared cache (approximate on the database cache)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"ip{request.META.get('REMOTE_ADDR', '')}"


def hit(scope: str, key: str, *, limit: int, window_s: int = 60) -> int | None:
    """Count one write; return seconds to wait if over the limit, else None."""
    bucket = int(time.time() // window_s)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window_s + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window_s + 5)
        count = 1
    if count > limit:
        return window_s - int(time.time()) % window_s
    return None


def limit_writes(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit POSTs of a view per member (or address) per minute; GETs pass."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                wait = hit(scope, client_key(request), limit=settings.WRITE_RATE_LIMIT_PER_MINUTE)
                if wait is not None:
                    response = render(request, "429.html", {"retry_after": wait}, status=429)
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
