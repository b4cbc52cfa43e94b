"""The HLS ladder: which rungs, the one ffmpeg command that writes them all, and the
playlists' finishing touches. Pure functions of a probe and paths: the pipeline and the
benchmark build the very same command line here.

A rung's quality is the short side of its picture (720 means 1280x720 landscape or 720x1280
portrait), as players label them. Rungs never go above the source; a source smaller than
the lowest rung gets one rung at its own size.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from fieldcast.media import paths
from fieldcast.media.ffmpeg import ffmpeg_command
from fieldcast.media.probe import Probe

QUALITIES = (240, 360, 480, 720, 1080)
# Peak video bitrates (bits/s) at 30 fps: x264 runs at CRF 23 under these caps (VBV).
VIDEO_BITRATES = {240: 400_000, 360: 800_000, 480: 1_400_000, 720: 2_800_000, 1080: 5_000_000}
HIGH_FPS_FACTOR = 1.5  # above 40 fps
MAX_FPS = 60
AUDIO_BITRATE = 128_000
CRF = 23
PRESET = "veryfast"
KEYFRAME_SECONDS = 2  # every rung has a keyframe at the same instants, so players switch cleanly
SEGMENT_SECONDS = 2  # 2 s: the item is playable after the first 2 s of every rung are encoded


@dataclass(frozen=True)
class Rung:
    quality: int  # short side in pixels; names the folder hls/<quality>/ and the profile hls-<quality>
    width: int
    height: int
    bitrate: int  # peak video bitrate, bits/s

    @property
    def profile(self) -> str:
        return f"hls-{self.quality}"


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def ladder_plan(width: int, height: int, fps: float | None = None) -> list[Rung]:
    """The rungs for a picture of `width` x `height` as displayed (after rotation)."""
    short, long = min(width, height), max(width, height)
    landscape = width >= height
    factor = HIGH_FPS_FACTOR if fps and fps > 40 else 1.0
    qualities = [q for q in QUALITIES if q <= short]
    if not qualities:  # smaller than the lowest rung: one rung at the source size
        area_share = (width * height) / (426 * 240)
        bitrate = int(max(100_000, VIDEO_BITRATES[240] * area_share) * factor)
        return [Rung(quality=_even(short), width=_even(width), height=_even(height), bitrate=bitrate)]
    rungs = []
    for quality in qualities:
        scaled_long = _even(long * quality / short)
        w, h = (scaled_long, quality) if landscape else (quality, scaled_long)
        rungs.append(Rung(quality=quality, width=w, height=h, bitrate=int(VIDEO_BITRATES[quality] * factor)))
    return rungs


def ladder_args(source: Path, out_dir: Path, probe: Probe, rungs: list[Rung]) -> list[str]:
    """ffmpeg arguments (after the common prefix) that write every rung into `out_dir`:
    <q>/index.m3u8 + init + fMP4 segments per rung, and master.m3u8, as EVENT playlists.

    ffmpeg applies the source's rotation itself (autorotate), so the scaled pictures are
    upright. No metadata is carried over: not the container's, the streams' or chapters."""
    if probe.video_stream is None:
        raise ValueError("ladder_args needs a probe with a video stream")
    n = len(rungs)
    branches = "".join(f"[s{i}]" for i in range(n))
    graph = [f"[0:{probe.video_stream}]split={n}{branches}" if n > 1 else f"[0:{probe.video_stream}]null[s0]"]
    for i, rung in enumerate(rungs):
        graph.append(f"[s{i}]scale={rung.width}:{rung.height}:flags=bicubic,format=yuv420p,setsar=1[v{i}]")
    # Local files only: no demuxer may reach out to the network or other protocols.
    args = ["-protocol_whitelist", "file", "-i", str(source), "-filter_complex", ";".join(graph)]
    stream_map = []
    for i in range(n):
        args += ["-map", f"[v{i}]"]
        entry = f"v:{i}"
        if probe.audio_stream is not None:
            args += ["-map", f"0:{probe.audio_stream}"]
            entry += f",a:{i}"
        stream_map.append(f"{entry},name:{rungs[i].quality}")
    args += ["-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF), "-profile:v", "high"]
    for i, rung in enumerate(rungs):
        args += [f"-maxrate:v:{i}", str(rung.bitrate), f"-bufsize:v:{i}", str(rung.bitrate * 2)]
    args += [
        "-force_key_frames:v", f"expr:gte(t,n_forced*{KEYFRAME_SECONDS})",
        "-sc_threshold", "0",
    ]  # fmt: skip
    if probe.fps and probe.fps > MAX_FPS:
        args += ["-fpsmax", str(MAX_FPS)]
    if probe.audio_stream is not None:
        args += ["-c:a", "aac", "-b:a", str(AUDIO_BITRATE), "-ac", "2"]
    args += [
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-f", "hls",
        "-hls_time", str(SEGMENT_SECONDS),
        "-hls_playlist_type", "event",
        "-hls_segment_type", "fmp4",
        "-hls_flags", "independent_segments+temp_file",
        # ffmpeg puts the rung's name in place of %v only when there are several rungs.
        "-hls_fmp4_init_filename", paths.HLS_INIT_PATTERN if n > 1 else f"init_{rungs[0].quality}.mp4",
        "-hls_segment_filename", str(out_dir / "%v" / paths.HLS_SEGMENT_PATTERN),
        "-master_pl_name", paths.HLS_MASTER,
        "-var_stream_map", " ".join(stream_map),
        str(out_dir / "%v" / paths.HLS_RUNG_PLAYLIST),
    ]  # fmt: skip
    return args


def ladder_command(source: Path, out_dir: Path, probe: Probe, rungs: list[Rung]) -> list[str]:
    """The whole command line, as the pipeline runs it (for the benchmark and for logs)."""
    return ffmpeg_command(ladder_args(source, out_dir, probe, rungs))


def remux_args(playlist: Path, target: Path) -> list[str]:
    """Progressive MP4 from one rung's playlist: a copy of its streams, moov first."""
    return [
        "-protocol_whitelist", "file", "-i", str(playlist),
        "-map", "0:v", "-map", "0:a?", "-c", "copy",
        "-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact",
        "-movflags", "+faststart",
        "-f", "mp4", str(target),
    ]  # fmt: skip


