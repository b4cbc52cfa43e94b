"""The media pipeline on a generated 60 s 1280x720 30 fps clip (testsrc2 + sine), against
bare ffmpeg writing the same HLS ladder in one process, with the same command line (built by
fieldcast.media.services.ladder.ladder_command, as the pipeline builds it).

Figures:
- the whole pipeline's wall time (ingest + sha256, probe, ladder, MP4 remux, poster, sprite,
  database writes) over bare ffmpeg's: aim <= 1.10x. On a busy machine wall times swing by
  tens of percent between runs of the very same command, so the CPU time ratio and the
  share of work outside the ffmpeg command (the pipeline's own cost) are printed too;
- the time from the task's start until the asset is `playable` (seen by another database
  connection polling every 50 ms), as a share of the clip's duration: aim <= 10%.

Under `make bench` it runs on the harness's scratch PostgreSQL database; alone
(`.venv/bin/python bench/pipeline.py`) it migrates a SQLite database in a temporary data
folder. The measuring itself happens in a child process with Django set up.

Settings: BENCH_CLIP_SECONDS (60), BENCH_PIPELINE_ROUNDS (1: bare, then pipeline, per round).
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NAME = "media pipeline (60 s 720p30 clip)"
AIM_RATIO = 1.10
AIM_PLAYABLE_SHARE = 0.10


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw else default


# --- the child: Django is set up, figures are measured ----------------------------------------


def _make_clip(path: Path, seconds: int) -> None:
    from fieldcast.media.ffmpeg import ffmpeg_binary

    command = [
        ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=30:d={seconds}",
        "-f", "lavfi", "-i", f"sine=f=440:sample_rate=48000:d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p", "-g", "60",
        "-c:a", "aac", "-b:a", "128k", "-shortest", "-movflags", "+faststart", str(path),
    ]  # fmt: skip
    subprocess.run(command, check=True)


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _bare_ladder(clip: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, ffmpeg's CPU seconds)"""
    from fieldcast.media.probe import probe_file
    from fieldcast.media.services.ladder import ladder_command, ladder_plan

    probe = probe_file(clip)
    command = ladder_command(clip, out, probe, ladder_plan(probe.width, probe.height, probe.fps))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started, cpu = time.perf_counter(), _cpu(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, _cpu(resource.RUSAGE_CHILDREN) - cpu


class _Watcher(threading.Thread):
    """Polls the asset from its own connection: when it became playable, when each step began."""

    def __init__(self, asset_id: int, started: float) -> None:
        super().__init__(daemon=True)
        self.asset_id, self.started = asset_id, started
        self.playable_after: float | None = None
        self.steps: list[tuple[str, float]] = []
        self.stop = threading.Event()
        self.cpu = 0.0  # this thread's own CPU time: the measurement's cost, not the pipeline's

    def run(self) -> None:
        from django.db import connection

        from fieldcast.media.models import MediaAsset

        cpu = time.thread_time()
        try:
            while not self.stop.is_set():
                row = MediaAsset.objects.filter(pk=self.asset_id).values("playable", "step").first() or {}
                now = time.perf_counter() - self.started
                if row.get("playable") and self.playable_after is None:
                    self.playable_after = now
                if row.get("step") and (not self.steps or self.steps[-1][0] != row["step"]):
                    self.steps.append((row["step"], now))
                self.stop.wait(0.05)
        finally:
            connection.close()
            self.cpu = time.thread_time() - cpu


def _pipeline(clip: Path, round_no: int) -> dict[str, Any]:
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from fieldcast.accounts.services import user_create
    from fieldcast.items.services import item_create
    from fieldcast.media.models import MediaAsset, Upload
    from fieldcast.media.services.processing import asset_process

    user = user_create(
        username=f"bench-pipeline-{secrets.token_hex(4)}", email=f"bench-{secrets.token_hex(4)}@example.org",
        password=None, date_of_birth=None, adult_confirmed=True, is_staff=False, is_superuser=False,
    )  # fmt: skip
    item = item_create(author=user, title=f"Pipeline bench {round_no}", rating="GA", lifecycle="processing")
    uploads = Path(settings.MEDIA_UPLOAD_DIR)
    uploads.mkdir(parents=True, exist_ok=True)
    partial = f"bench-{secrets.token_hex(8)}.part"
    shutil.copyfile(clip, uploads / partial)  # the upload itself is not timed
    size = clip.stat().st_size
    now = timezone.now()
    upload = Upload.objects.create(
        owner=user, length=size, offset=size, filename=clip.name, path=partial,
        expires_at=now + datetime.timedelta(days=1), completed_at=now,
    )  # fmt: skip
    asset = MediaAsset.objects.create(owner=user, item=item, upload=upload, original_name=clip.name, size=size)

    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    watcher = _Watcher(asset.pk, started)
    watcher.start()
    asset_process(asset_id=asset.pk)
    seconds = time.perf_counter() - started
    watcher.stop.set()
    watcher.join()
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu - watcher.cpu
    asset.refresh_from_db()
    item.refresh_from_db()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "watcher_cpu": watcher.cpu,
        "playable_after": watcher.playable_after,
        "status": asset.status,
        "failure_reason": asset.failure_reason,
        "item_lifecycle": item.lifecycle,
        "renditions": sorted(asset.renditions.values_list("profile", flat=True)),
        "steps": watcher.steps,
    }


