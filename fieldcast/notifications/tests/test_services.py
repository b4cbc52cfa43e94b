"""notify() and the writes of the notifications app; the prune job."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fieldcast.accounts.models import Block
from fieldcast.core.testing.factories import UserFactory
from fieldcast.notifications import tasks
from fieldcast.notifications.models import Kind, Notification
from fieldcast.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    notifications_prune,
    notify,
)


@pytest.fixture
def actor(db):
    return UserFactory(username="reporter")


def test_notify_records_one(member, actor):
    note = notify(recipient=member, kind=Kind.MENTION, actor=actor, text="x" * 600)
    assert note is not None
    assert note.read_at is None
    assert len(note.text) == 500


def test_notify_skips_self_blocked_and_inactive(member, other_member, actor):
    assert notify(recipient=member, kind=Kind.MENTION, actor=member) is None
    Block.objects.create(blocker=member, blocked=actor)
    assert notify(recipient=member, kind=Kind.MENTION, actor=actor) is None
    other_member.is_active = False
    other_member.save(update_fields=["is_active"])
    assert notify(recipient=other_member, kind=Kind.MENTION, actor=actor) is None
    assert not Notification.objects.exists()


def test_mark_read_keeps_the_first_time(member, actor):
    note = notify(recipient=member, kind=Kind.MENTION, actor=actor)
    assert note is not None
    notification_mark_read(notification=note)
    first = Notification.objects.get(pk=note.pk).read_at
    assert first is not None
    notification_mark_read(notification=Notification.objects.get(pk=note.pk))
    assert Notification.objects.get(pk=note.pk).read_at == first


def test_mark_all_read_counts_only_the_members_unread(member, other_member, actor):
    for _ in range(2):
        notify(recipient=member, kind=Kind.MENTION, actor=actor)
    notify(recipient=other_member, kind=Kind.MENTION, actor=actor)
    assert notifications_mark_all_read(user=member) == 2
    assert notifications_mark_all_read(user=member) == 0
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_prune_deletes_only_old_read_notifications(member, actor, settings):
    settings.NOTIFICATIONS_KEEP_DAYS = 30
    now = timezone.now()
    old = now - datetime.timedelta(days=31)

    def make(*, created_at, read):  # type: ignore[no-untyped-def]
        return Notification.objects.create(
            recipient=member, kind=Kind.MENTION, actor=actor, created_at=created_at, read_at=now if read else None
        )

    old_read = [make(created_at=old, read=True) for _ in range(5)]
    old_unread = make(created_at=old, read=False)
    recent_read = make(created_at=now - datetime.timedelta(days=2), read=True)

    assert notifications_prune(batch=2) == 5
    remaining = set(Notification.objects.values_list("pk", flat=True))
    assert remaining == {old_unread.pk, recent_read.pk}
    assert not remaining & {n.pk for n in old_read}
    assert tasks.prune_notifications.call() == 0  # the task, as the worker runs it: nothing left
