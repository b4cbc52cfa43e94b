"""RSS 2.0 and Atom feeds (django.contrib.syndication) with Media RSS.

Feeds are public and cacheable, so they are read as an anonymous visitor in Safe
Mode (`anonymous_viewer()`): the access layer decides what is listed; private,
unfinished and moderated items never appear. An MA item (listed under the `blur`
and `show` policies, dropped under `hide`) appears with its title and content
warning only: no body, no enclosure, no thumbnail, since a feed reader has no
Safe Mode or age interstitial.

Media URLs in feeds must outlive the page's 10-minute-ish signed URLs: entries
point at /feeds/media/<public_id>/video.mp4 (and thumb.jpg), stable addresses that
check the item again on every request and redirect to a freshly signed media URL
(views_feeds.feed_media). A removal, a change to private or to MA holds at once.

Each feed costs a fixed number of queries: the object (channel, tag, member),
then items, tags, assets and their renditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape

from fieldcast.accounts.models import User
from fieldcast.channels.models import Channel
from fieldcast.items.access import may_see_media
from fieldcast.items.models import Item, ItemTag, Tag
from fieldcast.media.models import MediaAsset, Rendition
from fieldcast.moderation.viewer import Viewer, anonymous_viewer

from .search import ParsedQuery, parse_query, search_items

FEED_SIZE = 30  # entries per feed
FEED_CACHE_S = 300  # feeds are public: readers and proxies may keep them this long
MEDIA_RSS_NS = "http://search.yahoo.com/mrss/"
FEED_MEDIA_PROFILES = ("mp4", "thumb", "poster", "image-640")
THUMB_PROFILES = ("thumb", "poster", "image-640")  # the first one an asset has is its thumbnail
FEED_MEDIA_NAMES = {"video.mp4", "thumb.jpg"}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# ---------------------------------------------------------------- media of an entry


@dataclass(frozen=True)
class PublicMedia:
    """What an anonymous reader may fetch of an item, at stable /feeds/media/ addresses."""

    video: Rendition | None  # the progressive MP4
    thumb: Rendition | None
    duration: float | None

    def video_url(self, public_id: str) -> str:
        return absolute(reverse("discovery:feed_media", kwargs={"public_id": public_id, "name": "video.mp4"}))

    def thumb_url(self, public_id: str) -> str:
        return absolute(reverse("discovery:feed_media", kwargs={"public_id": public_id, "name": "thumb.jpg"}))


NO_MEDIA = PublicMedia(video=None, thumb=None, duration=None)


def with_feed_media(queryset: QuerySet[Item]) -> QuerySet[Item]:
    """Items with what an entry needs: author, tags, and the renditions of their ready
    assets that feeds and the video sitemap publish (4 queries for any number of items)."""
    assets = MediaAsset.objects.filter(status=MediaAsset.Status.READY).prefetch_related(
        Prefetch("renditions", queryset=Rendition.objects.filter(profile__in=FEED_MEDIA_PROFILES))
    )
    return queryset.select_related("author").prefetch_related(
        Prefetch("tag_links", queryset=ItemTag.objects.select_related("tag")),
        Prefetch("assets", queryset=assets, to_attr="feed_assets"),
    )


def public_media(item: Item, viewer: Viewer | None = None) -> PublicMedia:
    """The MP4 and the thumbnail an anonymous reader may have of `item` (prefetched
    by `with_feed_media`, or read here: one query each). None for MA items, whose
    media only open after the age confirmation, and for removed or disabled ones."""
    viewer = viewer or anonymous_viewer()
    if not item.is_listed or not may_see_media(viewer, item):
        return NO_MEDIA
    assets = getattr(item, "feed_assets", None)
    if assets is None:
        assets = list(
            MediaAsset.objects.filter(item=item, status=MediaAsset.Status.READY)
            .prefetch_related(
                Prefetch("renditions", queryset=Rendition.objects.filter(profile__in=FEED_MEDIA_PROFILES))
            )
            .order_by("position", "id")
        )
    assets = sorted(assets, key=lambda a: (a.position, a.pk))
    video_asset = next((a for a in assets if a.kind == MediaAsset.Kind.VIDEO and _rendition(a, ("mp4",))), None)
    video = _rendition(video_asset, ("mp4",)) if video_asset else None
    # The thumbnail: the asset the uploader chose, else the first one with a still.
    thumb_assets = sorted(assets, key=lambda a: a.pk != item.thumbnail_asset_id)
    thumb = next((r for a in thumb_assets if (r := _rendition(a, THUMB_PROFILES))), None)
    return PublicMedia(video=video, thumb=thumb, duration=video_asset.duration if video_asset else None)


def _rendition(asset: MediaAsset, profiles: tuple[str, ...]) -> Rendition | None:
    by_profile = {r.profile: r for r in asset.renditions.all()}
    return next((by_profile[p] for p in profiles if p in by_profile), None)


def item_tags(item: Item) -> list[Tag]:
    return [link.tag for link in item.tag_links.all()]


def plain_summary(item: Item) -> str:
    """The item's body as plain text, or the MA notice for MA items."""
    from django.utils.html import strip_tags

    if not may_see_media(anonymous_viewer(), item):
        return ma_notice(item)
    return " ".join(strip_tags(item.body_html).split())


