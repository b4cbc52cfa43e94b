from django_tasks import task

from .services_social import update_notify_favoriters


@task(queue_name="default")
def notify_update_favoriters(update_id: int) -> int:
    """Fan a new follow-up out to the members who favorited its original."""
    return update_notify_favoriters(update_id=update_id)
