from django_tasks import task

from .services.counting import counted_events_prune, counters_flush


@task(queue_name="default")
def flush_counters() -> int:
    """Move buffered play/view/share counts from Redis into the database."""
    return counters_flush()


@task(queue_name="default")
def prune_counted_events() -> int:
    return counted_events_prune()
