"""The media pipeline fingerprints real videos (ffmpeg on tiny clips): a rescaled,
re-encoded copy is found with its time range, a static card matches nothing, and the file
metadata is read from the original."""

from __future__ import annotations

import subprocess

import pytest

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.media.ffmpeg import ffmpeg_binary
from fieldcast.media.services.processing import asset_process
from fieldcast.media.testing import GPS_MAKE, asset_from_file, clips_fixture, media_dirs_fixture  # noqa: F401
from fieldcast.provenance.models import CopyMatch, FileMetadata, Fingerprint

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SOURCE = "mandelbrot=s=160x90:r=25:start_x=-0.7436:start_y=0.1318:end_scale=0.05:end_pts=200"


def _ffmpeg(*args: str) -> None:
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (fixed argument list)


def _processed(path, item):  # type: ignore[no-untyped-def]
    asset = asset_from_file(path, owner=item.author, item=item)
    asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert asset.status == "ready"
    return asset


def test_a_rescaled_copy_of_a_part_is_found_and_a_static_card_is_not(media_dirs, tmp_path):
    original = tmp_path / "original.mp4"
    _ffmpeg("-f", "lavfi", "-i", SOURCE, "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-movflags", "use_metadata_tags", "-metadata", "location=+48.8577+002.2950/",
            "-metadata", f"make={GPS_MAKE}", str(original))  # fmt: skip
    copy = tmp_path / "copy.mp4"
    _ffmpeg("-ss", "2", "-i", str(original), "-t", "3", "-vf", "scale=320:180", "-c:v", "libx264", "-crf", "32",
            "-preset", "ultrafast", str(copy))  # fmt: skip
    bars = tmp_path / "bars.mp4"
    _ffmpeg("-f", "lavfi", "-i", "smptebars=s=160x90:r=25:d=4", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", str(bars))  # fmt: skip

    first = _processed(original, ItemFactory(title="Original"))
    metadata = FileMetadata.objects.get(asset=first)
    assert (metadata.latitude, metadata.longitude, metadata.make) == (48.8577, 2.295, GPS_MAKE)
    assert not metadata.published
    fingerprint = Fingerprint.objects.get(asset=first)
    assert fingerprint.frames == 24
    assert fingerprint.informative > 0

    second = _processed(copy, ItemFactory(title="Copy"))
    match = CopyMatch.objects.get(asset=second)
    assert match.earlier_id == first.pk
    assert match.kind == "near"
    assert 1.5 <= match.earlier_start <= 2.5

    third = _processed(bars, ItemFactory(title="Bars"))
    assert Fingerprint.objects.filter(asset=third).exists()
    assert not CopyMatch.objects.filter(asset=third).exists()
    assert not CopyMatch.objects.filter(earlier=third).exists()


def test_a_failing_fingerprint_never_fails_the_upload(media_dirs, clips, monkeypatch):
    import fieldcast.provenance.services as services

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("fingerprinting broke")

    monkeypatch.setattr(services, "fingerprint_file", broken)
    asset = _processed(clips.video(160, 90, 2, audio=False), ItemFactory())
    assert asset.playable
    assert not Fingerprint.objects.filter(asset=asset).exists()
