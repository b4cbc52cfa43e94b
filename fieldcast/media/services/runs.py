"""What every step of the media pipeline shares: the run (one attempt at one asset, whose
writes are fenced on that attempt), renditions, the item's lifecycle, enqueueing."""

from __future__ import annotations

import time
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone

from fieldcast.items.services import item_refresh_lifecycle
from fieldcast.media import paths
from fieldcast.media.models import MediaAsset, Rendition

from . import images

HEARTBEAT_EVERY_S = 10.0
PROGRESS_EVERY_S = 1.0
M3U8 = "application/vnd.apple.mpegurl"


class ProcessingAbandoned(Exception):
    """This run no longer owns the asset (the reaper or an admin handed it to another run)."""


class Run:
    """One attempt at one asset. Writes go through `update`, fenced on the attempt."""

    def __init__(self, asset: MediaAsset) -> None:
        self.asset = asset
        self.attempt = asset.attempts
        self._written = 0.0
        self._percent = -1

    def update(self, **fields: Any) -> None:
        rows = MediaAsset.objects.filter(pk=self.asset.pk, status=MediaAsset.Status.PROCESSING, attempts=self.attempt)
        if not rows.update(**fields):
            raise ProcessingAbandoned(f"asset {self.asset.pk}: attempt {self.attempt} no longer owns it")
        for name, value in fields.items():
            setattr(self.asset, name, value)

    def step(self, name: str) -> None:
        self.update(step=name, progress=0, heartbeat_at=timezone.now())
        self._written, self._percent = time.monotonic(), 0

    def progress(self, percent: float) -> None:
        """Record progress about once a second when it moves, and a heartbeat every 10 s regardless."""
        now = time.monotonic()
        value = max(0, min(100, int(percent)))
        moved = value != self._percent and now - self._written >= PROGRESS_EVERY_S
        if moved or now - self._written >= HEARTBEAT_EVERY_S:
            self.update(progress=value, heartbeat_at=timezone.now())
            self._written, self._percent = now, value


def enqueue_processing(asset_id: int) -> None:
    from fieldcast.media.tasks import process_asset  # the tasks module imports this one

    process_asset.enqueue(asset_id)


def refresh_item(asset: MediaAsset) -> None:
    # Read again: the uploader may attach the file to an item while it is being processed.
    item_id = MediaAsset.objects.filter(pk=asset.pk).values_list("item_id", flat=True).first()
    if item_id is not None:
        item_refresh_lifecycle(item_id=item_id)


def rendition_save(asset: MediaAsset, profile: str, name: str, content_type: str, **fields: int | None) -> Rendition:
    rendition, _ = Rendition.objects.update_or_create(
        asset=asset, profile=profile, defaults={"path": name, "content_type": content_type, **fields}
    )
    return rendition


def outputs_delete(asset: MediaAsset) -> None:
    """Everything made from the original (never the original itself)."""
    Rendition.objects.filter(asset=asset).delete()
    pid = asset.public_id
    paths.delete_tree(paths.hls_dir(pid))
    for name in (paths.video_mp4(pid), paths.poster(pid), paths.sprite(pid), paths.sprite_vtt(pid)):
        default_storage.delete(name)
    for size in images.SIZES:
        default_storage.delete(paths.image(pid, size))


# --- entry points -----------------------------------------------------------------------------
