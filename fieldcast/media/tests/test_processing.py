"""The pipeline's service without video encoding: ingest, validation, images, duplicates,
the reaper, retries and the item's lifecycle. (Videos: test_processing_video.py.)"""

from __future__ import annotations

import datetime
import hashlib
import shutil

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from fieldcast.core.testing import factories
from fieldcast.items.models import Item
from fieldcast.items.services import item_refresh_lifecycle
from fieldcast.media import probe as probing
from fieldcast.media.models import MediaAsset
from fieldcast.media.services import processing, recovery
from fieldcast.media.services.processing import asset_process
from fieldcast.media.services.recovery import asset_retry, assets_reap_stuck
from fieldcast.media.testing import (  # noqa: F401 (fixtures)
    GPS_MAKE,
    asset_from_file,
    clips_fixture,
    media_dirs_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(member):
    return factories.ItemFactory(author=member, lifecycle="processing")


def processed(asset: MediaAsset) -> MediaAsset:
    asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    return asset


# --- images -------------------------------------------------------------------------------------


def test_image_named_mp4_becomes_upright_renditions_without_metadata(clips, media_dirs, member, item):
    source = clips.image(800, 600, gps=True, orientation=6)
    asset = processed(asset_from_file(source, owner=member, item=item, name="photo.mp4"))

    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    assert (asset.kind, asset.width, asset.height) == ("image", 600, 800)
    assert asset.original == f"assets/{asset.public_id}/original.jpg"
    assert asset.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert asset.size == source.stat().st_size
    assert asset.processed_at is not None
    assert asset.probe["tags"]["make"] == GPS_MAKE  # the original's metadata is known, privately
    assert not list(media_dirs.uploads.iterdir()), "the partial upload is removed once stored"
    assert media_dirs.stored(asset.original).read_bytes() == source.read_bytes()

    renditions = {r.profile: r for r in asset.renditions.all()}
    assert set(renditions) == {"image-1280", "image-640"}
    assert (renditions["image-1280"].width, renditions["image-1280"].height) == (600, 800)  # never upscaled
    assert (renditions["image-640"].width, renditions["image-640"].height) == (480, 640)
    for rendition in renditions.values():
        assert rendition.path == f"assets/{asset.public_id}/{rendition.profile}.jpg"
        data = media_dirs.stored(rendition.path).read_bytes()
        assert rendition.size == len(data)
        assert GPS_MAKE.encode() not in data
        with Image.open(media_dirs.stored(rendition.path)) as image:
            assert image.format == "JPEG"
            assert not image.getexif()
            assert "exif" not in image.info
    item.refresh_from_db()
    assert item.lifecycle == "ready"


def test_png_with_transparency_is_flattened(clips, media_dirs, member, tmp_path):
    path = tmp_path / "clear.png"
    Image.new("RGBA", (100, 50), (255, 0, 0, 0)).save(path)
    asset = processed(asset_from_file(path, owner=member))
    assert asset.status == MediaAsset.Status.READY
    with Image.open(media_dirs.stored(f"assets/{asset.public_id}/image-640.jpg")) as image:
        assert image.size == (100, 50)
        assert image.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=2)


# --- bad input ------------------------------------------------------------------------------------

BAD_FILES = [
    ("empty", lambda c: c.empty(), probing.EMPTY),
    ("html", lambda c: c.html_as_mp4(), probing.TEXT),
    ("svg", lambda c: c.svg_as_mp4(), probing.TEXT),
    ("random", lambda c: c.random_bytes(), probing.UNREADABLE),
    ("truncated", lambda c: c.truncated_mp4(), probing.CUT_OFF),
    ("audio-only", lambda c: c.audio_only(), probing.AUDIO_ONLY),
]


