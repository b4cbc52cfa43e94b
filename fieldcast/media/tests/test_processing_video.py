"""The whole pipeline on real (tiny) videos, with the real ffmpeg: slow."""

from __future__ import annotations

import datetime
import re

import av
import pytest
from django.utils import timezone

from fieldcast.core.testing import factories
from fieldcast.media.models import MediaAsset
from fieldcast.media.services import processing, recovery, runs
from fieldcast.media.services import video as video_steps
from fieldcast.media.services.processing import asset_process
from fieldcast.media.services.recovery import assets_reap_stuck
from fieldcast.media.testing import (  # noqa: F401 (fixtures)
    GPS_MAKE,
    asset_from_file,
    clips_fixture,
    media_dirs_fixture,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the pipeline handles it."""


@pytest.fixture
def item(member):
    return factories.ItemFactory(author=member, lifecycle="processing")


def processed(asset: MediaAsset) -> MediaAsset:
    asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    return asset


def stored_files(media_dirs, asset) -> list[str]:  # type: ignore[no-untyped-def]
    folder = media_dirs.stored(f"assets/{asset.public_id}")
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_video_pipeline_end_to_end(clips, media_dirs, member, item):
    source = clips.video(640, 360, gps=True)
    asset = processed(asset_from_file(source, owner=member, item=item, name="street.mov"))

    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    assert (asset.kind, asset.width, asset.height, asset.playable) == ("video", 640, 360, True)
    assert asset.duration == pytest.approx(4.0, abs=0.1)
    assert asset.original == f"assets/{asset.public_id}/original.mp4"
    item.refresh_from_db()
    assert item.lifecycle == "ready"

    renditions = {r.profile: r for r in asset.renditions.all()}
    assert set(renditions) == {"hls", "hls-240", "hls-360", "mp4", "poster", "sprite", "sprite-vtt"}
    base = f"assets/{asset.public_id}"
    assert renditions["hls"].path == f"{base}/hls/master.m3u8"
    assert renditions["hls-360"].path == f"{base}/hls/360/index.m3u8"
    assert (renditions["hls-240"].width, renditions["hls-240"].height) == (426, 240)
    assert renditions["hls-240"].bitrate == 400_000
    assert renditions["mp4"].path == f"{base}/video.mp4"
    assert all(r.size > 0 for r in renditions.values())

    # The master lists rungs never above the source, and the rungs are finished VOD playlists.
    master = media_dirs.stored(renditions["hls"].path).read_text()
    assert re.findall(r"^(\d+)/index\.m3u8$", master, re.M) == ["240", "360"]
    assert "RESOLUTION=640x360" in master
    for quality in ("240", "360"):
        playlist = media_dirs.stored(f"{base}/hls/{quality}/index.m3u8").read_text()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist
        assert "EVENT" not in playlist
        assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
        assert f'#EXT-X-MAP:URI="init_{quality}.mp4"' in playlist
        assert "seg_00000.m4s" in playlist

    # The progressive MP4 plays: PyAV decodes all of it, at the top rung's size, with sound.
    with av.open(str(media_dirs.stored(renditions["mp4"].path))) as container:
        assert (container.duration or 0) / 1_000_000 == pytest.approx(4.0, abs=0.2)
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (640, 360)
        assert container.streams.audio[0].codec_context.name == "aac"
        assert sum(1 for _ in container.decode(video)) >= 110

    vtt = media_dirs.stored(renditions["sprite-vtt"].path).read_text()
    assert vtt.startswith("WEBVTT")
    assert "00:00:00.000 --> 00:00:02.000\nsprite.jpg#xywh=0,0,160,90" in vtt
    assert "00:00:02.000 --> 00:00:04.000\nsprite.jpg#xywh=160,0,160,90" in vtt
    assert (renditions["sprite"].width, renditions["sprite"].height) == (320, 90)
    assert (renditions["poster"].width, renditions["poster"].height) == (640, 360)
    assert media_dirs.stored(renditions["poster"].path).read_bytes()[:2] == b"\xff\xd8"

    # No GPS or device metadata in anything made from the original (the original keeps it).
    assert b"48.8577" in media_dirs.stored(asset.original).read_bytes()
    outputs = [name for name in stored_files(media_dirs, asset) if not name.startswith("original")]
    assert {"hls/240/init_240.mp4", "video.mp4", "poster.jpg", "sprite.jpg", "sprite.vtt"} <= set(outputs)
    for name in outputs:
        data = media_dirs.stored(f"{base}/{name}").read_bytes()
        assert b"48.8577" not in data, name
        assert GPS_MAKE.encode() not in data, name
    with av.open(str(media_dirs.stored(renditions["mp4"].path))) as container:
        tags = {k.lower() for k in container.metadata} | {k.lower() for k in container.streams.video[0].metadata}
        assert not tags & {"location", "location-eng", "make", "model", "com.apple.quicktime.location.iso6709"}


def test_rotated_video_comes_out_upright(clips, media_dirs, member):
    asset = processed(asset_from_file(clips.video(320, 240, rotate=90), owner=member))
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    assert (asset.width, asset.height) == (240, 320)
    rung = asset.renditions.get(profile="hls-240")
    assert (rung.width, rung.height) == (240, 320)
    with av.open(str(media_dirs.stored(f"assets/{asset.public_id}/video.mp4"))) as container:
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height) == (240, 320)
        assert not frame.rotation  # turned for real, not by a display matrix
    poster = asset.renditions.get(profile="poster")
    assert (poster.width, poster.height) == (240, 320)


def test_video_smaller_than_the_lowest_rung_gets_one_rung_at_its_size(clips, media_dirs, member):
    asset = processed(asset_from_file(clips.video(160, 120, seconds=2, audio=False), owner=member))
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    hls = [r for r in asset.renditions.all() if r.profile.startswith("hls-")]
    assert [(r.profile, r.width, r.height) for r in hls] == [("hls-120", 160, 120)]
    master = media_dirs.stored(f"assets/{asset.public_id}/hls/master.m3u8").read_text()
    assert "mp4a" not in master  # no sound, no audio codec announced
    playlist = media_dirs.stored(f"assets/{asset.public_id}/hls/120/index.m3u8").read_text()
    assert '#EXT-X-MAP:URI="init_120.mp4"' in playlist
    assert media_dirs.stored(f"assets/{asset.public_id}/hls/120/init_120.mp4").exists()


def test_processing_twice_is_idempotent(clips, media_dirs, member):
    asset = processed(asset_from_file(clips.video(), owner=member))
    profiles = sorted(asset.renditions.values_list("profile", "path"))
    files = stored_files(media_dirs, asset)
    segment = media_dirs.stored(f"assets/{asset.public_id}/hls/240/seg_00000.m4s")
    made_at = segment.stat().st_mtime_ns

    assert processed(asset).attempts == 1  # ready: the second task does nothing
    MediaAsset.objects.filter(pk=asset.pk).update(status=MediaAsset.Status.PENDING)
    again = processed(asset)  # every step again; the finished ladder is kept
    assert again.status == MediaAsset.Status.READY
    assert sorted(again.renditions.values_list("profile", "path")) == profiles
    assert stored_files(media_dirs, asset) == files
    assert segment.stat().st_mtime_ns == made_at


def test_playable_as_soon_as_every_rung_has_a_segment(clips, media_dirs, member, item, monkeypatch):
    """Stop the run right after it became playable: the item is already ready, with the master
    playlist and EVENT rung playlists in place, while ffmpeg had more to write."""
    real_mark = video_steps._mark_playable
    seen = {}

    def mark_then_die(run, state):  # type: ignore[no-untyped-def]
        real_mark(run, state)
        item.refresh_from_db()
        seen["lifecycle"] = item.lifecycle
        seen["playlist"] = media_dirs.stored(f"assets/{run.asset.public_id}/hls/360/index.m3u8").read_text()
        raise WorkerKilled

    monkeypatch.setattr(video_steps, "_mark_playable", mark_then_die)
    asset = asset_from_file(clips.video(640, 360, seconds=12), owner=member, item=item)
    with pytest.raises(WorkerKilled):
        asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert asset.playable
    assert seen["lifecycle"] == "ready"
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in seen["playlist"]
    assert "#EXT-X-ENDLIST" not in seen["playlist"]
    assert asset.renditions.filter(profile="hls").exists()


def test_a_killed_run_is_reaped_and_completes(clips, media_dirs, member, item, monkeypatch, settings):
    """The worker dies mid-ladder (ffmpeg killed with it); the reaper re-enqueues the asset after
    the heartbeat goes stale; the next run cleans the partial ladder and finishes."""
    real_progress = runs.Run.progress

    def die_midway(run, percent):  # type: ignore[no-untyped-def]
        real_progress(run, percent)
        if run.asset.step == "transcode" and run.asset.playable:
            raise WorkerKilled

    monkeypatch.setattr(runs.Run, "progress", die_midway)
    asset = asset_from_file(clips.video(640, 360, seconds=12), owner=member, item=item)
    with pytest.raises(WorkerKilled):
        asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert (asset.status, asset.step, asset.playable) == ("processing", "transcode", True)
    partial_segments = stored_files(media_dirs, asset)
    assert "hls/360/seg_00000.m4s" in partial_segments

    monkeypatch.setattr(runs.Run, "progress", real_progress)
    assert assets_reap_stuck().requeued == []  # still beating
    MediaAsset.objects.filter(pk=asset.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    assert assets_reap_stuck().requeued == [asset.pk]

    asset = processed(asset)
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    assert asset.attempts == 2
    assert asset.renditions.count() == 7
    playlist = media_dirs.stored(f"assets/{asset.public_id}/hls/360/index.m3u8").read_text()
    assert playlist.count("#EXTINF") == 6  # 12 s in 2 s segments, none left over from the first run
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
    item.refresh_from_db()
    assert item.lifecycle == "ready"


def test_killed_every_time_ends_failed(clips, media_dirs, member, item, monkeypatch, settings):
    settings.PROCESSING_MAX_ATTEMPTS = 2

    def killed(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise WorkerKilled

    monkeypatch.setattr(video_steps.ladder, "ladder_args", killed)
    asset = asset_from_file(clips.video(), owner=member, item=item)
    for expected in ("requeued", "failed"):
        with pytest.raises(WorkerKilled):
            asset_process(asset_id=asset.pk)
        MediaAsset.objects.filter(pk=asset.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
        outcome = assets_reap_stuck()
        assert getattr(outcome, expected) == [asset.pk]
    asset.refresh_from_db()
    assert (asset.status, asset.failure_reason, asset.attempts) == ("failed", recovery.STOPPED_REPEATEDLY, 2)
    item.refresh_from_db()
    assert (item.lifecycle, item.failure_reason) == ("failed", recovery.STOPPED_REPEATEDLY)
    assert not asset.renditions.exists()


def test_a_file_ffmpeg_cannot_convert_fails_with_a_reason(clips, media_dirs, member, item, monkeypatch):
    real_args = video_steps.ladder.ladder_args

    def bad_args(*args, **kwargs):  # type: ignore[no-untyped-def]
        return [*real_args(*args, **kwargs)[:-1], "-c:v", "no-such-encoder", real_args(*args, **kwargs)[-1]]

    monkeypatch.setattr(video_steps.ladder, "ladder_args", bad_args)
    asset = processed(asset_from_file(clips.video(), owner=member, item=item))
    assert (asset.status, asset.failure_reason) == ("failed", processing.CONVERT_FAILED)
    assert not (media_dirs.stored(f"assets/{asset.public_id}/hls")).exists()


@pytest.mark.parametrize("kind", ["ten_hours", "eight_k"])
def test_over_limit_videos_fail_before_any_encoding(clips, media_dirs, member, item, kind):
    asset = processed(asset_from_file(getattr(clips, kind)(), owner=member, item=item))
    assert asset.status == MediaAsset.Status.FAILED
    assert "limit" in asset.failure_reason
    assert stored_files(media_dirs, asset) == [asset.original.rsplit("/", 1)[1]]


def test_video_on_storage_without_local_paths(clips, media_dirs, member, item, settings):
    """Object storage: ffmpeg writes into a temporary folder that is uploaded when complete."""
    from django.core.files.storage import default_storage

    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    asset = processed(asset_from_file(clips.video(), owner=member, item=item))
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    assert asset.playable
    assert not list(media_dirs.root.rglob("*"))
    base = f"assets/{asset.public_id}"
    for name in ("hls/master.m3u8", "hls/240/index.m3u8", "hls/240/init_240.mp4", "video.mp4", "sprite.vtt"):
        assert default_storage.exists(f"{base}/{name}"), name
    with default_storage.open(f"{base}/hls/240/index.m3u8") as fh:
        assert b"#EXT-X-ENDLIST" in fh.read()
    item.refresh_from_db()
    assert item.lifecycle == "ready"
