"""The ffmpeg adapter, the ladder's plan and playlists, and the sprite's index."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest

from fieldcast.media import ffmpeg
from fieldcast.media.ffmpeg import FFmpegError, ffmpeg_binary, ffmpeg_command, ffmpeg_run, transcode_slot
from fieldcast.media.probe import Probe
from fieldcast.media.services import ladder, previews
from fieldcast.media.services.ladder import Rung, ladder_plan


def test_binary_prefers_the_setting(settings):
    settings.FFMPEG_BINARY = "/opt/ffmpeg/bin/ffmpeg"
    assert ffmpeg_binary() == "/opt/ffmpeg/bin/ffmpeg"
    settings.FFMPEG_BINARY = ""
    assert ffmpeg_binary().rsplit("/", 1)[-1].startswith("ffmpeg")


def test_progress_block_parsing():
    assert ffmpeg._parse_progress({"out_time_us": "2000000"}, 4.0) == 50.0
    assert ffmpeg._parse_progress({"out_time_us": "9000000"}, 4.0) == 100.0
    assert ffmpeg._parse_progress({"out_time_us": "N/A"}, 4.0) is None
    assert ffmpeg._parse_progress({"out_time_us": "2000000"}, None) is None


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((320, 240), [(240, 320, 240)]),
        ((640, 360), [(240, 426, 240), (360, 640, 360)]),
        ((1920, 1080), [(240, 426, 240), (360, 640, 360), (480, 854, 480), (720, 1280, 720), (1080, 1920, 1080)]),
        ((3840, 2160), [(240, 426, 240), (360, 640, 360), (480, 854, 480), (720, 1280, 720), (1080, 1920, 1080)]),
        ((1080, 1920), [(240, 240, 426), (360, 360, 640), (480, 480, 854), (720, 720, 1280), (1080, 1080, 1920)]),
        ((160, 120), [(120, 160, 120)]),
        ((175, 99), [(100, 176, 100)]),
        ((1279, 719), [(240, 426, 240), (360, 640, 360), (480, 854, 480)]),
    ],
)
def test_ladder_never_goes_above_the_source(size, expected):
    rungs = ladder_plan(*size)
    assert [(r.quality, r.width, r.height) for r in rungs] == expected
    assert all(r.width % 2 == 0 and r.height % 2 == 0 for r in rungs)


def test_high_frame_rates_get_more_bits():
    assert ladder_plan(1280, 720, 60)[-1].bitrate == int(ladder_plan(1280, 720, 30)[-1].bitrate * 1.5)


def test_ladder_command_line(tmp_path, settings):
    settings.FFMPEG_BINARY = "ffmpeg"
    probe = Probe(kind="video", format="mp4", ext=".mp4", width=1280, height=720, video_stream=0, audio_stream=1)
    command = ladder.ladder_command(tmp_path / "in.mp4", tmp_path / "hls", probe, ladder_plan(1280, 720, 30))
    line = " ".join(command)
    assert line.startswith("ffmpeg -hide_banner -nostdin -y -loglevel warning -progress pipe:1 -nostats -stats_period")
    assert "[0:0]split=4[s0][s1][s2][s3]" in line
    assert "-var_stream_map v:0,a:0,name:240 v:1,a:1,name:360 v:2,a:2,name:480 v:3,a:3,name:720" in line
    assert "-force_key_frames:v expr:gte(t,n_forced*2)" in line
    assert "-hls_segment_type fmp4" in line
    assert "-hls_playlist_type event" in line
    assert "-map_metadata -1 -map_chapters -1" in line
    assert command.count("0:1") == 4  # the sound, once per rung
    assert command[-1] == str(tmp_path / "hls" / "%v" / "index.m3u8")


def test_playlist_finalise(tmp_path):
    playlist = tmp_path / "index.m3u8"
    playlist.write_text(
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:4.0,\nseg_00000.m4s\n"
    )
    assert not ladder.playlist_is_final(playlist)
    ladder.playlist_finalise(playlist)
    ladder.playlist_finalise(playlist)  # twice changes nothing more
    text = playlist.read_text()
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text
    assert text.count("#EXT-X-ENDLIST") == 1
    assert ladder.playlist_is_final(playlist)


def test_first_segments_ready_needs_every_rung(tmp_path):
    rungs = [Rung(240, 426, 240, 1), Rung(360, 640, 360, 1)]
    (tmp_path / "240").mkdir()
    (tmp_path / "360").mkdir()
    (tmp_path / "master.m3u8").write_text("#EXTM3U\n")
    (tmp_path / "240" / "index.m3u8").write_text("#EXTM3U\n#EXTINF:4.0,\nseg_00000.m4s\n")
    (tmp_path / "360" / "index.m3u8").write_text("#EXTM3U\n")
    assert not ladder.first_segments_ready(tmp_path, rungs)
    (tmp_path / "360" / "index.m3u8").write_text("#EXTM3U\n#EXTINF:4.0,\nseg_00000.m4s\n")
    assert ladder.first_segments_ready(tmp_path, rungs)


def test_sprite_plan_and_vtt():
    plan = previews.sprite_plan(61.0, 1280, 720)
    assert (plan.count, plan.interval, plan.columns, plan.rows, plan.tile_height) == (31, 2.0, 10, 4, 90)
    long = previews.sprite_plan(4 * 3600, 720, 1280)  # 4 hours, portrait
    assert long.count <= 100
    assert long.interval % 2 == 0
    assert long.tile_height == 284
    vtt = previews.sprite_vtt(previews.sprite_plan(5.0, 320, 240), 5.0, "sprite.jpg")
    assert vtt.splitlines()[-2:] == ["00:00:04.000 --> 00:00:05.000", "sprite.jpg#xywh=320,0,160,120"]


def test_poster_time():
    assert previews.poster_time(4) == 1.0
    assert previews.poster_time(60) == 6.0
    assert previews.poster_time(1) == 0.5


@pytest.mark.slow
def test_run_reports_progress_and_finishes(tmp_path):
    seen: list[float] = []
    ffmpeg_run(
        ["-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=3", "-f", "null", "-"], duration=3.0, on_progress=seen.append
    )
    assert seen
    assert seen[-1] == 100.0
    assert seen == sorted(seen)


@pytest.mark.slow
def test_failure_carries_the_end_of_stderr(tmp_path):
    with pytest.raises(FFmpegError) as caught:
        ffmpeg_run(["-i", str(tmp_path / "missing.mp4"), "-f", "null", "-"])
    assert caught.value.returncode not in (0, None)
    assert "missing.mp4" in caught.value.stderr_tail
    assert not caught.value.killed_by_signal


@pytest.mark.slow
def test_the_child_is_killed_when_the_caller_gives_up(monkeypatch):
    children: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):  # type: ignore[no-untyped-def]
        children.append(real_popen(*args, **kwargs))
        return children[-1]

    def give_up(percent: float) -> None:
        raise RuntimeError("stop")

    monkeypatch.setattr(ffmpeg.subprocess, "Popen", recording_popen)
    with pytest.raises(RuntimeError):
        ffmpeg_run(["-re", "-f", "lavfi", "-i", "testsrc2=d=30", "-f", "null", "-"], duration=30, on_progress=give_up)
    assert len(children) == 1
    assert children[0].returncode is not None  # killed and reaped, not left running for 30 s


@pytest.mark.slow
def test_a_silent_child_is_stopped():
    started = time.monotonic()
    with pytest.raises(FFmpegError, match="no progress"):
        # -re on a 1/10 fps source: ffmpeg waits between frames and reports nothing new.
        ffmpeg_run(["-re", "-f", "lavfi", "-i", "color=r=0.1:d=100", "-f", "null", "-"], stall_timeout=1.5)
    assert time.monotonic() - started < 20


def test_transcode_slots_bound_concurrency(settings):
    settings.TRANSCODE_CONCURRENCY = 2
    inside, peak = 0, 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, peak
        with transcode_slot():
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 2


def test_command_prefix(settings):
    settings.FFMPEG_BINARY = "ffmpeg"
    assert ffmpeg_command(["-version"])[:8] == [
        "ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "warning", "-progress", "pipe:1",
    ]  # fmt: skip