def ma_notice(item: Item) -> str:
    warning = f"Content warning: {item.content_warning.rstrip('.')}. " if item.content_warning else ""
    return f"{warning}Rated MA (mature audiences): open the item's page and confirm your age to see it."


# ---------------------------------------------------------------- feed formats


class MediaRssFeed(Rss201rev2Feed):
    """RSS 2.0 with Media RSS (media:content, media:thumbnail) and atom:link rel=self."""

    def rss_attributes(self) -> dict[str, str]:
        attrs = super().rss_attributes()
        attrs["xmlns:media"] = MEDIA_RSS_NS
        return attrs

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        _add_media_elements(handler, item)


class MediaAtomFeed(Atom1Feed):
    def root_attributes(self) -> dict[str, str]:
        attrs = super().root_attributes()
        attrs["xmlns:media"] = MEDIA_RSS_NS
        return attrs

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        _add_media_elements(handler, item)


def _add_media_elements(handler: Any, item: dict[str, Any]) -> None:
    content = item.get("media_content")
    if content:
        handler.addQuickElement("media:content", "", content)
    thumbnail = item.get("media_thumbnail")
    if thumbnail:
        handler.addQuickElement("media:thumbnail", "", thumbnail)


# ---------------------------------------------------------------- feeds


class ItemFeed(Feed):  # type: ignore[type-arg]
    """The common part: entries of listed items, newest first."""

    feed_type: type[SyndicationFeed] = MediaRssFeed
    format = "rss"

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = f"public, max-age={FEED_CACHE_S}"
        return response

    # --- the feed

    def feed_title(self, obj: Any) -> str:
        raise NotImplementedError

    def page_url(self, obj: Any) -> str:
        raise NotImplementedError

    def feed_route(self, obj: Any) -> tuple[str, dict[str, str]]:
        raise NotImplementedError

    def entries(self, obj: Any) -> QuerySet[Item]:
        raise NotImplementedError

    def title(self, obj: Any) -> str:
        return f"{self.feed_title(obj)} · {settings.SITE_NAME}"

    def link(self, obj: Any) -> str:
        return absolute(self.page_url(obj))

    def description(self, obj: Any) -> str:
        return f"{self.feed_title(obj)}: footage of events as they happen, with the context that explains it."

    subtitle = description

    def feed_url(self, obj: Any) -> str:
        name, kwargs = self.feed_route(obj)
        return absolute(reverse(f"discovery:{name}_{self.format}", kwargs=kwargs))

    def items(self, obj: Any) -> list[Item]:
        return list(with_feed_media(self.entries(obj))[:FEED_SIZE])

    # --- an entry

    def item_title(self, item: Item) -> str:
        return f"[MA] {item.title}" if item.rating == "MA" else item.title

    def item_link(self, item: Item) -> str:
        return absolute(item.get_absolute_url())

    def item_guid(self, item: Item) -> str:
        return absolute(reverse("items:detail_short", kwargs={"public_id": item.public_id}))

    def item_description(self, item: Item) -> str:
        if not may_see_media(anonymous_viewer(), item):
            return f"<p>{escape(ma_notice(item))}</p>"
        parts = []
        if item.location_label:
            parts.append(f"<p>Location: {escape(item.location_label)}</p>")
        parts.append(item.body_html or f"<p>{escape(item.title)}</p>")  # body_html is nh3-sanitised
        return "\n".join(parts)

    def item_author_name(self, item: Item) -> str | None:
        return item.author.public_name if item.author else None

    def item_author_link(self, item: Item) -> str | None:
        if item.author is None or item.author.deleted_at is not None:
            return None
        return absolute(reverse("accounts:profile", kwargs={"username": item.author.username}))

    def item_pubdate(self, item: Item) -> Any:
        return item.added_at

    def item_updateddate(self, item: Item) -> Any:
        return item.updated_at

    def item_categories(self, item: Item) -> list[str]:
        return [tag.name for tag in item_tags(item)]

    def item_enclosures(self, item: Item) -> list[Enclosure]:
        media = public_media(item)
        if media.video is None:
            return []
        return [Enclosure(media.video_url(item.public_id), str(media.video.size), "video/mp4")]

    def item_extra_kwargs(self, item: Item) -> dict[str, Any]:
        media = public_media(item)
        extra: dict[str, Any] = {}
        if media.video is not None:
            content = {
                "url": media.video_url(item.public_id),
                "type": "video/mp4",
                "medium": "video",
                "fileSize": str(media.video.size),
            }
            if media.duration:
                content["duration"] = str(round(media.duration))
            if media.video.width and media.video.height:
                content.update(width=str(media.video.width), height=str(media.video.height))
            extra["media_content"] = content
        if media.thumb is not None:
            thumbnail = {"url": media.thumb_url(item.public_id)}
            if media.thumb.width and media.thumb.height:
                thumbnail.update(width=str(media.thumb.width), height=str(media.thumb.height))
            extra["media_thumbnail"] = thumbnail
        return extra


