"""Reads for the channel pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Q, Subquery
from django.http import Http404

from fieldcast.core.pagination import KeysetPage

from .models import Channel, ChannelItem, Curator, Subscription
from .querysets import DEFAULT_SORT, SORTS

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.items.models import Item
    from fieldcast.moderation.viewer import Viewer

FEATURED_LIMIT = 6


def channel_directory(*, query: str = "", sort: str = DEFAULT_SORT) -> Any:
    """Topic and editorial channels, current events first, searched and sorted."""
    qs = Channel.objects.directory().select_related("owner").with_item_counts()
    if query.strip():
        qs = qs.search(query)
    return qs.sorted_for_directory(sort if sort in SORTS else DEFAULT_SORT)


def featured_channels() -> list[Channel]:
    return list(
        Channel.objects.directory()
        .filter(is_featured=True)
        .with_item_counts()
        .order_by("-is_current_event", "name_key")[:FEATURED_LIMIT]
    )


def channel_for_page(slug: str, user: Any) -> Channel:
    """The channel with what this member's controls need, in one query: `is_subscribed`
    and `my_curator_status` (the member's invitation or curatorship, or None)."""
    qs = Channel.objects.select_related("owner").with_subscribed(user)
    if user.is_authenticated:
        qs = qs.annotate(
            my_curator_status=Subquery(Curator.objects.filter(channel=OuterRef("pk"), user=user).values("status")[:1])
        )
    channel = qs.filter(slug=slug).first()
    if channel is None:
        raise Http404("No channel has this address.")
    if not user.is_authenticated:
        channel.my_curator_status = None  # type: ignore[attr-defined]
    return channel


def member_channel_state(member: User, user: Any) -> Channel | None:
    """A member's personal channel with `is_subscribed` for `user` (None if it does not exist yet)."""
    return (
        Channel.objects.filter(kind=Channel.Kind.PERSONAL, owner=member)
        .select_related("owner")
        .with_subscribed(user)
        .first()
    )


def feed_page(viewer: Viewer, *, cursor: str | None, size: int | None = None) -> KeysetPage[Item]:
    """New items from the member's subscribed channels and members, newest first."""
    from fieldcast.items.models import Item
    from fieldcast.items.selectors import item_list_page

    subscribed = Subscription.objects.filter(user=viewer.user)
    in_channels = ChannelItem.objects.filter(channel_id__in=subscribed.values("channel_id")).values("item_id")
    by_members = subscribed.filter(channel__kind=Channel.Kind.PERSONAL).values("channel__owner_id")
    qs = Item.objects.visible_to(viewer).filter(Q(pk__in=in_channels) | Q(author_id__in=by_members))
    return item_list_page(qs, cursor=cursor, size=size)


def subscriptions_of(user: User) -> list[Subscription]:
    """The member's subscriptions: channels first, then members, by name."""
    return list(
        Subscription.objects.filter(user=user)
        .select_related("channel", "channel__owner")
        .order_by("channel__kind", "channel__name_key", "id")
    )


@dataclass
class MyChannels:
    owned: list[Channel]
    curated: list[Channel]
    invitations: list[Curator]


def channels_of(user: User) -> MyChannels:
    """The topic channels a member owns and curates, and their open invitations."""
    owned = list(Channel.objects.filter(kind=Channel.Kind.TOPIC, owner=user).with_item_counts().order_by("name_key"))
    links = list(
        Curator.objects.filter(user=user, status__in=[Curator.Status.ACCEPTED, Curator.Status.INVITED])
        .select_related("channel", "invited_by")
        .order_by("channel__name_key")
    )
    return MyChannels(
        owned=owned,
        curated=[c.channel for c in links if c.status == Curator.Status.ACCEPTED],
        invitations=[c for c in links if c.status == Curator.Status.INVITED],
    )
