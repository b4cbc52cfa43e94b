"""The media pipeline: what `process_asset` does to one uploaded file.

Steps (each safe to run again after a crash; renditions are upserted per (asset, profile)):
ingest (the tus partial file → storage, sha256 on the way) → probe and validate → for a
video (services/video.py), one ffmpeg writes the HLS ladder (the asset is playable once every
rung has its first segment) → the progressive MP4 remuxed from the top rung → poster and
sprite; for an image, resized renditions → ready. Stopped runs: services/recovery.py.

One run is one attempt: it claims a pending asset (status → processing, attempts + 1), and
every write it makes afterwards is fenced on (status processing, that attempt), so a run
that the reaper or an admin has given up on stops at its next heartbeat instead of
overwriting its successor.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from fieldcast.media import paths
from fieldcast.media.ffmpeg import FFmpegError
from fieldcast.media.models import MediaAsset
from fieldcast.media.probe import MediaRejected, Probe, probe_file, validate_limits

from . import images, previews
from .recovery import asset_retry_or_fail
from .runs import ProcessingAbandoned, Run, outputs_delete, refresh_item, rendition_save
from .video import video_process

log = logging.getLogger(__name__)

FILE_MISSING = "The uploaded file is missing: upload it again."
CONVERT_FAILED = (
    "We could not convert this video; the file may be damaged. Upload it again, or an administrator can retry it."
)
COPY_CHUNK = 1024 * 1024


def _claim(asset_id: int) -> MediaAsset | None:
    with transaction.atomic():
        asset = MediaAsset.objects.select_for_update(of=("self",)).select_related("upload").filter(pk=asset_id).first()
        if asset is None:
            log.warning("asset %s: gone before processing", asset_id)
            return None
        if asset.status != MediaAsset.Status.PENDING:
            log.info("asset %s: %s, not pending: nothing to do", asset_id, asset.status)
            return None
        asset.status = MediaAsset.Status.PROCESSING
        asset.attempts += 1
        asset.step, asset.progress, asset.failure_reason = "start", 0, ""
        asset.heartbeat_at = timezone.now()
        asset.save(update_fields=["status", "attempts", "step", "progress", "failure_reason", "heartbeat_at"])
        return asset


def asset_process(*, asset_id: int) -> None:
    """Process one pending asset to `ready` or `failed` (with the uploader's reason)."""
    asset = _claim(asset_id)
    if asset is None:
        return
    run = Run(asset)
    try:
        _process(run)
    except ProcessingAbandoned:
        log.warning("asset %s: attempt %s was taken over; stopped", asset_id, run.attempt)
    except MediaRejected as exc:
        _fail(run, exc.reason)
    except (FFmpegError, previews.PreviewError) as exc:
        if isinstance(exc, FFmpegError) and exc.killed_by_signal:
            asset_retry_or_fail(asset_id=asset_id, attempt=run.attempt)
            raise
        log.error("asset %s: could not convert: %s", asset_id, exc)
        _fail(run, CONVERT_FAILED)
    except Exception:
        log.exception("asset %s: processing stopped", asset_id)
        asset_retry_or_fail(asset_id=asset_id, attempt=run.attempt)
        raise


def _fail(run: Run, reason: str) -> None:
    with contextlib.suppress(ProcessingAbandoned):
        outputs_delete(run.asset)
        run.update(status=MediaAsset.Status.FAILED, failure_reason=reason[:500], step="", progress=0, playable=False)
        refresh_item(run.asset)


# --- the steps ----------------------------------------------------------------------------------


def _try_probe(path: Path) -> tuple[Probe | None, MediaRejected | None]:
    try:
        return probe_file(path), None
    except MediaRejected as exc:
        return None, exc


def _hardlink(partial: Path, name: str) -> bool:
    """Make the partial file the stored original without copying, when storage is a local
    folder on the same filesystem. The partial keeps its name until the asset records the
    original, so a crash in between leaves the upload to start from again."""
    local = paths.local_path(name)
    if local is None:
        return False
    local.parent.mkdir(parents=True, exist_ok=True)
    local.unlink(missing_ok=True)
    try:
        os.link(partial, local)
    except OSError:  # another filesystem, or links not allowed: copy instead
        return False
    return True


def _ingest(run: Run, partial: Path, ext: str) -> None:
    """Move the upload into storage as the original, computing its sha256 on the way
    (a hard link and one read on a local disk; else a streaming copy), then drop the partial."""
    name = paths.original_name(run.asset.public_id, ext)
    total = max(1, partial.stat().st_size)
    digest, size = hashlib.sha256(), 0

    def read(src: BinaryIO, dst: BinaryIO | None) -> None:
        nonlocal size
        while chunk := src.read(COPY_CHUNK):
            digest.update(chunk)
            if dst is not None:
                dst.write(chunk)
            size += len(chunk)
            run.progress(size / total * 100)

    if _hardlink(partial, name):
        with partial.open("rb") as src:
            read(src, None)
    else:
        with paths.local_output(name) as target, partial.open("rb") as src, target.open("wb") as dst:
            read(src, dst)
    run.update(original=name, sha256=digest.hexdigest(), size=size)
    partial.unlink(missing_ok=True)


def _refuse_duplicate(asset: MediaAsset) -> None:
    """The same member's same bytes, already processed and posted: say so, do no work."""
    if asset.owner_id is None or not asset.sha256:
        return
    earlier = (
        MediaAsset.objects.filter(
            owner_id=asset.owner_id, sha256=asset.sha256, status=MediaAsset.Status.READY, item__isnull=False
        )
        .exclude(pk=asset.pk)
        .order_by("created_at")
        .first()
    )
    if earlier is not None:
        when = date_format(timezone.localtime(earlier.created_at), "j F Y")
        raise MediaRejected(f"You already uploaded this exact file (on {when}).")


def _process(run: Run) -> None:
    asset = run.asset
    probe, rejection = None, None
    if not asset.original:
        run.step("ingest")
        partial = Path(settings.MEDIA_UPLOAD_DIR) / asset.upload.path if asset.upload else None
        if partial is None or not partial.is_file():
            raise MediaRejected(FILE_MISSING)
        probe, rejection = _try_probe(partial)
        _ingest(run, partial, probe.ext if probe else ".bin")
    elif not default_storage.exists(asset.original):
        raise MediaRejected(FILE_MISSING)
    run.step("probe")
    with paths.local_input(asset.original) as source:
        if probe is None and rejection is None:
            probe, rejection = _try_probe(source)
        if rejection is not None or probe is None:
            raise rejection or MediaRejected(FILE_MISSING)
        run.update(
            kind=probe.kind, probe=probe.as_json(), duration=probe.duration, width=probe.width, height=probe.height
        )
        validate_limits(probe)
        _refuse_duplicate(asset)
        if probe.kind == MediaAsset.Kind.VIDEO:
            video_process(run, probe, source)
        else:
            _image(run, probe, source)
        _provenance(run, probe, source)
    now = timezone.now()
    run.update(
        status=MediaAsset.Status.READY, step="", progress=100, processed_at=now, heartbeat_at=now, failure_reason=""
    )
    refresh_item(asset)


def _provenance(run: Run, probe: Probe, source: Path) -> None:
    """Fingerprint, file metadata and earlier copies (fieldcast.provenance), once the file is
    playable: a failure here is logged and never fails the upload."""
    from fieldcast.provenance.services import asset_provenance_compute, image_provenance_compute

    run.step("provenance")
    try:
        if probe.kind == MediaAsset.Kind.VIDEO:
            asset_provenance_compute(asset=run.asset, source=source, probe_tags=probe.tags, on_progress=run.progress)
        else:
            image_provenance_compute(asset=run.asset, source=source, probe_tags=probe.tags)
    except ProcessingAbandoned:
        raise
    except Exception:
        log.exception("asset %s: provenance failed; the upload goes on without it", run.asset.pk)


def _image(run: Run, probe: Probe, source: Path) -> None:
    asset = run.asset
    run.step("images")
    picture = images.image_load(source, probe)
    for done, size in enumerate(images.SIZES, start=1):
        name = paths.image(asset.public_id, size)
        with paths.local_output(name) as target:
            out = images.image_write(picture, size, target)
        rendition_save(
            asset, f"image-{size}", name, "image/jpeg", width=out.width, height=out.height, size=paths.stored_size(name)
        )
        run.progress(done / len(images.SIZES) * 100)
