from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    REPLY = "reply", "Reply to your comment"
    MENTION = "mention", "Mention"
    CHANNEL_ITEM = "channel_item", "New item in a subscription"
    UPDATE = "update", "Update to an item you favorited"
    MODERATION = "moderation", "Moderation of your content"
    CURATOR_INVITE = "curator_invite", "Invitation to curate a channel"


class Notification(models.Model):
    """Something a member should hear about. Shown in /notifications with an unread count."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.ForeignKey("items.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey("community.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("fcchannels.Channel", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=500, blank=True, help_text="Extra words, e.g. a moderator's reason.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recent"),
            models.Index(fields=["recipient"], name="notification_unread", condition=models.Q(read_at__isnull=True)),
            # Pruning old read notifications (prune_notifications).
            models.Index(
                fields=["created_at"], name="notification_read_old", condition=models.Q(read_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Digest(models.TextChoices):
    OFF = "off", "Off"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class NotificationPreference(models.Model):
    """A member's choice of email digests; no row means the defaults (no emails)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_digest = models.CharField(max_length=10, choices=Digest.choices, default=Digest.OFF)
    last_digest_at = models.DateTimeField(null=True, blank=True, help_text="When the last digest was emailed.")

    class Meta:
        indexes = [
            models.Index(fields=["email_digest"], name="notif_pref_digest_on", condition=~models.Q(email_digest="off")),
        ]

    def __str__(self) -> str:
        return f"{self.email_digest} digest for {self.user_id}"