class LatestFeed(ItemFeed):
    """The site: the latest listed items."""

    def feed_title(self, obj: Any) -> str:
        return "Latest items"

    def page_url(self, obj: Any) -> str:
        return reverse("home")

    def feed_route(self, obj: Any) -> tuple[str, dict[str, str]]:
        return "latest", {}

    def entries(self, obj: Any) -> QuerySet[Item]:
        return Item.objects.visible_to(anonymous_viewer()).order_by("-added_at", "-id")


class ChannelFeed(ItemFeed):
    """A topic or editorial channel, in the order its items were filed."""

    def get_object(self, request: HttpRequest, slug: str) -> Channel:  # type: ignore[override]
        return get_object_or_404(Channel.objects.directory(), slug=slug)

    def feed_title(self, obj: Channel) -> str:
        return f"Channel: {obj.name}"

    def page_url(self, obj: Channel) -> str:
        return obj.get_absolute_url()

    def feed_route(self, obj: Channel) -> tuple[str, dict[str, str]]:
        return "channel", {"slug": obj.slug}

    def entries(self, obj: Channel) -> QuerySet[Item]:
        return (
            Item.objects.visible_to(anonymous_viewer())
            .filter(channel_links__channel=obj)
            .order_by("-channel_links__added_at", "-id")
        )


class TagFeed(ItemFeed):
    def get_object(self, request: HttpRequest, key: str) -> Tag:  # type: ignore[override]
        return get_object_or_404(Tag, key=key)

    def feed_title(self, obj: Tag) -> str:
        return f"Tag: {obj.name}"

    def page_url(self, obj: Tag) -> str:
        return obj.get_absolute_url()

    def feed_route(self, obj: Tag) -> tuple[str, dict[str, str]]:
        return "tag", {"key": obj.key}

    def entries(self, obj: Tag) -> QuerySet[Item]:
        return Item.objects.visible_to(anonymous_viewer()).filter(tag_links__tag=obj).order_by("-added_at", "-id")


class MemberFeed(ItemFeed):
    """A member's listed items."""

    def get_object(self, request: HttpRequest, username: str) -> User:  # type: ignore[override]
        return get_object_or_404(User, username=username, is_active=True, deleted_at__isnull=True)

    def feed_title(self, obj: User) -> str:
        return f"{obj.public_name} (@{obj.username})"

    def page_url(self, obj: User) -> str:
        return reverse("accounts:profile", kwargs={"username": obj.username})

    def feed_route(self, obj: User) -> tuple[str, dict[str, str]]:
        return "member", {"username": obj.username}

    def entries(self, obj: User) -> QuerySet[Item]:
        return Item.objects.authored_by_for(obj.pk, anonymous_viewer()).order_by("-added_at", "-id")


class LatestAtomFeed(LatestFeed):
    feed_type = MediaAtomFeed
    format = "atom"


class ChannelAtomFeed(ChannelFeed):
    feed_type = MediaAtomFeed
    format = "atom"


class TagAtomFeed(TagFeed):
    feed_type = MediaAtomFeed
    format = "atom"


class MemberAtomFeed(MemberFeed):
    feed_type = MediaAtomFeed
    format = "atom"


class SearchFeed(ItemFeed):
    """The newest listed items matching a search query (/feeds/search.rss?q=...); the
    query is validated first (views_feeds.search_feed answers 400 for a bad one)."""

    def get_object(self, request: HttpRequest) -> ParsedQuery:  # type: ignore[override]
        return parse_query(request.GET.get("q"))

    def feed_title(self, obj: ParsedQuery) -> str:
        return f"Search: {obj.text}"

    def page_url(self, obj: ParsedQuery) -> str:
        return f"{reverse('discovery:search')}?{urlencode({'q': obj.text})}"

    def feed_url(self, obj: ParsedQuery) -> str:
        return absolute(f"{reverse(f'discovery:search_{self.format}')}?{urlencode({'q': obj.text})}")

    def entries(self, obj: ParsedQuery) -> QuerySet[Item]:
        return search_items(anonymous_viewer(), obj, sort="newest")


class SearchAtomFeed(SearchFeed):
    feed_type = MediaAtomFeed
    format = "atom"
