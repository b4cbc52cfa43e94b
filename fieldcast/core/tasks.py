import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


@task(queue_name="default")
def prune_task_results() -> int:
    """Delete finished task results older than TASK_RESULTS_KEEP_DAYS (successful and failed;
    waiting and running ones stay): the task table stays small enough for /metrics and
    `fieldcast_status` to read it cheaply."""
    before = timezone.now() - datetime.timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    deleted, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=before
    ).delete()
    return deleted
