"""The thumbnail an uploader chose: one frame of a video, as the asset's `thumb` rendition.

Cards prefer `thumb` over the automatic `poster` (items.templatetags.items.card_image_url).
The frame comes from the progressive MP4 (the top rung, remuxed: seekable, rotation
already applied) when it exists, else from the original. Rendering again replaces the
file and updates the one `thumb` row: safe to run twice, and by two workers at once.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from django.db import IntegrityError, transaction
from PIL import Image

from fieldcast.media import paths
from fieldcast.media.ffmpeg import FFmpegError, ffmpeg_run
from fieldcast.media.models import MediaAsset, Rendition

logger = logging.getLogger(__name__)

THUMB_PROFILE = "thumb"
THUMB_MAX_WIDTH = 1280
# Seeking to the very last instant finds no frame; stay this far before the end.
END_MARGIN_S = 0.1


class ThumbnailError(Exception):
    """No frame could be taken (no source file yet, or ffmpeg failed)."""


def thumb_name(public_id: str) -> str:
    return f"{paths.asset_dir(public_id)}/thumb.jpg"


def _source_name(asset: MediaAsset) -> str | None:
    """The stored file to take the frame from: the MP4 rendition, else the original."""
    mp4 = asset.renditions.filter(profile="mp4").values_list("path", flat=True).first()
    for name in (mp4, asset.original):
        if name and paths.stored_size(name) > 0:
            return name
    return None


def _frame_args(source: Path, output: Path, time: float) -> list[str]:
    return [
        "-ss", f"{time:.3f}",
        "-i", str(source),
        "-map", "0:v:0",
        "-frames:v", "1",
        "-vf", f"scale='min({THUMB_MAX_WIDTH},iw)':-2",
        "-map_metadata", "-1",
        "-an", "-sn", "-dn",
        "-q:v", "3",
        "-update", "1",
        str(output),
    ]  # fmt: skip


def asset_render_thumbnail(*, asset_id: int, time: float) -> Rendition | None:
    """Render the frame at `time` seconds of the video `asset_id` as its `thumb` rendition
    (assets/<public_id>/thumb.jpg, at most 1280 wide, no metadata). Returns the rendition,
    or None when the asset is gone or is not a video. Raises ThumbnailError."""
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None or asset.kind != MediaAsset.Kind.VIDEO:
        return None
    source = _source_name(asset)
    if source is None:
        raise ThumbnailError(f"asset {asset.public_id} has no video file to take a frame from yet")
    if asset.duration:
        time = min(time, max(asset.duration - END_MARGIN_S, 0.0))
    time = max(time, 0.0)
    name = thumb_name(asset.public_id)
    with tempfile.TemporaryDirectory(prefix="fieldcast-thumb-") as tmp, paths.local_input(source) as local_source:
        frame = Path(tmp) / "thumb.jpg"
        try:
            ffmpeg_run(_frame_args(local_source, frame, time))
            if not _has_content(frame) and time > 0:
                # Past the last frame of a file whose duration was off: take the first one.
                ffmpeg_run(_frame_args(local_source, frame, 0.0))
        except FFmpegError as exc:
            raise ThumbnailError(f"ffmpeg could not take a frame of asset {asset.public_id}: {exc}") from exc
        if not _has_content(frame):
            raise ThumbnailError(f"ffmpeg wrote no frame for asset {asset.public_id} at {time:.3f} s")
        with Image.open(frame) as image:
            width, height = image.size
        size = frame.stat().st_size
        # The previous thumbnail stays in place until the new one is complete.
        with paths.local_output(name) as output:
            partial = output.with_name(f".{output.name}.part")
            shutil.copyfile(frame, partial)
            os.replace(partial, output)
    return _save_rendition(asset, name=name, width=width, height=height, size=size)


def _has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _save_rendition(asset: MediaAsset, *, name: str, width: int, height: int, size: int) -> Rendition:
    values = {"path": name, "content_type": "image/jpeg", "width": width, "height": height, "size": size}
    try:
        with transaction.atomic():
            rendition, _ = Rendition.objects.update_or_create(asset=asset, profile=THUMB_PROFILE, defaults=values)
    except IntegrityError:  # another worker created it between our read and our insert
        Rendition.objects.filter(asset=asset, profile=THUMB_PROFILE).update(**values)
        rendition = Rendition.objects.get(asset=asset, profile=THUMB_PROFILE)
    logger.info("asset %s: thumbnail rendered (%dx%d)", asset.public_id, width, height)
    return rendition
