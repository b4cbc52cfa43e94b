"""Writes to channels. `channels_count` on the item moves with every link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from fieldcast.core.text import unicode_slug
from fieldcast.items.counters import item_counter_add

from .models import Channel, ChannelItem

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.items.models import Item


def channel_may_file(*, channel: Channel, user: User) -> bool:
    """Who may put items into a channel: its owner for a personal one, staff for
    editorial ones, any member for topic channels (moderators can take them out)."""
    if not user.is_authenticated:
        return False
    if channel.kind == Channel.Kind.PERSONAL:
        return channel.owner_id == user.pk
    if channel.kind == Channel.Kind.EDITORIAL:
        return bool(user.is_staff)
    return True


def channels_fileable_by(user: User):  # type: ignore[no-untyped-def]
    qs = Channel.objects.filter(kind=Channel.Kind.TOPIC) | Channel.objects.filter(
        kind=Channel.Kind.PERSONAL, owner=user
    )
    if user.is_staff:
        qs = qs | Channel.objects.filter(kind=Channel.Kind.EDITORIAL)
    return qs.order_by("kind", "name")


def channel_ensure_personal(*, user: User) -> Channel:
    """The member's personal channel, created on first need."""
    existing = Channel.objects.filter(kind=Channel.Kind.PERSONAL, owner=user).first()
    if existing is not None:
        return existing
    base = unicode_slug(f"user-{user.username}", max_length=70) or f"user-{user.pk}"
    slug = base
    if Channel.objects.filter(slug=slug).exists():
        slug = f"{base}-{user.pk}"
    try:
        with transaction.atomic():
            return Channel.objects.create(
                kind=Channel.Kind.PERSONAL,
                owner=user,
                slug=slug,
                name=user.username,
            )
    except IntegrityError:  # created concurrently
        return Channel.objects.get(kind=Channel.Kind.PERSONAL, owner=user)


@transaction.atomic
def channel_add_item(*, channel: Channel, item: Item, actor: User) -> bool:
    """File `item` in `channel`; False if it was already there."""
    if not channel_may_file(channel=channel, user=actor):
        raise PermissionDenied(f"You cannot add items to the channel “{channel.name}”.")
    _, created = ChannelItem.objects.get_or_create(channel=channel, item=item, defaults={"added_by": actor})
    if created:
        item_counter_add(item_id=item.pk, field="channels_count", delta=1)
    return created


@transaction.atomic
def channel_remove_item(*, channel: Channel, item: Item) -> bool:
    deleted, _ = ChannelItem.objects.filter(channel=channel, item=item).delete()
    if deleted:
        item_counter_add(item_id=item.pk, field="channels_count", delta=-1)
    return bool(deleted)


@transaction.atomic
def channels_set_for_item(*, item: Item, channels: Sequence[Channel], actor: User) -> None:
    """Make the item's channels *that the actor manages* equal `channels`; links made
    by curators of channels the actor cannot file in (Featured, say) stay."""
    wanted = {c.pk for c in channels}
    for link in ChannelItem.objects.filter(item=item).select_related("channel"):
        if link.channel_id not in wanted and channel_may_file(channel=link.channel, user=actor):
            channel_remove_item(channel=link.channel, item=item)
    for channel in channels:
        channel_add_item(channel=channel, item=item, actor=actor)


@transaction.atomic
def channel_delete(*, channel: Channel) -> None:
    """Delete a channel; every item it held counts one channel fewer."""
    for item_id in list(ChannelItem.objects.filter(channel=channel).values_list("item_id", flat=True)):
        item_counter_add(item_id=item_id, field="channels_count", delta=-1)
    channel.delete()
