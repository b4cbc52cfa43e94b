"""Subscriptions: members follow channels and members (a member's personal channel),
and hear of new items there. `Channel.subscribers_count` moves with F() only."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from fieldcast.notifications.models import Kind as NotificationKind
from fieldcast.notifications.services import notify

from .models import Channel, ChannelItem, ItemAnnouncement, Subscription

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.items.models import Item

logger = logging.getLogger(__name__)
FAN_OUT_BATCH = 500


@transaction.atomic
def subscription_add(*, user: User, channel: Channel) -> bool:
    """Follow `channel`; False if already following."""
    if channel.kind == Channel.Kind.PERSONAL and channel.owner_id == user.pk:
        raise ValidationError("You cannot subscribe to yourself.")
    # A plain insert in a savepoint, not get_or_create: when a concurrent request inserts and
    # another deletes the same row in between, get_or_create's fallback get() finds nothing
    # and raises. A duplicate here means a concurrent request subscribed (and counted) first.
    try:
        with transaction.atomic():
            Subscription.objects.create(user=user, channel=channel)
    except IntegrityError:
        return False
    Channel.objects.filter(pk=channel.pk).update(subscribers_count=F("subscribers_count") + 1)
    return True


@transaction.atomic
def subscription_remove(*, user: User, channel: Channel) -> bool:
    """Stop following `channel`; False if not following."""
    deleted, _ = Subscription.objects.filter(user=user, channel=channel).delete()
    if deleted:
        Channel.objects.filter(pk=channel.pk).update(subscribers_count=Greatest(F("subscribers_count") - 1, 0))
    return bool(deleted)


@transaction.atomic
def channel_recount_subscribers(*, channel: Channel) -> int:
    """Repair the counter from the rows (the admin's action; e.g. after accounts were deleted)."""
    count = Subscription.objects.filter(channel=channel).count()
    Channel.objects.filter(pk=channel.pk).update(subscribers_count=count)
    return count


# --- Fan-out -----------------------------------------------------------------------------


def item_announce_to_subscribers(*, item_id: int) -> int:
    """Tell every subscriber of the item's channels, and of its author, about a listed item:
    one notification per member and item, however many of their channels hold it and
    however often this runs (ItemAnnouncement's unique row decides, race-free). Members who
    would not see the item in a list (Safe Mode's `hide` policy) are not told. Runs in the
    `announce_item` task; returns how many were told."""
    from fieldcast.items.models import Item

    item = Item.objects.listed().select_related("author").filter(pk=item_id).first()
    if item is None:
        return 0
    recipients = _recipients(item)
    if not recipients:
        return 0
    channels = Channel.objects.in_bulk(set(recipients.values()))
    told = 0
    user_ids = sorted(recipients)
    for start in range(0, len(user_ids), FAN_OUT_BATCH):
        told += _announce_batch(item, user_ids[start : start + FAN_OUT_BATCH], recipients, channels)
    logger.info("Item %s announced to %d subscriber(s)", item.public_id, told)
    return told


def _recipients(item: Item) -> dict[int, int]:
    """member id → the channel to name in their notification (a topic one before the author's)."""
    channel_ids = set(ChannelItem.objects.filter(item=item).values_list("channel_id", flat=True))
    if item.author_id is not None:
        channel_ids |= set(
            Channel.objects.filter(kind=Channel.Kind.PERSONAL, owner_id=item.author_id).values_list("pk", flat=True)
        )
    rows = (
        Subscription.objects.filter(channel_id__in=channel_ids)
        .exclude(user_id__in=ItemAnnouncement.objects.filter(item=item).values("user_id"))
        .values_list("user_id", "channel_id", "channel__kind")
        .order_by("user_id", "created_at")
    )
    chosen: dict[int, tuple[int, bool]] = {}
    for user_id, channel_id, kind in rows.iterator(chunk_size=2000):
        if user_id == item.author_id:
            continue
        personal = kind == Channel.Kind.PERSONAL
        if user_id not in chosen or (chosen[user_id][1] and not personal):
            chosen[user_id] = (channel_id, personal)
    return {user_id: channel_id for user_id, (channel_id, _) in chosen.items()}


def _announce_batch(item: Item, user_ids: list[int], recipients: dict[int, int], channels: dict[int, Channel]) -> int:
    from fieldcast.accounts.models import User
    from fieldcast.items.models import Item
    from fieldcast.moderation.viewer import viewer_for_user

    visible: dict[bool, bool] = {}  # the access layer's answer per Safe Mode state
    told = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        viewer = viewer_for_user(user)
        if viewer.safe_mode not in visible:
            visible[viewer.safe_mode] = Item.objects.visible_to(viewer).filter(pk=item.pk).exists()
        if not visible[viewer.safe_mode]:
            continue
        try:
            with transaction.atomic():
                ItemAnnouncement.objects.create(user=user, item=item)
                note = notify(
                    recipient=user,
                    kind=NotificationKind.CHANNEL_ITEM,
                    actor=item.author,
                    item=item,
                    channel=channels.get(recipients[user.pk]),
                )
        except IntegrityError:  # told already, by a task running beside this one
            continue
        told += note is not None
    return told
