"""Play events (POST /events/play) and the embed page against the trivial view, on PostgreSQL.

Every play comes from its own viewer (a distinct fc_vid cookie), so each one does the real
work: the dedup check and the counter increments. One in five repeats the viewer of the one
before it, which the dedup must refuse; half are embed plays (embed token, host). Measured
twice, each under its own gunicorn with its own baseline:

- COUNTER_BUFFER=database: a dedup row and F() updates in one transaction;
- COUNTER_BUFFER=redis (BENCH_COUNTER_REDIS_URL, default redis://127.0.0.1:6379/14): SET NX
  and HINCRBY, then one counters_flush at the end.

After each, the item's plays and embed plays must have moved by exactly the distinct viewers
the server accepted: a lost or doubled play makes the run untrustworthy.

Settings: BENCH_SECONDS (10) per URL, BENCH_WARMUP (2), BENCH_CONNECTIONS (8).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from _harness import (
    USER_AGENT,
    App,
    BenchError,
    KeepAlive,
    LoadResult,
    Server,
    env_float,
    env_int,
    load,
    print_table,
)

NAME = "play events and the embed page"
BASELINE_PATH = "/bench/baseline"
PLAY_PATH = "/events/play"
EMBED_HOST = "news.example:8443"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"

# A listed GA item, with a processed video where the demo has one.
_FIND_ITEM = """
from fieldcast.items.models import Item
items = Item.objects.filter(rating="GA", lifecycle="ready", visibility="public", moderation="ok", embeddable=True)
item = items.filter(assets__kind="video", assets__status="ready").order_by("pk").first() or items.order_by("pk").first()
from fieldcast.player.tokens import event_token
if item:
    tokens = [event_token(item.public_id), event_token(item.public_id, embed=True)]
    print("ITEM=" + " ".join([item.public_id, item.get_absolute_url(), *tokens]))
