from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from fieldcast.core.ids import new_public_id
from fieldcast.core.text import normalize_key

from .querysets import LISTED, ItemQuerySet


class Tag(models.Model):
    """A free tag. `key` (NFKC + casefold) deduplicates "Qalamoun" and "QALAMOUN"."""

    name = models.CharField(max_length=50)
    key = models.CharField(max_length=50, unique=True, editable=False)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.key = normalize_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("items:tag", kwargs={"key": self.key})


class Rating(models.TextChoices):
    GA = "GA", "GA: general audiences"
    PG = "PG", "PG: mild violence or distress"
    MA = "MA", "MA: heavy violence, gore, strong language or sexuality"


class Lifecycle(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: listed everywhere"
    UNLISTED = "unlisted", "Unlisted: only people with the link"
    PRIVATE = "private", "Private: only you and staff"


class Moderation(models.TextChoices):
    OK = "ok", "OK"
    HELD = "held", "Held for review"
    REMOVED = "removed", "Removed"
    DISABLED = "disabled", "Disabled (copyright notice pending)"


class CommentsMode(models.TextChoices):
    OPEN = "open", "Any member may comment"
    ESTABLISHED = "established", "Only members registered for some days (no risky commenters)"
    OFF = "off", "Comments off"


class ContentFlag(models.TextChoices):
    GRAPHIC_VIOLENCE = "graphic_violence", "Graphic violence"
    DEATH_INJURY = "death_injury", "Death or injury"
    SEXUAL = "sexual", "Sexual content"
    LANGUAGE = "language", "Strong language"


class DatePrecision(models.TextChoices):
    DAY = "day", "Exact day"
    MONTH = "month", "Month only"
    YEAR = "year", "Year only"
    UNKNOWN = "unknown", "Unknown"


COUNTER_FIELDS = (
    "plays_count",
    "embed_plays_count",
    "views_count",
    "comments_count",
    "vote_score",
    "favorites_count",
    "shares_count",
    "updates_count",
    "channels_count",
)


class Item(models.Model):
    """A post: footage (added by the media pipeline) with the article that explains it."""

    public_id = models.CharField(max_length=10, unique=True, default=new_public_id, editable=False)
    slug = models.SlugField(max_length=80, allow_unicode=True, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=50_000, blank=True, help_text="Markdown")
    body_html = models.TextField(blank=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="items")

    lifecycle = models.CharField(max_length=12, choices=Lifecycle.choices, default=Lifecycle.DRAFT)
    failure_reason = models.CharField(max_length=500, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    moderation = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.OK)
    moderation_reason = models.CharField(
        max_length=500, blank=True, help_text="Shown publicly when the item is removed or held."
    )
    rating = models.CharField(max_length=2, choices=Rating.choices)

    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    occurred_on = models.DateField(null=True, blank=True)
    occurred_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN)
    occurred_time = models.TimeField(null=True, blank=True)
    occurred_tz = models.CharField(max_length=64, blank=True, help_text="IANA time zone name")

    source = models.CharField(max_length=500, blank=True, help_text="Who filmed it, where it was first published.")
    place = models.ForeignKey("geo.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    location_label = models.CharField(max_length=200, blank=True, help_text="The place as typed.")
    pin_latitude = models.FloatField(null=True, blank=True, help_text="A pin the uploader dropped on the map.")
    pin_longitude = models.FloatField(null=True, blank=True)
    tags: models.ManyToManyField[Tag, ItemTag] = models.ManyToManyField(
        Tag, through="ItemTag", related_name="items", blank=True
    )
    update_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="updates",
        help_text="The earlier item this one follows up.",
    )

    content_flags = models.JSONField(
        default=list, blank=True, help_text="ContentFlag values the uploader (or a moderator) ticked."
    )
    content_warning = models.CharField(
        max_length=200, blank=True, help_text="One line shown before MA content, written by the uploader."
    )

    comments_mode = models.CharField(max_length=12, choices=CommentsMode.choices, default=CommentsMode.OPEN)
    comments_min_days = models.PositiveSmallIntegerField(
        default=7, help_text="With 'established' comments: how many days a member must have been registered."
    )
    comments_locked = models.BooleanField(default=False, help_text="Locked by a moderator: nobody may comment.")

    embeddable = models.BooleanField(default=True, help_text="Other sites may embed the player.")
    thumbnail_asset = models.ForeignKey(
        "media.MediaAsset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The video or image the item's thumbnail comes from.",
    )
    thumbnail_time = models.FloatField(null=True, blank=True, help_text="Seconds into the video, for a frame.")

    # Denormalised counters: only ever moved with F() expressions (counters.py).
    plays_count = models.PositiveBigIntegerField(default=0)
    embed_plays_count = models.PositiveBigIntegerField(default=0)
    views_count = models.PositiveBigIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    vote_score = models.IntegerField(default=0)
    favorites_count = models.PositiveIntegerField(default=0)
    shares_count = models.PositiveIntegerField(default=0)
    updates_count = models.PositiveIntegerField(default=0)
    channels_count = models.PositiveIntegerField(default=0)

    objects = ItemQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rating__in=Rating.values), name="item_rating_valid"),
            models.CheckConstraint(condition=Q(lifecycle__in=Lifecycle.values), name="item_lifecycle_valid"),
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="item_visibility_valid"),
            models.CheckConstraint(condition=Q(moderation__in=Moderation.values), name="item_moderation_valid"),
            models.CheckConstraint(
                condition=Q(occurred_precision=DatePrecision.UNKNOWN, occurred_on__isnull=True)
                | (~Q(occurred_precision=DatePrecision.UNKNOWN) & Q(occurred_on__isnull=False)),
                name="item_occurred_on_matches_precision",
            ),
            models.CheckConstraint(condition=~Q(update_of=models.F("id")), name="item_not_update_of_itself"),
        ]
        indexes = [
            models.Index(
                fields=["-added_at", "-id"],
                name="item_listed_recent",
                condition=LISTED,
            ),
            models.Index(fields=["author", "-added_at"], name="item_author_recent"),
            # The other orders of listed items (/top, /discussed, search sorted by plays): a
            # page is an index range scan whatever the number of matches.
            models.Index(F("vote_score").desc(), F("id").desc(), name="item_listed_votes", condition=LISTED),
            models.Index(F("comments_count").desc(), F("id").desc(), name="item_listed_comments", condition=LISTED),
            models.Index(
                F("plays_count").desc(),
                F("added_at").desc(),
                F("id").desc(),
                name="item_listed_plays",
                condition=LISTED,
            ),
            # ...and by occurred-on date, newest first with undated items last: on PostgreSQL
            # only (SQLite cannot index NULLS LAST), made by migration 0006 outside this list.
            # Pins in a map's box (discovery.maps.in_bbox): few items have one.
            models.Index(
                fields=["pin_latitude", "pin_longitude"],
                name="item_pinned",
                condition=Q(pin_latitude__isnull=False, pin_longitude__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.slug:
            return reverse("items:detail", kwargs={"public_id": self.public_id, "slug": self.slug})
        return reverse("items:detail_short", kwargs={"public_id": self.public_id})

    @property
    def is_listed(self) -> bool:
        return (
            self.lifecycle == Lifecycle.READY
            and self.visibility == Visibility.PUBLIC
            and self.moderation == Moderation.OK
        )


class ItemTag(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="item_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "tag"], name="itemtag_unique")]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.item_id}"
