"""Reads for item pages and lists, each a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import F, Prefetch

from fieldcast.channels.models import Channel
from fieldcast.community.selectors import comment_section
from fieldcast.core.pagination import KeysetPage, keyset_paginate
from fieldcast.media.access import media_for_item
from fieldcast.media.models import MediaAsset, Rendition
from fieldcast.moderation.viewer import Viewer

from .access import ItemAccess
from .models import Item, ItemTag

EDITORIAL_FEATURED = "featured"
EDITORIAL_MUST_SEE = "must-see"
UPDATES_SHOWN = 20  # follow-ups listed on their original's page, newest first


def item_list_page(
    queryset: Any, *, cursor: str | None, size: int | None = None, keys: tuple[str, str] = ("added_at", "id")
) -> KeysetPage[Item]:
    """A page of item cards, newest first by `keys` (an annotation such as a favorite's date
    works too); 4 queries: items, tags, assets, renditions."""
    return keyset_paginate(_with_tags(queryset), keys=keys, cursor=cursor, size=size or settings.PAGE_SIZE)


CARD_IMAGE_PROFILES = ("thumb", "poster", "image-640")


def _with_tags(queryset: Any) -> Any:
    """Cards: the items, their tags, and the renditions a thumbnail can come from."""
    card_assets = MediaAsset.objects.exclude(status=MediaAsset.Status.FAILED).prefetch_related(
        Prefetch("renditions", queryset=Rendition.objects.filter(profile__in=CARD_IMAGE_PROFILES))
    )
    return queryset.for_cards().prefetch_related(
        Prefetch("tag_links", queryset=ItemTag.objects.select_related("tag")),
        Prefetch("assets", queryset=card_assets, to_attr="card_assets"),
    )


def channel_item_page(
    channel: Channel, viewer: Viewer, *, cursor: str | None, size: int | None = None
) -> KeysetPage[Item]:
    """A channel's items in the order they were filed, newest first."""
    qs = (
        Item.objects.visible_to(viewer)
        .filter(channel_links__channel=channel)
        .annotate(filed_at=F("channel_links__added_at"))
    )
    return keyset_paginate(_with_tags(qs), keys=("filed_at", "id"), cursor=cursor, size=size or settings.PAGE_SIZE)


def editorial_items(slug: str, viewer: Viewer, *, limit: int = 6) -> tuple[Channel | None, list[Item]]:
    """An editorial channel (Featured, Must See) and its latest items, for the home page."""
    channel = Channel.objects.filter(slug=slug, kind=Channel.Kind.EDITORIAL).first()
    if channel is None:
        return None, []
    return channel, channel_item_page(channel, viewer, cursor=None, size=limit).items


def item_page_context(result: ItemAccess, viewer: Viewer) -> dict[str, Any]:
    """Everything the item page shows beside the item row (one query each)."""
    from fieldcast.community.selectors_social import item_social_state
    from fieldcast.discovery.related import related_items

    item = result.item
    context: dict[str, Any] = {"item": item, "access": result.access.value, "result": result}
    if not result.shows_content:
        return context
    context["tags"] = [link.tag for link in ItemTag.objects.filter(item=item).select_related("tag")]
    context["channels"] = list(
        Channel.objects.filter(item_links__item=item).select_related("owner").order_by("-is_current_event", "name")
    )
    context["comment_section"] = comment_section(item, viewer)  # first page of threads: one query
    assets = list(MediaAsset.objects.filter(item=item).prefetch_related("renditions").order_by("position", "id"))
    media = media_for_item(item, assets)
    videos = [m for m in media if m.is_video]
    context["main_video"] = videos[0] if videos else None
    context["more_media"] = [m for m in media if m is not context["main_video"]]
    context["pending_assets"] = [a for a in assets if a.status != MediaAsset.Status.READY]
    context["updates"] = list(
        Item.objects.visible_to(viewer).filter(update_of=item).order_by("-added_at", "-id")[:UPDATES_SHOWN]
    )
    context["social"] = item_social_state(item, viewer)  # votes and favorite: one query for members
    context["related"] = related_items(item, viewer, tags=context["tags"], channels=context["channels"])  # 3 at most
    update_of = item.update_of
    context["update_of_visible"] = (
        update_of is not None and Item.objects.openable_by(viewer).filter(pk=update_of.pk).exists()
    )
    return context


def channel_timeline(channel: Channel, viewer: Viewer, *, limit: int = 200) -> dict[str, Any]:
    """A current-event channel's items as a timeline (community/_timeline.html): the latest
    `limit` items with a known date, oldest first by occurred-on date, then when they were
    added, grouped by that date (month- or year-only dates group as their month or year).
    Items of unknown date are left out (the channel's list has them). One query.

    Returns {"days": [{"date", "precision", "items"}, ...], "truncated": bool, "limit": int}."""
    rows = list(
        Item.objects.visible_to(viewer)
        .filter(channel_links__channel=channel, occurred_on__isnull=False)
        .select_related("author", "place")
        # Reversed below: by date, a year- or month-only date before that day's items.
        .order_by("-occurred_on", "occurred_precision", "-added_at", "-id")[: limit + 1]
    )
    truncated = len(rows) > limit
    days: list[dict[str, Any]] = []
    for item in reversed(rows[:limit]):
        key = (item.occurred_on, item.occurred_precision)
        if not days or (days[-1]["date"], days[-1]["precision"]) != key:
            days.append({"date": item.occurred_on, "precision": item.occurred_precision, "items": []})
        days[-1]["items"].append(item)
    return {"days": days, "truncated": truncated, "limit": limit}
