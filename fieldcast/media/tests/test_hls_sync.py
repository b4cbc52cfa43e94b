"""The ladder publisher (services/hls_sync.py) without a real store or ffmpeg: a folder stands
for the bucket, and a fake writes the ladder's files the way ffmpeg does (segments first, then
the playlist replaced through a rename). What goes up, in which order, once, and what the
upload at the end of `paths.local_output_dir` still sends.

The real thing (ffmpeg, SeaweedFS, the served playlists) is in test_storage_s3.py."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, InMemoryStorage, default_storage

from fieldcast.media import paths
from fieldcast.media.services import hls_sync, ladder
from fieldcast.media.services.hls_sync import LadderPublisher

HLS = "assets/AbC123/hls"
RUNGS = ladder.ladder_plan(640, 360)  # 240 and 360


class Bucket(FileSystemStorage):
    """A folder standing for a bucket: records every save, refuses the names in `refuse`."""

    def __init__(self, location: Path) -> None:
        super().__init__(location=location)
        self.saved: list[str] = []
        self.refuse: set[str] = set()
        self._lock = threading.Lock()

    def _save(self, name, content):  # type: ignore[no-untyped-def]
        if name in self.refuse:
            raise OSError(f"503 Slow Down: {name}")
        with self._lock:
            self.saved.append(name)
        return super()._save(name, content)


class FakeFFmpeg:
    """Writes an EVENT ladder into `root` as ffmpeg does: a finished segment, then the playlist
    naming it (written aside and renamed), the master after every rung's first segment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.segments = {rung.quality: 0 for rung in RUNGS}

    def _replace(self, path: Path, text: str) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)

    def segment(self, quality: int) -> None:
        folder = self.root / str(quality)
        folder.mkdir(parents=True, exist_ok=True)
        if not self.segments[quality]:
            (folder / f"init_{quality}.mp4").write_bytes(b"init %d" % quality)
        (folder / (paths.HLS_SEGMENT_PATTERN % self.segments[quality])).write_bytes(b"media %d" % quality)
        self.segments[quality] += 1
        lines = [
            "#EXTM3U",
            "#EXT-X-PLAYLIST-TYPE:EVENT",
            "#EXT-X-TARGETDURATION:2",
            f'#EXT-X-MAP:URI="init_{quality}.mp4"',
        ]
        for n in range(self.segments[quality]):
            lines += ["#EXTINF:2.000000,", paths.HLS_SEGMENT_PATTERN % n]
        self._replace(folder / paths.HLS_RUNG_PLAYLIST, "\n".join(lines) + "\n")
        if all(self.segments.values()):
            self.master(bandwidth=100)

    def master(self, *, bandwidth: int) -> None:
        lines = ["#EXTM3U"]
        for quality in self.segments:
            lines += [f"#EXT-X-STREAM-INF:BANDWIDTH={bandwidth}", f"{quality}/{paths.HLS_RUNG_PLAYLIST}"]
        self._replace(self.root / paths.HLS_MASTER, "\n".join(lines) + "\n")

    def finish(self) -> None:
        """ffmpeg's last master (with measured bandwidths), then the pipeline's VOD playlists."""
        self.master(bandwidth=999)
        for quality in self.segments:
            ladder.playlist_finalise(self.root / str(quality) / paths.HLS_RUNG_PLAYLIST)


@pytest.fixture
def bucket(tmp_path: Path) -> Bucket:
    return Bucket(tmp_path / "bucket")


@pytest.fixture
def ffmpeg(tmp_path: Path) -> FakeFFmpeg:
    return FakeFFmpeg(tmp_path / "work")


def publisher_for(ffmpeg: FakeFFmpeg, bucket: Bucket | None = None) -> LadderPublisher:
    return LadderPublisher(ffmpeg.root, HLS, RUNGS, stored=paths.StoredFiles(), storage=bucket)


def stored_text(storage, name: str) -> str:  # type: ignore[no-untyped-def]
    with storage.open(name) as fh:
        return fh.read().decode()


def assert_names_only_stored_files(storage) -> None:  # type: ignore[no-untyped-def]
    """The invariant players rely on: every file a stored playlist names is stored."""
    for rung in RUNGS:
        playlist = f"{HLS}/{rung.quality}/{paths.HLS_RUNG_PLAYLIST}"
        if storage.exists(playlist):
            for relative in hls_sync.playlist_files(stored_text(storage, playlist)):
                assert storage.exists(f"{HLS}/{rung.quality}/{relative}"), relative
    if storage.exists(f"{HLS}/{paths.HLS_MASTER}"):
        for relative in hls_sync.playlist_files(stored_text(storage, f"{HLS}/{paths.HLS_MASTER}")):
            assert storage.exists(f"{HLS}/{relative}"), relative


