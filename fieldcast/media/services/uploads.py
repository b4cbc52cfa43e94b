"""Writes for tus uploads: create, append a PATCH's bytes, terminate, expire.

The bytes of an unfinished upload live in one partial file, `<uuid>.part` under
MEDIA_UPLOAD_DIR, and the Upload row's `offset` is how many of them count. Bytes are
written and fsynced before the offset moves past them, so the file is never shorter
than the offset; bytes past the offset (a crash between the write and the commit) are
truncated by the next PATCH.

One writer per upload at a time. On PostgreSQL the row is locked with
SELECT ... FOR UPDATE NOWAIT for the whole PATCH (a second PATCH gets UploadConflict). On
SQLite that lock does not exist, and any write transaction locks the whole database,
so holding one while a phone trickles in a chunk would stall every writer of the site:
there an exclusive flock on the partial file (one machine by definition) excludes a
second writer, and the offset is committed in a short transaction afterwards.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import logging
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.media.models import MediaAsset, Upload

logger = logging.getLogger(__name__)

READ_SIZE = 1024 * 1024  # bytes read from the request at a time: memory stays constant
_PART_NAME = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.part$")


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class UploadError(Exception):
    """A PATCH or DELETE the upload's state refuses; the message is for the uploader."""


class UploadNotFound(UploadError):
    pass


class UploadConflict(UploadError):
    """Another request holds the upload, or its state forbids the change."""


