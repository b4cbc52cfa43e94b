"""Writes to notifications. Every other app tells a member something through `notify`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldcast.accounts.models import Block

from .models import Kind, Notification

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.channels.models import Channel
    from fieldcast.community.models import Comment
    from fieldcast.items.models import Item


def notify(
    *,
    recipient: User,
    kind: Kind | str,
    actor: User | None = None,
    item: Item | None = None,
    comment: Comment | None = None,
    channel: Channel | None = None,
    text: str = "",
) -> Notification | None:
    """Record a notification; None when there is nobody to tell (the actor themselves,
    an inactive account, or a recipient who blocked the actor)."""
    if not recipient.is_active:
        return None
    if actor is not None:
        if actor.pk == recipient.pk:
            return None
        if Block.objects.filter(blocker=recipient, blocked=actor).exists():
            return None
    return Notification.objects.create(
        recipient=recipient, kind=kind, actor=actor, item=item, comment=comment, channel=channel, text=text[:500]
    )
