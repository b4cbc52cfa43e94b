"""What an original file says about itself: creation time, place (ISO 6709, as phones
write it), device make and model, encoder. Read with PyAV from the container and its video
stream (the renditions we serve carry none of this: the pipeline strips it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fieldcast.media.probe import TAG_KEYS, parse_iso6709

# The probe's table of tag names, its "creation_time" called what it is here.
_KEYS = {key: "recorded_at" if name == "creation_time" else name for key, name in TAG_KEYS.items()}
TEXT_MAX = 100


@dataclass
class FileFacts:
    recorded_at: datetime.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    make: str = ""
    model: str = ""
    encoder: str = ""


def parse_recorded_at(value: str) -> datetime.datetime | None:
    """'2024-05-01T12:00:00.000000Z', '2024-05-01T14:00:00+0200' or '2024:05:01 12:00:00' (EXIF)."""
    text = value.strip()
    if len(text) >= 19 and text[4] == ":" and text[7] == ":":  # EXIF's colons in the date
        text = f"{text[:4]}-{text[5:7]}-{text[8:]}"
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit() and ":" not in text[-5:]:
        text = f"{text[:-2]}:{text[-2:]}"  # +0200 → +02:00
    try:
        parsed = parse_datetime(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if parsed is None or parsed.year < 1990:  # 1970 and 1904 are "no clock set"
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def facts_from_tags(tags: dict[str, str]) -> FileFacts:
    """Turn raw tags (any case, container first, then stream) into FileFacts."""
    found: dict[str, str] = {}
    for key, value in tags.items():
        name = _KEYS.get(key.lower())
        text = str(value).strip().strip("\x00")
        if name and text and name not in found:
            found[name] = text
    facts = FileFacts(
        make=found.get("make", "")[:TEXT_MAX],
        model=found.get("model", "")[:TEXT_MAX],
        encoder=found.get("encoder", "")[:TEXT_MAX],
    )
    if "recorded_at" in found:
        facts.recorded_at = parse_recorded_at(found["recorded_at"])
    if "location" in found and (point := parse_iso6709(found["location"])):
        facts.latitude, facts.longitude, facts.altitude = point["lat"], point["lon"], point.get("alt")
    return facts


def read_file_facts(path: Path, probe_tags: dict[str, str] | None = None) -> FileFacts:
    """Facts from the file's container and first video stream; for what PyAV cannot open
    (a still image) the tags the probe read (EXIF) are used."""
    tags: dict[str, str] = {}
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            tags.update({k: v for k, v in container.metadata.items() if isinstance(v, str)})
            for stream in container.streams.video[:1]:
                for key, value in stream.metadata.items():
                    if isinstance(value, str):
                        tags.setdefault(key, value)
    except (av.error.FFmpegError, OSError, UnicodeDecodeError):
        tags = {}
    for key, value in (probe_tags or {}).items():
        tags.setdefault(key, value)
    return facts_from_tags(tags)
