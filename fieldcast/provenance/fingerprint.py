"""Perceptual fingerprints of video: one 64-bit hash per sampled frame, in time order.

One ffmpeg process decodes the video once: frames are sampled at SAMPLE_FPS (a fixed rate,
so a copy at another frame rate samples the same instants), scaled to a small grayscale
square, and split in two: one branch goes through ffmpeg's `cropdetect` (with `reset=0` it
reports the largest picture area seen in the whole clip, so letterbox and pillarbox bars
are found even when the first frames are dark), the other comes back to us as raw pixels.
Once ffmpeg is done each frame is cropped to that area and reduced to 32x32, and its hash
is the sign pattern of the lowest 8x8 DCT coefficients against their median (pHash): it
survives re-encoding, rescaling, small crops and overlays with only a few bits flipped.

Frames that carry no information (flat colour: black, a fade, a single-colour card) get no
hash (None): they would match every other flat frame.
"""

from __future__ import annotations

import math
import operator
import re
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from PIL import Image

from fieldcast.media.ffmpeg import FFmpegError, ffmpeg_binary, transcode_slot

ALGORITHM = 1  # bump when the hashes change: stored fingerprints of another version are recomputed
SAMPLE_FPS = 4  # frames hashed per second of video
GRID = 64  # frames come out of ffmpeg as GRID x GRID grayscale (cropped in Python afterwards)
HASH_SIDE = 32  # the DCT runs on HASH_SIDE x HASH_SIDE
FLAT_STDDEV = 6.0  # pixel standard deviation (0..255) under which a frame is flat
CROP_LIMIT = 24  # cropdetect's black level (0..255)
STDERR_TAIL = 2000

_CROP = re.compile(rb"crop=(\d+):(\d+):(\d+):(\d+)")

ProgressCallback = Callable[[float], None]


@dataclass
class Fingerprint:
    """`hashes[i]` is the frame at i / sample_fps seconds, None for a flat frame."""

    hashes: list[int | None]
    sample_fps: int = SAMPLE_FPS
    crop: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)  # x, y, w, h as fractions
    algorithm: int = ALGORITHM
    extras: dict[str, float] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return len(self.hashes) / self.sample_fps

    @property
    def informative(self) -> int:
        return sum(1 for h in self.hashes if h is not None)


@cache
def _dct_table() -> tuple[tuple[float, ...], ...]:
    """cos((2x + 1) u pi / 2N) for the 9 lowest frequencies u (one beyond 8 replaces DC)."""
    n = HASH_SIDE
    return tuple(tuple(math.cos((2 * x + 1) * u * math.pi / (2 * n)) for x in range(n)) for u in range(9))


# The 64 coefficients hashed: the 8x8 lowest, with DC (the mean brightness, always the
# largest) swapped for (0, 8).
_COEFFICIENTS = (*tuple((v, u) for v in range(8) for u in range(8) if (v, u) != (0, 0)), (0, 8))


def frame_hash(pixels: bytes) -> int | None:
    """pHash of one HASH_SIDE x HASH_SIDE grayscale frame, or None when it is flat."""
    n = HASH_SIDE
    if len(pixels) != n * n:
        raise ValueError(f"expected {n * n} pixels, got {len(pixels)}")
    if statistics.pstdev(pixels) < FLAT_STDDEV:
        return None
    table = _dct_table()
    rows = [pixels[y * n : (y + 1) * n] for y in range(n)]
    # Separable DCT, only the low frequencies: across each row, then down each column.
    across = [[sum(map(operator.mul, row, table[u])) for u in range(9)] for row in rows]
    columns = [[across[y][u] for y in range(n)] for u in range(9)]
    coefficient = {(v, u): sum(map(operator.mul, columns[u], table[v])) for v, u in _COEFFICIENTS}
    values = [coefficient[key] for key in _COEFFICIENTS]
    median = statistics.median(values)
    result = 0
    for value in values:
        result = (result << 1) | (value > median)
    return result


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def _crop_box(stderr: bytes) -> tuple[int, int, int, int] | None:
    """The last crop cropdetect reported (with reset=0: the union of every frame's picture)."""
    found = _CROP.findall(stderr)
    if not found:
        return None
    w, h, x, y = (int(v) for v in found[-1])
    if w <= 0 or h <= 0:
        return None
    return x, y, w, h


def _command(source: Path) -> list[str]:
    graph = (
        f"[0:v]fps={SAMPLE_FPS},scale={GRID}:{GRID}:flags=area,format=gray,split=2[detect][frames];"
        f"[detect]cropdetect=limit={CROP_LIMIT}:round=2:reset=0:skip=0,nullsink"
    )
    return [
        ffmpeg_binary(),
        "-hide_banner", "-nostdin", "-loglevel", "info",
        "-i", str(source),
        "-filter_complex", graph,
        "-map", "[frames]", "-an", "-sn", "-dn",
        "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1",
    ]  # fmt: skip


def fingerprint_file(
    source: Path, *, duration: float | None = None, on_progress: ProgressCallback | None = None
) -> Fingerprint:
    """Fingerprint the video at `source` (any container ffmpeg reads). Raises FFmpegError."""
    frame_size = GRID * GRID
    frames: list[bytes] = []
    expected = max(1.0, (duration or 0) * SAMPLE_FPS)
    with transcode_slot(), tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(  # noqa: S603 (our own argument list)
            _command(source), stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL
        )
        try:
            assert process.stdout is not None  # noqa: S101 (Popen with stdout=PIPE)
            while chunk := process.stdout.read(frame_size):
                if len(chunk) < frame_size:
                    break
                frames.append(chunk)
                if on_progress is not None and len(frames) % SAMPLE_FPS == 0:
                    on_progress(min(99.0, len(frames) / expected * 100))
            returncode = process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            if process.stdout is not None:
                process.stdout.close()
        stderr.seek(0)
        log = stderr.read()
    if returncode != 0:
        tail = log[-STDERR_TAIL:].decode("utf-8", errors="replace")
        raise FFmpegError(f"ffmpeg exited with status {returncode}", returncode=returncode, stderr_tail=tail)
    box = _crop_box(log) or (0, 0, GRID, GRID)
    x, y, w, h = box
    hashes = [frame_hash(_reduce(frame, box)) for frame in frames]
    return Fingerprint(hashes=hashes, crop=(x / GRID, y / GRID, w / GRID, h / GRID))


def _reduce(frame: bytes, box: tuple[int, int, int, int]) -> bytes:
    x, y, w, h = box
    picture = Image.frombytes("L", (GRID, GRID), frame)
    if (w, h) != (GRID, GRID):
        picture = picture.crop((x, y, x + w, y + h))
    return picture.resize((HASH_SIDE, HASH_SIDE), Image.Resampling.BOX).tobytes()


def pack(hashes: list[int | None]) -> bytes:
    """Eight bytes per frame, big-endian; a flat frame is stored as 0 (flags in `flat_mask`)."""
    return b"".join((h or 0).to_bytes(8, "big") for h in hashes)


def unpack(data: bytes, flat: bytes) -> list[int | None]:
    count = len(data) // 8
    values: list[int | None] = []
    for i in range(count):
        if flat[i // 8] & (1 << (i % 8)):
            values.append(None)
        else:
            values.append(int.from_bytes(data[i * 8 : i * 8 + 8], "big"))
    return values


def flat_mask(hashes: list[int | None]) -> bytes:
    mask = bytearray((len(hashes) + 7) // 8)
    for i, h in enumerate(hashes):
        if h is None:
            mask[i // 8] |= 1 << (i % 8)
    return bytes(mask)