class OffsetMismatch(UploadError):
    def __init__(self, message: str, *, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class BodyTooLarge(UploadError):
    pass


class ChecksumMismatch(UploadError):
    pass


@dataclass(frozen=True)
class AppendResult:
    upload: Upload
    received: int  # bytes of this PATCH kept
    complete_body: bool  # False: the body ended (or failed) before Content-Length bytes
    asset: MediaAsset | None  # set once the upload is complete


def upload_file(upload: Upload) -> Path:
    return Path(settings.MEDIA_UPLOAD_DIR) / upload.path


def _expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(hours=settings.UPLOAD_EXPIRE_HOURS)


def upload_create(*, owner: User, length: int, filename: str, filetype: str) -> Upload:
    """Record a new upload and create its empty partial file. The name is never part of the path."""
    upload_id = uuid.uuid4()
    directory = Path(settings.MEDIA_UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        upload = Upload.objects.create(
            id=upload_id,
            owner=owner,
            length=length,
            filename=filename,
            filetype=filetype,
            path=f"{upload_id}.part",
            expires_at=_expiry(timezone.now()),
        )
        # Inside the transaction: if the file cannot be created, no row points at it.
        fd = os.open(directory / upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        os.close(fd)
    return upload


@contextmanager
def _locked(upload_id: uuid.UUID, owner: User | None) -> Iterator[tuple[Upload, IO[bytes]]]:
    """Yield the upload (fresh from the database) and its partial file open for writing,
    with every other writer of the same upload excluded. Raises UploadNotFound, UploadConflict."""
    rows = Upload.objects.filter(pk=upload_id)
    if owner is not None:
        rows = rows.filter(owner=owner)
    if connection.features.has_select_for_update_nowait:
        with transaction.atomic():
            try:
                upload = rows.select_for_update(nowait=True).get()
            except Upload.DoesNotExist:
                raise UploadNotFound("No such upload.") from None
            except DatabaseError:
                raise UploadConflict("Another request is writing to this upload; try again when it ends.") from None
            with _open_part(upload) as part:
                yield upload, part
        return
    try:
        upload = rows.get()
    except Upload.DoesNotExist:
        raise UploadNotFound("No such upload.") from None
    with _open_part(upload) as part:
        try:
            fcntl.flock(part.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadConflict("Another request is writing to this upload; try again when it ends.") from None
        try:
            upload.refresh_from_db()  # what the previous holder committed
        except Upload.DoesNotExist:
            raise UploadNotFound("No such upload.") from None
        yield upload, part


@contextmanager
def _open_part(upload: Upload) -> Iterator[IO[bytes]]:
    try:
        part = open(upload_file(upload), "r+b")  # noqa: SIM115 (closed below, after the caller's block)
    except FileNotFoundError:
        # Terminated or expired meanwhile, or the worker already took the bytes.
        raise UploadNotFound("This upload's data is gone; start a new upload.") from None
    try:
        yield part
    finally:
        part.close()


def upload_append(
    *,
    upload_id: uuid.UUID,
    owner: User,
    offset: int,
    body: Readable,
    body_length: int,
    checksum: tuple[str, bytes] | None = None,
) -> AppendResult:
    """Append one PATCH's body at `offset`, reading it in READ_SIZE pieces.

    A body that ends early or fails while being read keeps the bytes that arrived (unless a
    checksum was sent: unverifiable bytes are dropped). With `checksum` (algorithm, digest),
    a mismatch discards this PATCH's bytes. The final byte completes the upload.
    """
    with _locked(upload_id, owner) as (upload, part):
        if offset != upload.offset:
            raise OffsetMismatch(
                f"Upload-Offset is {offset} but the server has {upload.offset} bytes of this upload; "
                "ask with HEAD and resume from there.",
                offset=upload.offset,
            )
        remaining = upload.length - upload.offset
        if body_length > remaining:
            raise BodyTooLarge(
                f"This PATCH carries {body_length} bytes but only {remaining} remain of the "
                f"{upload.length} declared in Upload-Length; nothing was written."
            )
        hasher = hashlib.new(checksum[0]) if checksum else None
        part.seek(upload.offset)
        part.truncate()  # bytes past the committed offset never counted
        received = 0
        complete_body = True
        try:
            while received < body_length:
                chunk = body.read(min(READ_SIZE, body_length - received))
                if not chunk:
                    complete_body = False
                    break
                part.write(chunk)
                received += len(chunk)
                if hasher is not None:
                    hasher.update(chunk)
        except OSError as exc:  # the client went away mid-body (UnreadablePostError is one)
            logger.info("upload %s: body broke off after %d of %d bytes (%s)", upload.pk, received, body_length, exc)
            complete_body = False
        if checksum is not None and hasher is not None and (not complete_body or hasher.digest() != checksum[1]):
            part.truncate(upload.offset)
            if complete_body:
                raise ChecksumMismatch(
                    f"The {checksum[0]} checksum of this PATCH's bytes does not match Upload-Checksum; "
                    "they were discarded. Send them again."
                )
            received = 0
        part.flush()
        os.fsync(part.fileno())  # durable before the offset counts them
        asset = _advance(upload, received) if received else None
    return AppendResult(upload=upload, received=received, complete_body=complete_body, asset=asset)


def _advance(upload: Upload, received: int) -> MediaAsset | None:
    """Commit the new offset; on the final byte, record the asset and enqueue its processing.
    Called while holding the upload's lock."""
    now = timezone.now()
    with transaction.atomic():
        upload.offset += received
        upload.expires_at = _expiry(now)  # a slow upload that still moves never expires
        fields = ["offset", "expires_at", "updated_at"]
        asset = None
        if upload.offset == upload.length:
            upload.completed_at = now
            fields.append("completed_at")
        upload.save(update_fields=fields)
        if upload.completed_at is not None:
            asset = MediaAsset.objects.create(
                owner=upload.owner,
                upload=upload,
                original_name=upload.filename,
                size=upload.length,
                status=MediaAsset.Status.PENDING,
            )
            asset_id = asset.pk
            transaction.on_commit(lambda: _enqueue_processing(asset_id))
    return asset


def _enqueue_processing(asset_id: int) -> None:
    # Imported when needed: the pipeline's tasks module imports services, not the reverse.
    from fieldcast.media.tasks import process_asset

    process_asset.using(queue_name="media").enqueue(asset_id)


def upload_asset(upload: Upload) -> MediaAsset | None:
    try:
        return upload.asset
    except MediaAsset.DoesNotExist:
        return None


def upload_terminate(*, upload_id: uuid.UUID, owner: User) -> None:
    """tus termination of an unfinished upload: its partial file and row go."""
    upload = Upload.objects.filter(pk=upload_id, owner=owner).first()
    if upload is None:
        raise UploadNotFound("No such upload.")
    if upload.completed_at is not None:
        # The asset owns these bytes now (a worker may be reading them).
        raise UploadConflict("This upload is complete; remove the file from its item instead.")
    try:
        with _locked(upload_id, owner) as (locked, _part):
            locked.delete()
            upload_file(locked).unlink(missing_ok=True)
    except UploadNotFound:
        # The partial file was already gone: the row goes all the same.
        if not Upload.objects.filter(pk=upload_id, owner=owner, completed_at__isnull=True).delete()[0]:
            raise


def uploads_expire(now: datetime.datetime | None = None) -> int:
    """Delete abandoned uploads; return how many went.

    - unfinished uploads past `expires_at` (file and row), skipping one being written now;
    - finished uploads whose asset was never attached to an item within UPLOAD_EXPIRE_HOURS
      (file, upload and asset; never an asset a worker is processing);
    - partial files that no row names, older than UPLOAD_EXPIRE_HOURS (a crash between
      creating the file and committing its row).
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.UPLOAD_EXPIRE_HOURS)
    removed = 0
    for upload_id in Upload.objects.filter(completed_at__isnull=True, expires_at__lt=now).values_list("pk", flat=True):
        removed += _expire_one(upload_id, now=now)
    abandoned = MediaAsset.objects.filter(
        item__isnull=True, upload__completed_at__lt=cutoff, upload__isnull=False
    ).exclude(status=MediaAsset.Status.PROCESSING)
    for asset_id in abandoned.values_list("pk", flat=True):
        removed += _expire_asset(asset_id, cutoff=cutoff)
    removed += _sweep_orphans(cutoff)
    return removed


def _expire_one(upload_id: uuid.UUID, *, now: datetime.datetime) -> int:
    try:
        with _locked(upload_id, None) as (upload, _part):
            if upload.completed_at is not None or upload.expires_at >= now:
                return 0  # finished or moved on since the list was read
            upload.delete()
            upload_file(upload).unlink(missing_ok=True)
    except UploadConflict:
        return 0
    except UploadNotFound:
        return Upload.objects.filter(pk=upload_id, completed_at__isnull=True, expires_at__lt=now).delete()[0]
    logger.info("upload %s expired unfinished", upload_id)
    return 1


def _expire_asset(asset_id: int, *, cutoff: datetime.datetime) -> int:
    with transaction.atomic():
        asset = (
            MediaAsset.objects.select_for_update(of=("self",))
            .filter(pk=asset_id, item__isnull=True, upload__completed_at__lt=cutoff)
            .exclude(status=MediaAsset.Status.PROCESSING)
            .first()
        )
        upload = Upload.objects.filter(asset=asset).first() if asset is not None else None
        if asset is None or upload is None:
            return 0  # attached, picked up or gone since the list was read
        path = upload_file(upload)
        public_id = asset.public_id
        asset.delete()
        upload.delete()
        transaction.on_commit(lambda: _remove_files(path, public_id))
    logger.info("asset %s expired: never attached to an item", asset_id)
    return 1


def _remove_files(part: Path, public_id: str) -> None:
    """The partial file, and whatever a worker already wrote to the asset's storage folder."""
    from fieldcast.media.tasks_files import delete_asset_files

    part.unlink(missing_ok=True)
    delete_asset_files.call(public_id)  # this already runs in a worker: no second hop


def _sweep_orphans(cutoff: datetime.datetime) -> int:
    directory = Path(settings.MEDIA_UPLOAD_DIR)
    if not directory.is_dir():
        return 0
    old = [p for p in directory.iterdir() if _PART_NAME.match(p.name) and _mtime(p) < cutoff]
    names = [p.name.removesuffix(".part") for p in old]
    known = {str(pk) for pk in Upload.objects.filter(pk__in=names).values_list("pk", flat=True)}
    removed = 0
    for p in old:
        if p.name.removesuffix(".part") not in known:
            p.unlink(missing_ok=True)
            removed += 1
    return removed


def _mtime(path: Path) -> datetime.datetime:
    try:
        return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    except FileNotFoundError:
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)