"""

_COUNTS = """
from fieldcast.items.models import Item
from fieldcast.player.models import EmbedHost
from fieldcast.player.services.counting import counters_flush
moved = counters_flush()
item = Item.objects.get(public_id=%r)
host = EmbedHost.objects.filter(item=item, host=%r).first()
print("COUNTS=%%d %%d %%d %%d" %% (item.plays_count, item.embed_plays_count, host.plays if host else 0, moved))
"""


@dataclass
class Plays:
    """What the server said about the plays sent: who was counted, who was refused."""

    viewers_counted: set[str] = field(default_factory=set)
    embed_counted: int = 0
    refused: int = 0  # answered 200 with counted: false (a repeat within the window)
    doubled: list[str] = field(default_factory=list)  # a viewer counted twice


def _find_item(app: App) -> tuple[str, str, tuple[str, str]]:
    out = app.manage("shell", "--no-imports", "-c", _FIND_ITEM, capture=True)
    for line in out.splitlines():
        if line.startswith("ITEM=") and line.removeprefix("ITEM="):
            # Signed with the app's SECRET_KEY: the page's token, and an embed's (an item
            # without a processed video has an embed page without a player).
            public_id, path, page_token, embed_token = line.removeprefix("ITEM=").split(" ")
            return public_id, path, (page_token, embed_token)
    raise BenchError("the demo content has no listed, embeddable GA item to play")


def _counts(app: App, env: dict[str, str], public_id: str) -> tuple[int, int, int, int]:
    """(plays, embed plays, plays from EMBED_HOST, events flushed) after a counters_flush."""
    saved = app.env
    app.env = env
    try:
        out = app.manage("shell", "--no-imports", "-c", _COUNTS % (public_id, EMBED_HOST), capture=True)
    finally:
        app.env = saved
    for line in out.splitlines():
        if line.startswith("COUNTS="):
            plays, embed, host, moved = (int(v) for v in line.removeprefix("COUNTS=").split())
            return plays, embed, host, moved
    raise BenchError(f"could not read the item's counters:\n{out}")


async def _post_loop(
    server: Server,
    tokens: tuple[str, str],
    deadline: float,
    counter: list[int],
    result: LoadResult,
    plays: Plays,
) -> None:
    """One keep-alive connection posting plays back to back until the deadline."""
    connection = KeepAlive(server.host, server.port)
    try:
        while time.perf_counter() < deadline:
            n = counter[0]
            counter[0] += 1
            # Every fifth play repeats the viewer of the one before it.
            base = n - 1 if n % 5 == 4 else n
            viewer = f"{counter[1]:08x}{base:012x}"  # 20 characters: a valid fc_vid
            embed = base % 2 == 1
            fields = {"token": tokens[embed]}
            if embed:
                fields["host"] = EMBED_HOST
            body = urllib.parse.urlencode(fields).encode()
            request = (
                f"POST {PLAY_PATH} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\nUser-Agent: {USER_AGENT}\r\n"
                f"Cookie: fc_vid={viewer}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\nAccept-Encoding: identity\r\n\r\n"
            ).encode() + body
            response = await connection.send(request, result)
            if response is None or response.status != 200:
                continue
            if json.loads(response.body).get("counted"):
                if viewer in plays.viewers_counted:
                    plays.doubled.append(viewer)
                plays.viewers_counted.add(viewer)
                plays.embed_counted += embed
            else:
                plays.refused += 1
    finally:
        connection.close()


def post_plays(
    server: Server, tokens: tuple[str, str], plays: Plays, *, connections: int, seconds: float, label: str
) -> LoadResult:
    result = LoadResult(label, 0.0, [], 0, 0, 0.0)
    # Shared by the connections (one event loop): the next play's number, and this run's viewer prefix.
    counter = [0, secrets.randbits(32)]

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_post_loop(server, tokens, deadline, counter, result, plays) for _ in range(connections))
        )

    cpu_started, started = time.process_time(), time.perf_counter()
    asyncio.run(main())
    result.seconds = time.perf_counter() - started
    result.client_cpu = (time.process_time() - cpu_started) / result.seconds
    return result


def _redis_clear(url: str) -> None:
    """Drop the counting keys (dedup, buffers) a previous run left in the bench's Redis db."""
    try:
        import redis
    except ImportError as exc:
        raise BenchError("the redis package is not installed") from exc
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise BenchError(f"Redis is unreachable at {url} ({exc}); set BENCH_COUNTER_REDIS_URL") from exc
    keys = list(client.scan_iter(match="fc:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def _measure(
    app: App, env: dict[str, str], mode: str, item: tuple[str, str, tuple[str, str]], settings: tuple[int, float, float]
) -> tuple[list[LoadResult], bool]:
    """Baseline, plays (and, once, the embed page) under one gunicorn; False if a count is off."""
    connections, warmup, seconds = settings
    public_id, _, tokens = item
    embed_path = f"/embed/{public_id}"
    plays = Plays()
    before = _counts(app, env, public_id)
    with _server(env) as server:
        status, page = server.get(embed_path)
        if status != 200:
            raise BenchError(f"GET {embed_path} answered {status}, not 200")
        baseline_file = Path(app.data_dir) / "bench" / "baseline.html"
        baseline_file.parent.mkdir(parents=True, exist_ok=True)
        baseline_file.write_bytes(page)
        print(f"{mode}: {server.description}; {connections} connections, {warmup:g} s warm-up, {seconds:g} s per URL")
        results = []
        load(server, BASELINE_PATH, connections=connections, seconds=warmup)
        results.append(load(server, BASELINE_PATH, connections=connections, seconds=seconds))
        results[-1].path = f"{BASELINE_PATH} ({mode})"
        post_plays(server, tokens, plays, connections=connections, seconds=warmup, label="warm-up")
        label = f"POST {PLAY_PATH} ({mode})"
        results.append(post_plays(server, tokens, plays, connections=connections, seconds=seconds, label=label))
        if mode == "database":
            load(server, embed_path, connections=connections, seconds=warmup)
            results.append(load(server, embed_path, connections=connections, seconds=seconds))
    after = _counts(app, env, public_id)
    delta = tuple(a - b for a, b in zip(after[:3], before[:3], strict=True))
    expected = (len(plays.viewers_counted), plays.embed_counted, plays.embed_counted)
    exact = delta == expected and not plays.doubled
    flushed = f", {after[3]} events flushed from Redis" if mode == "redis" else ""
    verdict = "exact" if exact else f"WRONG: expected +{expected[0]}, +{expected[1]}, +{expected[2]}"
    if plays.doubled:
        verdict += f"; {len(plays.doubled)} viewers counted twice"
    print(
        f"{mode}: {len(plays.viewers_counted)} distinct viewers counted, {plays.refused} repeats refused{flushed}; "
        f"plays +{delta[0]}, embed plays +{delta[1]}, {EMBED_HOST} +{delta[2]}: {verdict}"
    )
    return results, exact


class _server:
    """gunicorn with an environment of our own (the Redis run)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __enter__(self) -> Server:
        self.server = Server.start(self.env)
        return self.server

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


def _ratios(label: str, result: LoadResult, baseline: LoadResult) -> None:
    if result.requests and baseline.requests:
        print(
            f"{label} / baseline: throughput {result.rate / baseline.rate:.2f}x, "
            f"p50 latency {result.percentile_ms(50) / baseline.percentile_ms(50):.2f}x, "
            f"p95 latency {result.percentile_ms(95) / baseline.percentile_ms(95):.2f}x"
        )


def run(app: App) -> bool:
    """Measure, print the table and the ratios; False when a request failed or a count is off."""
    settings = (env_int("BENCH_CONNECTIONS", 8), env_float("BENCH_WARMUP", 2.0), env_float("BENCH_SECONDS", 10.0))
    item = _find_item(app)
    redis_url = os.environ.get("BENCH_COUNTER_REDIS_URL") or DEFAULT_REDIS_URL

    database_env = {k: v for k, v in app.env.items() if k not in {"REDIS_URL", "COUNTER_BUFFER"}}
    database_env["COUNTER_BUFFER"] = "database"
    db_results, db_exact = _measure(app, database_env, "database", item, settings)

    _redis_clear(redis_url)
    redis_env = {**database_env, "COUNTER_BUFFER": "redis", "REDIS_URL": redis_url}
    redis_results, redis_exact = _measure(app, redis_env, "redis", item, settings)
    _redis_clear(redis_url)

    results = db_results + redis_results
    print_table(results)
    _ratios("plays, database", db_results[1], db_results[0])
    _ratios("embed page", db_results[2], db_results[0])
    _ratios("plays, redis", redis_results[1], redis_results[0])
    ok = db_exact and redis_exact
    if any(r.errors for r in results):
        print("some requests failed (non-200 or connection errors): the figures above are not trustworthy")
        ok = False
    return ok
