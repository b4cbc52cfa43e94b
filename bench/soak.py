"""Soak: the cluster on loopback under a steady mix of guest traffic.

The cluster of tests/cluster (cluster_harness.Cluster): two gunicorn web nodes and two task
workers on the benchmark's PostgreSQL database (the demo content), Redis (database 12) and
SeaweedFS (media in a private bucket). BENCH_SOAK_CONNECTIONS (32) keep-alive connections,
half on each node, send for BENCH_SOAK_SECONDS (300) a mix of item pages, lists (home,
channel directory, channels, tags), search, play events (each from a new viewer, so each
one is counted) and embed pages. Printed: requests/s, p50/p95/p99 and errors per kind and in
all (aim: 0 errors), the play events counted against the plays the flush wrote (must be
equal), and the resident memory of each web node (master + workers) and worker at the start
and the end (aim: flat).

Before the soak, what one HLS segment costs with object storage: the app's /m/ redirect
(token, item state and Safe Mode checked, a URL presigned), the store's answer to the
presigned URL, and a playlist, which the app reads from the store and serves itself.

Settings: BENCH_SOAK_SECONDS (300), BENCH_SOAK_CONNECTIONS (32), BENCH_SOAK_WARMUP (5),
BENCH_SOAK_GUNICORN_WORKERS (2 per node), BENCH_SOAK_REDIS_URL (redis://127.0.0.1:6379,
database 12). Alone: `.venv/bin/python bench/soak.py` (prepares the database as `make bench`).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from _harness import ROOT, App, BenchError, KeepAlive, LoadResult, env_float, env_int

sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "cluster")]
from cluster_harness import BROWSER_UA, Cluster, WebNode, http_request  # noqa: E402

NAME = "soak (two web nodes, two workers, PostgreSQL, Redis, SeaweedFS)"
MIX = {"item": 35, "list": 20, "search": 15, "play": 20, "embed": 10}

_TARGETS = """
import json
from fieldcast.items.models import Item, Tag
from fieldcast.channels.models import Channel
items = list(Item.objects.listed().order_by("pk")[:200])
words = sorted({w.strip(".,:;!?()\\"'").lower() for i in items for w in i.title.split() if len(w) > 4})
print("TARGETS=" + json.dumps({
    "items": [i.get_absolute_url() for i in items],
    "embeds": [f"/embed/{i.public_id}" for i in items if i.embeddable],
    "channels": [c.get_absolute_url() for c in Channel.objects.exclude(kind="personal").order_by("pk")[:50]],
    "tags": [f"/tag/{t.key}" for t in Tag.objects.order_by("pk")[:50]],
    "words": words[:100],
}))
"""
_PLAYS = """
from django.db.models import Sum
from fieldcast.items.models import Item
from fieldcast.player.services.counting import counters_flush
counters_flush()
print("PLAYS=%d" % (Item.objects.aggregate(n=Sum("plays_count"))["n"] or 0))
"""


def quote_path(path: str) -> str:
    return urllib.parse.quote(path, safe="/?=&%-_.~")


@dataclass
class Targets:
    items: list[str]
    embeds: list[str]
    lists: list[str]
    searches: list[str]
    play_tokens: list[str] = field(default_factory=list)


def targets_of(cluster: Cluster) -> Targets:
    out = cluster.shell(_TARGETS)
    raw = json.loads(next(line for line in out.splitlines() if line.startswith("TARGETS=")).removeprefix("TARGETS="))
    if not raw["items"]:
        raise BenchError("the database has no listed items: the soak needs the demo content (manage.py load_demo)")
    targets = Targets(
        items=[quote_path(p) for p in raw["items"]],
        embeds=[quote_path(p) for p in raw["embeds"]] or [quote_path(p) for p in raw["items"]],
        lists=["/", "/c/", *(quote_path(p) for p in raw["channels"] + raw["tags"])],
        searches=[f"/search?q={urllib.parse.quote(w)}" for w in raw["words"]] or ["/search?q=video"],
    )
    for path in targets.items[:40]:
        page = cluster.web[0].request("GET", path)
        match = re.search(r'data-event-token="([^"]+)"', page.body.decode(errors="replace"))
        if match:
            targets.play_tokens.append(match.group(1))
    if not targets.play_tokens:
        raise BenchError("no item page carried a play token")
    return targets


def plays_total(cluster: Cluster) -> int:
    out = cluster.shell(_PLAYS)
    return int(next(line for line in out.splitlines() if line.startswith("PLAYS=")).removeprefix("PLAYS="))


# --- what a segment costs -----------------------------------------------------------------------


def _make_clip(folder: Path) -> Path:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        import imageio_ffmpeg

        ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    clip = folder / "soak-clip.mp4"
    subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=6",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30", str(clip)],
        check=True,
    )  # fmt: skip
    return clip


def _processed_media(cluster: Cluster, folder: Path) -> dict[str, str]:
    from tusclient.client import TusClient

    out = cluster.shell(
        "from fieldcast.accounts.services import user_create\n"
        "from fieldcast.accounts.tokens import api_token_create\n"
        "user = user_create(username='soak-uploader', email='soak@example.org', password=None, adult_confirmed=True)\n"
        "print(api_token_create(user=user, name='soak', scope='write')[1])\n"
    )
    headers = {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}
    node = cluster.web[0]
    uploader = TusClient(f"{node.url}/uploads/", headers=headers).uploader(str(_make_clip(folder)), chunk_size=1 << 20)
    uploader.upload()
    body = {"title": "Soak clip", "rating": "GA", "agree_terms": True, "uploads": [uploader.url]}
    created = node.request(
        "POST", "/api/v1/items", headers={**headers, "Content-Type": "application/json"}, body=json.dumps(body).encode()
    )
    if created.status != 201:
        raise BenchError(f"posting the soak clip failed: {created.status} {created.body[:300]!r}")
    public_id = created.json()["public_id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        detail = node.request("GET", f"/api/v1/items/{public_id}", headers=headers).json()
        if detail["media"] and detail["media"][0]["status"] == "ready":
            return dict(detail["media"][0]["urls"])
        time.sleep(0.5)
    raise BenchError(f"the soak clip was not processed within 120 s\n{cluster.logs()}")


def _timed(count: int, fetch) -> list[float]:  # type: ignore[no-untyped-def]
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        fetch()
        latencies.append(time.perf_counter() - started)
    return sorted(latencies)


def _ms(latencies: list[float], p: float) -> float:
    return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000


def segment_cost(cluster: Cluster, folder: Path, count: int = 200) -> None:
    urls = _processed_media(cluster, folder)
    node = cluster.web[0]
    base = urls["hls"].rsplit("/", 1)[0]
    master = node.request("GET", urls["hls"]).body.decode()
    rung = next(line for line in master.splitlines() if line.endswith(".m3u8"))
    playlist_path = f"{base}/{rung}"
    playlist = node.request("GET", playlist_path).body.decode()
    segment = next(line for line in playlist.splitlines() if line.endswith(".m4s"))
    segment_path = f"{base}/{rung.rsplit('/', 1)[0]}/{segment}"
    location = node.request("GET", segment_path).headers["location"]
    size = len(http_request("GET", location).body)

    redirect = _timed(count, lambda: node.request("GET", segment_path))
    direct = _timed(count, lambda: http_request("GET", location))
    followed = _timed(count, lambda: http_request("GET", node.request("GET", segment_path).headers["location"]))
    playlist_ms = _timed(count, lambda: node.request("GET", playlist_path))
    print(f"\nwhat one HLS segment ({size} bytes) costs, {count} sequential fetches each (p50 / p95 ms):")
    for label, values in [
        ("app /m/ redirect (checks + presign)", redirect),
        ("store, presigned URL (the bytes)", direct),
        ("both, as a player fetches it", followed),
        ("a rung playlist, served by the app", playlist_ms),
    ]:
        print(f"  {label:<38} {_ms(values, 50):7.2f} / {_ms(values, 95):7.2f}")


# --- the soak ---------------------------------------------------------------------------------


@dataclass
class Tally:
    results: dict[str, LoadResult]
    statuses: dict[str, int] = field(default_factory=dict)
    plays_counted: int = 0


def _request(method: str, path: str, node: WebNode, *, body: bytes = b"", cookie: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{node.port}", f"User-Agent: {BROWSER_UA}",
             "Accept: text/html", "Accept-Encoding: identity"]  # fmt: skip
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if body:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _connection(
    index: int, node: WebNode, targets: Targets, deadline: float, tally: Tally, *, record: bool
) -> None:
    rng = random.Random(index)
    kinds, weights = list(MIX), list(MIX.values())
    connection = KeepAlive("127.0.0.1", node.port)
    sent = 0
    try:
        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, weights)[0]
            if kind == "play":
                body = urllib.parse.urlencode({"token": rng.choice(targets.play_tokens)}).encode()
                viewer = f"soak{index:02d}{'r' if record else 'w'}{sent:012d}"
                request = _request("POST", "/events/play", node, body=body, cookie=f"fc_vid={viewer}")
            else:
                pool = {"item": targets.items, "list": targets.lists, "search": targets.searches}.get(kind)
                request = _request("GET", rng.choice(pool or targets.embeds), node)
            sent += 1
            result = tally.results[kind] if record else LoadResult(kind, 0.0, [], 0, 0, 0.0)
            response = await connection.send(request, result)
            if not record or response is None:
                continue
            if response.status != 200:
                tally.statuses[f"{kind} {response.status}"] = tally.statuses.get(f"{kind} {response.status}", 0) + 1
            elif kind == "play" and b'"counted": true' in response.body:
                tally.plays_counted += 1
    finally:
        connection.close()


def soak(cluster: Cluster, targets: Targets, *, connections: int, seconds: float, record: bool) -> Tally:
    tally = Tally({kind: LoadResult(kind, 0.0, [], 0, 0, 0.0) for kind in MIX})

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                _connection(i, cluster.web[i % len(cluster.web)], targets, deadline, tally, record=record)
                for i in range(connections)
            )
        )

    cpu_started, started = time.process_time(), time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    for result in tally.results.values():
        result.seconds = elapsed
        result.client_cpu = (time.process_time() - cpu_started) / elapsed
    return tally


def memory(cluster: Cluster) -> dict[str, int]:
    return {proc.name: proc.rss_bytes() for proc in [*cluster.web, *cluster.worker_procs]}


def report(tally: Tally, before: dict[str, int], after: dict[str, int]) -> int:
    results = list(tally.results.values())
    every = LoadResult("all", results[0].seconds, [x for r in results for x in r.latencies], 0, 0, 0.0)
    every.errors = sum(r.errors for r in results)
    print(f"\n{'kind':<8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in [*results, every]:
        print(
            f"{r.path:<8} {r.requests:>9} {r.rate:>8.1f} {r.percentile_ms(50):>8.2f} {r.percentile_ms(95):>8.2f} "
            f"{r.percentile_ms(99):>8.2f} {r.errors:>7}"
        )
    if tally.statuses:
        print("non-200 answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items())))
    print(f"load generator CPU: {results[0].client_cpu:.0%} of a core")
    print(f"\n{'process':<18} {'RSS start MiB':>14} {'RSS end MiB':>12} {'change':>8}")
    for name, start in before.items():
        end = after.get(name, 0)
        change = (end - start) / start * 100 if start else 0.0
        print(f"{name:<18} {start / 2**20:>14.1f} {end / 2**20:>12.1f} {change:>7.1f}%")
    return every.errors


def run(app: App) -> bool:
    seconds = env_float("BENCH_SOAK_SECONDS", 300)
    connections = env_int("BENCH_SOAK_CONNECTIONS", 32)
    warmup = env_float("BENCH_SOAK_WARMUP", 5)
    gunicorn_workers = env_int("BENCH_SOAK_GUNICORN_WORKERS", 2)
    redis_url = os.environ.get("BENCH_SOAK_REDIS_URL") or "redis://127.0.0.1:6379"
    database = urllib.parse.urlsplit(app.database_url).path.lstrip("/")
    with tempfile.TemporaryDirectory(prefix="fieldcast-soak-") as tmp:
        cluster = Cluster(
            Path(tmp), database_url=app.database_url, existing_database=database, redis_url=redis_url,
            redis_db=12, gunicorn_workers=gunicorn_workers, extra_env={"BENCH_BASELINE_VIEW": "1"},
        )  # fmt: skip
        started = time.perf_counter()
        with cluster:
            store = cluster.seaweedfs.endpoint if cluster.seaweedfs else "?"
            print(
                f"cluster up in {time.perf_counter() - started:.0f} s: {len(cluster.web)} web nodes "
                f"(gunicorn gthread, {gunicorn_workers} workers x {cluster.gunicorn_threads} threads each), "
                f"{len(cluster.worker_procs)} workers, SeaweedFS at {store}"
            )
            segment_cost(cluster, Path(tmp))
            targets = targets_of(cluster)
            print(
                f"\ntargets: {len(targets.items)} item pages, {len(targets.lists)} lists, {len(targets.searches)} "
                f"searches, {len(targets.embeds)} embeds, {len(targets.play_tokens)} play tokens; mix {MIX}"
            )
            soak(cluster, targets, connections=connections, seconds=warmup, record=False)
            plays_before = plays_total(cluster)
            before = memory(cluster)
            print(f"soaking: {connections} connections for {seconds:.0f} s ...", flush=True)
            tally = soak(cluster, targets, connections=connections, seconds=seconds, record=True)
            after = memory(cluster)
            plays_after = plays_total(cluster)
            errors = report(tally, before, after)
            exact = plays_after - plays_before == tally.plays_counted
            print(
                f"\nplays counted by the beacons: {tally.plays_counted}; written by the flush: "
                f"{plays_after - plays_before} ({'exact' if exact else 'MISMATCH'})"
            )
            dead = [p.name for p in [*cluster.web, *cluster.worker_procs] if not p.alive()]
            if dead:
                print(f"processes that died during the soak: {', '.join(dead)}\n{cluster.logs()}")
    return errors == 0 and exact and not dead


if __name__ == "__main__":
    from _harness import prepared_app

    try:
        with prepared_app() as prepared:
            print(f"== {NAME}", flush=True)
            sys.exit(0 if run(prepared) else 1)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
