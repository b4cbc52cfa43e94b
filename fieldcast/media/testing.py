"""Test material for the media pipeline: tiny clips made by the real ffmpeg (testsrc2 + sine),
images made by Pillow, and the bad files uploaders send. Clips are generated once per test
session and cached in its temporary folder.

Use the fixtures by importing them into a test module (they are registered under the names
`clips` and `media_dirs`):

    from fieldcast.media.testing import clips_fixture, media_dirs_fixture  # noqa: F401
"""

from __future__ import annotations

import datetime
import os
import random
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image

from fieldcast.media.ffmpeg import ffmpeg_binary
from fieldcast.media.models import MediaAsset, Upload

GPS_ISO6709 = "+48.8577+002.2950/"
GPS_MAKE = "TestPhone"


class Clips:
    """Generates (once) and returns paths of test files in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _make(self, name: str, args: Sequence[str]) -> Path:
        target = self.folder / name
        if target.exists():
            return target
        partial = target.with_name(f".{os.getpid()}.{name}")
        command = [ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args, str(partial)]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (fixed argument list)
        partial.replace(target)
        return target

    def video(
        self,
        width: int = 320,
        height: int = 240,
        seconds: float = 4,
        *,
        fps: int = 30,
        audio: bool = True,
        rotate: int = 0,
        gps: bool = False,
        faststart: bool = False,
    ) -> Path:
        """testsrc2 (+ a sine tone) in H.264/AAC MP4. `rotate` sets a display matrix (degrees
        counter-clockwise, as phones record portrait video); `gps` adds location and device tags."""
        name = f"v{width}x{height}-{seconds}s-{fps}-{'a' if audio else 'na'}-r{rotate}-{'gps' if gps else 'plain'}"
        name += "-fs.mp4" if faststart else ".mp4"
        if rotate:
            # The same pixels with a display matrix on top, as a phone held upright writes them.
            plain = self.video(width, height, seconds, fps=fps, audio=audio, gps=gps, faststart=faststart)
            return self._make(name, ["-display_rotation:v:0", str(rotate), "-i", str(plain), "-map", "0", "-c", "copy"])
        args = ["-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}"]
        if audio:
            args += ["-f", "lavfi", "-i", f"sine=f=440:sample_rate=48000:d={seconds}"]
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", str(fps)]
        if audio:
            args += ["-c:a", "aac", "-b:a", "64k", "-shortest"]
        if gps:
            args += [
                "-movflags", "use_metadata_tags",
                "-metadata", f"location={GPS_ISO6709}",
                "-metadata", f"com.apple.quicktime.location.ISO6709={GPS_ISO6709}",
                "-metadata", f"make={GPS_MAKE}",
                "-metadata", "model=X1",
                "-metadata", "creation_time=2024-05-01T12:00:00Z",
                "-metadata:s:v", f"location={GPS_ISO6709}",
            ]  # fmt: skip
        if faststart:
            args += ["-movflags", "+faststart"]
        return self._make(name, args)

    def audio_only(self) -> Path:
        return self._make("sound.m4a", ["-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "aac"])

    def ten_hours(self) -> Path:
        """A 10-hour video in 2 KB: one tiny frame every 10 minutes."""
        args = ["-f", "lavfi", "-i", "color=c=gray:s=64x64:r=1/600:d=36000"]
        return self._make("ten-hours.mp4", [*args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"])

    def eight_k(self) -> Path:
        """Two frames of 7680x4320."""
        args = ["-f", "lavfi", "-i", "color=c=gray:s=7680x4320:r=1:d=2"]
        return self._make("eight-k.mp4", [*args, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"])

    def truncated_mp4(self, *, faststart: bool = False) -> Path:
        """A real MP4 cut in half (moov at the end, so lost; or, with faststart, samples missing)."""
        name = f"cut-{'fs' if faststart else 'plain'}.mp4"
        target = self.folder / name
        if not target.exists():
            data = self.video(faststart=faststart).read_bytes()
            target.write_bytes(data[: len(data) // 2])
        return target

    def _write(self, name: str, data: bytes) -> Path:
        target = self.folder / name
        if not target.exists():
            target.write_bytes(data)
        return target

    def html_as_mp4(self) -> Path:
        return self._write("page.mp4", b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n")

    def svg_as_mp4(self) -> Path:
        return self._write("drawing.mp4", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>\n')

    def text_as_mp4(self) -> Path:
        return self._write("notes.mp4", "Notes from the field, not a video.\nВідео буде пізніше.\n".encode() * 20)

    def random_bytes(self) -> Path:
        # Seeded: unseeded noise starts with "<" one time in 256 and reads as markup.
        return self._write("noise.mp4", random.Random(20261124).randbytes(256 * 1024))  # noqa: S311

    def empty(self) -> Path:
        return self._write("empty.mp4", b"")

    def image(
        self,
        width: int = 800,
        height: int = 600,
        *,
        fmt: str = "JPEG",
        gps: bool = False,
        orientation: int = 1,
        name: str | None = None,
    ) -> Path:
        """A gradient picture; `gps` adds EXIF GPS and device tags, `orientation` the EXIF
        orientation (6: the camera was turned, the picture must be turned 90° clockwise)."""
        ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
        name = name or f"i{width}x{height}-o{orientation}-{'gps' if gps else 'plain'}.{ext}"
        target = self.folder / name
        if target.exists():
            return target
        picture = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        exif = Image.Exif()
        if gps or orientation != 1:
            exif[0x0112] = orientation
        if gps:
            exif[0x010F] = GPS_MAKE
            exif[0x0110] = "X1"
            gps_ifd = exif.get_ifd(0x8825)
            gps_ifd.update({1: "N", 2: (48.0, 51.0, 27.72), 3: "E", 4: (2.0, 17.0, 42.0)})
        partial = target.with_name(f".{os.getpid()}.{name}")
        picture.save(partial, fmt, exif=exif.tobytes() if len(exif) else b"")
        partial.replace(target)
        return target


@dataclass
class MediaDirs:
    root: Path  # MEDIA_ROOT: storage
    uploads: Path  # MEDIA_UPLOAD_DIR: tus partial files

    def stored(self, name: str) -> Path:
        return self.root / name


@pytest.fixture(scope="session", name="clips")
def clips_fixture(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    return Clips(tmp_path_factory.getbasetemp() / "clips")


@pytest.fixture(name="media_dirs")
def media_dirs_fixture(settings, tmp_path: Path) -> MediaDirs:  # type: ignore[no-untyped-def]
    dirs = MediaDirs(root=tmp_path / "media", uploads=tmp_path / "uploads")
    dirs.root.mkdir()
    dirs.uploads.mkdir()
    settings.MEDIA_ROOT = dirs.root
    settings.MEDIA_UPLOAD_DIR = dirs.uploads
    return dirs


def asset_from_file(source: Path, *, owner, item=None, name: str | None = None) -> MediaAsset:  # type: ignore[no-untyped-def]
    """A finished upload of `source` (copied into MEDIA_UPLOAD_DIR) and its pending asset,
    as the tus server leaves them."""
    size = source.stat().st_size
    partial = f"{uuid.uuid4()}.part"
    shutil.copyfile(source, Path(settings.MEDIA_UPLOAD_DIR) / partial)
    now = timezone.now()
    upload = Upload.objects.create(
        owner=owner,
        length=size,
        offset=size,
        filename=name or source.name,
        path=partial,
        expires_at=now + datetime.timedelta(days=1),
        completed_at=now,
    )
    return MediaAsset.objects.create(
        owner=owner, item=item, upload=upload, original_name=name or source.name, size=size
    )
