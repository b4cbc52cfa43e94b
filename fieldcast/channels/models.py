from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

if TYPE_CHECKING:
    from fieldcast.items.models import Item


class Channel(models.Model):
    """A list of items. Every member has a personal one (/u/<username>); staff run
    topic channels (/c/syria) and editorial ones (Featured, Must See)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        TOPIC = "topic", "Topic"
        EDITORIAL = "editorial", "Editorial"

    slug = models.SlugField(max_length=80, allow_unicode=True, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=5000, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    is_current_event = models.BooleanField(default=False, help_text="A developing story: shown as '(current event)'.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_channels"
    )
    created_at = models.DateTimeField(default=timezone.now)
    items: models.ManyToManyField[Item, ChannelItem] = models.ManyToManyField(
        "items.Item", through="ChannelItem", related_name="channels", blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(kind="personal"), name="channel_one_personal_per_owner"
            ),
            models.CheckConstraint(
                condition=~Q(kind="personal") | Q(owner__isnull=False), name="channel_personal_has_owner"
            ),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.PERSONAL and self.owner is not None:
            return reverse("accounts:profile", kwargs={"username": self.owner.username})
        return reverse("channels:detail", kwargs={"slug": self.slug})


class ChannelItem(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="item_links")
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="channel_links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "item"], name="channelitem_unique")]
        indexes = [models.Index(fields=["channel", "-added_at", "-id"], name="channelitem_recent")]

    def __str__(self) -> str:
        return f"{self.item_id} in {self.channel_id}"
