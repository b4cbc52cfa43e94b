"""Probing and validation: what a file is, by its content, and the reasons uploaders read.

The clips come from the session's cache (fieldcast.media.testing): generated once by ffmpeg
with the ultrafast preset, then probed here in milliseconds.
"""

from __future__ import annotations

import random
import shutil

import pytest

from fieldcast.media import probe as probing
from fieldcast.media.probe import MediaRejected, parse_iso6709, probe_file, validate_limits
from fieldcast.media.testing import GPS_MAKE, clips_fixture  # noqa: F401 (fixture)


def rejection(path) -> str:
    with pytest.raises(MediaRejected) as caught:
        validate_limits(probe_file(path))
    return caught.value.reason


def test_video_probe_reads_streams_and_tags(clips):
    result = probe_file(clips.video(640, 360, gps=True))
    assert (result.kind, result.ext, result.decoder) == ("video", ".mp4", "av")
    assert (result.width, result.height, result.rotation) == (640, 360, 0)
    assert result.duration == pytest.approx(4.0, abs=0.1)
    assert result.fps == pytest.approx(30.0)
    assert (result.video_codec, result.audio_codec) == ("h264", "aac")
    assert result.has_audio
    assert result.tags["make"] == GPS_MAKE
    assert result.tags["creation_time"].startswith("2024-05-01")
    assert result.location == {"lat": 48.8577, "lon": 2.295}
    assert result.as_json()["location"] == {"lat": 48.8577, "lon": 2.295}


def test_rotated_video_reports_upright_size(clips):
    result = probe_file(clips.video(320, 240, rotate=90))
    assert result.rotation == 90
    assert (result.width, result.height) == (240, 320)
    assert (result.coded_width, result.coded_height) == (320, 240)


def test_video_without_sound(clips):
    result = probe_file(clips.video(audio=False))
    assert result.kind == "video"
    assert not result.has_audio


def test_an_image_named_mp4_is_an_image(clips, tmp_path):
    disguised = tmp_path / "holiday.mp4"
    shutil.copyfile(clips.image(800, 600), disguised)
    result = probe_file(disguised)
    assert (result.kind, result.format, result.ext, result.decoder) == ("image", "JPEG", ".jpg", "pillow")
    assert (result.width, result.height) == (800, 600)


def test_image_exif_orientation_and_gps(clips):
    result = probe_file(clips.image(800, 600, gps=True, orientation=6))
    assert (result.width, result.height, result.rotation) == (600, 800, 90)
    assert result.tags["make"] == GPS_MAKE
    assert result.location == pytest.approx({"lat": 48.8577, "lon": 2.295}, abs=1e-4)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_other_image_formats(clips, fmt):
    result = probe_file(clips.image(300, 200, fmt=fmt))
    assert (result.kind, result.format, result.width, result.height) == ("image", fmt, 300, 200)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda c: c.empty(), probing.EMPTY),
        (lambda c: c.html_as_mp4(), probing.TEXT),
        (lambda c: c.svg_as_mp4(), probing.TEXT),
        (lambda c: c.text_as_mp4(), probing.TEXT),
        (lambda c: c.random_bytes(), probing.UNREADABLE),
        (lambda c: c.truncated_mp4(), probing.CUT_OFF),
        (lambda c: c.truncated_mp4(faststart=True), probing.CUT_OFF),
        (lambda c: c.audio_only(), probing.AUDIO_ONLY),
    ],
    ids=["empty", "html", "svg", "text", "random", "cut-moov-at-end", "cut-faststart", "audio-only"],
)
def test_bad_files_are_rejected_with_a_reason(clips, make, reason):
    assert rejection(make(clips)) == reason


def test_markup_sniffing_ignores_bom_and_whitespace():
    assert probing._looks_like_text(b"\xef\xbb\xbf  \n<html>")
    assert probing._looks_like_text("<svg/>".encode("utf-16"))
    assert not probing._looks_like_text(b"\x00\x00\x00\x20ftypisom")


def test_duration_limit_says_it_in_a_persons_units(clips, settings):
    settings.VIDEO_MAX_DURATION_S = 2
    assert rejection(clips.video()) == "This video is 4 seconds long; the limit is 2 seconds."
    settings.VIDEO_MAX_DURATION_S = 4 * 3600
    validate_limits(probe_file(clips.video()))


def test_size_limit_names_the_resolutions(clips, settings):
    settings.VIDEO_MAX_WIDTH = settings.VIDEO_MAX_HEIGHT = 320
    assert rejection(clips.video(640, 360)) == "This 360p video (640×360) is over the 320p limit (320×320)."


def test_image_pixel_limit(clips, settings):
    settings.IMAGE_MAX_PIXELS = 100_000
    assert rejection(clips.image(800, 600)) == "This image has 0.48 megapixels, over the 0.1-megapixel limit."


@pytest.mark.slow
def test_ten_hour_video_is_over_the_limit(clips):
    assert rejection(clips.ten_hours()) == "This video is 10 hours long; the limit is 4 hours."


@pytest.mark.slow
def test_8k_video_is_over_the_4k_limit(clips):
    assert rejection(clips.eight_k()) == "This 8K video (7680×4320) is over the 4K limit (4096×4096)."


@pytest.mark.parametrize(
    ("value", "point"),
    [
        ("+48.8577+002.2950/", {"lat": 48.8577, "lon": 2.295}),
        ("-33.8688+151.2093+012.500/", {"lat": -33.8688, "lon": 151.2093, "alt": 12.5}),
        ("+34.7324+036.7137CRSWGS_84/", {"lat": 34.7324, "lon": 36.7137}),
        ("somewhere", None),
        ("+95.0+000.0/", None),
    ],
)
def test_parse_iso6709(value, point):
    assert parse_iso6709(value) == point


@pytest.mark.parametrize("first", [b"<", b" <", b"\xff\xfe"])
def test_noise_that_starts_like_markup_is_unreadable_not_a_web_page(first):
    from fieldcast.media.probe import _looks_like_text

    noise = first + random.Random(7).randbytes(4096)
    assert not _looks_like_text(noise)
    assert _looks_like_text(b"<!DOCTYPE html><html><body>hi</body></html>")
    assert _looks_like_text("<svg xmlns='http://www.w3.org/2000/svg'>عربي</svg>".encode())
