"""Publishing an HLS ladder to object storage while ffmpeg writes it, so that on object storage
an item becomes playable after its first segments, as on a local disk (where ffmpeg writes
straight into storage).

ffmpeg writes the ladder into a local temporary folder (`paths.local_output_dir`). From its
progress callback, `LadderPublisher.sync_if_due` uploads, at most every `SYNC_EVERY_S`:

- per rung, the init segment and the segments the rung's playlist lists that are not stored
  yet, then the very playlist text those were read from (read once per sync: ffmpeg replaces
  the file as it goes), so a stored playlist never names a segment missing from the bucket;
- then the master playlist, once every rung's playlist is stored (and again when ffmpeg
  rewrites it with the bandwidths it measured).

What was sent is recorded in a `paths.StoredFiles`, which `local_output_dir` consults at the
end of its block: segments are uploaded once, and only files changed since (the playlists
finalised as VOD) or never sent go up at the end.

A failed upload is logged and holds back its rung's playlist; the next sync tries again, and
the upload at the end of the block, which raises, fails the run if the store still refuses.
A moment of trouble at the store thus delays playability a little instead of throwing away a
long encode, and a run never finishes with files missing from the bucket.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.core.files.storage import Storage

from fieldcast.media import paths

from .ladder import Rung

log = logging.getLogger(__name__)

# Segments are 2 s long (ladder.SEGMENT_SECONDS): a sync per segment, whatever the rate of
# ffmpeg's progress reports.
SYNC_EVERY_S = 2.0
_MAP_URI = re.compile(r'URI="([^"]+)"')


def playlist_files(text: str) -> list[str]:
    """The files a media playlist names (its init segment, then its segments), as written in it."""
    files = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXT-X-MAP:"):
            match = _MAP_URI.search(line)
            if match:
                files.append(match.group(1))
        elif line and not line.startswith("#"):
            files.append(line)
    return files


@dataclass(frozen=True)
class _Listing:
    """A rung playlist as read in one sync."""

    quality: int
    relative: str  # the playlist, relative to the ladder's folder: "720/index.m3u8"
    text: str
    signature: paths.FileSignature  # of the file, taken before reading it
    files: tuple[str, ...]  # what it names, relative to the ladder's folder
    segments: int


class LadderPublisher:
    """Uploads the ladder that ffmpeg writes under `local` to storage under `name` (storage
    names, e.g. assets/<id>/hls) as it grows. Called from one thread (ffmpeg's progress
    callback); the uploads of one sync run in parallel."""

    def __init__(
        self,
        local: Path,
        name: str,
        rungs: Sequence[Rung],
        *,
        stored: paths.StoredFiles,
        storage: Storage | None = None,  # None: the media storage
    ) -> None:
        self.local = local
        self.name = name
        self.qualities = [rung.quality for rung in rungs]
        self.stored = stored
        self.storage = storage
        self._last_sync: float | None = None
        self._playlists: dict[int, str] = {}  # quality → the playlist text in storage
        self._segments: dict[int, int] = {}  # quality → segments that stored playlist names
        self._master_stored = False

    @property
    def playable(self) -> bool:
        """The master playlist is stored, and every rung's stored playlist names a segment."""
        return self._master_stored and all(self._segments.get(q, 0) > 0 for q in self.qualities)

    def sync_if_due(self) -> None:
        """`sync`, unless the last one began less than `SYNC_EVERY_S` ago."""
        if self._last_sync is not None and time.monotonic() - self._last_sync < SYNC_EVERY_S:
            return
        self.sync()

    def sync(self) -> None:
        """Upload what is new: segments, then the playlists naming them, then the master."""
        self._last_sync = time.monotonic()
        listings = [listing for q in self.qualities if (listing := self._read_playlist(q)) is not None]
        new_files = {
            relative
            for listing in listings
            for relative in listing.files
            if not self.stored.is_current(self._name(relative), self.local / relative)
        }
        failed = self._send({relative: partial(self._send_file, relative) for relative in sorted(new_files)})
        complete = [listing for listing in listings if failed.isdisjoint(listing.files)]
        failed = self._send({listing.relative: partial(self._send_playlist, listing) for listing in complete})
        for listing in complete:
            if listing.relative not in failed:
                self._playlists[listing.quality] = listing.text
                self._segments[listing.quality] = listing.segments
        master = self.local / paths.HLS_MASTER
        if len(self._playlists) < len(self.qualities) or not master.exists():
            return  # the master would name a rung playlist the bucket does not have
        if not self.stored.is_current(self._name(paths.HLS_MASTER), master):
            sent = not self._send({paths.HLS_MASTER: partial(self._send_file, paths.HLS_MASTER)})
            self._master_stored = self._master_stored or sent

    def _name(self, relative: str) -> str:
        return f"{self.name}/{relative}"

    def _read_playlist(self, quality: int) -> _Listing | None:
        """The rung's playlist as ffmpeg has it now; None before ffmpeg writes it, or when
        storage holds the same text."""
        relative = f"{quality}/{paths.HLS_RUNG_PLAYLIST}"
        playlist = self.local / relative
        try:
            # Before reading: should ffmpeg replace the file in between, the end-of-block
            # upload sees a different file and sends it again (never the other way round).
            signature = paths.StoredFiles.signature(playlist)
            text = playlist.read_text()
        except FileNotFoundError:
            return None
        if text == self._playlists.get(quality):
            self.stored.record(self._name(relative), signature)
            return None
        names = playlist_files(text)
        segments = sum(1 for line in text.splitlines() if line.startswith("#EXTINF"))
        return _Listing(quality, relative, text, signature, tuple(f"{quality}/{n}" for n in names), segments)

    def _send_file(self, relative: str) -> None:
        local = self.local / relative
        signature = paths.StoredFiles.signature(local)
        paths.upload_file(local, self._name(relative), storage=self.storage)
        self.stored.record(self._name(relative), signature)

    def _send_playlist(self, listing: _Listing) -> None:
        paths.upload_bytes(listing.text.encode(), self._name(listing.relative), storage=self.storage)
        self.stored.record(self._name(listing.relative), listing.signature)

    def _send(self, uploads: dict[str, Callable[[], None]]) -> set[str]:
        """Run the uploads in parallel; the keys of those that failed (logged, not raised)."""
        failed: set[str] = set()
        if not uploads:
            return failed
        workers = min(paths.UPLOAD_THREADS, len(uploads))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fieldcast-hls-sync") as pool:
            futures = {relative: pool.submit(upload) for relative, upload in uploads.items()}
        for relative, future in futures.items():
            error = future.exception()
            if error is not None and not isinstance(error, Exception):
                raise error  # not a failed upload: the worker is stopping
            if error is not None:
                log.warning(
                    "could not publish %s early (%s); the next sync tries again, and the upload "
                    "at the end of the ladder step fails the run if it still cannot",
                    self._name(relative),
                    error,
                    exc_info=error,
                )
                failed.add(relative)
        return failed
