"""Reads of channels. Item visibility inside them comes from the items access layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from fieldcast.core.text import normalize_key

if TYPE_CHECKING:
    from fieldcast.accounts.models import User

# Directory sort orders: (label, order_by). Current events always come first.
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("Name", ("name_key", "id")),
    "new": ("Newest", ("-created_at", "-id")),
    "subscribers": ("Most subscribers", ("-subscribers_count", "name_key", "id")),
    "items": ("Most items", ("-items_count", "name_key", "id")),
}
DEFAULT_SORT = "name"


class ChannelQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def directory(self) -> ChannelQuerySet:
        """Topic and editorial channels: what /c/ lists (members are found through their items)."""
        return self.exclude(kind="personal")

    def search(self, query: str) -> ChannelQuerySet:
        """Channels whose name or description contains every word of `query`, in any
        script: both sides are NFKC-casefolded (SQLite's LIKE folds ASCII only)."""
        qs = self
        for word in normalize_key(query).split()[:8]:
            qs = qs.filter(search_text__contains=word)
        return qs

    def with_item_counts(self) -> ChannelQuerySet:
        """`items_count`: the channel's listed items (ready, public, not moderated)."""
        from fieldcast.items.models import Item

        listed = (
            Item.objects.listed()
            .filter(channel_links__channel=OuterRef("pk"))
            .order_by()
            .values("channel_links__channel")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(items_count=Coalesce(Subquery(listed, output_field=IntegerField()), 0))

    def sorted_for_directory(self, sort: str) -> ChannelQuerySet:
        _, order = SORTS.get(sort, SORTS[DEFAULT_SORT])
        return self.order_by("-is_current_event", *order)

    def with_subscribed(self, user: Any) -> ChannelQuerySet:
        """`is_subscribed` for this user (False for guests, without a query of its own)."""
        from .models import Subscription

        if not user.is_authenticated:
            return self.annotate(is_subscribed=models.Value(False, output_field=models.BooleanField()))
        return self.annotate(is_subscribed=Exists(Subscription.objects.filter(channel=OuterRef("pk"), user=user)))

    def fileable_by(self, user: User) -> ChannelQuerySet:
        """Channels `user` may put items into (see services.channel_may_file, the same rule):
        their personal channel, topic channels they own or curate, and for staff every
        topic and editorial channel."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.filter(~Q(kind="personal") | Q(owner=user))
        curated = Q(kind="topic", curators__user=user, curators__status="accepted")
        owned = Q(kind__in=["topic", "personal"], owner=user)
        return self.filter(pk__in=self.model.objects.filter(owned | curated).values("pk"))
