"""Email digests: only for members who asked, only unread and not yet emailed notifications,
once per period, to a verified address; running twice sends nothing twice."""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import DatabaseError
from django.utils import timezone

from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.notifications import tasks
from fieldcast.notifications.digests import MAX_LISTED, digests_send
from fieldcast.notifications.models import Digest, Kind, Notification, NotificationPreference
from fieldcast.notifications.services import notification_preference_set, notify


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://news.example.org"


@pytest.fixture
def actor(db):
    return UserFactory(username="reporter")


def subscribe(user, digest=Digest.DAILY, *, verified=True):
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return notification_preference_set(user=user, email_digest=digest)


def test_members_get_nothing_by_default(member, actor):
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    EmailAddress.objects.create(user=member, email=member.email, primary=True, verified=True)
    assert digests_send() == 0
    assert mail.outbox == []


def test_a_daily_digest_lists_unread_notifications_in_text_and_html(member, actor):
    subscribe(member)
    item = ItemFactory(author=member, title="Shelling near the port & more")
    first = notify(recipient=member, kind=Kind.MENTION, actor=actor, item=item)
    notify(recipient=member, kind=Kind.MODERATION, item=item, text="changed the rating to MA")
    already_read = notify(recipient=member, kind=Kind.MENTION, actor=actor)
    assert first is not None
    assert already_read is not None
    Notification.objects.filter(pk=already_read.pk).update(read_at=timezone.now())

    assert digests_send() == 1

    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "Fieldcast: 2 new notifications"
    assert "reporter mentioned you on Shelling near the port & more" in message.body
    assert "Moderators changed the rating to MA on Shelling near the port & more" in message.body
    assert f"https://news.example.org/notifications/{first.pk}/open" in message.body
    assert "https://news.example.org/notifications/settings" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Shelling near the port &amp; more" in html
    assert f'href="https://news.example.org/notifications/{first.pk}/open"' in html
    assert Notification.objects.filter(recipient=member, emailed_at__isnull=False).count() == 2
    assert Notification.objects.get(pk=already_read.pk).emailed_at is None


def test_running_twice_sends_once_and_new_ones_wait_for_the_next_period(member, actor):
    subscribe(member)
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    start = timezone.now()
    assert digests_send(now=start) == 1
    assert digests_send(now=start) == 0
    assert tasks.send_digests.call() == 0  # the task, as the worker runs it

    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    assert digests_send(now=start + datetime.timedelta(hours=12)) == 0
    # A little less than a day later (the job runs hourly): due again, with only the new one.
    assert digests_send(now=start + datetime.timedelta(hours=23, minutes=1)) == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Fieldcast: 1 new notification"


def test_weekly_waits_a_week(member, actor):
    subscribe(member, Digest.WEEKLY)
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    start = timezone.now()
    assert digests_send(now=start) == 1
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    assert digests_send(now=start + datetime.timedelta(days=3)) == 0
    assert digests_send(now=start + datetime.timedelta(days=7)) == 1


def test_nothing_to_send_sends_nothing(member, actor):
    subscribe(member)
    note = notify(recipient=member, kind=Kind.MENTION, actor=actor)
    assert note is not None
    Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    assert digests_send() == 0
    assert NotificationPreference.objects.get(user=member).last_digest_at is None


def test_only_to_a_verified_address_of_an_active_member(member, other_member, actor):
    subscribe(member, verified=False)
    subscribe(other_member)
    other_member.is_active = False
    other_member.save(update_fields=["is_active"])
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    Notification.objects.create(recipient=other_member, kind=Kind.MENTION, actor=actor)
    assert digests_send() == 0
    assert mail.outbox == []


def test_items_the_member_can_no_longer_open_are_not_named(member, actor):
    subscribe(member)
    item = ItemFactory(author=actor, title="Secret footage title")
    notify(recipient=member, kind=Kind.MENTION, actor=actor, item=item)
    Item.objects.filter(pk=item.pk).update(moderation="removed")
    assert digests_send() == 1
    assert "Secret footage title" not in mail.outbox[0].body
    assert "an item that is no longer available" in mail.outbox[0].body


def test_a_long_digest_lists_the_newest_and_counts_the_rest(member, actor):
    subscribe(member)
    for n in range(MAX_LISTED + 3):
        notify(recipient=member, kind=Kind.MODERATION, text=f"note {n}")
    assert digests_send() == 1
    body = mail.outbox[0].body
    assert f"note {MAX_LISTED + 2}" in body
    assert "note 0\n" not in body
    assert "... and 3 more" in body
    assert not Notification.objects.filter(recipient=member, emailed_at__isnull=True).exists()


def test_a_failed_send_leaves_everything_for_the_next_run(member, actor, monkeypatch):
    subscribe(member)
    notify(recipient=member, kind=Kind.MENTION, actor=actor)

    def refuse(self, fail_silently=False):  # type: ignore[no-untyped-def]
        raise OSError("SMTP is down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    assert digests_send() == 0
    assert Notification.objects.filter(recipient=member, emailed_at__isnull=True).count() == 1
    assert NotificationPreference.objects.get(user=member).last_digest_at is None
    monkeypatch.undo()
    assert digests_send() == 1


def test_one_members_failure_does_not_stop_the_others(member, other_member, actor, monkeypatch, settings):
    subscribe(member)
    subscribe(other_member)
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    notify(recipient=other_member, kind=Kind.MENTION, actor=actor)
    from fieldcast.notifications import digests

    real = digests.digest_send_one

    def flaky(*, user_id, now):  # type: ignore[no-untyped-def]
        if user_id == member.pk:
            raise DatabaseError("lock timeout")
        return real(user_id=user_id, now=now)

    monkeypatch.setattr(digests, "digest_send_one", flaky)
    assert digests_send() == 1
    assert mail.outbox[0].to == [other_member.email]
