"""Feed media redirects, robots.txt and the sitemap views."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from fieldcast.items.models import Item
from fieldcast.media.serving import serve_file
from fieldcast.moderation.viewer import anonymous_viewer

from .feeds import FEED_MEDIA_NAMES, SearchAtomFeed, SearchFeed, public_media, with_feed_media
from .search import parse_query
from .sitemaps import SITEMAPS

# Long enough for readers and proxies to share a file, short enough that a removal holds soon.
FEED_MEDIA_CACHE_S = 300
SEARCH_FEED_MAX_Q = 500  # characters: a longer q is refused (the search page cuts it instead)
_SEARCH_FEEDS = {"rss": SearchFeed(), "atom": SearchAtomFeed()}


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


@require_safe
def search_feed(request: HttpRequest, fmt: str) -> HttpResponse:
    """A search query's feed: the query must have words to look for, else 400 with a message."""
    q = request.GET.get("q", "")
    if len(q) > SEARCH_FEED_MAX_Q:
        return _bad_request(f"The search query is too long: at most {SEARCH_FEED_MAX_Q} characters.")
    if parse_query(q).is_empty:
        return _bad_request("Give words to search for, e.g. /feeds/search.rss?q=homs")
    return _SEARCH_FEEDS[fmt](request)  # type: ignore[no-any-return]


@require_safe
def feed_media(request: HttpRequest, public_id: str, name: str) -> HttpResponse | StreamingHttpResponse:
    """A feed's (or the video sitemap's) stable media address. Signed /m/ URLs expire
    and robots.txt keeps crawlers out of them, so this one serves the file itself, after
    checking the item now, as an anonymous visitor in Safe Mode: listed, not MA."""
    if name not in FEED_MEDIA_NAMES:
        raise Http404("No such media file.")
    item = with_feed_media(Item.objects.visible_to(anonymous_viewer()).filter(public_id=public_id)).first()
    if item is None:
        raise Http404("No public item has this address.")
    media = public_media(item)
    rendition = media.video if name == "video.mp4" else media.thumb
    if rendition is None:
        raise Http404("This item has no public file of this kind.")
    response = serve_file(request, rendition.path)
    if response.status_code in (200, 206):
        response["Cache-Control"] = f"public, max-age={FEED_MEDIA_CACHE_S}"
        # Feed readers on other sites show the thumbnail and play the video.
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(request, "robots.txt", {"SITE_URL": settings.SITE_URL}, content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=3600)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The index of the sections' pages, on SITE_URL (Django's index uses the request's Host)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = f"{settings.SITE_URL}{reverse('discovery:sitemap_section', kwargs={'section': section})}"
        last_mod = sitemap.get_latest_lastmod()
        for page in range(1, sitemap.paginator.num_pages + 1):
            entries.append({"location": location if page == 1 else f"{location}?p={page}", "last_mod": last_mod})
    return render(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


@require_safe
@cache_control(public=True, max_age=3600)
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemap_views.sitemap(request, SITEMAPS, section=section, template_name="discovery/sitemap.xml")  # type: ignore[arg-type]