def first_segments_ready(out_dir: Path, rungs: list[Rung]) -> bool:
    """Every rung's playlist lists a segment, and the master playlist exists: a player can start."""
    if not (out_dir / paths.HLS_MASTER).exists():
        return False
    for rung in rungs:
        try:
            text = (out_dir / str(rung.quality) / paths.HLS_RUNG_PLAYLIST).read_text()
        except FileNotFoundError:
            return False
        if "#EXTINF" not in text:
            return False
    return True


def playlist_finalise(playlist: Path) -> None:
    """EVENT → VOD, and the end marker: the playlist will not grow any more."""
    text = playlist.read_text()
    text = text.replace("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD")
    if "#EXT-X-PLAYLIST-TYPE:VOD" not in text:
        text = text.replace("#EXT-X-TARGETDURATION", "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION", 1)
    if "#EXT-X-ENDLIST" not in text:
        text = text.rstrip("\n") + "\n#EXT-X-ENDLIST\n"
    tmp = playlist.with_name(playlist.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, playlist)


def playlist_is_final(playlist: Path) -> bool:
    try:
        text = playlist.read_text()
    except FileNotFoundError:
        return False
    return "#EXT-X-PLAYLIST-TYPE:VOD" in text and "#EXT-X-ENDLIST" in text


_BANDWIDTH = re.compile(r"BANDWIDTH=(\d+)")


def master_bandwidths(master: Path) -> dict[str, int]:
    """Peak bandwidth per rung playlist (e.g. {"720/index.m3u8": 2487484}) as ffmpeg measured it."""
    result: dict[str, int] = {}
    pending: int | None = None
    for line in master.read_text().splitlines():
        match = _BANDWIDTH.search(line) if line.startswith("#EXT-X-STREAM-INF") else None
        if match:
            pending = int(match.group(1))
        elif line and not line.startswith("#") and pending is not None:
            result[line.strip()] = pending
            pending = None
    return result


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def average_bitrate(size_bytes: int, duration: float | None) -> int | None:
    if not duration or duration <= 0:
        return None
    return math.ceil(size_bytes * 8 / duration)
