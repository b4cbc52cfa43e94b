"""Small file jobs: deleting a removed asset's files, rendering a chosen thumbnail frame."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.core.files.storage import default_storage
from django_tasks import task

from .access import asset_dir

logger = logging.getLogger(__name__)


@task(queue_name="default")
def delete_asset_files(public_id: str) -> None:
    """Delete every file under assets/<public_id>/ (safe to run twice)."""
    folder = asset_dir(public_id)
    try:
        local = Path(default_storage.path(folder))
    except NotImplementedError:  # object storage: delete by listing
        _delete_tree(folder)
        return
    shutil.rmtree(local, ignore_errors=True)


def _delete_tree(folder: str) -> None:
    dirs, files = default_storage.listdir(folder)
    for name in files:
        default_storage.delete(f"{folder}/{name}")
    for name in dirs:
        _delete_tree(f"{folder}/{name}")


@task(queue_name="media")
def make_thumbnail(asset_id: int, time: float) -> None:
    """Render the frame at `time` seconds as the asset's `thumb` rendition."""
    from fieldcast.media.services.thumbnails import asset_render_thumbnail

    asset_render_thumbnail(asset_id=asset_id, time=time)
