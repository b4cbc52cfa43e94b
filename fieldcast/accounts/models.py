from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

ADULT_AGE = 18
# Shown instead of the name of a member who deleted their account (items and comments kept).
DELETED_ACCOUNT_NAME = "[deleted account]"


class UserManager(DjangoUserManager["User"]):
    pass


class User(AbstractUser):
    """A member. Custom from the first migration so profile fields live on one row."""

    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(max_length=2000, blank=True, help_text="Markdown")
    bio_html = models.TextField(blank=True, editable=False, help_text="The bio rendered and sanitised when saved.")
    avatar_key = models.CharField(
        max_length=24,
        blank=True,
        editable=False,
        help_text="Names the avatar's files (avatars/<id>/<size>-<key>, key = token.webp); empty without one.",
    )
    favorites_public = models.BooleanField(
        default=False, help_text="Anyone may see this member's favorites at /u/<username>/favorites."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    adult_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the member confirmed being 18 or over."
    )
    safe_mode = models.BooleanField(default=True, help_text="Shield MA (graphic) content. On for every new member.")

    trusted_by_moderator = models.BooleanField(
        default=False, help_text="Marked trusted by a moderator: their reports count toward holding an item."
    )
    suspended_until = models.DateTimeField(
        null=True, blank=True, help_text="A suspended member cannot post, comment, vote or report until then."
    )

    deleted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the member deleted their account (a tombstone row)."
    )

    is_demo = models.BooleanField(
        default=False,
        editable=False,
        help_text="A demo account from load_demo: its published password works only while DEBUG is on.",
    )

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    def check_password(self, raw_password: str) -> bool:
        # Demo passwords are printed in the README: never accept them on a real site.
        if self.is_demo and not settings.DEBUG:
            return False
        return super().check_password(raw_password)

    @property
    def public_name(self) -> str:
        if self.deleted_at is not None:
            return DELETED_ACCOUNT_NAME
        return self.display_name or self.username

    @property
    def is_deleted_account(self) -> bool:
        return self.deleted_at is not None

    def avatar_url(self, size: int = 256) -> str:
        """The avatar's address at one of AVATAR_SIZES, or "" without one."""
        if not self.avatar_key:
            return ""
        from django.urls import reverse

        return reverse("accounts:avatar", kwargs={"user_id": self.pk, "size": size, "key": self.avatar_key})

    def is_minor(self, today: datetime.date | None = None) -> bool:
        if self.date_of_birth is None:
            return False
        today = today or timezone.localdate()
        dob = self.date_of_birth
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        return age < ADULT_AGE

    @property
    def is_moderator(self) -> bool:
        """Staff, or a holder of the moderation permission `moderation.act` (directly or
        through a group such as "moderators"): who sees held, removed and disabled content.
        Acting on it needs the permission itself (moderation.permissions.can_moderate).
        One query (the same test as ModelBackend's has_perm, without loading every
        permission the member has)."""
        if not self.is_active:
            return False
        if self.is_staff or self.is_superuser:
            return True
        from django.contrib.auth.models import Permission

        return Permission.objects.filter(
            Q(user=self) | Q(group__user=self), content_type__app_label="moderation", codename="act"
        ).exists()


class Block(models.Model):
    """`blocker` no longer sees `blocked`'s comments, and `blocked` cannot reply to or mention them."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
            models.CheckConstraint(condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class ApiToken(models.Model):
    """A personal API token: `fc_<prefix>_<secret>`, shown once when made; only its SHA-256
    is stored (a random 256-bit secret needs no slow hash). `read` tokens may only read;
    `write` tokens may also change what their owner may change. A token acts as its owner,
    Safe Mode included, and stops working when revoked or past `expires_at`."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. 'archive bot'.")
    prefix = models.CharField(max_length=12, unique=True, help_text="Public part, to find the token.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the whole token, hex.")
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE
