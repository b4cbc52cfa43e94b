"""Player and page beacons. They trust only the signed token, so they are csrf_exempt:
a forged or expired token, an unknown item or an absurd value counts nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fieldcast.items.access import item_get_for_viewer
from fieldcast.items.models import Item, Lifecycle, Moderation

from .models import EventKind
from .selectors import item_stats
from .services.counting import Event, event_count
from .tokens import VISITOR_COOKIE, is_bot, read_event_token, viewer_key

_HOST = re.compile(r"^[a-z0-9.-]{1,253}(:\d{1,5})?$")


@dataclass(frozen=True)
class EventOutcome:
    """What recording one event came to: counted or not, or refused (`error`, `status`);
    `visitor_id` is a new guest id to keep in the visitor cookie (None: keep what is there)."""

    counted: bool = False
    error: str = ""
    status: int = 200
    visitor_id: str | None = None


def record_event(request: HttpRequest, kind: str, *, token: str, host: str = "") -> EventOutcome:
    """Count one play, view or share for the item named by the signed `token` (the beacon
    views and the API's /api/v1/events/ operations both call this)."""
    try:
        public_id, embed = read_event_token(token)
    except signing.SignatureExpired:
        return EventOutcome(error="The page is too old to count this: reload it.", status=403)
    except signing.BadSignature:
        return EventOutcome(error="This event has no valid token.", status=403)
    host = host.strip().lower()
    if host and not _HOST.match(host):
        return EventOutcome(error="The embedding page's host name is not valid.", status=400)
    if kind != EventKind.PLAY and host:
        return EventOutcome(error="Only plays carry the embedding page's host.", status=400)
    item = Item.objects.filter(public_id=public_id).only("pk", "author_id", "lifecycle", "moderation").first()
    if item is None or item.lifecycle != Lifecycle.READY or item.moderation != Moderation.OK:
        return EventOutcome(error="This item cannot be counted.", status=404)
    counted = False
    key, new_visitor_id = viewer_key(request)
    own = request.user.is_authenticated and request.user.pk == item.author_id
    if not own and not is_bot(request):
        event = Event(item_id=item.pk, kind=kind, viewer_key=key, embed=embed, host=host if embed else "")
        counted = event_count(event)
    return EventOutcome(counted=counted, visitor_id=new_visitor_id)


def remember_visitor(response: HttpResponse, request: HttpRequest, visitor_id: str | None) -> None:
    """Set the id this event counted under, so that the next one counts under it too.
    Inside another site's iframe only SameSite=None cookies come back (https only)."""
    if visitor_id is None:
        return
    secure = request.is_secure()
    response.set_cookie(
        VISITOR_COOKIE, visitor_id, max_age=365 * 24 * 3600, httponly=True,
        samesite="None" if secure else "Lax", secure=secure or settings.SESSION_COOKIE_SECURE,
    )  # fmt: skip


def _record(request: HttpRequest, kind: str) -> HttpResponse:
    outcome = record_event(request, kind, token=request.POST.get("token", ""), host=request.POST.get("host", ""))
    if outcome.error:
        return JsonResponse({"counted": False, "error": outcome.error}, status=outcome.status)
    response = JsonResponse({"counted": outcome.counted})
    remember_visitor(response, request, outcome.visitor_id)
    return response


@csrf_exempt
@require_POST
def play(request: HttpRequest) -> HttpResponse:
    return _record(request, EventKind.PLAY)


@csrf_exempt
@require_POST
def view(request: HttpRequest) -> HttpResponse:
    return _record(request, EventKind.VIEW)


@csrf_exempt
@require_POST
def share(request: HttpRequest) -> HttpResponse:
    return _record(request, EventKind.SHARE)


def stats(request: HttpRequest, public_id: str) -> HttpResponse:
    """The item's statistics panel (loaded when a reader opens it)."""
    result = item_get_for_viewer(request.viewer, public_id)  # type: ignore[attr-defined]
    if not result.shows_content:
        raise Http404("No statistics for this item.")
    return render(request, "player/_stats.html", {"item": result.item, "stats": item_stats(result.item)})
