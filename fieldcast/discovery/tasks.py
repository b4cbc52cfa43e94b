"""Discovery's periodic work (scheduled in fieldcast.core.scheduler.JOBS)."""

from __future__ import annotations

from django_tasks import task

from .trending import trending_recompute


@task(queue_name="default")
def recompute_trending() -> int:
    """'Popular now': every item's decayed score, written into TrendingScore."""
    return trending_recompute()
