"""The unread count in the header, for members: counted only when a template shows it, and at
most once per request (one COUNT on the partial index notification_unread)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import unread_count

_CACHE_ATTR = "_fieldcast_unread_notifications"


def unread_for_request(request: HttpRequest) -> int:
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        cached = unread_count(request.user)  # type: ignore[arg-type]
        setattr(request, _CACHE_ATTR, cached)
    return cached


def forget_unread_count(request: HttpRequest) -> None:
    """After a change in this request (mark all read), count again when next shown."""
    if hasattr(request, _CACHE_ATTR):
        delattr(request, _CACHE_ATTR)


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates call a callable value when they use it: pages without the header pay nothing.
    return {"notifications_unread": lambda: unread_for_request(request)}
