"""Reports, moderation cases, the append-only audit log, appeals and copyright notices.

Every moderation action is a `ModerationAction` row written by `services.py`; the row is
never changed or deleted afterwards (save/delete refuse, the admin is read-only, and on
PostgreSQL a trigger refuses UPDATE and DELETE except the SET NULL a deleted item, comment
or account leaves behind).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone

MODERATORS_GROUP = "moderators"
MODERATE_PERMISSION = "moderation.act"


class TargetKind(models.TextChoices):
    ITEM = "item", "Item"
    COMMENT = "comment", "Comment"
    USER = "user", "Member"
    SITE = "site", "Site"


class Reason(models.TextChoices):
    GRAPHIC = "graphic", "Graphic content without context"
    TERRORISM = "terrorism", "Terrorist propaganda"
    DOXXING = "doxxing", "Doxxing (private information about someone)"
    SPAM = "spam", "Spam"
    COPYRIGHT = "copyright", "Copyright"
    WRONG_RATING = "wrong_rating", "Wrong rating"
    ILLEGAL = "illegal", "Illegal content"
    OTHER = "other", "Other"


# What a guest may report: illegal content, not matters of taste or rating.
GUEST_REASONS = (Reason.ILLEGAL, Reason.TERRORISM, Reason.DOXXING, Reason.OTHER)


def target_key(kind: str, pk: int) -> str:
    """One string per reportable thing: 'item:12', 'comment:7', 'user:3'."""
    return f"{kind}:{pk}"


class Case(models.Model):
    """The reports about one target while it waits for a moderator (a group in the queue).

    At most one open case per target; once handled, new reports open a new case.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HANDLED = "handled", "Handled"

    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target_key = models.CharField(max_length=40)
    # SET_NULL: a case and its reports outlive a deleted target (upheld reports count
    # against the owner's trust; the label still says what it was).
    item = models.ForeignKey("items.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey("community.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_label = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_cases",
        help_text="Who the reported thing belongs to (the reported member for a member report).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    last_reported_at = models.DateTimeField(default=timezone.now)
    reports_count = models.PositiveIntegerField(default=0)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target_key"], condition=Q(status="open"), name="moderation_case_one_open_per_target"
            ),
            models.CheckConstraint(condition=Q(kind__in=["item", "comment", "user"]), name="moderation_case_kind"),
        ]
        indexes = [models.Index(fields=["status", "-last_reported_at", "-id"], name="moderation_case_queue")]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.target_key}, {self.status})"

    @property
    def resolution_label(self) -> str:
        return ActionKind(self.resolution).label if self.resolution in ActionKind.values else self.resolution


