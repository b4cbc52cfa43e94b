from django_tasks import task

from .extract import item_places_extract


@task(queue_name="default")
def extract_item_places(item_id: int) -> int:
    """Find the places named in an item's title and body (after each save); how many."""
    return len(item_places_extract(item_id=item_id))