def test_segments_go_up_before_the_playlist_naming_them_and_only_once(ffmpeg, bucket):
    publisher = publisher_for(ffmpeg, bucket)
    publisher.sync()  # before ffmpeg wrote anything
    assert bucket.saved == []

    ffmpeg.segment(240)
    publisher.sync()
    # The files in parallel (in any order), then the playlist naming them.
    assert set(bucket.saved[:2]) == {f"{HLS}/240/init_240.mp4", f"{HLS}/240/seg_00000.m4s"}
    assert bucket.saved[2:] == [f"{HLS}/240/index.m3u8"]
    assert not publisher.playable  # the 360 rung has nothing yet: no master either
    assert_names_only_stored_files(bucket)

    ffmpeg.segment(360)
    ffmpeg.segment(240)
    bucket.saved.clear()
    publisher.sync()
    assert publisher.playable
    first_files = {f"{HLS}/240/seg_00001.m4s", f"{HLS}/360/init_360.mp4", f"{HLS}/360/seg_00000.m4s"}
    assert set(bucket.saved[:3]) == first_files
    assert set(bucket.saved[3:5]) == {f"{HLS}/240/index.m3u8", f"{HLS}/360/index.m3u8"}
    assert bucket.saved[5:] == [f"{HLS}/master.m3u8"]
    assert_names_only_stored_files(bucket)
    assert stored_text(bucket, f"{HLS}/240/index.m3u8").count("#EXTINF") == 2

    bucket.saved.clear()
    publisher.sync()  # nothing new
    (ffmpeg.root / "360" / "seg_00001.m4s.tmp").write_bytes(b"half")  # ffmpeg still writing it
    publisher.sync()
    assert bucket.saved == []


def test_a_failed_upload_holds_back_its_playlist_until_a_later_sync(ffmpeg, bucket, caplog):
    publisher = publisher_for(ffmpeg, bucket)
    ffmpeg.segment(240)
    ffmpeg.segment(360)
    publisher.sync()
    ffmpeg.segment(240)
    ffmpeg.segment(360)
    bucket.refuse = {f"{HLS}/240/seg_00001.m4s"}
    with caplog.at_level(logging.WARNING, logger=hls_sync.__name__):
        publisher.sync()
    assert f"could not publish {HLS}/240/seg_00001.m4s early" in caplog.text
    assert "503 Slow Down" in caplog.text
    assert stored_text(bucket, f"{HLS}/240/index.m3u8").count("#EXTINF") == 1  # as it was
    assert stored_text(bucket, f"{HLS}/360/index.m3u8").count("#EXTINF") == 2  # the other rung goes on
    assert_names_only_stored_files(bucket)

    bucket.refuse = set()
    publisher.sync()
    assert stored_text(bucket, f"{HLS}/240/index.m3u8").count("#EXTINF") == 2
    assert_names_only_stored_files(bucket)
    assert bucket.saved.count(f"{HLS}/240/seg_00001.m4s") == 1


def test_syncs_come_at_most_every_two_seconds(ffmpeg, bucket, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(hls_sync.time, "monotonic", lambda: clock[0])
    publisher = publisher_for(ffmpeg, bucket)
    ffmpeg.segment(240)
    publisher.sync_if_due()  # the first call syncs
    assert f"{HLS}/240/seg_00000.m4s" in bucket.saved
    ffmpeg.segment(240)
    clock[0] += 1.9
    publisher.sync_if_due()
    assert f"{HLS}/240/seg_00001.m4s" not in bucket.saved
    clock[0] += 0.1
    publisher.sync_if_due()
    assert f"{HLS}/240/seg_00001.m4s" in bucket.saved


IN_MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_the_upload_at_the_end_sends_only_what_was_not_published(settings, monkeypatch):
    """`local_output_dir` skips what the publisher sent, and sends the rest: a segment the
    last sync did not see, the finalised playlists, ffmpeg's last master."""
    settings.STORAGES = IN_MEMORY
    saved: list[str] = []
    real_save = InMemoryStorage.save

    def counting_save(storage, name, content, max_length=None):  # type: ignore[no-untyped-def]
        saved.append(name)
        return real_save(storage, name, content, max_length=max_length)

    monkeypatch.setattr(InMemoryStorage, "save", counting_save)
    published = paths.StoredFiles()
    with paths.local_output_dir(HLS, already_stored=published) as local:
        ffmpeg = FakeFFmpeg(local)
        publisher = LadderPublisher(local, HLS, RUNGS, stored=published)  # the media storage
        for quality in (240, 360, 240, 360):
            ffmpeg.segment(quality)
        publisher.sync()
        assert publisher.playable
        sent_while_working = list(saved)
        ffmpeg.segment(240)
        ffmpeg.finish()
        final = {p.relative_to(local).as_posix(): p.read_bytes() for p in local.rglob("*") if p.is_file()}
    at_the_end = saved[len(sent_while_working) :]
    assert sorted(at_the_end) == sorted(
        f"{HLS}/{relative}" for relative in ("240/seg_00002.m4s", "240/index.m3u8", "360/index.m3u8", paths.HLS_MASTER)
    )
    assert not set(at_the_end) & {name for name in sent_while_working if not name.endswith(".m3u8")}
    for relative, data in final.items():
        with default_storage.open(f"{HLS}/{relative}") as fh:
            assert fh.read() == data, relative
    assert "#EXT-X-ENDLIST" in stored_text(default_storage, f"{HLS}/240/index.m3u8")
    assert_names_only_stored_files(default_storage)
