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
whole folder, such as an HLS ladder, with a few parallel requests). On the local filesystem it
is the final file under MEDIA_ROOT, so nothing is copied.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage

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


def _upload_file(local: Path, name: str) -> None:
    # Object storage overwrites in place (MediaS3Storage.file_overwrite): no HEAD and DELETE first.
    if not getattr(default_storage, "file_overwrite", False) and default_storage.exists(name):
        default_storage.delete(name)
    with local.open("rb") as fh:
        saved = default_storage.save(name, File(fh))
    if saved != name:
        raise RuntimeError(f"storage saved {name!r} as {saved!r}")


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
        _upload_file(path, name)


@contextmanager
def local_output_dir(name: str) -> Iterator[Path]:
    """A local folder to write the tree `name` into; it is in storage once the block ends.
    (On remote storage the files arrive at the end, not while ffmpeg writes them.)"""
    local = local_path(name)
    if local is not None:
        local.mkdir(parents=True, exist_ok=True)
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="fieldcast-out-") as tmp:
        root = Path(tmp)
        yield root
        files = sorted(p for p in root.rglob("*") if p.is_file())
        with ThreadPoolExecutor(max_workers=UPLOAD_THREADS, thread_name_prefix="fieldcast-upload") as pool:
            # list(): the first failed upload raises here, after the others have finished.
            list(pool.map(lambda file: _upload_file(file, f"{name}/{file.relative_to(root).as_posix()}"), files))


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
