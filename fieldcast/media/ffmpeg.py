"""Running ffmpeg: where the binary is, progress from `-progress pipe:1`, a concurrency guard.

Every ffmpeg the pipeline starts goes through `ffmpeg_run`, which
- passes `-progress pipe:1 -nostats` and turns `out_time_us` into a percent of the
  expected duration, reported through a callback (four times a second);
- holds one of TRANSCODE_CONCURRENCY slots while the child runs. `db_worker` runs one task
  at a time per process, so with the default of 1 the slot only matters when tasks run in
  threads (an immediate backend under a threaded server); across processes the number of
  media workers is the bound;
- kills the child when anything goes wrong on our side (the callback raised, the worker is
  shutting down, the child's position stood still for `stall_timeout` seconds);
- raises FFmpegError with the tail of ffmpeg's stderr when the child fails.
"""

from __future__ import annotations

import logging
import os
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import IO

from django.conf import settings

log = logging.getLogger(__name__)

ProgressCallback = Callable[[float], None]

STDERR_TAIL_CHARS = 2000
# ffmpeg's position in the output not moving for this long means it hangs.
DEFAULT_STALL_TIMEOUT_S = 300.0


class FFmpegError(Exception):
    """ffmpeg failed. `stderr_tail` is for logs and admins, not for the uploader."""

    def __init__(self, message: str, *, returncode: int | None = None, stderr_tail: str = "") -> None:
        super().__init__(f"{message}\n{stderr_tail}".rstrip())
        self.returncode = returncode
        self.stderr_tail = stderr_tail

    @property
    def killed_by_signal(self) -> bool:
        """True when something outside killed ffmpeg (OOM killer, an operator): worth a retry."""
        return self.returncode is not None and self.returncode < 0


@cache
def _binary(configured: str) -> str:
    if configured:
        return configured
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def ffmpeg_binary() -> str:
    """settings.FFMPEG_BINARY, else ffmpeg on PATH, else the static build in imageio-ffmpeg."""
    return _binary(settings.FFMPEG_BINARY)


_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


@contextmanager
def transcode_slot() -> Iterator[None]:
    """Hold one of TRANSCODE_CONCURRENCY slots of this process while ffmpeg runs."""
    global _slots
    with _slots_lock:
        limit = max(1, settings.TRANSCODE_CONCURRENCY)
        if _slots is None or _slots[0] != limit:
            _slots = (limit, threading.BoundedSemaphore(limit))
        semaphore = _slots[1]
    with semaphore:
        yield


def _parse_progress(block: dict[str, str], duration: float | None) -> float | None:
    """Percent done (0-100) from one `-progress` block, when the duration is known."""
    if not duration or duration <= 0:
        return None
    raw = block.get("out_time_us") or block.get("out_time_ms")  # both are microseconds in ffmpeg
    if not raw or not raw.lstrip("-").isdigit():
        return None
    return max(0.0, min(100.0, int(raw) / 1_000_000 / duration * 100))


def _tail(stream: IO[bytes]) -> str:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(max(0, size - STDERR_TAIL_CHARS))
    return stream.read().decode("utf-8", errors="replace").strip()


def ffmpeg_command(args: Sequence[str]) -> list[str]:
    """The full command line for `args` (inputs, filters, outputs) as ffmpeg_run runs it."""
    return [
        ffmpeg_binary(),
        "-hide_banner", "-nostdin", "-y",
        "-loglevel", "warning",
        # A report every 0.25 s (default 0.5): callers watch the output as it grows.
        "-progress", "pipe:1", "-nostats", "-stats_period", "0.25",
        *args,
    ]  # fmt: skip


def ffmpeg_run(
    args: Sequence[str],
    *,
    duration: float | None = None,
    on_progress: ProgressCallback | None = None,
    stall_timeout: float = DEFAULT_STALL_TIMEOUT_S,
) -> None:
    """Run ffmpeg with `args`; call `on_progress(percent)` as it goes (and at least every
    2 s even when ffmpeg reports nothing new, so callers can keep a heartbeat)."""
    command = ffmpeg_command(args)
    with transcode_slot(), tempfile.TemporaryFile() as stderr:
        log.debug("ffmpeg: %s", subprocess.list2cmdline(command))
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL)  # noqa: S603 (our own argument list)
        try:
            _follow(process, duration, on_progress, stall_timeout)
            returncode = process.wait()
        except BaseException:
            # Whatever stopped us (the callback, a timeout, the worker shutting down):
            # the child must not outlive the task.
            process.kill()
            process.wait()
            raise
        finally:
            if process.stdout is not None:
                process.stdout.close()
        if returncode != 0:
            raise FFmpegError(
                f"ffmpeg exited with status {returncode}", returncode=returncode, stderr_tail=_tail(stderr)
            )


def _follow(
    process: subprocess.Popen[bytes],
    duration: float | None,
    on_progress: ProgressCallback | None,
    stall_timeout: float,
) -> None:
    """Read `-progress` blocks from the child's stdout until it closes. ffmpeg repeats its
    report every 0.5 s even when stuck, so liveness is `out_time` moving, not output."""
    if process.stdout is None:
        raise ValueError("ffmpeg's stdout must be a pipe")
    fd = process.stdout.fileno()
    buffer = b""
    block: dict[str, str] = {}
    last_advance = last_report = time.monotonic()
    percent, out_time = 0.0, ""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            ready = selector.select(timeout=1.0)
            now = time.monotonic()
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    key, _, value = line.decode("ascii", errors="replace").strip().partition("=")
                    if key != "progress":
                        block[key] = value
                        continue
                    if block.get("out_time_us", "") != out_time or value == "end":
                        out_time, last_advance = block.get("out_time_us", ""), now
                    parsed = _parse_progress(block, duration)
                    percent = 100.0 if value == "end" else (parsed if parsed is not None else percent)
                    block = {}
                    if on_progress is not None:
                        on_progress(percent)
                        last_report = now
            if now - last_advance > stall_timeout:
                raise FFmpegError(f"ffmpeg reported no progress for {stall_timeout:.0f} s; stopped it")
            if on_progress is not None and now - last_report >= 2.0:
                on_progress(percent)
                last_report = now
