"""The item page for guests against a view that returns the same bytes and does no work.

Measured three times: rendered (GUEST_CACHE_SECONDS=0: what rendering the page costs,
queries, access checks, templates, on top of Django's request/response cycle), then from the
guest page cache (core/pagecache.py, the way guests get it in production) kept in the
database cache (the embedded default) and in Redis (a cluster's cache), each against the
baseline under the same gunicorn, on the same machine, in the same run. The cache's aim:
>= 50% of the baseline's throughput.

Settings: BENCH_SECONDS (10) per URL, BENCH_WARMUP (2), BENCH_CONNECTIONS (8),
BENCH_ITEM_PATH (default: the first listed GA item of the demo content),
BENCH_GUEST_CACHE_SECONDS (60), BENCH_CACHE_REDIS_URL (default redis://127.0.0.1:6379/13;
its database is emptied before and after; unreachable: the Redis run is left out, said so).
"""

from __future__ import annotations

import os
from pathlib import Path

from _harness import App, BenchError, Server, env_float, env_int, load, print_table

NAME = "item page (guests)"
BASELINE_PATH = "/bench/baseline"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
CACHE_AIM = 0.5  # throughput of the cached item page / the baseline's

# Listed (ready, public, ok) and GA, so guests in Safe Mode see the page itself.
_FIND_ITEM = """
from fieldcast.items.models import Item
item = (
    Item.objects.filter(rating="GA", lifecycle="ready", visibility="public", moderation="ok")
    .order_by("pk")
    .first()
)
print("ITEM_PATH=" + (item.get_absolute_url() if item else ""))
"""


def find_item_path(app: App) -> str:
    out = app.manage("shell", "--no-imports", "-c", _FIND_ITEM, capture=True)
    for line in out.splitlines():
        if line.startswith("ITEM_PATH="):
            path = line.removeprefix("ITEM_PATH=")
            if path:
                return path
    raise BenchError("the demo content has no listed GA item (ready, public, ok) to measure")


def run(app: App) -> bool:
    """Measure, print the tables and the ratios; False when any request failed."""
    seconds = env_float("BENCH_SECONDS", 10.0)
    warmup = env_float("BENCH_WARMUP", 2.0)
    connections = env_int("BENCH_CONNECTIONS", 8)
    item_path = os.environ.get("BENCH_ITEM_PATH") or find_item_path(app)
    cache_seconds = os.environ.get("BENCH_GUEST_CACHE_SECONDS", "60")
    redis_url = os.environ.get("BENCH_CACHE_REDIS_URL") or DEFAULT_REDIS_URL
    database_env = {k: v for k, v in app.env.items() if k != "REDIS_URL"}
    runs = [
        ("rendered", "0", database_env),
        ("guest page cache, database cache", cache_seconds, database_env),
    ]
    if _redis_flush(redis_url):
        runs.append(("guest page cache, Redis", cache_seconds, {**database_env, "REDIS_URL": redis_url}))
    else:
        print(f"Redis is unreachable at {redis_url}: the Redis cache run is left out (set BENCH_CACHE_REDIS_URL)")

    all_results = []
    for label, cache, base_env in runs:
        env = {**base_env, "GUEST_CACHE_SECONDS": cache}
        server = Server.start(env)
        try:
            status, page = server.get(item_path)
            if status != 200:
                raise BenchError(f"GET {item_path} answered {status}, not 200:\n{page[:2000].decode(errors='replace')}")
            # Written before anything asks for the baseline: each worker reads it once and keeps it.
            baseline_file = Path(app.data_dir) / "bench" / "baseline.html"
            baseline_file.parent.mkdir(parents=True, exist_ok=True)
            baseline_file.write_bytes(page)
            status, same = server.get(BASELINE_PATH)
            if status != 200 or same != page:
                raise BenchError(f"{BASELINE_PATH} did not return the item page's bytes (status {status})")
            print(
                f"\n{label} (GUEST_CACHE_SECONDS={cache}): {server.description}; {connections} connections, "
                f"{warmup:g} s warm-up then {seconds:g} s per URL",
                flush=True,
            )
            results = []
            for path in (item_path, BASELINE_PATH):
                load(server, path, connections=connections, seconds=warmup)
                results.append(load(server, path, connections=connections, seconds=seconds))
        finally:
            server.stop()
        print_table(results)
        item, baseline = results
        if item.requests and baseline.requests:
            print(
                f"item page ({label}) / baseline: throughput {item.rate / baseline.rate:.2f}x, "
                f"p50 latency {item.percentile_ms(50) / baseline.percentile_ms(50):.2f}x, "
                f"p95 latency {item.percentile_ms(95) / baseline.percentile_ms(95):.2f}x"
            )
            if cache != "0":
                verdict = "met" if item.rate / baseline.rate >= CACHE_AIM else "missed"
                print(f"aim: the cached page at >= {CACHE_AIM:.2f}x the baseline's throughput: {verdict}")
        all_results += results
    _redis_flush(redis_url)
    if any(r.errors for r in all_results):
        print("some requests failed (non-200 or connection errors): the figures above are not trustworthy")
        return False
    return True


def _redis_flush(url: str) -> bool:
    """Empty the benchmark's Redis database; False when Redis cannot be reached."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.RedisError:
        return False
    return True
