"""Rate limits on writes, kept in the shared cache (approximate on the database cache).

A write is counted against two buckets per scope and minute: the member's own (or, for a
guest, the guest's address) at the scope's limit, and the client address shared by everyone
behind it at `WRITE_RATE_LIMIT_IP_FACTOR` times that limit, since many members may share an
address (a newsroom, a campus, a carrier's NAT). Over either limit the view answers 429:
the 429 page for a plain request, a small fragment that site.js shows for an htmx request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind a proxy (BEHIND_PROXY) the one it appended to X-Forwarded-For."""
    if settings.BEHIND_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def client_key(request: HttpRequest) -> str:
    """The bucket of one client: the member, else the guest's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"ip{client_ip(request)}"


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
        return max(1, window_s - int(time.time()) % window_s)
    return None


PerMinute = int | Callable[[], int] | None


def check_write(request: HttpRequest, scope: str, *, per_minute: PerMinute = None) -> int | None:
    """Count one write of `request` in `scope`: seconds to wait when over a limit, else None.

    The client's own bucket is checked first; a client already over its own limit is not
    counted against its address, so one noisy member cannot lock out their neighbours.
    """
    if per_minute is None:
        limit = settings.WRITE_RATE_LIMIT_PER_MINUTE
    elif callable(per_minute):
        limit = per_minute()
    else:
        limit = per_minute
    wait = hit(scope, client_key(request), limit=limit)
    if wait is not None:
        return wait
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None  # a guest's own bucket is already their address
    return hit(f"{scope}:addr", f"ip{client_ip(request)}", limit=limit * settings.WRITE_RATE_LIMIT_IP_FACTOR)


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 answer: a fragment for htmx (site.js shows it beside the control), else the page."""
    context = {"retry_after": retry_after}
    template = "_429_fragment.html" if getattr(request, "htmx", False) else "429.html"
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limit_writes(
    scope: str, *, per_minute: PerMinute = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit POSTs of a view per member and per address per minute; GETs pass.

    `per_minute` is the member's limit in this scope (default WRITE_RATE_LIMIT_PER_MINUTE);
    an address may make WRITE_RATE_LIMIT_IP_FACTOR times as many. Read it from settings at
    the call site (`per_minute=settings.VOTE_RATE_LIMIT_PER_MINUTE`), or pass a callable
    (`per_minute=lambda: settings.VOTE_RATE_LIMIT_PER_MINUTE`) to read it on every request.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                wait = check_write(request, scope, per_minute=per_minute)
                if wait is not None:
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
