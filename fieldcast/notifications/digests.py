"""Email digests: members who chose daily or weekly get their unread, not yet emailed
notifications in one plain-text + HTML message.

Run by the periodic task `send_digests` (hourly); safe to run twice or in two workers at once:
each member is handled in a transaction that locks their preference row (skipped when another
worker holds it), re-checks that a digest is due, marks the notifications it lists as emailed
and sets `last_digest_at`. The mail is sent inside that transaction, so a failed send leaves
everything as it was for the next run (at least once, never lost).

Digests go only to a verified primary address (allauth's EmailAddress): an address nobody
confirmed might belong to someone else.
"""

from __future__ import annotations

import datetime
import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from fieldcast.moderation.viewer import viewer_for_user

from .models import Digest, Notification, NotificationPreference
from .selectors import entries_for, notifications_for

logger = logging.getLogger(__name__)

PERIODS = {Digest.DAILY: datetime.timedelta(days=1), Digest.WEEKLY: datetime.timedelta(days=7)}
# The job runs hourly: a digest a little less than a period after the last one is due, so
# that the sending time does not drift later by an hour each period.
SLACK = datetime.timedelta(hours=1)
MAX_LISTED = 50  # notifications named in one digest; the rest are counted


def _due(now: datetime.datetime) -> Q:
    due = Q()
    for digest, period in PERIODS.items():
        due |= Q(email_digest=digest) & (Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - period + SLACK))
    return due


def _pending(user_id: int):  # type: ignore[no-untyped-def]
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True, emailed_at__isnull=True)


def digest_due_user_ids(now: datetime.datetime) -> list[int]:
    """Members with a digest due, a verified primary address and something unread to send."""
    verified = EmailAddress.objects.filter(user_id=OuterRef("user_id"), primary=True, verified=True)
    pending = Notification.objects.filter(
        recipient_id=OuterRef("user_id"), read_at__isnull=True, emailed_at__isnull=True
    )
    return list(
        NotificationPreference.objects.filter(_due(now), user__is_active=True)
        .filter(Exists(verified), Exists(pending))
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """Email every due member their digest; how many digests were sent."""
    now = now or timezone.now()
    sent = 0
    for user_id in digest_due_user_ids(now):
        try:
            if digest_send_one(user_id=user_id, now=now):
                sent += 1
        except (OSError, DatabaseError):  # SMTP down, or a lock timeout: the next run tries again
            logger.exception("notifications: digest for member %s not sent", user_id)
    return sent


@transaction.atomic
def digest_send_one(*, user_id: int, now: datetime.datetime) -> bool:
    """Send one member's digest if it is (still) due; True when one was sent."""
    prefs = NotificationPreference.objects.select_related("user").filter(_due(now), user_id=user_id)
    if connection.features.has_select_for_update_skip_locked:
        prefs = prefs.select_for_update(skip_locked=True, of=("self",))
    preference = prefs.first()
    if preference is None:  # not due any more, or another worker is sending it
        return False
    user = preference.user
    address = EmailAddress.objects.filter(user_id=user_id, primary=True, verified=True).first()
    if address is None or not user.is_active:
        return False
    last_id = _pending(user_id).order_by("-pk").values_list("pk", flat=True).first()
    if last_id is None:
        return False
    # Ids only grow: everything up to last_id is in this digest, listed or counted.
    batch = _pending(user_id).filter(pk__lte=last_id)
    total = batch.count()
    listed = list(notifications_for(user).filter(pk__in=batch.values("pk")).order_by("-created_at", "-id")[:MAX_LISTED])
    entries = entries_for(viewer_for_user(user), listed)
    batch.update(emailed_at=now)
    preference.last_digest_at = now
    preference.save(update_fields=["last_digest_at"])
    context = {
        "user": user,
        "entries": entries,
        "total": total,
        "more": total - len(entries),
        "period": preference.get_email_digest_display().lower(),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "notifications_url": settings.SITE_URL + reverse("notifications:index"),
        "settings_url": settings.SITE_URL + reverse("notifications:settings"),
    }
    subject = f"{settings.SITE_NAME}: {total} new notification{'s' if total != 1 else ''}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/email/digest.txt", context),
        to=[address.email],
    )
    message.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    message.send()
    return True
