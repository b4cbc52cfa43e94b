"""Discovery: what the periodic jobs compute for lists (trending) and search."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
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


class SearchDocument(models.Model):
    """The text an item is found by (discovery.search keeps it in step with the item, its
    tags, channels and place). On PostgreSQL `vector` holds the weighted tsvector (GIN
    index); on SQLite the FTS5 table `discovery_search_fts` mirrors these columns."""

    item = models.OneToOneField("items.Item", on_delete=models.CASCADE, related_name="search_doc", primary_key=True)
    title = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    channels = models.TextField(blank=True)
    places = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The article as plain text (snippets come from it).")
    vector = SearchVectorField(null=True, editable=False)
    indexed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"search document of {self.item_id}"
