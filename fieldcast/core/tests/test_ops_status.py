"""`manage.py fieldcast_status`: queues, running and failed tasks, assets with the stuck ones,
the counter buffer; as a table and as JSON. And the pruning that keeps the task table small."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fieldcast.core.tasks import prune_task_results
from fieldcast.core.testing.factories import ItemFactory, attach_video_rows
from fieldcast.media.models import MediaAsset
from fieldcast.player.tasks import flush_counters

pytestmark = pytest.mark.django_db


def ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def busy_site(settings):
    settings.COUNTER_BUFFER = "database"
    flush_counters.enqueue()
    waiting = flush_counters.enqueue()
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=ago(minutes=5))
    running = prune_task_results.enqueue()
    DBTaskResult.objects.filter(pk=running.id).update(
        status=TaskResultStatus.RUNNING, started_at=ago(hours=2), worker_ids=["worker-a"]
    )
    failed = flush_counters.enqueue()
    DBTaskResult.objects.filter(pk=failed.id).update(
        status=TaskResultStatus.FAILED,
        started_at=ago(minutes=3),
        finished_at=ago(minutes=2),
        exception_class_path="redis.exceptions.ConnectionError",
    )
    old_failure = flush_counters.enqueue()
    DBTaskResult.objects.filter(pk=old_failure.id).update(status=TaskResultStatus.FAILED, finished_at=ago(days=2))

    item = ItemFactory()
    ready = attach_video_rows(item)
    stopped = attach_video_rows(item, position=1)
    MediaAsset.objects.filter(pk=stopped.pk).update(
        status="processing", step="transcode", attempts=1, heartbeat_at=ago(minutes=10)
    )
    beating = attach_video_rows(item, position=2)
    MediaAsset.objects.filter(pk=beating.pk).update(status="processing", heartbeat_at=timezone.now())
    orphan = attach_video_rows(item, position=3)
    MediaAsset.objects.filter(pk=orphan.pk).update(status="pending", created_at=ago(minutes=30))
    return {"running": running, "failed": failed, "ready": ready, "stopped": stopped, "orphan": orphan}


def test_json_report(busy_site):
    out = io.StringIO()
    call_command("fieldcast_status", "--json", stdout=out)
    report = json.loads(out.getvalue())

    queues = {q["queue"]: q for q in report["queues"]}
    assert queues["default"]["waiting"] == 2
    assert 290 <= queues["default"]["oldest_waiting_s"] < 400
    assert queues["default"]["running"] == 1
    assert queues["default"]["oldest_running_s"] >= 7200
    assert queues["media"] == {
        "queue": "media",
        "waiting": 0,
        "oldest_waiting_s": 0.0,
        "scheduled": 0,
        "running": 0,
        "oldest_running_s": 0.0,
    }
    (running,) = report["running"]
    assert (running["task"], running["worker"]) == ("fieldcast.core.tasks.prune_task_results", "worker-a")

    failed = report["failed"]
    assert failed["total"] == 1  # the one of two days ago is not in the last 24 hours
    assert failed["by_task"] == {"fieldcast.player.tasks.flush_counters": 1}
    assert failed["latest"][0]["error"] == "ConnectionError"

    assert report["assets"] == {"pending": 1, "processing": 2, "ready": 1, "failed": 0}
    stuck = {a["id"]: a for a in report["stuck_assets"]}
    assert set(stuck) == {busy_site["stopped"].pk, busy_site["orphan"].pk}
    assert stuck[busy_site["stopped"].pk]["why"] == "heartbeat stopped"
    assert stuck[busy_site["stopped"].pk]["step"] == "transcode"
    assert stuck[busy_site["orphan"].pk]["why"] == "no task"
    assert report["counters"]["mode"] == "database"


def test_table(busy_site):
    out = io.StringIO()
    call_command("fieldcast_status", stdout=out)
    text = out.getvalue()
    lines = text.splitlines()
    assert any(line.split()[:6] == ["default", "2", "5m00s", "0", "1", "2h00m"] for line in lines), text
    assert "Running tasks (1)" in text
    assert "Failed tasks in the last 24 h: 1" in text
    assert "Stuck assets (2;" in text
    assert busy_site["stopped"].public_id in text
    assert "heartbeat stopped" in text
    assert "COUNTER_BUFFER=database" in text


def test_a_quiet_site(settings):
    settings.COUNTER_BUFFER = "database"
    out = io.StringIO()
    call_command("fieldcast_status", stdout=out)
    assert "Failed tasks in the last 24 h: 0" in out.getvalue()
    assert "Stuck assets (0;" in out.getvalue()


def test_the_redis_buffer_backlog(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the Redis buffer is tested in the PostgreSQL + Redis run")
    from fieldcast.player.services import counting

    settings.COUNTER_BUFFER = "redis"
    redis = counting.redis_client()
    redis.delete(counting.BUFFER_KEY, counting.OLDEST_KEY)
    item = ItemFactory()
    for viewer in ("a", "b", "c"):
        counting.event_count(counting.Event(item.pk, "play", viewer))
    out = io.StringIO()
    call_command("fieldcast_status", "--json", stdout=out)
    counters = json.loads(out.getvalue())["counters"]
    assert (counters["mode"], counters["events"], counters["entries"]) == ("redis", 3, 1)
    counting.counters_flush()


def test_prune_task_results_keeps_recent_and_unfinished_ones(settings):
    settings.TASK_RESULTS_KEEP_DAYS = 7
    old_done = flush_counters.enqueue()
    old_failed = flush_counters.enqueue()
    recent = flush_counters.enqueue()
    waiting = flush_counters.enqueue()
    DBTaskResult.objects.filter(pk=old_done.id).update(status=TaskResultStatus.SUCCESSFUL, finished_at=ago(days=8))
    DBTaskResult.objects.filter(pk=old_failed.id).update(status=TaskResultStatus.FAILED, finished_at=ago(days=8))
    DBTaskResult.objects.filter(pk=recent.id).update(status=TaskResultStatus.SUCCESSFUL, finished_at=ago(days=6))

    assert prune_task_results.call() == 2
    assert {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} == {recent.id, waiting.id}
