"""What a file is, judged by its content (never its name), and whether Fieldcast takes it.

`probe_file` reads a file with Pillow (still images) or PyAV (everything else) in tens of
milliseconds and returns a `Probe`, or raises `MediaRejected` with a reason written for
the uploader. `validate_limits` applies the configured size and duration limits.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
from django.conf import settings
from PIL import Image, UnidentifiedImageError

EMPTY = "This file is empty (0 bytes): upload it again."
TEXT = "This is a web page or text file, not a video or image."
UNREADABLE = "We could not read this file as a video or image."
CUT_OFF = "The file seems cut off: upload it again."
AUDIO_ONLY = "This file has sound but no picture; Fieldcast takes videos and images."


class MediaRejected(Exception):
    """A file the pipeline does not take. `reason` is shown to the uploader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Probe:
    kind: str  # "video" or "image" (MediaAsset.Kind values)
    format: str  # container (PyAV) or image format (Pillow)
    ext: str  # extension for the stored original, from the content
    width: int  # as displayed: after rotation and pixel aspect ratio
    height: int
    decoder: str = "av"  # "pillow" or "av": what reads the picture
    duration: float | None = None
    fps: float | None = None
    rotation: int = 0  # degrees the picture is turned for display: 0, 90, 180, 270
    video_codec: str | None = None
    video_stream: int | None = None  # stream indexes in the container
    audio_codec: str | None = None
    audio_stream: int | None = None
    coded_width: int = 0
    coded_height: int = 0
    tags: dict[str, str] = field(default_factory=dict)  # creation time, location, make, model, encoder
    location: dict[str, float] | None = None  # {"lat", "lon"[, "alt"]} from the tags

    @property
    def has_audio(self) -> bool:
        return self.audio_stream is not None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


# --- sniffing -------------------------------------------------------------------------------


def _looks_like_text(head: bytes) -> bool:
    """Markup (HTML, SVG, XML) or plain text: no video or image format starts like this.
    Markup counts only when the bytes also read as text, so that noise which happens to
    start with "<" is called unreadable, not a web page."""
    encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    if encoding == "utf-8" and b"\x00" in head:
        return False
    try:
        text = head.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # only a character cut at the end of the sample is fine
            return False
        text = head[: exc.start].decode(encoding)
    text = text.lstrip("\ufeff \t\r\n")
    if not text:
        return False
    printable = sum(ch.isprintable() or ch in "\t\r\n" for ch in text) / len(text)
    return printable > 0.98 or (text.startswith("<") and printable > 0.9)


def _looks_like_iso_bmff(head: bytes) -> bool:
    """MP4/MOV/3GP start with an `ftyp` box (or sometimes `wide`/`mdat`/`moov`)."""
    return head[4:8] in {b"ftyp", b"wide", b"mdat", b"moov", b"free", b"skip"}


# --- tags -----------------------------------------------------------------------------------

_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?/?$")

# Container tags worth keeping in the probe (the original keeps them; renditions never do),
# by the names cameras and phones write them. Provenance reads the same table.
TAG_KEYS = {
    "creation_time": "creation_time",
    "com.apple.quicktime.creationdate": "creation_time",
    "date": "creation_time",
    "location": "location",
    "location-eng": "location",
    "com.apple.quicktime.location.iso6709": "location",
    "make": "make",
    "com.apple.quicktime.make": "make",
    "com.android.manufacturer": "make",
    "model": "model",
    "com.apple.quicktime.model": "model",
    "com.android.model": "model",
    "encoder": "encoder",
    "com.apple.quicktime.software": "encoder",
    "software": "encoder",
}


def parse_iso6709(value: str) -> dict[str, float] | None:
    """'+48.8577+002.2950+035.000/' → {'lat': 48.8577, 'lon': 2.295, 'alt': 35.0}."""
    match = _ISO6709.match(value.strip())
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    point = {"lat": lat, "lon": lon}
    if match.group(3):
        point["alt"] = float(match.group(3))
    return point


