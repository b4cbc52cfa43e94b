"""Where an asset's files live in storage, and local paths for ffmpeg to read and write.

Layout under `assets/<public_id>/` (the serving code and the access layer rely on these names):

    original<.ext>             the upload as received (private: keeps its metadata)
    hls/master.m3u8            HLS master playlist (profile "hls")
    hls/<q>/index.m3u8         one rung, q = 240/360/480/720/1080 (profile "hls-<q>")
    hls/<q>/init_<q>.mp4       its fMP4 init segment
    hls/<q>/seg_00000.m4s ...  its media segments
    video.mp4                  progressive MP4, remuxed from the top rung ("mp4")
    poster.jpg                 poster frame ("poster")
    sprite.jpg, sprite.vtt     scrubbing thumbnails and their WebVTT index ("sprite", "sprite-vtt")
    image-1280.jpg, image-640.jpg   resized images, metadata stripped ("image-1280", "image-640")

Storage is reached through storage names only: the local MEDIA_ROOT, or a bucket
(STORAGE_BACKEND=s3, media/storage.py). ffmpeg needs local paths: `local_input` gives one
(on object storage a temporary download), `local_output` yields one and makes it the storage
name afterwards (on object storage an upload when the block ends; `local_output_dir` uploads a
whole folder, such as an HLS ladder, with a few parallel requests, skipping the files a
`StoredFiles` says were already sent while the block ran). On the local filesystem it is the
final file under MEDIA_ROOT, so nothing is copied.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage

HLS_MASTER = "master.m3u8"
HLS_RUNG_PLAYLIST = "index.m3u8"
HLS_SEGMENT_PATTERN = "seg_%05d.m4s"
# ffmpeg names one init segment per variant; %v is the rung's name (its quality, e.g. 720).
HLS_INIT_PATTERN = "init_%v.mp4"


def asset_dir(public_id: str) -> str:
    return f"assets/{public_id}"


def original_name(public_id: str, ext: str) -> str:
    return f"{asset_dir(public_id)}/original{ext}"


def hls_dir(public_id: str) -> str:
    return f"{asset_dir(public_id)}/hls"


def hls_master(public_id: str) -> str:
    return f"{hls_dir(public_id)}/{HLS_MASTER}"


def hls_rung_playlist(public_id: str, quality: int) -> str:
    return f"{hls_dir(public_id)}/{quality}/{HLS_RUNG_PLAYLIST}"


def video_mp4(public_id: str) -> str:
    return f"{asset_dir(public_id)}/video.mp4"


def poster(public_id: str) -> str:
    return f"{asset_dir(public_id)}/poster.jpg"


def sprite(public_id: str) -> str:
    return f"{asset_dir(public_id)}/sprite.jpg"


def sprite_vtt(public_id: str) -> str:
    return f"{asset_dir(public_id)}/sprite.vtt"


def image(public_id: str, size: int) -> str:
    return f"{asset_dir(public_id)}/image-{size}.jpg"


# --- storage helpers ------------------------------------------------------------------------


def local_path(name: str) -> Path | None:
    """The file behind a storage name on local disk, or None for any other storage. (Only a
    FileSystemStorage counts: others may answer path() without keeping files there, as
    Django's InMemoryStorage does.)"""
    if not isinstance(default_storage, FileSystemStorage):
        return None
    return Path(default_storage.path(name))


# Parallel uploads of a folder to object storage (an HLS ladder is hundreds of small files).
UPLOAD_THREADS = 8


def _save(content: File, name: str, storage: Storage) -> None:
    # Object storage overwrites in place (MediaS3Storage.file_overwrite): no HEAD and DELETE first.
    if not getattr(storage, "file_overwrite", False) and storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, content)
    if saved != name:
        raise RuntimeError(f"storage saved {name!r} as {saved!r}")


def upload_file(local: Path, name: str, *, storage: Storage | None = None) -> None:
    """Store the local file as `name` (replacing what is there) in `storage`, by default the media storage."""
    with local.open("rb") as fh:
        _save(File(fh), name, storage or default_storage)


