from django_tasks import task

from .subscriptions import item_announce_to_subscribers


@task(queue_name="default")
def announce_item(item_id: int) -> int:
    """Notify the subscribers of a new item's channels and author (safe to run twice)."""
    return item_announce_to_subscribers(item_id=item_id)
