"""Writes to channels: creating and editing them, filing items, curators.

`channels_count` on the item moves with every link; subscriptions live in
subscriptions.py. Every service that acts for a member checks the permission itself.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fieldcast.core import pagecache
from fieldcast.core.text import clean_line, unicode_slug
from fieldcast.items.counters import item_counter_add
from fieldcast.notifications.models import Kind as NotificationKind
from fieldcast.notifications.services import notify

from .announce import item_announce_when_listed
from .banners import banner_delete, banner_store
from .models import Channel, ChannelItem, Curator

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.items.models import Item


# --- Who may do what -----------------------------------------------------------------


def channel_is_curator(*, channel: Channel, user: User) -> bool:
    return Curator.objects.filter(channel=channel, user=user, status=Curator.Status.ACCEPTED).exists()


def channel_may_file(*, channel: Channel, user: User) -> bool:
    """Who may put items into (and take them out of) a channel: its owner for a personal
    one; staff for editorial ones; for a topic channel its owner, its accepted curators
    and staff. The query set twin is ChannelQuerySet.fileable_by."""
    if not user.is_authenticated:
        return False
    if channel.kind == Channel.Kind.PERSONAL:
        return channel.owner_id == user.pk
    if user.is_staff:
        return True
    if channel.kind == Channel.Kind.EDITORIAL:
        return False
    return channel.owner_id == user.pk or channel_is_curator(channel=channel, user=user)


def channel_may_manage(*, channel: Channel, user: User) -> bool:
    """Edit, delete and choose curators: the owner of a topic channel, and staff."""
    if not user.is_authenticated or channel.kind == Channel.Kind.PERSONAL:
        return False
    return bool(user.is_staff) or (channel.kind == Channel.Kind.TOPIC and channel.owner_id == user.pk)


def channels_fileable_by(user: User):  # type: ignore[no-untyped-def]
    """The item form's choices: every channel the member may file in."""
    return Channel.objects.fileable_by(user).order_by("kind", "name")


# --- Channels --------------------------------------------------------------------------


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


def _taken(exc: IntegrityError) -> ValidationError:
    """A uniqueness race lost between the form's check and the insert."""
    text = str(exc).lower()
    if "slug" in text:
        return ValidationError({"slug": "This address was taken a moment ago: choose another."})
    return ValidationError({"name": "A channel with this name was created a moment ago: choose another name."})


@transaction.atomic
def channel_create(*, owner: User, name: str, slug: str, description: str = "", banner: bytes | None = None) -> Channel:
    """A topic channel owned by its creator. The form checked name and slug; the database
    constraints decide a race (ValidationError)."""
    channel = Channel(kind=Channel.Kind.TOPIC, owner=owner, name=clean_line(name), slug=slug, description=description)
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError as exc:
        raise _taken(exc) from exc
    if banner is not None:
        channel.banner = banner_store(channel_id=channel.pk, data=banner)
        channel.save(update_fields=["banner"])
    return channel


@transaction.atomic
def channel_update(
    *,
    channel: Channel,
    editor: User,
    name: str,
    slug: str,
    description: str,
    banner: bytes | None = None,
    remove_banner: bool = False,
) -> Channel:
    if not channel_may_manage(channel=channel, user=editor):
        raise PermissionDenied("Only the channel's owner and staff can edit it.")
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    old_banner = channel.banner
    channel.name, channel.slug, channel.description = clean_line(name), slug, description
    fields = ["name", "slug", "description"]
    if banner is not None:
        channel.banner = banner_store(channel_id=channel.pk, data=banner)
        fields.append("banner")
    elif remove_banner:
        channel.banner = ""
        fields.append("banner")
    try:
        with transaction.atomic():
            channel.save(update_fields=fields)
    except IntegrityError as exc:
        raise _taken(exc) from exc
    if old_banner and old_banner != channel.banner:
        transaction.on_commit(functools.partial(banner_delete, old_banner))
    return channel


