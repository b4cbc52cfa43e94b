""" "More on this story": the items an item page suggests next.

Candidates are the items this viewer may list (Item.objects.visible_to) that share
something with the item: one of its current-event channels, its follow-up chain (the
item it follows up, its follow-ups, their siblings), a tag, or its place. One query ranks
them in the database by what they share:

    follow-up chain 10, current-event channel 8, same place 4, each shared tag 2

keeps the best CANDIDATES, and Python adds nearness in occurred-on time (up to 3 points,
halved for every week between the two dates) before keeping the top RELATED_SHOWN. Then
the cards' thumbnails (assets, renditions): 3 queries at most, whatever the item.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from fieldcast.channels.models import Channel, ChannelItem
from fieldcast.items.models import Item, ItemTag, Tag
from fieldcast.media.models import MediaAsset, Rendition
from fieldcast.moderation.viewer import Viewer

RELATED_SHOWN = 6
CANDIDATES = 30
W_FOLLOW_UP = 10
W_CURRENT_EVENT = 8
W_PLACE = 4
W_TAG = 2
W_NEAR = 3.0
NEAR_HALF_LIFE_DAYS = 7.0


def _nearness(a: datetime.date | None, b: datetime.date | None) -> float:
    if a is None or b is None:
        return 0.0
    return W_NEAR * 0.5 ** (abs((a - b).days) / NEAR_HALF_LIFE_DAYS)


def related_items(
    item: Item, viewer: Viewer, *, tags: Iterable[Tag], channels: Iterable[Channel], limit: int = RELATED_SHOWN
) -> list[Item]:
    """Up to `limit` items ranked by what they share with `item` (see the module text).
    `tags` and `channels` are the item's own, as the item page has already read them."""
    tag_ids = [t.pk for t in tags]
    event_ids = [c.pk for c in channels if c.is_current_event]
    chain = Q(update_of_id=item.pk)
    if item.update_of_id is not None:
        chain |= Q(pk=item.update_of_id) | Q(update_of_id=item.update_of_id)
    shares = chain
    score: Any = Case(When(chain, then=Value(W_FOLLOW_UP)), default=Value(0), output_field=IntegerField())
    if event_ids:
        in_event = Exists(ChannelItem.objects.filter(item_id=OuterRef("pk"), channel_id__in=event_ids))
        shares |= Q(in_event)
        score += Case(When(in_event, then=Value(W_CURRENT_EVENT)), default=Value(0), output_field=IntegerField())
    if item.place_id is not None:
        same_place = Q(place_id=item.place_id)
        shares |= same_place
        score += Case(When(same_place, then=Value(W_PLACE)), default=Value(0), output_field=IntegerField())
    if tag_ids:
        shared_tags = (
            ItemTag.objects.filter(item_id=OuterRef("pk"), tag_id__in=tag_ids)
            .order_by()
            .values("item_id")
            .annotate(n=Count("id"))
            .values("n")
        )
        shares |= Q(pk__in=ItemTag.objects.filter(tag_id__in=tag_ids).values("item_id"))
        score += W_TAG * Coalesce(Subquery(shared_tags, output_field=IntegerField()), Value(0))

    candidates = list(
        Item.objects.visible_to(viewer)
        .for_cards()
        .exclude(pk=item.pk)
        .filter(shares)
        .annotate(shared=score)
        .order_by("-shared", "-added_at", "-id")[:CANDIDATES]
    )
    ranked = sorted(
        candidates,
        key=lambda c: (c.shared + _nearness(item.occurred_on, c.occurred_on), c.added_at, c.pk),
        reverse=True,
    )[:limit]
    prefetch_card_images(ranked)
    return ranked


def prefetch_card_images(items: list[Item]) -> None:
    """What a card's thumbnail needs (as items.selectors' cards, without the tags cards
    don't show): 2 queries, none for no items."""
    from fieldcast.items.selectors import CARD_IMAGE_PROFILES

    card_assets = MediaAsset.objects.exclude(status=MediaAsset.Status.FAILED).prefetch_related(
        Prefetch("renditions", queryset=Rendition.objects.filter(profile__in=CARD_IMAGE_PROFILES))
    )
    prefetch_related_objects(items, Prefetch("assets", queryset=card_assets, to_attr="card_assets"))
