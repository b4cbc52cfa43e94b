"""/metrics: who may read it, and the figures it carries (latency by view, queue depth, task
durations, transcoding per clip second, counter flush lag), also across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from prometheus_client.parser import text_string_to_metric_families

from fieldcast.core import metrics
from fieldcast.core.tasks import prune_task_results
from fieldcast.core.testing.factories import ItemFactory
from fieldcast.media.models import MediaAsset
from fieldcast.media.testing import clips_fixture, media_dirs_fixture  # noqa: F401 (fixtures)
from fieldcast.player.tasks import flush_counters

pytestmark = pytest.mark.django_db


def scrape(client, **headers) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse(response.content.decode())


def parse(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- access -----------------------------------------------------------------------------------


def test_loopback_may_read_and_others_may_not(client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert b"METRICS_ALLOWED_IPS" in response.content


def test_allowed_networks(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "2001:db8::/32"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_a_bearer_token_opens_it_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    far = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **far).status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **far).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-scrape-token", **far).status_code == 403


def test_no_token_configured_means_no_token_accepted(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="203.0.113.9").status_code == 403


def test_a_proxied_request_is_judged_by_the_client_not_the_proxy(client, settings):
    """nginx on the same machine connects from loopback: that must not open /metrics to the world."""
    settings.BEHIND_PROXY = False
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 403
    settings.BEHIND_PROXY = True
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 403
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.4, 127.0.0.1").status_code == 200


def test_metrics_are_never_cached(client):
    assert "no-store" in client.get("/metrics")["Cache-Control"]


# --- figures ----------------------------------------------------------------------------------


def test_request_latency_is_labelled_by_view_not_path(client):
    first, second = ItemFactory(title="One"), ItemFactory(title="Two")
    before = scrape(client)
    for item in (first, second):
        assert client.get(f"/v/{item.public_id}/{item.slug}").status_code == 200
    client.get("/no/such/page")
    after = scrape(client)

    key = "fieldcast_http_request_duration_seconds_count"
    seen = {labels for (name, labels) in after if name == key}
    assert all(dict(labels)["view"] != f"/v/{first.public_id}" for labels in seen)
    moved = sum(
        after[(name, labels)] - before.get((name, labels), 0.0)
        for (name, labels) in after
        if name == key and dict(labels)["view"] == "items:detail"
    )
    assert moved == 2
    assert value(after, key, view="<unresolved>", method="GET", status="4xx") >= 1
    # The probes themselves are not counted.
    assert not any(dict(labels)["view"] in ("metrics", "readyz") for labels in seen)


def test_queue_depth_and_task_durations(client, monkeypatch):
    # The worker closes connections between tasks (CONN_MAX_AGE=0): not the test's own.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    flush_counters.enqueue()
    prune_task_results.enqueue()
    samples = scrape(client)
    assert value(samples, "fieldcast_cluster_up") == 1
    assert value(samples, "fieldcast_task_queue_depth", queue="default") == 2
    assert value(samples, "fieldcast_task_queue_depth", queue="media") == 0
    assert value(samples, "fieldcast_task_queue_oldest_age_seconds", queue="default") >= 0

    task = "fieldcast.core.tasks.prune_task_results"
    before = value(samples, "fieldcast_task_duration_seconds_count", task=task, queue="default", status="successful")
    call_command("db_worker", "--batch", "--queue-name", "default", "--interval", "0", verbosity=0)

    samples = scrape(client)
    assert value(samples, "fieldcast_task_queue_depth", queue="default") == 0
    assert (
        value(samples, "fieldcast_task_duration_seconds_count", task=task, queue="default", status="successful")
        == before + 1
    )


def test_a_database_failure_leaves_the_per_process_figures(client, monkeypatch):
    def down(**kwargs):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr("fieldcast.core.ops.queue_figures", down)
    samples = scrape(client)
    assert value(samples, "fieldcast_cluster_up") == 0
    assert any(name == "fieldcast_http_request_duration_seconds_count" for name, _ in samples)


def test_transcode_figures():
    before = metrics.TRANSCODED_CLIP_SECONDS._value.get()
    metrics.transcode_observe(wall_s=12.0, clip_s=60.0)
    metrics.transcode_observe(wall_s=1.0, clip_s=0.0)  # no duration: no figure
    assert metrics.TRANSCODED_CLIP_SECONDS._value.get() == before + 60.0
    samples = parse(metrics.render_metrics().decode())
    assert value(samples, "fieldcast_transcode_seconds_per_clip_second_bucket", le="0.25") >= 1


def test_counter_flush_lag_with_the_database_buffer(client, settings):
    settings.COUNTER_BUFFER = "database"
    samples = scrape(client)
    assert value(samples, "fieldcast_counter_flush_lag_seconds") == 0
    assert ("fieldcast_counter_last_flush_age_seconds", ()) not in samples


def test_counter_flush_lag_with_the_redis_buffer(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the Redis buffer is tested in the PostgreSQL + Redis run")
    import datetime

    from fieldcast.player.services import counting

    settings.COUNTER_BUFFER = "redis"
    redis = counting.redis_client()
    redis.delete(counting.BUFFER_KEY, counting.OLDEST_KEY, counting.FLUSHED_AT_KEY)
    item = ItemFactory()
    a_minute_ago = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(seconds=60)
    for viewer in ("a", "b"):
        counting.event_count(counting.Event(item.pk, "view", viewer), now=a_minute_ago)

    samples = scrape(client)
    assert value(samples, "fieldcast_counter_buffer_events") == 2
    assert 59 <= value(samples, "fieldcast_counter_flush_lag_seconds") < 120
    assert ("fieldcast_counter_last_flush_age_seconds", ()) not in samples

    assert counting.counters_flush() == 2
    samples = scrape(client)
    assert value(samples, "fieldcast_counter_buffer_events") == 0
    assert value(samples, "fieldcast_counter_flush_lag_seconds") == 0
    assert 0 <= value(samples, "fieldcast_counter_last_flush_age_seconds") < 60
    item.refresh_from_db()
    assert item.views_count == 2


# --- several processes ----------------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import os
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from fieldcast.core import metrics  # no django.setup(): observing needs no apps
    metrics.request_observe(view="items:detail", method="GET", status=200, seconds=0.02)
    task = "fieldcast.player.tasks.flush_counters"
    metrics.task_observe(task=task, queue="default", status="successful", seconds=0.5)
    metrics.transcode_observe(wall_s=30.0, clip_s=60.0)
    """
)


