"""Counting plays, views and shares: deduplication and hourly statistics.

The item's own counters (Item.plays_count and friends) are the totals shown on
pages; these tables decide whether an event counts and keep the history behind
the stats panel.
"""

from __future__ import annotations

from django.db import models


class EventKind(models.TextChoices):
    PLAY = "play", "Play"
    VIEW = "view", "View"
    SHARE = "share", "Share"


class CountedEvent(models.Model):
    """One counted event per viewer, item, kind and dedup window: the unique
    constraint is what makes a repeated event a no-op, under any concurrency."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5, choices=EventKind.choices)
    viewer_key = models.CharField(max_length=64, help_text="u:<id>, c:<cookie id> or h:<salted hash>")
    window = models.PositiveBigIntegerField(help_text="Start of the dedup window, in seconds since the epoch.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "viewer_key", "window"], name="countedevent_once"),
        ]
        indexes = [models.Index(fields=["window"], name="countedevent_window")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.item_id} by {self.viewer_key}"


class HourlyStat(models.Model):
    """Counted events per item per hour: plays (and embed plays), views, shares."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="hourly_stats")
    hour = models.DateTimeField(help_text="The hour's start (UTC).")
    plays = models.PositiveIntegerField(default=0)
    embed_plays = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "hour"], name="hourlystat_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.hour:%Y-%m-%d %H}:00"


class EmbedHost(models.Model):
    """Embed plays per embedding site (from document.referrer inside the iframe)."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="embed_hosts")
    host = models.CharField(max_length=255)
    plays = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "host"], name="embedhost_unique")]

    def __str__(self) -> str:
        return f"{self.host}: {self.plays}"