def _container_tags(metadata: dict[str, str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for key, value in metadata.items():
        name = TAG_KEYS.get(key.lower())
        if name and value and name not in tags:
            tags[name] = str(value)[:200]
    return tags


# --- images (Pillow) -------------------------------------------------------------------------

IMAGE_FORMATS = {
    "JPEG": ".jpg",
    "MPO": ".jpg",
    "PNG": ".png",
    "WEBP": ".webp",
    "GIF": ".gif",
    "BMP": ".bmp",
    "TIFF": ".tif",
    "AVIF": ".avif",
}
_EXIF_ORIENTATION = 0x0112
_EXIF_MAKE, _EXIF_MODEL = 0x010F, 0x0110
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_EXIF_DATETIME_ORIGINAL = 0x9003


def _gps_point(gps: dict[int, Any]) -> dict[str, float] | None:
    def degrees(value: Any, ref: Any, negative: str) -> float:
        d, m, s = (float(Fraction(str(part))) if not isinstance(part, float) else part for part in value)
        result = d + m / 60 + s / 3600
        return -result if str(ref).upper().startswith(negative) else result

    try:
        lat = degrees(gps[2], gps.get(1, "N"), "S")
        lon = degrees(gps[4], gps.get(3, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if math.isnan(lat) or math.isnan(lon):
        return None
    return {"lat": round(lat, 6), "lon": round(lon, 6)}


def _probe_image(path: Path) -> Probe | None:
    """A still image Pillow can read, or None (animated GIFs are videos; unknown formats go
    on to PyAV)."""
    with warnings.catch_warnings():
        # Our own pixel limit applies (validate_limits); Pillow's warning is for callers without one.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombError as exc:
            raise MediaRejected(_image_too_large_reason(None)) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            return None
        with image:
            if image.format not in IMAGE_FORMATS or (image.format == "GIF" and getattr(image, "is_animated", False)):
                return None
            exif = image.getexif()
            orientation = int(exif.get(_EXIF_ORIENTATION, 1) or 1)
            width, height = image.size
            fmt = str(image.format)
            try:
                # Decode to the end, so a cut-off file is caught now (JPEGs at 1/8 scale: cheap).
                if fmt in {"JPEG", "MPO"}:
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
            except (OSError, SyntaxError, ValueError) as exc:
                raise MediaRejected(CUT_OFF) from exc
    tags: dict[str, str] = {}
    for key, name in ((_EXIF_MAKE, "make"), (_EXIF_MODEL, "model")):
        if exif.get(key):
            tags[name] = str(exif[key]).strip("\x00 ")[:200]
    taken = exif.get_ifd(_EXIF_IFD).get(_EXIF_DATETIME_ORIGINAL)
    if taken:
        tags["creation_time"] = str(taken)[:40]
    location = _gps_point(exif.get_ifd(_GPS_IFD))
    if location:
        tags["location"] = f"{location['lat']:+.6f}{location['lon']:+.6f}/"
    turned = orientation in {5, 6, 7, 8}
    return Probe(
        kind="image",
        format=fmt,
        ext=IMAGE_FORMATS[fmt],
        decoder="pillow",
        width=height if turned else width,
        height=width if turned else height,
        coded_width=width,
        coded_height=height,
        rotation={3: 180, 6: 90, 8: 270}.get(orientation, 0),
        tags=tags,
        location=location,
    )


# --- videos (PyAV) --------------------------------------------------------------------------

# ffmpeg decodes these from almost any bytes (text-mode art); they are never footage.
_JUNK_CODECS = {"bintext", "xbin", "idf", "ansi", "tty"}
_CONTAINER_EXT = {
    "mp4": ".mp4",
    "mov": ".mov",
    "matroska": ".mkv",
    "webm": ".webm",
    "avi": ".avi",
    "mpegts": ".ts",
    "mpeg": ".mpg",
    "flv": ".flv",
    "gif": ".gif",
    "asf": ".wmv",
    "3gp": ".3gp",
}


def _container_ext(container: Any, video_codec: str) -> str:
    names = str(container.format.name).split(",")
    if names[0] == "mov":
        brand = str(container.metadata.get("major_brand", "")).strip().lower()
        return ".mov" if brand == "qt" else ".3gp" if brand.startswith("3g") else ".mp4"
    if names[0] == "matroska":
        return ".webm" if video_codec in {"vp8", "vp9", "av1"} else ".mkv"
    return _CONTAINER_EXT.get(names[0], f".{re.sub(r'[^a-z0-9]', '', names[0])[:8] or 'bin'}")


def _first_frame(container: Any, stream: Any, max_packets: int = 300) -> Any:
    """The first decodable frame of `stream`, or None."""
    errors = 0
    for count, packet in enumerate(container.demux(stream)):
        if count >= max_packets:
            break
        try:
            for frame in packet.decode():
                return frame
        except av.error.FFmpegError:
            errors += 1
            if errors > 5:
                break
    return None


def _cut_off(container: Any, streams: list[Any], size: int, duration: float | None) -> bool:
    """True when the samples the index promises lie past the end of the file, or (without an
    index) when nothing decodes near the end."""
    indexed = False
    for stream in streams:
        entries = stream.index_entries
        if len(entries):
            indexed = True
            last = entries[len(entries) - 1]
            if last.pos + last.size > size:
                return True
    if indexed or not duration or duration < 2:
        return False
    video = streams[0]
    try:
        container.seek(int((duration - 1) / video.time_base), stream=video, backward=True)
        return _first_frame(container, video, max_packets=600) is None
    except av.error.FFmpegError:
        return True


def _display_size(stream: Any, rotation: int) -> tuple[int, int]:
    width, height = int(stream.codec_context.width), int(stream.codec_context.height)
    sar = stream.sample_aspect_ratio
    if sar and sar > 0 and sar != 1:
        width = max(2, round(width * float(sar)))
    return (height, width) if rotation in {90, 270} else (width, height)


def _probe_av(path: Path, head: bytes, size: int) -> Probe:
    iso = _looks_like_iso_bmff(head)
    with path.open("rb") as fh:
        # A file object, not the path: ffmpeg then probes content only, never the name's extension.
        try:
            container = av.open(fh, mode="r", metadata_errors="ignore")
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise MediaRejected(CUT_OFF if iso else UNREADABLE) from exc
        with container:
            videos = [
                s
                for s in container.streams.video
                if not (s.disposition & av.stream.Disposition.attached_pic) and s.codec_context.name not in _JUNK_CODECS
            ]
            audios = list(container.streams.audio)
            if not videos:
                if audios and _first_frame(container, audios[0]) is not None:
                    raise MediaRejected(AUDIO_ONLY)
                raise MediaRejected(CUT_OFF if iso and audios else UNREADABLE)
            video = videos[0]
            first = _first_frame(container, video)
            if first is None:
                raise MediaRejected(CUT_OFF if iso else UNREADABLE)
            rotation = round(float(first.rotation or 0) / 90) * 90 % 360
            duration = container.duration / 1_000_000 if container.duration else None
            if duration is None and video.duration is not None and video.time_base is not None:
                duration = float(video.duration * video.time_base)
            format_name = str(container.format.name)
            still = format_name == "image2" or format_name.endswith("_pipe") or (video.frames == 1)
            if not still and _cut_off(container, [video, *audios[:1]], size, duration):
                raise MediaRejected(CUT_OFF)
            rate = video.average_rate or video.guessed_rate
            width, height = _display_size(video, rotation)
            tags = _container_tags({**dict(video.metadata), **dict(container.metadata)})
            video_codec = str(video.codec_context.name)
            return Probe(
                kind="image" if still else "video",
                format=format_name,
                ext=_container_ext(container, video_codec),
                decoder="av",
                width=width,
                height=height,
                coded_width=int(video.codec_context.width),
                coded_height=int(video.codec_context.height),
                duration=None if still else duration,
                fps=round(float(rate), 3) if rate else None,
                rotation=rotation,
                video_codec=video_codec,
                video_stream=int(video.index),
                audio_codec=str(audios[0].codec_context.name) if audios else None,
                audio_stream=int(audios[0].index) if audios else None,
                tags=tags,
                location=parse_iso6709(tags["location"]) if "location" in tags else None,
            )


def probe_file(path: Path) -> Probe:
    """Describe the file at `path` by its content, or raise MediaRejected."""
    size = path.stat().st_size
    if size == 0:
        raise MediaRejected(EMPTY)
    with path.open("rb") as fh:
        head = fh.read(4096)
    if _looks_like_text(head):
        raise MediaRejected(TEXT)
    return _probe_image(path) or _probe_av(path, head, size)


# --- limits -----------------------------------------------------------------------------------


def _length(seconds: float) -> str:
    """4 hours, 1.5 hours, 20 minutes, 4 seconds."""
    unit, size = next(((u, n) for u, n in (("hour", 3600), ("minute", 60)) if seconds >= n), ("second", 1))
    amount = seconds / size
    text = f"{amount:.0f}" if abs(amount - round(amount)) < 0.05 else f"{amount:.1f}"
    return f"{text} {unit}" + ("" if text == "1" else "s")


def _resolution_label(width: int, height: int) -> str:
    long_side, short_side = max(width, height), min(width, height)
    for threshold, label in ((7680, "8K"), (6144, "6K"), (5120, "5K"), (3840, "4K")):
        if long_side >= threshold:
            return label
    return f"{short_side}p"


def _image_too_large_reason(pixels: int | None) -> str:
    limit = settings.IMAGE_MAX_PIXELS / 1_000_000
    if pixels is None:
        return f"This image is over the {limit:.3g}-megapixel limit."
    return f"This image has {pixels / 1_000_000:.3g} megapixels, over the {limit:.3g}-megapixel limit."


def validate_limits(probe: Probe) -> None:
    """Raise MediaRejected when the file is over a configured limit."""
    if probe.kind == "image":
        pixels = probe.width * probe.height
        if pixels > settings.IMAGE_MAX_PIXELS:
            raise MediaRejected(_image_too_large_reason(pixels))
        return
    limit_s = settings.VIDEO_MAX_DURATION_S
    if probe.duration is not None and probe.duration > limit_s:
        raise MediaRejected(f"This video is {_length(probe.duration)} long; the limit is {_length(limit_s)}.")
    max_w, max_h = settings.VIDEO_MAX_WIDTH, settings.VIDEO_MAX_HEIGHT
    # Orientation does not matter: a portrait 4K video is as large as a landscape one.
    if max(probe.width, probe.height) > max(max_w, max_h) or min(probe.width, probe.height) > min(max_w, max_h):
        raise MediaRejected(
            f"This {_resolution_label(probe.width, probe.height)} video ({probe.width}×{probe.height}) is over "
            f"the {_resolution_label(max_w, max_h)} limit ({max_w}×{max_h})."
        )
