"""Poster frame and scrubbing sprite of a video, from what the pipeline made.

They are decoded in-process with PyAV from our own outputs (upright, a keyframe every 2 s)
and written with Pillow, which adds no metadata: the poster from the progressive MP4 (one
seek, top-rung size), the sprite from the lowest HLS rung, keyframes only (skip_frame NONKEY).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import av.error
from PIL import Image

from .ladder import KEYFRAME_SECONDS

JPEG_QUALITY = 85
SPRITE_TILE_WIDTH = 160
SPRITE_COLUMNS = 10
SPRITE_MAX_TILES = 100  # 10 x 10
_TILE_FILTER = Image.Resampling.BILINEAR


class PreviewError(Exception):
    """The MP4 we made could not be read back."""


def poster_time(duration: float) -> float:
    """About 10% into the video, at least 1 s in, never past the middle."""
    return min(max(1.0, duration * 0.1), duration / 2)


def _frame_at(container: Any, stream: Any, seconds: float) -> Any:
    """The first frame at or after `seconds`."""
    container.seek(max(0, int(seconds / stream.time_base)), stream=stream, backward=True)
    chosen = None
    for frame in container.decode(stream):
        chosen = frame
        if frame.time is None or frame.time >= seconds:
            break
    return chosen


def poster_write(video: Path, target: Path, duration: float) -> tuple[int, int]:
    """A JPEG of the frame at poster_time(duration); returns its size."""
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            frame = _frame_at(container, stream, poster_time(duration))
            if frame is None:
                container.seek(0)
                frame = next(container.decode(stream), None)
            if frame is None:
                raise PreviewError(f"no frame in {video.name}")
            image = frame.to_image()
    except av.error.FFmpegError as exc:
        raise PreviewError(str(exc)) from exc
    image.save(target, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return image.size


@dataclass
class Sprite:
    columns: int
    rows: int
    tile_width: int
    tile_height: int
    interval: float  # seconds between thumbnails
    count: int


def sprite_plan(duration: float, width: int, height: int) -> Sprite:
    """One thumbnail per `interval` seconds (a multiple of the keyframe spacing), 100 at most."""
    count = max(1, min(SPRITE_MAX_TILES, math.ceil(duration / KEYFRAME_SECONDS)))
    interval = KEYFRAME_SECONDS * max(1, math.ceil(duration / count / KEYFRAME_SECONDS))
    count = max(1, min(SPRITE_MAX_TILES, math.ceil(duration / interval)))
    tile_height = max(2, round(SPRITE_TILE_WIDTH * height / width / 2) * 2)
    columns = min(SPRITE_COLUMNS, count)
    return Sprite(columns, math.ceil(count / columns), SPRITE_TILE_WIDTH, tile_height, float(interval), count)


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def sprite_vtt(plan: Sprite, duration: float, sheet_name: str) -> str:
    """WebVTT cues pointing at the tiles (`sheet_name#xywh=x,y,w,h`, relative to the VTT)."""
    lines = ["WEBVTT", ""]
    for i in range(plan.count):
        start = i * plan.interval
        end = min(duration, start + plan.interval)
        if end <= start:
            break
        x, y = (i % plan.columns) * plan.tile_width, (i // plan.columns) * plan.tile_height
        lines += [
            f"{_timestamp(start)} --> {_timestamp(end)}",
            f"{sheet_name}#xywh={x},{y},{plan.tile_width},{plan.tile_height}",
            "",
        ]
    return "\n".join(lines)


def sprite_write(
    video: Path, sheet: Path, vtt: Path, duration: float, on_progress: Callable[[float], None] | None = None
) -> Sprite:
    """The sprite sheet (JPEG) and its WebVTT index, from the keyframes of `video` (the
    lowest HLS rung: the tiles are small, so the smallest pictures decode fastest). It is read
    in order rather than by seeking: the HLS reader seeks by whole segments only."""
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            plan = sprite_plan(duration, stream.codec_context.width, stream.codec_context.height)
            canvas = Image.new("RGB", (plan.columns * plan.tile_width, plan.rows * plan.tile_height))
            start, tile_no = None, 0
            for frame in container.decode(stream):
                if frame.time is None:
                    continue
                start = frame.time if start is None else start
                # Each tile shows the first keyframe at (or just before) its time.
                tile = None
                while tile_no < plan.count and frame.time - start + 0.1 >= tile_no * plan.interval:
                    tile = tile or frame.to_image().resize((plan.tile_width, plan.tile_height), _TILE_FILTER)
                    x, y = (tile_no % plan.columns) * plan.tile_width, (tile_no // plan.columns) * plan.tile_height
                    canvas.paste(tile, (x, y))
                    tile_no += 1
                if on_progress is not None:
                    on_progress(tile_no / plan.count * 100)
                if tile_no >= plan.count:
                    break
    except av.error.FFmpegError as exc:
        raise PreviewError(str(exc)) from exc
    canvas.save(sheet, "JPEG", quality=75, optimize=True)
    vtt.write_text(sprite_vtt(plan, duration, sheet.name))
    return plan
