"""The embed page (for other sites' iframes) and oEmbed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from fieldcast.core.pagecache import EMBED, guest_page
from fieldcast.core.ratelimit import limit_writes
from fieldcast.items.access import Access, ItemAccess, item_get_for_viewer
from fieldcast.items.models import Item, Rating
from fieldcast.media.access import VIA_EMBED, VIA_PAGE, media_for_item
from fieldcast.media.models import MediaAsset
from fieldcast.moderation.viewer import Viewer, anonymous_viewer, embed_grant_token, embed_grant_valid

from .tokens import event_token

EMBED_SIZES = [(560, 315), (640, 360), (853, 480), (1280, 720)]
DEFAULT_SIZE = (640, 360)
# Query parameters an unlocked embed keeps (the grant is added to them).
KEPT_PARAMS = ("t", "loop", "autoplay")


def _main_video(item: Item, *, via: str = VIA_PAGE) -> Any:
    assets = list(MediaAsset.objects.filter(item=item, kind="video").prefetch_related("renditions")[:1])
    media = media_for_item(item, assets, via=via)
    return media[0] if media else None


def _embed_result(viewer: Viewer, public_id: str) -> ItemAccess | None:
    try:
        return item_get_for_viewer(viewer, public_id)
    except Http404:
        return None


def _frameable(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = (
        f"frame-ancestors {settings.EMBED_FRAME_ANCESTORS}; object-src 'none'; base-uri 'self'"
    )
    return response


@xframe_options_exempt
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@limit_writes("safe_mode")
@guest_page(EMBED)
def embed(request: HttpRequest, public_id: str) -> HttpResponse:
    """A minimal player page. Safe Mode holds inside it: an MA item shows its
    interstitial, whose "I am 18 or over, show this item" unlocks the item inside
    this embed only (POST, then a signed grant in the URL: another site's iframe
    gets no cookies of ours, so nothing is stored and no CSRF token can be read;
    the POST changes nothing on the server, which is why it needs none)."""
    viewer: Viewer = request.viewer  # type: ignore[attr-defined]
    if request.method == "POST":
        return _embed_unlock(request, viewer, public_id)
    if embed_grant_valid(request.GET.get("grant"), public_id):
        viewer = viewer.with_grant(public_id)
    result = _embed_result(viewer, public_id)
    context: dict[str, Any] = {"result": result, "item": result.item if result else None}
    status = 404 if result is None else result.status_code
    if result is not None and result.access is Access.SHOW and not result.item.embeddable:
        context["not_embeddable"] = True
    elif result is not None and result.access is Access.SHOW:
        via = VIA_EMBED if result.item.rating == Rating.MA else VIA_PAGE
        context["video"] = _main_video(result.item, via=via)
        # The Embed Code dialog's live preview (?preview=1) plays without counting.
        if request.GET.get("preview") != "1":
            context["event_token"] = event_token(result.item.public_id, embed=True)
        context["autoplay"] = request.GET.get("autoplay") == "1"
        context["loop"] = request.GET.get("loop") == "1"
    elif result is not None and result.access is Access.INTERSTITIAL:
        context["kept"] = {k: request.GET[k] for k in KEPT_PARAMS if k in request.GET}
    return _frameable(render(request, "player/embed.html", context, status=status))


def _embed_unlock(request: HttpRequest, viewer: Viewer, public_id: str) -> HttpResponse:
    result = _embed_result(viewer, public_id)
    if result is None or result.access is not Access.INTERSTITIAL:
        # Nothing to unlock (shown already, removed, unknown): the plain embed says which.
        return HttpResponseRedirect(reverse("player:embed", kwargs={"public_id": public_id}), status=303)
    context: dict[str, Any] = {"result": result, "item": result.item}
    context["kept"] = {k: request.POST[k] for k in KEPT_PARAMS if request.POST.get(k)}
    if not viewer.can_leave_safe_mode:
        return _frameable(render(request, "player/embed.html", context, status=403))
    if not request.POST.get("confirm_adult"):
        context["confirm_error"] = "Tick “I am 18 or over” to show this item."
        return _frameable(render(request, "player/embed.html", context, status=400))
    query = {**context["kept"], "grant": embed_grant_token(public_id)}
    url = reverse("player:embed", kwargs={"public_id": public_id}) + "?" + urlencode(query)
    return HttpResponseRedirect(url, status=303)


def embed_code(item: Item, width: int, height: int, start: int = 0) -> str:
    src = settings.SITE_URL + reverse("player:embed", kwargs={"public_id": item.public_id})
    if start:
        src += "?" + urlencode({"t": start})
    title = item.title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return (
        f'<iframe width="{width}" height="{height}" src="{src}" title="{title}" frameborder="0" '
        'allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>'
    )


def _fit(maxwidth: str | None, maxheight: str | None) -> tuple[int, int]:
    width, height = DEFAULT_SIZE
    try:
        if maxwidth and int(maxwidth) < width:
            width, height = int(maxwidth), int(maxwidth) * 9 // 16
        if maxheight and int(maxheight) < height:
            width, height = int(maxheight) * 16 // 9, int(maxheight)
    except ValueError:
        pass
    return max(width, 160), max(height, 90)


def _public_id_from_url(url: str, request: HttpRequest) -> str | None:
    parts = urlsplit(url)
    allowed = {urlsplit(settings.SITE_URL).netloc, request.get_host()}
    if parts.scheme not in {"http", "https"} or parts.netloc not in allowed:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name not in {"items:detail", "items:detail_short", "player:embed"}:
        return None
    return str(match.kwargs["public_id"])


@require_safe
def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed 1.0 for item pages: JSON or XML, type video. Anonymous rules apply
    (Safe Mode on): an MA item's iframe shows the interstitial and no thumbnail."""
    fmt = request.GET.get("format", "json")
    if fmt not in {"json", "xml"}:
        return HttpResponse("Only the json and xml formats are supported.", status=501, content_type="text/plain")
    public_id = _public_id_from_url(request.GET.get("url", ""), request)
    if public_id is None:
        return HttpResponse("No item of this site has that URL.", status=404, content_type="text/plain")
    try:
        result = item_get_for_viewer(anonymous_viewer(), public_id)
    except Http404:
        return HttpResponse("No public item has that URL.", status=404, content_type="text/plain")
    if result.access not in (Access.SHOW, Access.INTERSTITIAL):
        return HttpResponse("No public item has that URL.", status=404, content_type="text/plain")
    item = result.item
    if not item.embeddable:
        return HttpResponse("The uploader does not allow embedding.", status=401, content_type="text/plain")
    width, height = _fit(request.GET.get("maxwidth"), request.GET.get("maxheight"))
    data: dict[str, Any] = {
        "version": "1.0",
        "type": "video",
        "provider_name": settings.SITE_NAME,
        "provider_url": settings.SITE_URL + "/",
        "title": item.title,
        "width": width,
        "height": height,
        "html": embed_code(item, width, height),
    }
    if item.author is not None:
        data["author_name"] = item.author.username
        data["author_url"] = settings.SITE_URL + reverse("accounts:profile", kwargs={"username": item.author.username})
    if result.access is Access.SHOW:
        video = _main_video(item)
        if video is not None and "poster" in video.urls:
            data.update(
                thumbnail_url=settings.SITE_URL + video.urls["poster"],
                thumbnail_width=video.asset.width or width,
                thumbnail_height=video.asset.height or height,
            )
    if fmt == "json":
        return JsonResponse(data)
    root = ElementTree.Element("oembed")
    for key, value in data.items():
        ElementTree.SubElement(root, key).text = str(value)
    xml = b'<?xml version="1.0" encoding="utf-8" standalone="yes"?>' + ElementTree.tostring(root, encoding="utf-8")
    return HttpResponse(xml, content_type="text/xml; charset=utf-8")
