from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from fieldcast.items.models import Item

from .models import EmbedHost, HourlyStat

STATS_DAYS = 14


@dataclass(frozen=True)
class DayStat:
    day: datetime.date
    plays: int
    views: int

    @property
    def bar(self) -> int:
        return self.plays


@dataclass(frozen=True)
class ItemStats:
    days: list[DayStat]
    embed_share: float | None  # fraction of plays that happened in embeds
    hosts: list[EmbedHost]

    @property
    def peak(self) -> int:
        return max([d.plays for d in self.days] + [1])


def item_stats(item: Item, *, now: datetime.datetime | None = None) -> ItemStats:
    """Plays and views per day (last STATS_DAYS days), embed share, top embedding sites."""
    now = now or timezone.now()
    since = (now - datetime.timedelta(days=STATS_DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        HourlyStat.objects.filter(item=item, hour__gte=since)
        .annotate(day=TruncDate("hour", tzinfo=datetime.UTC))
        .values("day")
        .annotate(plays=Sum("plays"), views=Sum("views"))
    )
    by_day = {row["day"]: row for row in rows}
    days = []
    for offset in range(STATS_DAYS):
        day = since.date() + datetime.timedelta(days=offset)
        row = by_day.get(day, {})
        days.append(DayStat(day=day, plays=row.get("plays") or 0, views=row.get("views") or 0))
    share = item.embed_plays_count / item.plays_count if item.plays_count else None
    hosts = list(EmbedHost.objects.filter(item=item).order_by("-plays", "host")[:5])
    return ItemStats(days=days, embed_share=share, hosts=hosts)