@transaction.atomic
def channel_set_flags(*, channel: Channel, actor: User, is_featured: bool, is_current_event: bool) -> None:
    """Staff mark a channel featured (the directory's block) and as a current event."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff can feature channels or mark current events.")
    if channel.kind == Channel.Kind.PERSONAL:
        raise ValidationError("Members' personal channels are not featured or marked as current events.")
    channel.is_featured, channel.is_current_event = is_featured, is_current_event
    Channel.objects.filter(pk=channel.pk).update(is_featured=is_featured, is_current_event=is_current_event)


@transaction.atomic
def channel_delete(*, channel: Channel, actor: User | None = None) -> None:
    """Delete a channel; every item it held counts one channel fewer. With `actor`, only
    the owner or staff may (the admin passes none: staff only reach it)."""
    if actor is not None and not channel_may_manage(channel=channel, user=actor):
        raise PermissionDenied("Only the channel's owner and staff can delete it.")
    for item_id in list(ChannelItem.objects.filter(channel=channel).values_list("item_id", flat=True)):
        item_counter_add(item_id=item_id, field="channels_count", delta=-1)
    if channel.banner:
        transaction.on_commit(functools.partial(banner_delete, channel.banner))
    channel.delete()


# --- Filing items ----------------------------------------------------------------------


@transaction.atomic
def channel_add_item(*, channel: Channel, item: Item, actor: User) -> bool:
    """File `item` in `channel`; False if it was already there. Subscribers hear of it
    (once per member and item) when it is listed."""
    if not channel_may_file(channel=channel, user=actor):
        raise PermissionDenied(f"You cannot add items to the channel “{channel.name}”.")
    _, created = ChannelItem.objects.get_or_create(channel=channel, item=item, defaults={"added_by": actor})
    if created:
        item_counter_add(item_id=item.pk, field="channels_count", delta=1)
        item_announce_when_listed(item_id=item.pk)
        pagecache.item_changed(item.public_id)  # its page names its channels; the channel lists it
        _reindex_after_commit(item.pk)
    return created


@transaction.atomic
def channel_remove_item(*, channel: Channel, item: Item, actor: User | None = None) -> bool:
    """Take `item` out of `channel`. With `actor`, they must be allowed to file there."""
    if actor is not None and not channel_may_file(channel=channel, user=actor):
        raise PermissionDenied(f"You cannot remove items from the channel “{channel.name}”.")
    deleted, _ = ChannelItem.objects.filter(channel=channel, item=item).delete()
    if deleted:
        item_counter_add(item_id=item.pk, field="channels_count", delta=-1)
        _reindex_after_commit(item.pk)
        pagecache.item_changed(item.public_id)
    return bool(deleted)


def _reindex_after_commit(item_id: int) -> None:
    """Channel names are part of an item's search document."""
    from fieldcast.discovery.search import search_index_item

    transaction.on_commit(functools.partial(search_index_item, item_id=item_id))


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


# --- Curators --------------------------------------------------------------------------


@transaction.atomic
def curator_invite(*, channel: Channel, inviter: User, user: User) -> Curator:
    """Invite `user` to curate; they are told (notification) and accept or decline.
    Inviting someone who declined asks them again."""
    if not channel_may_manage(channel=channel, user=inviter):
        raise PermissionDenied("Only the channel's owner and staff can invite curators.")
    if channel.kind != Channel.Kind.TOPIC:
        raise ValidationError("Only topic channels have curators.")
    if user.pk == channel.owner_id:
        raise ValidationError({"username": "The owner already curates this channel."})
    if not user.is_active:
        raise ValidationError({"username": "This account is closed."})
    curator = Curator.objects.select_for_update().filter(channel=channel, user=user).first()
    if curator is not None and curator.status == Curator.Status.ACCEPTED:
        raise ValidationError({"username": f"{user.username} already curates this channel."})
    if curator is not None and curator.status == Curator.Status.INVITED:
        raise ValidationError({"username": f"{user.username} is already invited and has not answered yet."})
    if curator is None:
        curator = Curator.objects.create(channel=channel, user=user, invited_by=inviter)
    else:
        curator.status, curator.invited_by = Curator.Status.INVITED, inviter
        curator.invited_at, curator.responded_at = timezone.now(), None
        curator.save(update_fields=["status", "invited_by", "invited_at", "responded_at"])
    notify(recipient=user, kind=NotificationKind.CURATOR_INVITE, actor=inviter, channel=channel)
    return curator


@transaction.atomic
def curator_respond(*, channel: Channel, user: User, accept: bool) -> Curator:
    """The invitee accepts or declines; a curator who declines steps down."""
    curator = Curator.objects.select_for_update().filter(channel=channel, user=user).first()
    if curator is None or curator.status == Curator.Status.DECLINED:
        raise PermissionDenied("You have no invitation to curate this channel.")
    if accept and curator.status == Curator.Status.ACCEPTED:
        return curator
    curator.status = Curator.Status.ACCEPTED if accept else Curator.Status.DECLINED
    curator.responded_at = timezone.now()
    curator.save(update_fields=["status", "responded_at"])
    return curator


@transaction.atomic
def curator_remove(*, channel: Channel, actor: User, user_id: int) -> bool:
    """The owner (or staff) takes a curator off the channel, or withdraws an invitation."""
    if not channel_may_manage(channel=channel, user=actor):
        raise PermissionDenied("Only the channel's owner and staff can remove curators.")
    deleted, _ = Curator.objects.filter(channel=channel, user_id=user_id).delete()
    return bool(deleted)
