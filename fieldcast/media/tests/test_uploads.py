"""Upload services: creation on disk, and the expiry of abandoned uploads."""

from __future__ import annotations

import datetime
import io
import os
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fieldcast.media.models import MediaAsset, Upload
from fieldcast.media.services import uploads as services
from fieldcast.media.tasks_uploads import expire_uploads

from .test_tus import lock_held_elsewhere


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.MEDIA_UPLOAD_DIR = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_EXPIRE_HOURS = 24


def make_upload(owner, *, data: bytes = b"", length: int = 10) -> Upload:
    upload = services.upload_create(owner=owner, length=length, filename="clip.mp4", filetype="video/mp4")
    if data:
        services.upload_append(upload_id=upload.pk, owner=owner, offset=0, body=io.BytesIO(data), body_length=len(data))
        upload.refresh_from_db()
    return upload


def age(upload: Upload, *, hours: float) -> None:
    """Make the upload look `hours` old (created, last written, finished)."""
    then = timezone.now() - datetime.timedelta(hours=hours)
    Upload.objects.filter(pk=upload.pk).update(
        created_at=then,
        expires_at=then + datetime.timedelta(hours=24),
        completed_at=then if upload.completed_at else None,
    )


def test_upload_create_makes_an_empty_file_named_by_uuid(member, settings):
    upload = make_upload(member)
    path = services.upload_file(upload)
    assert path == settings.MEDIA_UPLOAD_DIR / f"{upload.pk}.part"
    assert path.read_bytes() == b""
    assert upload.expires_at > timezone.now() + datetime.timedelta(hours=23)


def test_append_reads_the_body_in_pieces(member):
    class CountingBody(io.BytesIO):
        sizes: list[int] = []

        def read(self, size: int | None = -1, /) -> bytes:
            self.sizes.append(size or -1)
            return super().read(size)

    data = os.urandom(3 * services.READ_SIZE + 1)
    upload = services.upload_create(owner=member, length=len(data), filename="", filetype="")
    body = CountingBody(data)
    result = services.upload_append(upload_id=upload.pk, owner=member, offset=0, body=body, body_length=len(data))
    assert result.received == len(data)
    assert max(body.sizes) == services.READ_SIZE  # never the whole body at once
    assert result.asset is not None


def test_unfinished_uploads_past_their_expiry_go(member):
    stale = make_upload(member, data=b"abc")
    fresh = make_upload(member, data=b"abc")
    age(stale, hours=30)
    assert services.uploads_expire() == 1
    assert not services.upload_file(stale).exists()
    assert list(Upload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert services.upload_file(fresh).exists()


def test_expiry_time_is_given_by_now(member):
    upload = make_upload(member)
    assert services.uploads_expire(now=upload.expires_at - datetime.timedelta(minutes=1)) == 0
    assert services.uploads_expire(now=upload.expires_at + datetime.timedelta(minutes=1)) == 1
    assert not Upload.objects.exists()


def test_a_patch_moves_the_expiry_forward(member):
    upload = make_upload(member)
    age(upload, hours=23)
    upload.refresh_from_db()
    before = upload.expires_at
    services.upload_append(upload_id=upload.pk, owner=member, offset=0, body=io.BytesIO(b"abc"), body_length=3)
    upload.refresh_from_db()
    assert upload.expires_at > before + datetime.timedelta(hours=22)


def test_finished_upload_never_attached_goes_with_its_asset_and_files(member, django_capture_on_commit_callbacks):
    upload = make_upload(member, data=b"x" * 10)
    asset = MediaAsset.objects.get(upload=upload)
    stored = default_storage.save(f"assets/{asset.public_id}/hls/index.m3u8", ContentFile(b"#EXTM3U"))
    age(upload, hours=25)
    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows are gone for good
        assert services.uploads_expire() == 1
    assert not MediaAsset.objects.exists()
    assert not Upload.objects.exists()
    assert not services.upload_file(upload).exists()
    assert not default_storage.exists(stored)


def test_attached_recent_or_processing_assets_stay(member, item_factory):
    attached = make_upload(member, data=b"x" * 10)
    MediaAsset.objects.filter(upload=attached).update(item=item_factory(author=member))
    processing = make_upload(member, data=b"x" * 10)
    MediaAsset.objects.filter(upload=processing).update(status=MediaAsset.Status.PROCESSING)
    recent = make_upload(member, data=b"x" * 10)
    for upload in (attached, processing):
        age(upload, hours=48)
    age(recent, hours=2)
    assert services.uploads_expire() == 0
    assert MediaAsset.objects.count() == 3
    assert all(services.upload_file(u).exists() for u in (attached, processing, recent))


def test_old_partial_files_without_a_row_are_swept(member, settings):
    settings.MEDIA_UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    orphan = settings.MEDIA_UPLOAD_DIR / f"{uuid.uuid4()}.part"
    recent_orphan = settings.MEDIA_UPLOAD_DIR / f"{uuid.uuid4()}.part"
    other_file = settings.MEDIA_UPLOAD_DIR / "README"
    for path in (orphan, recent_orphan, other_file):
        path.write_bytes(b"x")
    old = (timezone.now() - datetime.timedelta(hours=30)).timestamp()
    os.utime(orphan, (old, old))
    os.utime(other_file, (old, old))
    kept = make_upload(member)
    os.utime(services.upload_file(kept), (old, old))  # old file, but its upload is alive
    assert services.uploads_expire() == 1
    assert not orphan.exists()
    assert recent_orphan.exists()
    assert other_file.exists()
    assert services.upload_file(kept).exists()


@pytest.mark.django_db(transaction=True)
def test_expiry_skips_an_upload_being_written(member):
    upload = make_upload(member)
    age(upload, hours=30)
    with lock_held_elsewhere(str(upload.pk)):
        assert services.uploads_expire() == 0
    assert services.uploads_expire() == 1


def test_expire_task_runs_on_the_default_queue(member):
    age(make_upload(member), hours=30)
    result = expire_uploads.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.queue_name, row.task_path) == ("default", "fieldcast.media.tasks_uploads.expire_uploads")
    assert expire_uploads.call() == 1
