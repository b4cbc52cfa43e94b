"""sitemap.xml (django.contrib.sitemaps): items with Google video sitemap entries,
channels, tags and the site's pages, as an anonymous visitor in Safe Mode sees them.

Every address is built from SITE_URL, not from the request's Host. An item's
<video:video> entry is written only when an anonymous visitor may have its media
(items.access.may_see_media): an MA item is listed (under the `blur` and `show`
policies) by its page address only, since its thumbnail and video open after the
age confirmation; PG items are marked family_friendly=no. Media addresses are the
feeds' stable /feeds/media/ ones (views_feeds.feed_media).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.urls import reverse

from fieldcast.channels.models import Channel
from fieldcast.items.models import Item, ItemTag, Tag
from fieldcast.moderation.viewer import anonymous_viewer

from .feeds import plain_summary, public_media, with_feed_media

VIDEO_DESCRIPTION_MAX = 2048  # Google's limit for <video:description>
VIDEO_TAGS_MAX = 32
VIDEO_DURATION_MAX = 28_800


class SiteUrlSitemap(Sitemap):  # type: ignore[type-arg]
    """Addresses on SITE_URL's scheme and host, whatever the request's Host says."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class ItemSitemap(SiteUrlSitemap):
    limit = 5000  # per sitemap page: a fixed 5 queries each (count, items, tags, assets, renditions)
    changefreq = "daily"

    def items(self) -> QuerySet[Item]:
        return with_feed_media(Item.objects.visible_to(anonymous_viewer()).order_by("-added_at", "-id"))

    def lastmod(self, item: Item) -> Any:
        return item.updated_at

    def get_latest_lastmod(self) -> Any:
        return Item.objects.visible_to(anonymous_viewer()).aggregate(latest=Max("updated_at"))["latest"]

    def _urls(self, page: Any, protocol: str, domain: str) -> list[dict[str, Any]]:
        urls = super()._urls(page, protocol, domain)  # type: ignore[misc]
        for url in urls:
            url["video"] = video_entry(url["item"])
        return urls


def video_entry(item: Item) -> dict[str, Any] | None:
    """The <video:video> element's fields, or None when the item has no public video."""
    media = public_media(item)
    if media.video is None or media.thumb is None:
        return None  # thumbnail_loc is required
    entry: dict[str, Any] = {
        "thumbnail_loc": media.thumb_url(item.public_id),
        "title": item.title,
        "description": (plain_summary(item) or item.title)[:VIDEO_DESCRIPTION_MAX],
        "content_loc": media.video_url(item.public_id),
        "player_loc": (
            f"{settings.SITE_URL}{reverse('player:embed', kwargs={'public_id': item.public_id})}"
            if item.embeddable
            else ""
        ),
        "publication_date": item.added_at,
        "family_friendly": "yes" if item.rating == "GA" else "no",
        "tags": [link.tag.name for link in item.tag_links.all()][:VIDEO_TAGS_MAX],
        "duration": None,
    }
    if media.duration:
        entry["duration"] = max(1, min(VIDEO_DURATION_MAX, round(media.duration)))
    return entry


class ChannelSitemap(SiteUrlSitemap):
    changefreq = "daily"
    limit = 5000

    def items(self) -> QuerySet[Channel]:
        return Channel.objects.directory().order_by("name_key", "id")


class TagSitemap(SiteUrlSitemap):
    """Tags that carry at least one listed item."""

    changefreq = "daily"
    limit = 5000

    def items(self) -> QuerySet[Tag]:
        listed = ItemTag.objects.filter(
            tag=OuterRef("pk"), item__in=Item.objects.visible_to(anonymous_viewer()).values("pk")
        )
        return Tag.objects.filter(Exists(listed)).order_by("key", "id")


class PageSitemap(SiteUrlSitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "channels:index", "pages:terms", "pages:privacy"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS: dict[str, type[Sitemap]] = {  # type: ignore[type-arg]
    "pages": PageSitemap,
    "items": ItemSitemap,
    "channels": ChannelSitemap,
    "tags": TagSitemap,
}
