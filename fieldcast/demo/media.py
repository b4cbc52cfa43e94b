"""Real media for the demo items: a short generated video each (ffmpeg's testsrc2 picture and
a sine tone, coloured and pitched per item), and for a few items a generated picture after it.

The files go through the same path as a member's upload: a finished tus upload (an Upload row
and its `<uuid>.part` file under MEDIA_UPLOAD_DIR), a pending MediaAsset attached to the item,
then the pipeline (`asset_process`): ingest, probe, HLS ladder, MP4, poster, sprite, images.
`demo_media_generate` does all of it for one item; load_demo enqueues it (tasks.py) once per
item that has no media yet, and the media worker runs it while the site is up.
"""

from __future__ import annotations

import colorsys
import contextlib
import datetime
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from PIL import Image, ImageDraw

from fieldcast.items.models import Item
from fieldcast.media.ffmpeg import ffmpeg_run
from fieldcast.media.models import MediaAsset, Upload
from fieldcast.media.services.attach import item_attach_assets
from fieldcast.media.services.processing import asset_process

log = logging.getLogger(__name__)

TASK_PATH = "fieldcast.demo.tasks.generate_demo_media"
PENDING_STATUSES = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
IMAGE_SIZE = (1280, 720)


@dataclass(frozen=True)
class ClipPlan:
    """What one demo item's generated video looks and sounds like."""

    width: int
    height: int
    fps: int
    seconds: int
    hue: int  # degrees the testsrc2 colours are turned by
    frequency: int  # Hz of the tone


def clip_plan(variant: int) -> ClipPlan:
    """Every 6th item (0, 6, 12, ...) is 720p, so its ladder has four rungs; the others are
    360p (two rungs). 6 to 10 seconds, a different colour and tone per item."""
    big = variant % 6 == 0
    return ClipPlan(
        width=1280 if big else 640,
        height=720 if big else 360,
        fps=25,
        seconds=6 + variant % 5,
        hue=(variant * 47) % 360,
        frequency=220 + (variant * 55) % 660,
    )


def has_image(variant: int) -> bool:
    """Three of the demo items (variants 3, 15, 27) show a picture after their video."""
    return variant % 12 == 3


def clip_args(plan: ClipPlan, target: Path, *, title: str) -> list[str]:
    """ffmpeg arguments (after ffmpeg_command's prefix) that write the clip to `target` as MP4.
    The title goes into the file's metadata: two items never have the same bytes."""
    size, seconds = f"{plan.width}x{plan.height}", plan.seconds
    return [
        "-f", "lavfi", "-i", f"testsrc2=s={size}:r={plan.fps}:d={seconds}",
        "-f", "lavfi", "-i", f"sine=f={plan.frequency}:sample_rate=48000:d={seconds}",
        "-vf", f"hue=h={plan.hue}",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p", "-g", str(plan.fps * 2),
        "-c:a", "aac", "-b:a", "96k",
        "-shortest",
        "-metadata", f"title={title}",
        "-f", "mp4", str(target),
    ]  # fmt: skip


def clip_write(target: Path, variant: int, *, title: str) -> None:
    ffmpeg_run(clip_args(clip_plan(variant), target, title=title))


def image_write(target: Path, variant: int) -> None:
    """A simple picture in the item's colour: a sky, a ground, a sun and a few houses, as JPEG."""
    width, height = IMAGE_SIZE
    hue = (variant * 47) % 360

    def colour(shift: int, saturation: float, value: float) -> tuple[int, int, int]:
        r, g, b = colorsys.hsv_to_rgb((hue + shift) % 360 / 360, saturation, value)
        return round(r * 255), round(g * 255), round(b * 255)

    picture = Image.new("RGB", (width, height), colour(0, 0.35, 0.92))
    draw = ImageDraw.Draw(picture)
    horizon = height * 3 // 5
    draw.rectangle((0, horizon, width, height), fill=colour(150, 0.55, 0.47))
    draw.ellipse((width - 300, 60, width - 140, 220), fill=colour(60, 0.8, 0.98))
    for n in range(5):
        left = 80 + n * 220 + (variant * 13 + n * 37) % 60
        top = horizon - 120 - (variant + n * 29) % 100
        wall = colour(200 + n * 30, 0.47, 0.7)
        draw.rectangle((left, top, left + 150, horizon + 40), fill=wall, outline=(40, 40, 40))
        draw.polygon([(left - 15, top), (left + 75, top - 70), (left + 165, top)], fill=colour(20 + n * 20, 0.7, 0.6))
        for w in range(2):
            x = left + 25 + w * 65
            draw.rectangle((x, top + 30, x + 40, top + 70), fill=(250, 240, 200), outline=(40, 40, 40))
    draw.text((24, height - 40), f"Fieldcast demo picture {variant}", fill=(255, 255, 255))
    picture.save(target, "JPEG", quality=88)


# --- uploads and assets, as the tus server leaves them -----------------------------------------


