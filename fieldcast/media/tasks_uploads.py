"""Background work of the upload side (the processing pipeline's tasks are in tasks.py)."""

from __future__ import annotations

from django_tasks import task

from fieldcast.media.services.uploads import uploads_expire


@task(queue_name="default")
def expire_uploads() -> int:
    """Delete abandoned uploads (run by the scheduler every 15 minutes); returns how many went."""
    return uploads_expire()
