"""Discovery: what the periodic jobs compute for lists (trending) and search."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class TrendingScore(models.Model):
    """An item's time-decayed popularity, recomputed by a scheduler job (never per request).
    Rows exist only for items with activity in the last 7 days."""

    item = models.OneToOneField("items.Item", on_delete=models.CASCADE, related_name="trending", primary_key=True)
    score_24h = models.FloatField(default=0, help_text="Decayed score from the last 24 hours of activity.")
    score_7d = models.FloatField(default=0, help_text="Decayed score from the last 7 days of activity.")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["-score_24h"], name="trending_24h"),
            models.Index(fields=["-score_7d"], name="trending_7d"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.score_24h:.2f} / {self.score_7d:.2f}"
