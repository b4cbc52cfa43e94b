from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fieldcast.core.markdown import render_markdown
from fieldcast.core.text import normalize_key

from .querysets import ChannelQuerySet

if TYPE_CHECKING:
    from fieldcast.items.models import Item


class Channel(models.Model):
    """A list of items. Every member has a personal one (/u/<username>); members create
    topic channels (/c/syria) and curate them with invited curators; staff run editorial
    ones (Featured, Must See)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        TOPIC = "topic", "Topic"
        EDITORIAL = "editorial", "Editorial"

    slug = models.SlugField(max_length=80, allow_unicode=True, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=5000, blank=True, help_text="Markdown")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    is_current_event = models.BooleanField(default=False, help_text="A developing story: shown as '(current event)'.")
    is_featured = models.BooleanField(default=False, help_text="Shown in the featured block of the channel directory.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_channels"
    )
    created_at = models.DateTimeField(default=timezone.now)
    banner = models.CharField(
        max_length=200, blank=True, editable=False, help_text="Storage name of the banner JPEG we produced."
    )
    # Derived in save() from name and description (like Tag.key): never edited by hand.
    name_key = models.CharField(max_length=100, editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    description_html = models.TextField(editable=False, blank=True, default="")
    # Moved only with F() (services.subscription_*).
    subscribers_count = models.PositiveIntegerField(default=0, editable=False)
    items: models.ManyToManyField[Item, ChannelItem] = models.ManyToManyField(
        "items.Item", through="ChannelItem", related_name="channels", blank=True
    )

    objects = ChannelQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(kind="personal"), name="channel_one_personal_per_owner"
            ),
            models.CheckConstraint(
                condition=~Q(kind="personal") | Q(owner__isnull=False), name="channel_personal_has_owner"
            ),
            # "Syria" and "SYRIA" are one channel; members' personal channels are named after
            # usernames and may share a name with a topic.
            models.UniqueConstraint(fields=["name_key"], condition=~Q(kind="personal"), name="channel_name_unique"),
        ]
        indexes = [
            models.Index(fields=["-subscribers_count", "name_key"], name="channel_by_subscribers"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "description"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_key", "search_text", "description_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.PERSONAL and self.owner is not None:
            return reverse("accounts:profile", kwargs={"username": self.owner.username})
        return reverse("channels:detail", kwargs={"slug": self.slug})

    def fill_derived(self) -> None:
        self.name_key = normalize_key(self.name)
        self.search_text = normalize_key(f"{self.name}\n{self.description}")
        self.description_html = render_markdown(self.description) if self.description else ""

    def clean(self) -> None:
        # The admin's forms leave name_key out, so the database constraint is checked here
        # with a message instead of failing as an IntegrityError.
        self.fill_derived()
        if self.kind != self.Kind.PERSONAL:
            taken = Channel.objects.filter(name_key=self.name_key).exclude(kind=self.Kind.PERSONAL)
            if self.pk is not None:
                taken = taken.exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError({"name": "A channel with this name already exists: choose another name."})

    @property
    def banner_url(self) -> str:
        if not self.banner:
            return ""
        return reverse("channels:banner", kwargs={"slug": self.slug, "name": self.banner.rsplit("/", 1)[-1]})


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


class Curator(models.Model):
    """A member the owner invited to add and remove items of a topic channel. Only an
    accepted invitation lets them file; a declined one stays so the owner sees the answer."""

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Curator"
        DECLINED = "declined", "Declined"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="curators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="curatorships")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "user"], name="curator_unique"),
            models.CheckConstraint(condition=Q(status__in=["invited", "accepted", "declined"]), name="curator_status"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="curator_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} for {self.channel_id}"


class Subscription(models.Model):
    """A member follows a channel; following a member is following their personal channel."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="subscription_unique")]
        indexes = [models.Index(fields=["channel", "user"], name="subscription_by_channel")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.channel_id}"


class ItemAnnouncement(models.Model):
    """A member was told about a new item through their subscriptions: at most once per
    (member, item), however many of their channels the item lands in and however often the
    fan-out task runs. Kept apart from notifications, which are pruned."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="itemannouncement_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} announced to {self.user_id}"