def measure() -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    from fieldcast.media.probe import probe_file
    from fieldcast.media.services.ladder import ladder_command, ladder_plan

    seconds = _env_int("BENCH_CLIP_SECONDS", 60)
    rounds = _env_int("BENCH_PIPELINE_ROUNDS", 1)
    work = Path(tempfile.mkdtemp(prefix="fieldcast-pipeline-bench-"))
    try:
        clip = work / "clip-720p30.mp4"
        started = time.perf_counter()
        _make_clip(clip, seconds)
        generated = time.perf_counter() - started
        probe_started = time.perf_counter()
        probe = probe_file(clip)
        probe_ms = (time.perf_counter() - probe_started) * 1000
        command = ladder_command(clip, work / "hls", probe, ladder_plan(probe.width, probe.height, probe.fps))
        bare, bare_cpu, runs = [], [], []
        for round_no in range(rounds):
            wall, cpu = _bare_ladder(clip, work / "bare-hls")
            bare.append(wall)
            bare_cpu.append(cpu)
            runs.append(_pipeline(clip, round_no))
        return {
            "clip_seconds": seconds,
            "clip_bytes": clip.stat().st_size,
            "generated_s": generated,
            "probe_ms": probe_ms,
            "command": command,
            "bare": bare,
            "bare_cpu": bare_cpu,
            "runs": runs,
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- the parent: prints the figures -----------------------------------------------------------


def _report(result: dict[str, Any]) -> bool:
    duration = result["clip_seconds"]
    print(
        f"clip: {duration} s 1280x720 30 fps + AAC, {result['clip_bytes'] / 1e6:.1f} MB "
        f"(generated in {result['generated_s']:.1f} s); PyAV probe {result['probe_ms']:.0f} ms; "
        f"database {result['database']}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print("ladder command:", subprocess.list2cmdline(result["command"]))
    ok = True
    outside = []
    for bare, bare_cpu, run in zip(result["bare"], result["bare_cpu"], result["runs"], strict=True):
        if run["status"] != "ready":
            print(f"pipeline did not finish: {run['status']} {run['failure_reason']}")
            ok = False
            continue
        steps = run["steps"] + [("done", run["seconds"])]
        spans = {name: steps[i + 1][1] - at for i, (name, at) in enumerate(steps[:-1])}
        breakdown = ", ".join(f"{name} {span:.1f} s" for name, span in spans.items())
        outside.append((run["seconds"] - spans.get("transcode", 0.0)) / bare)
        print(
            f"bare ffmpeg ladder: {bare:.1f} s wall, {bare_cpu:.1f} s CPU; "
            f"whole pipeline: {run['seconds']:.1f} s wall ({breakdown}), {run['cpu']:.1f} s CPU "
            f"(not counting the poller's {run['watcher_cpu']:.1f} s)"
        )
        print(f"  renditions: {', '.join(run['renditions'])}; item {run['item_lifecycle']}")
    ready = [
        (b, c, r)
        for b, c, r in zip(result["bare"], result["bare_cpu"], result["runs"], strict=True)
        if r["status"] == "ready"
    ]
    if not ready:
        return False
    ratio = statistics.median(r["seconds"] / b for b, _, r in ready)
    cpu_ratio = statistics.median(r["cpu"] / c for _, c, r in ready)
    playable = [r["playable_after"] for _, _, r in ready if r["playable_after"] is not None]
    print(f"pipeline / bare ffmpeg: {ratio:.2f}x wall (aim <= {AIM_RATIO:.2f}x), {cpu_ratio:.2f}x CPU time")
    print(
        f"  work outside the shared ffmpeg command (ingest, probe, remux, poster, sprite, database): "
        f"{statistics.median(outside):.1%} of bare ffmpeg's wall time"
    )
    if playable:
        share = statistics.median(playable) / duration
        print(
            f"playable after {statistics.median(playable):.1f} s = {share:.1%} of the clip's duration "
            f"(aim <= {AIM_PLAYABLE_SHARE:.0%})"
        )
    else:
        print("the poller never saw the asset playable")
        ok = False
    return ok


def _measure_in_child(env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    for line in result.stdout.splitlines():
        if line.startswith("RESULT="):
            return json.loads(line.removeprefix("RESULT="))  # type: ignore[no-any-return]
    raise RuntimeError(f"the measuring process failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")


def run(app: Any) -> bool:
    """Under bench/run.py: the harness's scratch database and data folder."""
    env = {**app.env, "LOG_LEVEL": "ERROR"}
    try:
        return _report(_measure_in_child(env))
    except RuntimeError as exc:
        from _harness import BenchError

        raise BenchError(str(exc)) from exc


def main() -> int:
    """Alone: a migrated SQLite database in a temporary data folder."""
    data_dir = Path(tempfile.mkdtemp(prefix="fieldcast-bench-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MEDIA_ROOT", "MEDIA_UPLOAD_DIR"}}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), FIELDCAST_DATA_DIR=str(data_dir), LOG_LEVEL="ERROR")
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
        print(f"== {NAME}", flush=True)
        return 0 if _report(_measure_in_child(env)) else 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--measure"]:
        sys.path.insert(0, str(ROOT))
        print("RESULT=" + json.dumps(measure()))
    else:
        sys.exit(main())
