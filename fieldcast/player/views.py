"""Player and page beacons. They trust only the signed token, so they are csrf_exempt:
a forged or expired token, an unknown item or an absurd value counts nothing."""

from __future__ import annotations

import re

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


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"counted": False, "error": message}, status=status)


def _record(request: HttpRequest, kind: str) -> HttpResponse:
    token = request.POST.get("token", "")
    try:
        public_id, embed = read_event_token(token)
    except signing.SignatureExpired:
        return _bad("The page is too old to count this: reload it.", status=403)
    except signing.BadSignature:
        return _bad("This event has no valid token.", status=403)
    host = request.POST.get("host", "").strip().lower()
    if host and not _HOST.match(host):
        return _bad("The embedding page's host name is not valid.")
    if kind != EventKind.PLAY and host:
        return _bad("Only plays carry the embedding page's host.")
    item = Item.objects.filter(public_id=public_id).only("pk", "author_id", "lifecycle", "moderation").first()
    if item is None or item.lifecycle != Lifecycle.READY or item.moderation != Moderation.OK:
        return _bad("This item cannot be counted.", status=404)
    counted = False
    key, new_visitor_id = viewer_key(request)
    own = request.user.is_authenticated and request.user.pk == item.author_id
    if not own and not is_bot(request):
        event = Event(item_id=item.pk, kind=kind, viewer_key=key, embed=embed, host=host if embed else "")
        counted = event_count(event)
    response = JsonResponse({"counted": counted})
    if new_visitor_id is not None:
        # The id this event counted under, so that the next one counts under it too.
        # Inside another site's iframe only SameSite=None cookies come back (https only).
        secure = request.is_secure()
        response.set_cookie(
            VISITOR_COOKIE, new_visitor_id, max_age=365 * 24 * 3600, httponly=True,
            samesite="None" if secure else "Lax", secure=secure or settings.SESSION_COOKIE_SECURE,
        )  # fmt: skip
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
