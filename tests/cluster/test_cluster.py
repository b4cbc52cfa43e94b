"""Fieldcast as a cluster on loopback: PostgreSQL (a fresh database on the machine's server),
Redis (its own database number), SeaweedFS, two gunicorn web nodes and two task workers.

A clip uploaded with a standard tus client through node A and posted through the API is
processed by whichever worker takes it and plays through node B from the bucket; a worker
killed with SIGKILL in the middle of a job leaves it to the other one (the reaper requeues
it once its heartbeat is stale); plays posted to both nodes add up exactly after the flush.

Slow, and PostgreSQL only (DATABASE_URL; the slow suite of `.ci/run` runs on it).
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cluster_harness import BUCKET, Cluster, WebNode, http_request
from tusclient.client import TusClient

from fieldcast.media.testing import Clips

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# The reaper takes a run back once its heartbeat is this old; runs beat at least every 10 s.
HEARTBEAT_STALE_S = 12
REDIS_DB = 11


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _redis_base() -> str:
    parts = urllib.parse.urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urllib.parse.urlunsplit(parts._replace(path=""))


def wait_for(what: str, check: Callable[[], Any], cluster: Cluster, timeout: float = 60, every: float = 0.2) -> Any:
    """Poll `check` until it returns something true; fail with the cluster's logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{cluster.logs()}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    url = _postgres_url()
    if url is None:
        pytest.skip("the cluster runs on PostgreSQL: set DATABASE_URL (the slow suite of .ci/run does)")
    root = tmp_path_factory.mktemp("cluster")
    extra = {"PROCESSING_HEARTBEAT_STALE_S": str(HEARTBEAT_STALE_S), "COUNTER_BUFFER": "redis"}
    with Cluster(root, database_url=url, redis_url=_redis_base(), redis_db=REDIS_DB, extra_env=extra) as running:
        yield running


@pytest.fixture(scope="module")
def token(cluster) -> str:
    """A write token of a new member, made as an operator would, in a Django shell."""
    out = cluster.shell(
        "from fieldcast.accounts.services import user_create\n"
        "from fieldcast.accounts.tokens import api_token_create\n"
        "user = user_create(username='reporter', email='reporter@example.org', password=None, adult_confirmed=True)\n"
        "print(api_token_create(user=user, name='cluster test', scope='write')[1])\n"
    )
    return out.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Clips:
    return Clips(tmp_path_factory.mktemp("clips"))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(node: WebNode, token: str, path: Path) -> str:
    """A tus upload with tuspy through `node`; the upload's address."""
    tus = TusClient(f"{node.url}/uploads/", headers=auth(token))
    uploader = tus.uploader(str(path), chunk_size=256 * 1024, metadata={"filename": path.name})
    uploader.upload()
    return str(uploader.url)


def post_item(node: WebNode, token: str, title: str, upload_url: str) -> dict[str, Any]:
    body = {"title": title, "rating": "GA", "agree_terms": True, "uploads": [upload_url]}
    response = node.request(
        "POST", "/api/v1/items", headers={**auth(token), "Content-Type": "application/json"},
        body=json.dumps(body).encode(),
    )  # fmt: skip
    assert response.status == 201, response.body
    return dict(response.json())


def item_detail(node: WebNode, token: str, public_id: str) -> dict[str, Any]:
    response = node.request("GET", f"/api/v1/items/{public_id}", headers=auth(token))
    assert response.status == 200, response.body
    return dict(response.json())


def ready_media(node: WebNode, token: str, public_id: str) -> dict[str, Any] | None:
    detail = item_detail(node, token, public_id)
    media = detail["media"]
    if detail["state"]["lifecycle"] == "ready" and media and media[0]["status"] == "ready":
        return dict(media[0])
    return None


def asset_row(cluster: Cluster, public_id: str) -> dict[str, Any] | None:
    with cluster.db() as conn:
        cursor = conn.execute(
            "SELECT a.id, a.status, a.step, a.attempts, a.heartbeat_at, now() AS now FROM media_mediaasset a "
            "JOIN items_item i ON i.id = a.item_id WHERE i.public_id = %s",
            [public_id],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c.name for c in cursor.description or []], row, strict=True))


def process_asset_runs(cluster: Cluster, asset_id: int) -> list[tuple[str, list[str]]]:
    """(status, worker ids) of every process_asset task of the asset, oldest first."""
    with cluster.db() as conn:
        rows = conn.execute(
            "SELECT status, worker_ids, args_kwargs FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE %s ORDER BY enqueued_at",
            ["%process_asset"],
        ).fetchall()
    return [(status, list(workers)) for status, workers, args in rows if args.get("args") == [asset_id]]


def play_through(node: WebNode, media: dict[str, Any], cluster: Cluster) -> bytes:
    """Fetch the master playlist, a rung's playlist and its first segment through `node`'s
    /m/ URLs; the segment's redirect is followed to the store. The segment's bytes."""
    master = node.request("GET", media["urls"]["hls"])
    assert master.status == 200, master.body
    assert master.headers["content-type"] == "application/vnd.apple.mpegurl"
    rung = next(line for line in master.body.decode().splitlines() if line.endswith(".m3u8"))
    base = media["urls"]["hls"].rsplit("/", 1)[0]
    playlist = node.request("GET", f"{base}/{rung}")
    assert playlist.status == 200, playlist.body
    segment = next(line for line in playlist.body.decode().splitlines() if line.endswith(".m4s"))
    rung_dir = rung.rsplit("/", 1)[0]
    redirect = node.request("GET", f"{base}/{rung_dir}/{segment}")
    assert redirect.status == 302, redirect.body
    location = redirect.headers["location"]
    assert location.startswith(f"{cluster.seaweedfs.endpoint}/{BUCKET}/")  # type: ignore[union-attr]
    fetched = http_request("GET", location)
    assert fetched.status == 200, fetched.body
    assert fetched.headers["content-type"] == "video/iso.segment"
    return fetched.body