def test_multiprocess_mode_sums_every_process_of_the_machine(tmp_path: Path):
    """Two processes (a web worker and a task worker, say) write to PROMETHEUS_MULTIPROC_DIR;
    the sum is what /metrics renders under gunicorn, and what the exporter serves on a
    machine with task workers only."""
    import socket
    import time
    import urllib.request

    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    folder = tmp_path / "prom"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "FIELDCAST_TESTING": "1", "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    for _ in range(2):
        subprocess.run([sys.executable, "-c", WORKER], env=env, check=True, timeout=60)  # noqa: S603
    assert len(list(folder.glob("*.db"))) >= 2

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    samples = parse(generate_latest(registry).decode())
    view = {"view": "items:detail", "method": "GET", "status": "2xx"}
    assert value(samples, "fieldcast_http_request_duration_seconds_count", **view) == 2
    task = {"task": "fieldcast.player.tasks.flush_counters", "queue": "default", "status": "successful"}
    assert value(samples, "fieldcast_task_duration_seconds_count", **task) == 2
    assert value(samples, "fieldcast_transcoded_clip_seconds_total") == 120
    assert value(samples, "fieldcast_transcode_seconds_per_clip_second_bucket", le="0.5") == 2

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    exporter = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "fieldcast_metrics_exporter", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        text = ""
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                    text = response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert value(parse(text), "fieldcast_task_duration_seconds_count", **task) == 2
    finally:
        exporter.terminate()
        exporter.wait(10)
    assert exporter.returncode == 0


# --- the pipeline's hook ----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_finished_video_records_its_transcoding_seconds_per_clip_second(clips, media_dirs, member):
    from fieldcast.media.services.processing import asset_process
    from fieldcast.media.testing import asset_from_file

    asset = asset_from_file(clips.video(320, 240, seconds=2), owner=member, name="clip.mp4")
    seconds_before = metrics.TRANSCODE_SECONDS._value.get()
    clip_before = metrics.TRANSCODED_CLIP_SECONDS._value.get()

    asset_process(asset_id=asset.pk)

    asset.refresh_from_db()
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    assert metrics.TRANSCODED_CLIP_SECONDS._value.get() - clip_before == pytest.approx(asset.duration)
    assert metrics.TRANSCODE_SECONDS._value.get() > seconds_before
