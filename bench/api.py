"""The REST API's item list and item detail against a view that returns the same bytes and
does no work, under the same gunicorn, in the same run (the ratio is what the API costs:
auth, access layer, queries, serialisation).

The API's own rate limit is lifted for the run (one address makes every request).

Settings: BENCH_SECONDS (10) per URL, BENCH_WARMUP (2), BENCH_CONNECTIONS (8).
"""

from __future__ import annotations

from pathlib import Path

from _harness import App, BenchError, LoadResult, env_float, env_int, load, print_table

NAME = "API (item list and item detail)"
BASELINE_PATH = "/bench/baseline"

_FIND_ITEM = """
from fieldcast.items.models import Item
item = Item.objects.filter(rating="GA", lifecycle="ready", visibility="public", moderation="ok").order_by("pk").first()
print("PUBLIC_ID=" + (item.public_id if item else ""))
"""


def _find_public_id(app: App) -> str:
    for line in app.manage("shell", "--no-imports", "-c", _FIND_ITEM, capture=True).splitlines():
        if line.startswith("PUBLIC_ID=") and line.removeprefix("PUBLIC_ID="):
            return line.removeprefix("PUBLIC_ID=")
    raise BenchError("the demo content has no listed GA item to measure")


def _compare(label: str, endpoint: LoadResult, baseline: LoadResult) -> None:
    if not endpoint.requests or not baseline.requests:
        print(f"{label}: no successful requests")
        return
    print(
        f"{label} / baseline: throughput {endpoint.rate / baseline.rate:.2f}x, "
        f"p50 {endpoint.percentile_ms(50) / baseline.percentile_ms(50):.2f}x, "
        f"p95 {endpoint.percentile_ms(95) / baseline.percentile_ms(95):.2f}x "
        f"({endpoint.rate:.0f} req/s, p95 {endpoint.percentile_ms(95):.1f} ms)"
    )


def run(app: App) -> bool:
    seconds = env_float("BENCH_SECONDS", 10.0)
    warmup = env_float("BENCH_WARMUP", 2.0)
    connections = env_int("BENCH_CONNECTIONS", 8)
    app.env["API_READ_RATE_LIMIT_PER_MINUTE"] = "1000000000"
    public_id = _find_public_id(app)
    paths = {
        "item list (20)": "/api/v1/items?limit=20",
        "item detail": f"/api/v1/items/{public_id}",
    }
    results: list[LoadResult] = []
    with app.server() as server:
        print(f"{server.description}; {connections} connections, {warmup:g} s warm-up then {seconds:g} s per URL")
        for label, path in paths.items():
            status, body = server.get(path)
            if status != 200:
                raise BenchError(f"GET {path} answered {status}:\n{body[:2000].decode(errors='replace')}")
            # The baseline returns this endpoint's bytes: written before it is asked for them.
            baseline_file = Path(app.data_dir) / "bench" / "baseline.html"
            baseline_file.parent.mkdir(parents=True, exist_ok=True)
            baseline_file.write_bytes(body)
            # gunicorn's workers cache the file on first read: restart them for each body.
            with app.server() as base_server:
                status, same = base_server.get(BASELINE_PATH)
                if status != 200 or same != body:
                    raise BenchError(f"{BASELINE_PATH} did not return the bytes of {path}")
                load(base_server, BASELINE_PATH, connections=connections, seconds=warmup)
                baseline = load(base_server, BASELINE_PATH, connections=connections, seconds=seconds)
            load(server, path, connections=connections, seconds=warmup)
            endpoint = load(server, path, connections=connections, seconds=seconds)
            results += [endpoint, baseline]
            print_table([endpoint, baseline])
            _compare(label, endpoint, baseline)
    if any(r.errors for r in results):
        print("some requests failed (non-200 or connection errors): the figures above are not trustworthy")
        return False
    return True