@pytest.fixture(scope="module")
def played_item(cluster, token, clips) -> dict[str, Any]:
    """A clip uploaded and posted through node A, processed, then played through node B."""
    node_a, node_b = cluster.web
    url = upload(node_a, token, clips.video(320, 240, seconds=3))
    assert url.startswith(f"{node_a.url}/uploads/")
    item = post_item(node_a, token, "Through node A", url)
    assert item["state"]["lifecycle"] == "processing"
    media = wait_for("the first clip to be processed", lambda: ready_media(node_b, token, item["public_id"]), cluster)
    segment = play_through(node_b, media, cluster)
    return {"item": item, "media": media, "segment": segment}


def test_upload_on_a_is_processed_by_a_worker_and_plays_on_b(cluster, played_item):
    row = asset_row(cluster, played_item["item"]["public_id"])
    assert row is not None
    assert row["status"] == "ready"
    runs = process_asset_runs(cluster, row["id"])
    assert [status for status, _ in runs] == ["SUCCESSFUL"]
    assert runs[0][1][-1] in {cluster.worker_id(0), cluster.worker_id(1)}
    # The segment the store sent is the one the worker wrote.
    stored = played_item["media"]
    assert len(played_item["segment"]) > 0
    assert stored["playable"]
    # The bucket is private: the same object without a signature is refused.
    location = played_item["media"]["urls"]["hls"]
    assert location.startswith("/m/")
    anonymous = http_request("GET", f"{cluster.seaweedfs.endpoint}/{BUCKET}/")  # type: ignore[union-attr]
    assert anonymous.status == 403


def test_a_killed_worker_leaves_its_job_to_the_other(cluster, token, clips):
    node_a, node_b = cluster.web
    # Long enough that the transcode is still running when the worker dies.
    url = upload(node_a, token, clips.video(640, 360, seconds=20))
    item = post_item(node_a, token, "The worker dies", url)
    public_id = item["public_id"]

    def running_job() -> tuple[int, str] | None:
        row = asset_row(cluster, public_id)
        if row is None or row["status"] != "processing" or row["step"] != "transcode":
            return None
        running = [workers[-1] for status, workers in process_asset_runs(cluster, row["id"]) if status == "RUNNING"]
        return (row["id"], running[0]) if running else None

    asset_id, holder = wait_for("a worker to start transcoding", running_job, cluster, every=0.05)
    victim = next(p for p in cluster.worker_procs if p.name == holder)
    survivor = next(p for p in cluster.worker_procs if p.name != holder)
    victim.kill()  # SIGKILL to the worker and its ffmpeg: as if the machine went away
    victim.process.wait(timeout=10)
    assert not victim.alive()

    def heartbeat_stale() -> bool:
        row = asset_row(cluster, public_id)
        assert row is not None
        beat = row["heartbeat_at"]
        return beat is not None and (row["now"] - beat).total_seconds() > HEARTBEAT_STALE_S + 0.5

    wait_for("the dead run's heartbeat to go stale", heartbeat_stale, cluster, timeout=HEARTBEAT_STALE_S + 15)
    # What the scheduler does every minute: enqueue the reaper (a worker runs it).
    cluster.shell("from fieldcast.media.tasks import reap_stuck_assets\nreap_stuck_assets.enqueue()")
    media = wait_for("the job to finish on the other worker", lambda: ready_media(node_b, token, public_id), cluster)

    row = asset_row(cluster, public_id)
    assert row is not None
    assert (row["status"], row["attempts"]) == ("ready", 2)
    runs = process_asset_runs(cluster, asset_id)
    assert runs[0] == ("RUNNING", [holder])  # django-tasks-db never takes a dead worker's job back
    assert runs[-1] == ("SUCCESSFUL", [survivor.name])
    assert play_through(node_b, media, cluster)
    assert survivor.alive()


def test_plays_posted_to_both_nodes_add_up_after_the_flush(cluster, token, played_item):
    node_a, node_b = cluster.web
    public_id = played_item["item"]["public_id"]
    page = node_b.request("GET", played_item["item"]["url"])
    assert page.status == 200
    match = re.search(r'data-event-token="([^"]+)"', page.body.decode())
    assert match is not None
    body = urllib.parse.urlencode({"token": match.group(1)}).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    viewers = [f"cluster-viewer-{n:04d}-abcdef" for n in range(40)]
    counted = []
    for n, viewer in enumerate(viewers):
        first, second = (node_a, node_b) if n % 2 else (node_b, node_a)
        headers = {**form, "Cookie": f"fc_vid={viewer}"}
        for node in (first, second):  # the same viewer again, on the other node: counted once
            response = node.request("POST", "/events/play", headers=headers, body=body)
            assert response.status == 200, response.body
            counted.append(response.json()["counted"])
    assert counted.count(True) == len(viewers)

    def plays(node: WebNode) -> int:
        return int(item_detail(node, token, public_id)["counts"]["plays"])

    assert plays(node_a) == 0  # buffered in Redis until the flush
    cluster.shell("from fieldcast.player.tasks import flush_counters\nflush_counters.enqueue()")
    wait_for("the flush", lambda: plays(node_a) == len(viewers), cluster, timeout=30)
    assert plays(node_b) == len(viewers)
