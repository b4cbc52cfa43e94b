"""Writes to notifications. Every other app tells a member something through `notify`."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fieldcast.accounts.models import Block

from .models import Digest, Kind, Notification, NotificationPreference

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


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> None:
    """Mark one notification read (opening it); reading it again changes nothing."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the member read; how many were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, user: User, email_digest: Digest | str) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    if preference.email_digest != email_digest:
        preference.email_digest = email_digest
        preference.save(update_fields=["email_digest"])
    return preference


def notifications_prune(*, keep_days: int | None = None, batch: int = 5000) -> int:
    """Delete read notifications created more than `keep_days` (NOTIFICATIONS_KEEP_DAYS) ago,
    in batches so that no single transaction grows with the table; how many were deleted."""
    days = settings.NOTIFICATIONS_KEEP_DAYS if keep_days is None else keep_days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    old = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff)
    deleted = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += Notification.objects.filter(pk__in=ids).delete()[0]
