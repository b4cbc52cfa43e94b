"""Small file jobs: deleting a removed asset's files, rendering a chosen thumbnail frame."""

from __future__ import annotations

from django_tasks import task

from .paths import asset_dir, delete_tree


@task(queue_name="default")
def delete_asset_files(public_id: str) -> None:
    """Delete every file under assets/<public_id>/ (safe to run twice)."""
    delete_tree(asset_dir(public_id))


@task(queue_name="media")
def make_thumbnail(asset_id: int, time: float) -> None:
    """Render the frame at `time` seconds as the asset's `thumb` rendition."""
    from fieldcast.media.services.thumbnails import asset_render_thumbnail

    asset_render_thumbnail(asset_id=asset_id, time=time)