@pytest.mark.parametrize(("label", "make", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_fails_with_its_reason_and_touches_nothing_else(clips, media_dirs, member, item, label, make, reason):
    other_item = factories.ItemFactory(author=member, lifecycle="processing")
    other = processed(asset_from_file(clips.image(320, 240), owner=member, item=other_item))
    assert other.status == MediaAsset.Status.READY

    asset = processed(asset_from_file(make(clips), owner=member, item=item, name=f"{label}.mp4"))

    assert asset.status == MediaAsset.Status.FAILED
    assert asset.failure_reason == reason
    assert not asset.renditions.exists()
    assert not asset.playable
    item.refresh_from_db()
    assert (item.lifecycle, item.failure_reason) == ("failed", reason)
    other_item.refresh_from_db()
    assert other_item.lifecycle == "ready"
    assert other.renditions.count() == 2
    # The upload left the upload folder; what arrived is kept with the asset, for an admin.
    assert not list(media_dirs.uploads.iterdir())
    assert asset.original.startswith(f"assets/{asset.public_id}/original")


def test_over_the_limit_is_a_failure_with_the_limit(clips, media_dirs, member, item, settings):
    settings.IMAGE_MAX_PIXELS = 10_000
    asset = processed(asset_from_file(clips.image(320, 240), owner=member, item=item))
    assert asset.status == MediaAsset.Status.FAILED
    assert asset.failure_reason == "This image has 0.0768 megapixels, over the 0.01-megapixel limit."


def test_missing_upload_file_fails_clearly(clips, media_dirs, member, item):
    asset = asset_from_file(clips.image(), owner=member, item=item)
    for partial in media_dirs.uploads.iterdir():
        partial.unlink()
    asset = processed(asset)
    assert (asset.status, asset.failure_reason) == ("failed", processing.FILE_MISSING)


def test_same_file_twice_is_refused_with_the_date(clips, media_dirs, member, item):
    source = clips.image(640, 480)
    first = processed(asset_from_file(source, owner=member, item=item))
    assert first.status == MediaAsset.Status.READY
    MediaAsset.objects.filter(pk=first.pk).update(created_at=datetime.datetime(2026, 3, 5, 12, tzinfo=datetime.UTC))

    second_item = factories.ItemFactory(author=member, lifecycle="processing")
    second = processed(asset_from_file(source, owner=member, item=second_item))
    assert second.status == MediaAsset.Status.FAILED
    assert second.failure_reason == "You already uploaded this exact file (on 5 March 2026)."
    assert not second.renditions.exists()

    # Someone else may post the same file.
    stranger = factories.UserFactory()
    third = processed(asset_from_file(source, owner=stranger))
    assert third.status == MediaAsset.Status.READY


def test_running_twice_does_nothing_the_second_time(clips, media_dirs, member, item):
    asset = processed(asset_from_file(clips.image(), owner=member, item=item))
    files = sorted(p.relative_to(media_dirs.root) for p in media_dirs.root.rglob("*") if p.is_file())
    again = processed(asset)
    assert (again.status, again.attempts) == ("ready", 1)
    assert sorted(p.relative_to(media_dirs.root) for p in media_dirs.root.rglob("*") if p.is_file()) == files


# --- stopped runs -----------------------------------------------------------------------------------


def stuck(asset: MediaAsset, *, attempts: int, minutes_ago: int = 10) -> None:
    MediaAsset.objects.filter(pk=asset.pk).update(
        status=MediaAsset.Status.PROCESSING,
        attempts=attempts,
        step="transcode",
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_reaper_requeues_a_stopped_run_and_the_next_run_completes(
    clips, media_dirs, member, item, django_capture_on_commit_callbacks
):
    asset = asset_from_file(clips.image(), owner=member, item=item)
    stuck(asset, attempts=1)
    fresh = asset_from_file(clips.image(300, 300), owner=member)
    stuck(fresh, attempts=1, minutes_ago=0)  # still beating: left alone

    with django_capture_on_commit_callbacks(execute=True):
        outcome = assets_reap_stuck()
    assert (outcome.requeued, outcome.failed) == ([asset.pk], [])
    asset.refresh_from_db()
    assert (asset.status, asset.attempts, asset.heartbeat_at) == ("pending", 1, None)
    task = DBTaskResult.objects.get(queue_name="media")
    assert task.args_kwargs["args"] == [asset.pk]
    assert MediaAsset.objects.get(pk=fresh.pk).status == "processing"

    asset = processed(asset)
    assert (asset.status, asset.attempts) == ("ready", 2)


def test_reaper_fails_after_the_last_attempt(clips, media_dirs, member, item, settings):
    settings.PROCESSING_MAX_ATTEMPTS = 2
    asset = asset_from_file(clips.image(), owner=member, item=item)
    stuck(asset, attempts=2)
    assert assets_reap_stuck().failed == [asset.pk]
    asset.refresh_from_db()
    assert (asset.status, asset.failure_reason) == ("failed", recovery.STOPPED_REPEATEDLY)
    item.refresh_from_db()
    assert (item.lifecycle, item.failure_reason) == ("failed", recovery.STOPPED_REPEATEDLY)


def test_reaper_takes_assets_that_never_beat(clips, media_dirs, member):
    asset = asset_from_file(clips.image(), owner=member)
    MediaAsset.objects.filter(pk=asset.pk).update(
        status="processing", attempts=1, heartbeat_at=None, created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert assets_reap_stuck().requeued == [asset.pk]


def test_a_run_that_lost_the_asset_stops(clips, media_dirs, member, monkeypatch):
    """The reaper gave the asset to a new attempt: the old run's next write stops it."""
    asset = asset_from_file(clips.image(), owner=member)
    real_image = processing._image

    def image_after_takeover(run, probe, source):  # type: ignore[no-untyped-def]
        MediaAsset.objects.filter(pk=asset.pk).update(attempts=run.attempt + 1)
        real_image(run, probe, source)

    monkeypatch.setattr(processing, "_image", image_after_takeover)
    asset = processed(asset)
    assert (asset.status, asset.attempts) == ("processing", 2)
    assert not asset.renditions.exists()


def test_unexpected_error_is_retried_then_failed(clips, media_dirs, member, item, settings, monkeypatch):
    settings.PROCESSING_MAX_ATTEMPTS = 2
    asset = asset_from_file(clips.image(), owner=member, item=item)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(processing.images, "image_load", broken)
    with pytest.raises(RuntimeError):
        asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert (asset.status, asset.attempts) == ("pending", 1)
    with pytest.raises(RuntimeError):
        asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert (asset.status, asset.failure_reason) == ("failed", recovery.STOPPED_REPEATEDLY)


def test_admin_retry_processes_a_failed_asset_again(
    clips, media_dirs, member, item, settings, django_capture_on_commit_callbacks
):
    settings.IMAGE_MAX_PIXELS = 10
    asset = processed(asset_from_file(clips.image(), owner=member, item=item))
    assert asset.status == "failed"
    settings.IMAGE_MAX_PIXELS = 50_000_000
    with django_capture_on_commit_callbacks(execute=True):
        asset_retry(asset_id=asset.pk)
    asset.refresh_from_db()
    assert (asset.status, asset.attempts, asset.failure_reason) == ("pending", 0, "")
    item.refresh_from_db()
    assert item.lifecycle == "processing"
    assert DBTaskResult.objects.filter(queue_name="media").count() == 1
    assert processed(asset).status == "ready"
    item.refresh_from_db()
    assert item.lifecycle == "ready"


def test_admin_action_retries(admin_client, clips, media_dirs, member, settings, django_capture_on_commit_callbacks):
    settings.IMAGE_MAX_PIXELS = 10
    asset = processed(asset_from_file(clips.image(), owner=member))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/media/mediaasset/", {"action": "retry_processing", "_selected_action": [asset.pk]}
        )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.status == "pending"
    assert admin_client.get(f"/admin/media/mediaasset/{asset.pk}/change/").status_code == 200


# --- the item's lifecycle -----------------------------------------------------------------------------


def asset_row(item: Item, **fields) -> MediaAsset:  # type: ignore[no-untyped-def]
    return MediaAsset.objects.create(owner=item.author, item=item, **fields)


@pytest.mark.parametrize(
    ("assets", "expected"),
    [
        ([{"status": "processing"}], "processing"),
        ([{"status": "processing", "playable": True, "kind": "video"}], "ready"),
        ([{"status": "failed", "failure_reason": "A"}, {"status": "ready", "kind": "image"}], "ready"),
        ([{"status": "failed", "failure_reason": "A"}, {"status": "pending"}], "processing"),
        ([{"status": "failed", "failure_reason": "A"}, {"status": "failed", "failure_reason": "B"}], "failed"),
    ],
)
def test_item_lifecycle_follows_its_assets(member, assets, expected):
    item = factories.ItemFactory(author=member, lifecycle="processing")
    for fields in assets:
        asset_row(item, **fields)
    item_refresh_lifecycle(item_id=item.pk)
    item.refresh_from_db()
    assert item.lifecycle == expected
    assert item.failure_reason == ("A; B" if expected == "failed" else "")


def test_item_lifecycle_leaves_items_without_assets_and_drafts(member):
    text_post = factories.ItemFactory(author=member)
    item_refresh_lifecycle(item_id=text_post.pk)
    text_post.refresh_from_db()
    assert text_post.lifecycle == "ready"
    draft = factories.ItemFactory(author=member, lifecycle="draft")
    asset_row(draft, status="ready", kind="image")
    item_refresh_lifecycle(item_id=draft.pk)
    draft.refresh_from_db()
    assert draft.lifecycle == "draft"


def test_attaching_while_processing_updates_the_item(clips, media_dirs, member, monkeypatch):
    """The uploader submits the form while the file is processed: the item still follows."""
    asset = asset_from_file(clips.image(), owner=member)
    item = factories.ItemFactory(author=member, lifecycle="processing")
    real_image = processing._image

    def attach_midway(run, probe, source):  # type: ignore[no-untyped-def]
        MediaAsset.objects.filter(pk=asset.pk).update(item=item)
        real_image(run, probe, source)

    monkeypatch.setattr(processing, "_image", attach_midway)
    assert processed(asset).status == "ready"
    item.refresh_from_db()
    assert item.lifecycle == "ready"


def test_truncated_image_is_cut_off(clips, media_dirs, member, tmp_path):
    data = clips.image(800, 600).read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 2])
    asset = processed(asset_from_file(cut, owner=member))
    assert (asset.status, asset.failure_reason) == ("failed", probing.CUT_OFF)


def test_stored_original_is_used_when_present(clips, media_dirs, member):
    """A retry after the partial upload is gone starts from the stored original."""
    asset = processed(asset_from_file(clips.image(), owner=member))
    MediaAsset.objects.filter(pk=asset.pk).update(status="pending")
    shutil.rmtree(media_dirs.uploads)
    again = processed(asset)
    assert (again.status, again.attempts) == ("ready", 2)


def test_upload_on_another_filesystem_is_copied(clips, media_dirs, member, monkeypatch):
    monkeypatch.setattr(processing, "_hardlink", lambda partial, name: False)
    source = clips.image()
    asset = processed(asset_from_file(source, owner=member))
    assert asset.status == MediaAsset.Status.READY
    assert asset.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert media_dirs.stored(asset.original).read_bytes() == source.read_bytes()
    assert not list(media_dirs.uploads.iterdir())


IN_MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_storage_without_local_paths(clips, media_dirs, member, settings):
    """Object storage has no local paths: the pipeline works through temporary files."""
    from django.core.files.storage import default_storage

    settings.STORAGES = IN_MEMORY
    asset = processed(asset_from_file(clips.image(gps=True), owner=member))
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    assert not list(media_dirs.root.rglob("*.jpg"))
    with default_storage.open(f"assets/{asset.public_id}/image-640.jpg") as fh:
        data = fh.read()
    assert data[:2] == b"\xff\xd8"
    assert GPS_MAKE.encode() not in data
    assert default_storage.size(asset.original) == asset.size


def test_admin_retry_leaves_a_live_run_alone(clips, media_dirs, member):
    asset = asset_from_file(clips.image(), owner=member)
    stuck(asset, attempts=1, minutes_ago=0)
    assert asset_retry(asset_id=asset.pk) is False
    asset.refresh_from_db()
    assert (asset.status, asset.attempts) == ("processing", 1)
    stuck(asset, attempts=1, minutes_ago=10)
    assert asset_retry(asset_id=asset.pk) is True


def test_reaper_enqueues_pending_assets_whose_task_was_lost(member):
    old = MediaAsset.objects.create(owner=member, original_name="lost.mp4")
    MediaAsset.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    fresh = MediaAsset.objects.create(owner=member, original_name="just-uploaded.mp4")
    outcome = assets_reap_stuck()
    assert outcome.enqueued == [old.pk]
    assert fresh.pk not in outcome.enqueued
    # Its task now waits in the queue: the next round leaves it alone.
    assert assets_reap_stuck().enqueued == []
    assert DBTaskResult.objects.filter(args_kwargs__args=[old.pk]).count() == 1