def _partial_write(write: Callable[[Path], None]) -> tuple[str, int]:
    """Write a file with `write(path)` as a new `<uuid>.part` under MEDIA_UPLOAD_DIR; return
    its name (relative to that folder) and size. Nothing is left behind when writing fails."""
    directory = Path(settings.MEDIA_UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4()}.part"
    path = directory / name
    try:
        write(path)
        return name, path.stat().st_size
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def finished_upload_asset(*, owner_id: int, partial: str, size: int, filename: str) -> MediaAsset:
    """An Upload whose last byte has arrived (the partial file is already in MEDIA_UPLOAD_DIR)
    and its pending asset: what services/uploads.py records on a tus upload's final byte."""
    now = timezone.now()
    upload = Upload.objects.create(
        owner_id=owner_id,
        length=size,
        offset=size,
        filename=filename,
        filetype="",
        path=partial,
        expires_at=now + datetime.timedelta(hours=settings.UPLOAD_EXPIRE_HOURS),
        completed_at=now,
    )
    return MediaAsset.objects.create(
        owner_id=owner_id, upload=upload, original_name=filename, size=size, status=MediaAsset.Status.PENDING
    )


def _attach_file(item_id: int, partial: str, size: int, filename: str, *, first: bool) -> int | None:
    """Record the upload and its asset and attach it to the item; the asset's id, or None
    (and the partial file deleted) when the item or its author is gone (an upload needs an
    owner) or, for its first file, the item has media already (a second run of the task)."""
    with transaction.atomic():
        item = Item.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.author_id is None or (first and MediaAsset.objects.filter(item_id=item_id).exists()):
            (Path(settings.MEDIA_UPLOAD_DIR) / partial).unlink(missing_ok=True)
            return None
        asset = finished_upload_asset(owner_id=item.author_id, partial=partial, size=size, filename=filename)
        item_attach_assets(item=item, assets=[asset])
        return asset.pk


# --- the task's work ---------------------------------------------------------------------------


def demo_media_generate(*, item_id: int, variant: int) -> list[str]:
    """Give a demo item its generated video (and for a few items a picture after it), processed
    here and now. Does nothing when the item has media already. Returns the new assets' public ids.

    The item is `processing` (out of the lists) only while its own files are processed; its
    visibility and moderation are left as they are, and its `updated_at` (set by the loader to
    when it was posted) is put back afterwards."""
    item = Item.objects.filter(pk=item_id).only("slug", "updated_at").first()
    if item is None or MediaAsset.objects.filter(item_id=item_id).exists():
        return []
    slug = item.slug or f"item-{item_id}"
    files: list[tuple[str, Callable[[Path], None]]] = [
        (f"demo-{slug}.mp4", lambda path: clip_write(path, variant, title=f"Fieldcast demo: {slug}")),
    ]
    if has_image(variant):
        files.append((f"demo-{slug}.jpg", lambda path: image_write(path, variant)))

    made: list[str] = []
    for n, (filename, write) in enumerate(files):
        partial, size = _partial_write(write)
        asset_id = _attach_file(item_id, partial, size, filename, first=n == 0)
        if asset_id is None:
            break
        asset_process(asset_id=asset_id)
        made.extend(MediaAsset.objects.filter(pk=asset_id).values_list("public_id", flat=True))
    if made:
        Item.objects.filter(pk=item_id).update(updated_at=item.updated_at)
    return made


def items_queued_for_media() -> set[int]:
    """Ids of the items whose generate task is waiting or running."""
    queued: set[int] = set()
    rows = DBTaskResult.objects.filter(task_path=TASK_PATH, status__in=PENDING_STATUSES)
    for args_kwargs in rows.values_list("args_kwargs", flat=True):
        with contextlib.suppress(AttributeError, IndexError, KeyError, TypeError, ValueError):
            kwargs, args = args_kwargs.get("kwargs") or {}, args_kwargs.get("args") or []
            queued.add(int(kwargs["item_id"] if "item_id" in kwargs else args[0]))
    return queued


def items_needing_media(items: Sequence[tuple[Item, int]]) -> list[tuple[int, int]]:
    """(item id, variant) of the given (item, variant) pairs that have no media and no
    generate task waiting or running."""
    ids = [item.pk for item, _ in items]
    with_media = set(MediaAsset.objects.filter(item_id__in=ids).values_list("item_id", flat=True).distinct())
    skip = with_media | items_queued_for_media()
    return [(item.pk, variant) for item, variant in items if item.pk not in skip]


def demo_media_enqueue(pending: Sequence[tuple[int, int]]) -> None:
    """Enqueue one generate task per (item id, variant) once the current transaction commits."""
    from fieldcast.demo.tasks import generate_demo_media  # the tasks module imports this one

    def enqueue() -> None:
        with transaction.atomic():
            for item_id, variant in pending:
                generate_demo_media.enqueue(item_id=item_id, variant=variant)

    if pending:
        transaction.on_commit(enqueue)
