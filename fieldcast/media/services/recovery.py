"""Runs that stopped: the reaper (run by the scheduler) queues them again or fails them
after PROCESSING_MAX_ATTEMPTS; the admin's retry starts an asset over."""

from __future__ import annotations

import datetime
import functools
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fieldcast.media.models import MediaAsset, Rendition

from .runs import enqueue_processing, outputs_delete, refresh_item

log = logging.getLogger(__name__)

STOPPED_REPEATEDLY = "Processing stopped repeatedly; an administrator can retry it."


def asset_retry_or_fail(
    *,
    asset_id: int,
    attempt: int | None = None,
    stale_before: datetime.datetime | None = None,
    reason: str = STOPPED_REPEATEDLY,
) -> str | None:
    """A run that stopped (worker killed, unexpected error): queue it again while attempts
    remain, else fail it. Returns "requeued", "failed", or None when the asset was not stuck
    after all (another run owns it, or its heartbeat came back)."""
    with transaction.atomic():
        asset = MediaAsset.objects.select_for_update().filter(pk=asset_id, status=MediaAsset.Status.PROCESSING).first()
        if asset is None or (attempt is not None and asset.attempts != attempt):
            return None
        if stale_before is not None and asset.heartbeat_at is not None and asset.heartbeat_at >= stale_before:
            return None
        if asset.attempts < settings.PROCESSING_MAX_ATTEMPTS:
            asset.status, asset.step, asset.progress, asset.heartbeat_at = MediaAsset.Status.PENDING, "", 0, None
            asset.save(update_fields=["status", "step", "progress", "heartbeat_at"])
            transaction.on_commit(functools.partial(enqueue_processing, asset.pk))
            return "requeued"
        outputs_delete(asset)
        asset.status, asset.failure_reason = MediaAsset.Status.FAILED, reason[:500]
        asset.step, asset.progress, asset.playable, asset.heartbeat_at = "", 0, False, None
        asset.save(update_fields=["status", "failure_reason", "step", "progress", "playable", "heartbeat_at"])
        refresh_item(asset)
        return "failed"


@dataclass
class ReapOutcome:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    enqueued: list[int] = field(default_factory=list)  # pending with no task to run them


# A pending asset older than this with no waiting or running task lost its enqueue.
PENDING_WITHOUT_TASK_S = 10 * 60


def _assets_with_a_task() -> set[int]:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from fieldcast.media.tasks import process_asset

    rows = DBTaskResult.objects.filter(
        task_path=process_asset.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values_list("args_kwargs", flat=True)
    return {row["args"][0] for row in rows if isinstance(row, dict) and row.get("args")}


def _enqueue_orphans(now: datetime.datetime) -> list[int]:
    """Pending assets whose task was lost (a crash between commit and enqueue): queue them."""
    old = now - datetime.timedelta(seconds=PENDING_WITHOUT_TASK_S)
    pending = set(
        MediaAsset.objects.filter(status=MediaAsset.Status.PENDING, created_at__lt=old).values_list("pk", flat=True)
    )
    orphans = sorted(pending - _assets_with_a_task()) if pending else []
    for asset_id in orphans:
        enqueue_processing(asset_id)
    return orphans


def assets_reap_stuck(*, now: datetime.datetime | None = None) -> ReapOutcome:
    """Assets whose run stopped beating (worker killed): queued again, or failed after
    PROCESSING_MAX_ATTEMPTS attempts. (django-tasks-db never takes a running job back.)"""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.PROCESSING_HEARTBEAT_STALE_S)
    stuck = MediaAsset.objects.filter(status=MediaAsset.Status.PROCESSING).filter(
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True, created_at__lt=stale_before)
    )
    outcome = ReapOutcome()
    for asset_id in list(stuck.values_list("pk", flat=True)):
        result = asset_retry_or_fail(asset_id=asset_id, stale_before=stale_before)
        if result == "requeued":
            outcome.requeued.append(asset_id)
        elif result == "failed":
            outcome.failed.append(asset_id)
    outcome.enqueued = _enqueue_orphans(now)
    if outcome.requeued or outcome.failed or outcome.enqueued:
        log.warning(
            "reaper: requeued %s, failed %s, enqueued lost %s", outcome.requeued, outcome.failed, outcome.enqueued
        )
    return outcome


def _beating(asset: MediaAsset) -> bool:
    stale_before = timezone.now() - datetime.timedelta(seconds=settings.PROCESSING_HEARTBEAT_STALE_S)
    return (
        asset.status == MediaAsset.Status.PROCESSING
        and asset.heartbeat_at is not None
        and asset.heartbeat_at >= stale_before
    )


def asset_retry(*, asset_id: int) -> bool:
    """Process an asset again from its original, attempts counted afresh (the admin's
    "Retry processing"). False, and nothing done, while a run is alive: resetting the
    attempts under it would let its writes pass the fence of the run that follows."""
    with transaction.atomic():
        asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
        if _beating(asset):
            return False
        asset.status, asset.attempts, asset.failure_reason = MediaAsset.Status.PENDING, 0, ""
        asset.step, asset.progress, asset.playable, asset.heartbeat_at = "", 0, False, None
        asset.save(
            update_fields=["status", "attempts", "failure_reason", "step", "progress", "playable", "heartbeat_at"]
        )
        Rendition.objects.filter(asset=asset).delete()
        refresh_item(asset)
        transaction.on_commit(functools.partial(enqueue_processing, asset.pk))
    return True