class Report(models.Model):
    """One member's (or guest's) report about an item, a comment or a member."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    target_key = models.CharField(max_length=40)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports_made"
    )
    reporter_ip = models.GenericIPAddressField(null=True, blank=True, help_text="Guests only.")
    contact_email = models.EmailField(blank=True, help_text="A guest's optional address for questions.")
    reporter_trusted = models.BooleanField(default=False, help_text="Whether the reporter was trusted then.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(max_length=2000, blank=True)
    timestamp_s = models.PositiveIntegerField(null=True, blank=True, help_text="Where in the video, in seconds.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Report flooding: a member reports a thing once.
            models.UniqueConstraint(
                fields=["reporter", "target_key"],
                condition=Q(reporter__isnull=False),
                name="moderation_report_once_per_member",
            ),
            models.CheckConstraint(condition=Q(reason__in=Reason.values), name="moderation_report_reason_valid"),
        ]
        indexes = [models.Index(fields=["case", "reason"], name="moderation_report_case")]

    def __str__(self) -> str:
        return f"Report {self.pk} on {self.target_key}"

    @property
    def timestamp_label(self) -> str:
        if self.timestamp_s is None:
            return ""
        minutes, seconds = divmod(self.timestamp_s, 60)
        return f"{minutes}:{seconds:02d}"


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionDenied("The moderation log is append-only.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise PermissionDenied("The moderation log is append-only.")


class ActionKind(models.TextChoices):
    DISMISS = "dismiss", "Reports dismissed"
    HOLD = "hold", "Held for review"
    REMOVE = "remove", "Removed"
    RESTORE = "restore", "Restored"
    RATE = "rate", "Rating changed"
    DISABLE = "disable", "Disabled after a copyright notice"
    LOCK_COMMENTS = "lock_comments", "Comments locked"
    UNLOCK_COMMENTS = "unlock_comments", "Comments unlocked"
    REMOVE_COMMENT = "remove_comment", "Comment removed"
    WARN = "warn", "Member warned"
    SUSPEND = "suspend", "Member suspended"
    UNSUSPEND = "unsuspend", "Suspension lifted"
    TRUST = "trust", "Member marked trusted"
    UNTRUST = "untrust", "Trust withdrawn"
    HOLD_UPLOADS_ON = "hold_uploads_on", "New uploads held for review"
    HOLD_UPLOADS_OFF = "hold_uploads_off", "New uploads no longer held"
    APPEAL_ACCEPT = "appeal_accept", "Appeal accepted"
    APPEAL_REJECT = "appeal_reject", "Appeal rejected"


# Actions the member they concern may appeal (once each).
APPEALABLE = frozenset(
    {
        ActionKind.HOLD,
        ActionKind.REMOVE,
        ActionKind.RATE,
        ActionKind.LOCK_COMMENTS,
        ActionKind.REMOVE_COMMENT,
        ActionKind.WARN,
        ActionKind.SUSPEND,
    }
)


class ModerationAction(models.Model):
    """One entry of the append-only audit log: who did what to which thing, and why.

    `moderator` is empty for the system (report threshold, copyright notices). The
    target's label is copied in, so the entry still reads after the target is deleted.
    """

    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item = models.ForeignKey("items.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey("community.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_actions",
        help_text="The member whose content or account the action concerns.",
    )
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    target_label = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        permissions = [("act", "Can act as a moderator (queue, reports, removals, suspensions)")]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="moderation_action_recent"),
            models.Index(fields=["subject", "-created_at", "-id"], name="moderation_action_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.target_kind} {self.target_label!r}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionDenied("The moderation log is append-only: entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionDenied("The moderation log is append-only: entries cannot be deleted.")

    @property
    def is_system(self) -> bool:
        return self.moderator_id is None

    @property
    def appealable(self) -> bool:
        return self.kind in APPEALABLE


class Appeal(models.Model):
    """The concerned member's one appeal against one action."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a moderator"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    action = models.OneToOneField(ModerationAction, on_delete=models.PROTECT, related_name="appeal")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals")
    text = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="moderation_appeal_queue")]

    def __str__(self) -> str:
        return f"Appeal {self.pk} against action {self.action_id}"


class SiteModerationSettings(models.Model):
    """The site-wide moderation switches: one row (pk 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    hold_new_uploads = models.BooleanField(
        default=False, help_text="New items are held until a moderator approves them."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site moderation settings"
        verbose_name_plural = "site moderation settings"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="moderation_settings_singleton")]

    def __str__(self) -> str:
        return "Site moderation settings"


class CopyrightNotice(models.Model):
    """A takedown request with the elements a DMCA notice needs (17 U.S.C. § 512(c)(3))."""

    claimant_name = models.CharField(max_length=200)
    claimant_address = models.TextField(max_length=1000)
    claimant_email = models.EmailField()
    claimant_phone = models.CharField(max_length=40)
    copyrighted_work = models.TextField(max_length=4000)
    infringing_urls = models.TextField(max_length=10_000)
    good_faith = models.BooleanField()
    accuracy_under_perjury = models.BooleanField()
    signature = models.CharField(max_length=200)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitter_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(good_faith=True, accuracy_under_perjury=True), name="copyright_notice_statements_made"
            )
        ]

    def __str__(self) -> str:
        return f"Copyright notice {self.pk} from {self.claimant_name}"


class CopyrightNoticeItem(models.Model):
    """One item a notice names, and where its review stands."""

    class Status(models.TextChoices):
        PENDING = "pending", "Disabled, waiting for review"
        COUNTERED = "countered", "Counter-notice received"
        RESTORED = "restored", "Restored"
        REMOVED = "removed", "Removed"

    notice = models.ForeignKey(CopyrightNotice, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "item"], name="copyright_entry_unique")]

    def __str__(self) -> str:
        return f"Notice {self.notice_id}: item {self.item_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.COUNTERED)


class CounterNotice(models.Model):
    """The uploader's one counter-notification for one disabled item (17 U.S.C. § 512(g)(3))."""

    entry = models.OneToOneField(CopyrightNoticeItem, on_delete=models.CASCADE, related_name="counter_notice")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    full_name = models.CharField(max_length=200)
    address = models.TextField(max_length=1000)
    phone = models.CharField(max_length=40)
    email = models.EmailField()
    statement = models.TextField(max_length=4000)
    mistake_under_perjury = models.BooleanField()
    consent_to_jurisdiction = models.BooleanField()
    signature = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(mistake_under_perjury=True, consent_to_jurisdiction=True),
                name="counter_notice_statements_made",
            )
        ]

    def __str__(self) -> str:
        return f"Counter-notice for {self.entry_id}"
