"""'Popular now' scores: weights, decay, windows, and the job (idempotent, prunes)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fieldcast.community.models import Comment, Favorite, ItemVote
from fieldcast.core.scheduler import JOBS, job_task
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.discovery.models import TrendingScore
from fieldcast.discovery.tasks import recompute_trending
from fieldcast.discovery.trending import (
    HALF_LIFE_7D_H,
    HALF_LIFE_24H_H,
    WEIGHTS,
    decayed,
    trending_recompute,
    trending_scores,
)
from fieldcast.player.models import HourlyStat

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 12, 30, tzinfo=datetime.UTC)  # hour buckets are 12:00, 11:00...


def hour(hours_ago: int) -> datetime.datetime:
    """The start of the hour bucket whose middle is `hours_ago` hours before NOW."""
    return NOW - datetime.timedelta(hours=hours_ago, minutes=30)


def stat(item, hours_ago: int, **counts) -> None:  # type: ignore[no-untyped-def]
    HourlyStat.objects.create(item=item, hour=hour(hours_ago), **counts)


def test_decay_halves_every_half_life():
    assert decayed(8.0, age=datetime.timedelta(0), half_life_h=6) == 8.0
    assert decayed(8.0, age=datetime.timedelta(hours=6), half_life_h=6) == pytest.approx(4.0)
    assert decayed(8.0, age=datetime.timedelta(hours=12), half_life_h=6) == pytest.approx(2.0)
    assert decayed(8.0, age=datetime.timedelta(hours=-1), half_life_h=6) == 8.0  # clock skew: no bonus


def test_weights_of_each_kind_of_activity():
    item = ItemFactory()
    fan, other = UserFactory(), UserFactory()
    stat(item, 0, plays=10, views=8, shares=1)
    ItemVote.objects.create(item=item, user=fan, value=1, created_at=hour(0))
    ItemVote.objects.filter(item=item).update(updated_at=hour(0))
    Comment.objects.create(item=item, author=other, body="x", body_html="x", created_at=hour(0))
    Favorite.objects.create(item=item, user=fan, created_at=hour(0))
    expected = (
        10 * WEIGHTS["plays"]
        + 8 * WEIGHTS["views"]
        + WEIGHTS["shares"]
        + WEIGHTS["votes"]
        + WEIGHTS["comments"]
        + WEIGHTS["favorites"]
    )
    scores = trending_scores(now=NOW)[item.pk]
    # Every bucket's middle is NOW: no decay at all.
    assert scores.score_24h == pytest.approx(expected)
    assert scores.score_7d == pytest.approx(expected)


def test_down_votes_and_deleted_comments():
    item = ItemFactory()
    stat(item, 0, plays=1)
    for user in (UserFactory(), UserFactory()):
        ItemVote.objects.create(item=item, user=user, value=-1)
    ItemVote.objects.filter(item=item).update(updated_at=hour(0))
    Comment.objects.create(item=item, author=UserFactory(), body="", is_deleted=True, created_at=hour(0))
    scores = trending_scores(now=NOW)[item.pk]
    assert scores.score_24h == pytest.approx(1 * WEIGHTS["plays"] - 2 * WEIGHTS["votes"])


def test_older_activity_counts_less_and_windows_cut_off():
    fresh, day_old, week_old = ItemFactory(), ItemFactory(), ItemFactory()
    stat(fresh, 0, plays=100)
    stat(day_old, 30, plays=100)  # past 24 hours: only in the 7-day score
    stat(week_old, 24 * 8, plays=100)  # past 7 days: nowhere
    scores = trending_scores(now=NOW)
    assert scores[fresh.pk].score_24h == pytest.approx(100)
    assert scores[day_old.pk].score_24h == 0
    assert scores[day_old.pk].score_7d == pytest.approx(100 * 0.5 ** (30 / HALF_LIFE_7D_H))
    assert week_old.pk not in scores
    # Same activity, six hours older: half the 24-hour score.
    six = ItemFactory()
    stat(six, int(HALF_LIFE_24H_H), plays=100)
    assert trending_scores(now=NOW)[six.pk].score_24h == pytest.approx(50)


def test_recent_burst_outranks_older_bigger_one():
    burst, older = ItemFactory(), ItemFactory()
    stat(burst, 1, plays=40)
    stat(older, 20, plays=100)
    scores = trending_scores(now=NOW)
    assert scores[burst.pk].score_24h > scores[older.pk].score_24h
    assert scores[burst.pk].score_7d < scores[older.pk].score_7d  # the week is a slower view


def test_job_is_idempotent_and_deletes_rows_that_fell_to_zero():
    active, gone, hated = ItemFactory(), ItemFactory(), ItemFactory()
    stat(active, 2, plays=5, shares=1)
    stat(gone, 3, plays=7)
    ItemVote.objects.create(item=hated, user=UserFactory(), value=-1)
    ItemVote.objects.filter(item=hated).update(updated_at=hour(1))

    assert trending_recompute(now=NOW) == 2
    first = {row.item_id: (row.score_24h, row.score_7d) for row in TrendingScore.objects.all()}
    assert set(first) == {active.pk, gone.pk}  # a negative score is no score

    assert trending_recompute(now=NOW) == 2
    again = {row.item_id: (row.score_24h, row.score_7d) for row in TrendingScore.objects.all()}
    assert again == first

    HourlyStat.objects.filter(item=gone).delete()
    later = NOW + datetime.timedelta(minutes=10)
    assert trending_recompute(now=later) == 1
    assert list(TrendingScore.objects.values_list("item_id", flat=True)) == [active.pk]
    assert TrendingScore.objects.get().computed_at == later


def test_job_runs_as_a_task_and_is_scheduled_every_ten_minutes():
    item = ItemFactory()
    HourlyStat.objects.create(item=item, hour=timezone.now().replace(minute=0, second=0, microsecond=0), plays=3)
    recompute_trending.call()
    assert TrendingScore.objects.get(item=item).score_24h > 0
    job = next(j for j in JOBS if j.task_path == "fieldcast.discovery.tasks.recompute_trending")
    assert job.every_s == 600
    assert job_task(job) is recompute_trending
