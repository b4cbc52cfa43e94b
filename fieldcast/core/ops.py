"""What operators read: the task queues, media processing and the counter buffer.

Shared by `/readyz`, `/metrics` (cluster-wide gauges computed at scrape time, so every web
process answers the same figures whichever worker did the work) and `manage.py
fieldcast_status`. Reads only. The queue figures use django-tasks-db's `DBTaskResult`
table: waiting tasks through its own index on status (partial on PostgreSQL), running and
failed ones through the partial indexes of core's migration 0002; `prune_task_results`
keeps the table to TASK_RESULTS_KEEP_DAYS.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max


def configured_queues() -> list[str]:
    queues: list[str] = []
    for backend in settings.TASKS.values():
        for name in backend.get("QUEUES", ["default"]):
            if name not in queues:
                queues.append(name)
    return queues


@dataclass
class QueueFigures:
    queue: str
    waiting: int = 0  # ready to run now
    oldest_waiting_s: float = 0.0  # how long the oldest of them has waited (0 when none)
    scheduled: int = 0  # ready, but to run later (run_after in the future)
    running: int = 0
    oldest_running_s: float = 0.0


def queue_depths(*, now: datetime.datetime | None = None) -> dict[str, QueueFigures]:
    """Waiting tasks per queue, with the oldest one's age: one query on the waiting rows only."""
    now = now or timezone.now()
    figures = {name: QueueFigures(queue=name) for name in configured_queues()}
    rows = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .values("queue_name")
        .annotate(
            waiting=Count("id", filter=Q(run_after=get_date_max()) | Q(run_after__lte=now)),
            scheduled=Count("id", filter=Q(run_after__gt=now) & ~Q(run_after=get_date_max())),
            oldest=Min("enqueued_at", filter=Q(run_after=get_date_max()) | Q(run_after__lte=now)),
        )
        .order_by()
    )
    for row in rows:
        entry = figures.setdefault(row["queue_name"], QueueFigures(queue=row["queue_name"]))
        entry.waiting, entry.scheduled = row["waiting"], row["scheduled"]
        if row["oldest"] is not None:
            entry.oldest_waiting_s = max(0.0, (now - row["oldest"]).total_seconds())
    return figures


def queue_figures(*, now: datetime.datetime | None = None) -> dict[str, QueueFigures]:
    """queue_depths plus the running tasks per queue (django-tasks-db never takes a running task
    back: one whose worker was killed stays "running", so the oldest one's age tells)."""
    now = now or timezone.now()
    figures = queue_depths(now=now)
    rows = (
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        .values("queue_name")
        .annotate(running=Count("id"), oldest=Min("started_at"))
        .order_by()
    )
    for row in rows:
        entry = figures.setdefault(row["queue_name"], QueueFigures(queue=row["queue_name"]))
        entry.running = row["running"]
        if row["oldest"] is not None:
            entry.oldest_running_s = max(0.0, (now - row["oldest"]).total_seconds())
    return figures


@dataclass
class TaskRow:
    id: str
    task: str
    queue: str
    age_s: float  # running: since it started; failed: since it finished
    worker: str = ""
    error: str = ""


def running_tasks(*, now: datetime.datetime | None = None, limit: int = 50) -> list[TaskRow]:
    now = now or timezone.now()
    rows = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).order_by("started_at")[:limit]
    return [
        TaskRow(
            id=str(row.id),
            task=row.task_path,
            queue=row.queue_name,
            age_s=(now - row.started_at).total_seconds() if row.started_at else 0.0,
            worker=(row.worker_ids or ["?"])[-1],
        )
        for row in rows
    ]


@dataclass
class FailedTasks:
    since_hours: int
    total: int = 0
    by_task: dict[str, int] = field(default_factory=dict)
    latest: list[TaskRow] = field(default_factory=list)


def failed_tasks(*, hours: int = 24, now: datetime.datetime | None = None, limit: int = 10) -> FailedTasks:
    now = now or timezone.now()
    recent = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__gte=now - datetime.timedelta(hours=hours)
    )
    result = FailedTasks(since_hours=hours)
    for row in recent.values("task_path").annotate(n=Count("id")).order_by("-n", "task_path"):
        result.by_task[row["task_path"]] = row["n"]
        result.total += row["n"]
    for task in recent.order_by("-finished_at")[:limit]:
        result.latest.append(
            TaskRow(
                id=str(task.id),
                task=task.task_path,
                queue=task.queue_name,
                age_s=(now - task.finished_at).total_seconds() if task.finished_at else 0.0,
                error=task.exception_class_path.rsplit(".", 1)[-1],
            )
        )
    return result


# --- media processing -------------------------------------------------------------------------


@dataclass
class StuckAsset:
    id: int
    public_id: str
    status: str
    step: str
    attempts: int
    why: str  # "heartbeat stopped" or "no task"
    age_s: float  # since the last heartbeat, or since it was created


def asset_counts() -> dict[str, int]:
    """Assets by processing status (a scan of the assets table: for the command, not /metrics)."""
    from fieldcast.media.models import MediaAsset

    counts = {status.value: 0 for status in MediaAsset.Status}
    for row in MediaAsset.objects.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def stuck_assets(*, now: datetime.datetime | None = None, limit: int = 50) -> list[StuckAsset]:
    """What the reaper (media/services/recovery.py) would act on at its next run: runs whose
    heartbeat is older than PROCESSING_HEARTBEAT_STALE_S, and pending assets older than
    PENDING_WITHOUT_TASK_S with no waiting or running task."""
    from fieldcast.media.models import MediaAsset
    from fieldcast.media.services.recovery import PENDING_WITHOUT_TASK_S, _assets_with_a_task

    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.PROCESSING_HEARTBEAT_STALE_S)
    found: list[StuckAsset] = []
    stopped = MediaAsset.objects.filter(status=MediaAsset.Status.PROCESSING).filter(
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True, created_at__lt=stale_before)
    )
    for asset in stopped.order_by("heartbeat_at")[:limit]:
        since = asset.heartbeat_at or asset.created_at
        found.append(_stuck(asset, "heartbeat stopped", (now - since).total_seconds()))
    old_pending = MediaAsset.objects.filter(
        status=MediaAsset.Status.PENDING, created_at__lt=now - datetime.timedelta(seconds=PENDING_WITHOUT_TASK_S)
    ).order_by("created_at")[:limit]
    pending = list(old_pending)
    if pending:
        with_task = _assets_with_a_task()
        for asset in pending:
            if asset.pk not in with_task:
                found.append(_stuck(asset, "no task", (now - asset.created_at).total_seconds()))
    return found[:limit]


def _stuck(asset: Any, why: str, age_s: float) -> StuckAsset:
    return StuckAsset(
        id=asset.pk,
        public_id=asset.public_id,
        status=asset.status,
        step=asset.step,
        attempts=asset.attempts,
        why=why,
        age_s=age_s,
    )


# --- everything, for the command ---------------------------------------------------------------


def status_report(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The whole picture as plain data (the command prints it as a table or as JSON)."""
    from fieldcast.player.services.counting import counter_buffer_state

    now = now or timezone.now()
    return {
        "time": now.isoformat(),
        "queues": [asdict(q) for q in queue_figures(now=now).values()],
        "running": [asdict(t) for t in running_tasks(now=now)],
        "failed": asdict(failed_tasks(now=now)),
        "assets": asset_counts(),
        "stuck_assets": [asdict(a) for a in stuck_assets(now=now)],
        "counters": asdict(counter_buffer_state(leftovers=True)),
    }