def upload_bytes(data: bytes, name: str, *, storage: Storage | None = None) -> None:
    """Store `data` as `name`, as `upload_file` does: for a text read once and sent as read."""
    _save(ContentFile(data), name, storage or default_storage)


# inode, size, modification time (ns), and the CRC-32 of a file of at most SIGNATURE_CONTENT_MAX bytes
FileSignature = tuple[int, int, int, int | None]
SIGNATURE_CONTENT_MAX = 256 * 1024


class StoredFiles:
    """Local files already in storage, each with its signature as it was before it was read
    for the upload. `local_output_dir` skips those whose signature is unchanged, and sends a
    file replaced since (ffmpeg and `ladder.playlist_finalise` replace playlists with a rename,
    so a new version has a new inode or size or time). Uploads record from a thread pool."""

    def __init__(self) -> None:
        self._sent: dict[str, FileSignature] = {}
        self._lock = threading.Lock()

    @staticmethod
    def signature(local: Path) -> FileSignature:
        info = local.stat()
        # A small file (a playlist) also by its content: a replacement written within the same
        # clock tick may get the freed inode back, the same size and the same time.
        content = zlib.crc32(local.read_bytes()) if info.st_size <= SIGNATURE_CONTENT_MAX else None
        return (info.st_ino, info.st_size, info.st_mtime_ns, content)

    def record(self, name: str, signature: FileSignature) -> None:
        with self._lock:
            self._sent[name] = signature

    def is_current(self, name: str, local: Path) -> bool:
        """Whether storage holds `name` as the local file is now."""
        with self._lock:
            sent = self._sent.get(name)
        if sent is None:
            return False
        try:
            return self.signature(local) == sent
        except FileNotFoundError:
            return False


@contextmanager
def local_output(name: str) -> Iterator[Path]:
    """A local path to write the file `name` to; it is in storage once the block ends.
    An existing file of that name is replaced (steps run again after a crash)."""
    local = local_path(name)
    if local is not None:
        local.parent.mkdir(parents=True, exist_ok=True)
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="fieldcast-out-") as tmp:
        path = Path(tmp) / Path(name).name
        yield path
        upload_file(path, name)


@contextmanager
def local_output_dir(name: str, *, already_stored: StoredFiles | None = None) -> Iterator[Path]:
    """A local folder to write the tree `name` into; it is in storage once the block ends.
    On remote storage the files are uploaded at the end, except those `already_stored` holds
    unchanged (a caller that publishes files while they are written, services/hls_sync.py)."""
    local = local_path(name)
    if local is not None:
        local.mkdir(parents=True, exist_ok=True)
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="fieldcast-out-") as tmp:
        root = Path(tmp)
        yield root
        files = {f"{name}/{p.relative_to(root).as_posix()}": p for p in sorted(root.rglob("*")) if p.is_file()}
        if already_stored is not None:
            files = {key: p for key, p in files.items() if not already_stored.is_current(key, p)}
        with ThreadPoolExecutor(max_workers=UPLOAD_THREADS, thread_name_prefix="fieldcast-upload") as pool:
            # list(): the first failed upload raises here, after the others have finished.
            list(pool.map(upload_file, files.values(), files.keys()))


@contextmanager
def local_input(name: str) -> Iterator[Path]:
    """A local path to read the stored file `name` from."""
    local = local_path(name)
    if local is not None:
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="fieldcast-in-") as tmp:
        path = Path(tmp) / Path(name).name
        with default_storage.open(name, "rb") as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        yield path


def delete_tree(name: str) -> None:
    """Delete the folder `name` and everything in it (missing is fine)."""
    local = local_path(name)
    if local is not None:
        shutil.rmtree(local, ignore_errors=True)
        return
    delete_prefix = getattr(default_storage, "delete_prefix", None)
    if delete_prefix is not None:  # object storage: list and delete in batches
        delete_prefix(name)
        return
    if not default_storage.exists(name):
        return
    folders, files = default_storage.listdir(name)
    for file in files:
        default_storage.delete(f"{name}/{file}")
    for folder in folders:
        delete_tree(f"{name}/{folder}")


def stored_size(name: str) -> int:
    try:
        return int(default_storage.size(name))
    except (OSError, NotImplementedError):
        return 0
