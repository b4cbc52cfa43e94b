""" "Popular now": a time-decayed score per item, recomputed by a scheduler job.

Each counted event is worth a weight, halved for every HALF_LIFE of its age:

    score = sum(weight(kind) * count * 0.5 ** (age_hours / half_life_hours))

over the last 24 hours (`score_24h`, half-life 6 h) and the last 7 days (`score_7d`,
half-life 36 h). Events are read per item and per hour: HourlyStat for plays, views and
shares (kept per hour by the player), and the same hourly buckets (TruncHour) for votes,
comments and favorites; an hour's age is taken from its middle, so the job's cost grows
with the active (item, hour) pairs, not with the number of events.

Weights (what a person did, by how much effort it took): a play 1 (embed plays are plays
already), a page view 0.25, a share 4, a vote 3 (a down vote -3: net, by when it was last
cast), a comment 4, a favorite 3. A score at or below zero is no score: its row is deleted.

The job writes every score in bulk (an upsert on the item) and deletes the rows it did not
write this time (the items with no activity left in 7 days), so running it twice gives the
same table. Lists read TrendingScore only; nothing here runs in a request.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from fieldcast.community.models import Comment, Favorite, ItemVote
from fieldcast.core import pagecache
from fieldcast.items.models import Item
from fieldcast.player.models import HourlyStat

from .models import TrendingScore

if TYPE_CHECKING:
    from fieldcast.items.querysets import ItemQuerySet
    from fieldcast.moderation.viewer import Viewer

WEIGHTS = {
    "plays": 1.0,
    "views": 0.25,
    "shares": 4.0,
    "votes": 3.0,  # times the net vote value (+1 / -1)
    "comments": 4.0,
    "favorites": 3.0,
}
WINDOW_24H = datetime.timedelta(hours=24)
WINDOW_7D = datetime.timedelta(days=7)
HALF_LIFE_24H_H = 6.0
HALF_LIFE_7D_H = 36.0
BATCH = 1000


@dataclass
class Scores:
    score_24h: float = 0.0
    score_7d: float = 0.0


def decayed(weight: float, *, age: datetime.timedelta, half_life_h: float) -> float:
    """One bucket's contribution: `weight` halved for every half-life of its age."""
    hours = max(age.total_seconds(), 0.0) / 3600
    return weight * 0.5 ** (hours / half_life_h)


def _add(
    scores: dict[int, Scores], item_id: int, hour: datetime.datetime, weight: float, now: datetime.datetime
) -> None:
    if not weight:
        return
    age = now - (hour + datetime.timedelta(minutes=30))
    entry = scores[item_id]
    entry.score_7d += decayed(weight, age=age, half_life_h=HALF_LIFE_7D_H)
    if age <= WINDOW_24H:
        entry.score_24h += decayed(weight, age=age, half_life_h=HALF_LIFE_24H_H)


def trending_scores(*, now: datetime.datetime | None = None) -> dict[int, Scores]:
    """Every item's decayed scores from its activity in the last 7 days (4 queries)."""
    now = now or timezone.now()
    since = now - WINDOW_7D
    scores: dict[int, Scores] = defaultdict(Scores)
    stats = HourlyStat.objects.filter(hour__gte=since, hour__lte=now).values_list(
        "item_id", "hour", "plays", "views", "shares"
    )
    for item_id, hour, plays, views, shares in stats.iterator(chunk_size=BATCH):
        weight = plays * WEIGHTS["plays"] + views * WEIGHTS["views"] + shares * WEIGHTS["shares"]
        _add(scores, item_id, hour, weight, now)
    hourly = [
        (ItemVote.objects.filter(updated_at__gte=since, updated_at__lte=now), "updated_at", Sum("value"), "votes"),
        (
            Comment.objects.filter(created_at__gte=since, created_at__lte=now, is_deleted=False),
            "created_at",
            Count("id"),
            "comments",
        ),
        (Favorite.objects.filter(created_at__gte=since, created_at__lte=now), "created_at", Count("id"), "favorites"),
    ]
    for qs, field, measure, kind in hourly:
        rows = (
            qs.annotate(bucket=TruncHour(field))
            .values("item_id", "bucket")
            .annotate(n=measure)
            .values_list("item_id", "bucket", "n")
            .order_by()
        )
        for item_id, bucket, n in rows.iterator(chunk_size=BATCH):
            _add(scores, item_id, bucket, (n or 0) * WEIGHTS[kind], now)
    return dict(scores)


@transaction.atomic
def trending_recompute(*, now: datetime.datetime | None = None) -> int:
    """Write every item's scores into TrendingScore (upsert in bulk), delete the rows of
    items whose score fell to zero; the number of rows kept."""
    now = now or timezone.now()
    scores = trending_scores(now=now)
    rows = [
        TrendingScore(
            item_id=item_id,
            score_24h=round(max(s.score_24h, 0.0), 6),
            score_7d=round(max(s.score_7d, 0.0), 6),
            computed_at=now,
        )
        for item_id, s in scores.items()
        if s.score_7d > 0 or s.score_24h > 0
    ]
    TrendingScore.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["item"],
        update_fields=["score_24h", "score_7d", "computed_at"],
    )
    # What this run did not write has no activity (or no positive score) left.
    TrendingScore.objects.exclude(computed_at=now).delete()
    pagecache.lists_changed()  # "Popular now" on cached guest pages
    return len(rows)


# --- reads ----------------------------------------------------------------------------------

POPULAR_PERIODS = {"24h": "trending__score_24h", "7d": "trending__score_7d"}
POPULAR_SHELF = 6


def popular_queryset(viewer: Viewer, *, period: str = "24h") -> ItemQuerySet:
    """Items this viewer may list with a positive score for `period` ("24h" or "7d"),
    annotated `popularity` (the score) for keyset pagination by ("popularity", "id")."""
    field = POPULAR_PERIODS[period]
    return Item.objects.visible_to(viewer).filter(**{f"{field}__gt": 0}).annotate(popularity=F(field))


def popular_items(viewer: Viewer, *, limit: int = POPULAR_SHELF) -> list[Item]:
    """The home page's "Popular now" shelf: the last 24 hours' top items, then the last 7
    days' when the last day was quiet (3 queries: items, then their thumbnails)."""
    from .related import prefetch_card_images

    items = list(
        Item.objects.visible_to(viewer)
        .for_cards()
        .filter(trending__score_7d__gt=0)
        .order_by("-trending__score_24h", "-trending__score_7d", "-id")[:limit]
    )
    prefetch_card_images(items)
    return items
