"""The hook other services call when an item may have become listed or was filed into a
channel: after the commit, if anyone follows its channels or its author, a task on the
"default" queue tells them (subscriptions.item_announce_to_subscribers). Kept import-light:
items.services imports it."""

from __future__ import annotations

import functools

from django.db import transaction


def item_announce_when_listed(*, item_id: int) -> None:
    """Call inside the transaction that made the item listed (ready + public + ok) or
    filed it; safe to call more often than needed: the task checks and deduplicates."""
    transaction.on_commit(functools.partial(_enqueue_if_followed, item_id))


def _enqueue_if_followed(item_id: int) -> None:
    from django.db.models import Q

    from .models import Channel, Subscription
    from .tasks import announce_item

    followed = Subscription.objects.filter(
        Q(channel__item_links__item_id=item_id)
        | Q(channel__kind=Channel.Kind.PERSONAL, channel__owner__items__id=item_id)
    ).exists()
    if followed:
        announce_item.enqueue(item_id)
