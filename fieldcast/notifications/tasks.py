from django_tasks import task

from .digests import digests_send
from .services import notifications_prune


@task(queue_name="default")
def send_digests() -> int:
    """Email the daily and weekly digests that are due (scheduler: hourly)."""
    return digests_send()


@task(queue_name="default")
def prune_notifications() -> int:
    """Delete read notifications older than NOTIFICATIONS_KEEP_DAYS (scheduler: daily)."""
    return notifications_prune()
