"""Discovery at scale: search, deep list pages, feeds and the map over 100,000 generated items.

The items come from bench/_discovery_data.py (set-based SQL, several languages, search
documents and indexes built afterwards; its docstring says which words are how common). Each
URL is loaded under gunicorn and compared with the trivial baseline view (the same bytes as
the first search page, no work) measured in the same run.

Three tables: every URL under BENCH_CONNECTIONS concurrent connections (queueing included),
the searches again over one connection (a request's own latency), and search_page_rows() alone in
one process (the database and the ORM, no HTTP, no template).

Settings: BENCH_DISCOVERY_ITEMS (100000; 1000000 for the large run), BENCH_SECONDS (5)
per URL, BENCH_WARMUP (1), BENCH_CONNECTIONS (8), BENCH_DEEP_PAGE (200), BENCH_DB_REPEAT (20).
"""

# ruff: noqa: S608  (the SQL is built from constants and integers of this module, no input)

from __future__ import annotations

import base64
import datetime
import json
import urllib.parse
from pathlib import Path

import psycopg
from _discovery_data import generate, has_rum_index
from _harness import App, BenchError, LoadResult, env_float, env_int, load, print_table

NAME = "discovery (search, lists, feeds, map)"
BASELINE_PATH = "/bench/baseline"
# --- what is measured -----------------------------------------------------------------------

SEARCHES = [
    ("rare word", "/search?q=zeppelin"),
    ("common word (~17%)", "/search?q=protest"),
    ("very common word (~90%)", "/search?q=video"),
    ("2 words (~18%)", "/search?q=the+video"),
    ("phrase (~3%)", "/search?q=%22air+strike%22"),
    ("tag only (~2%)", "/search?q=eyewitness"),
    ("Arabic word (~19%)", "/search?q=" + urllib.parse.quote("دمشق")),
    ("very common, newest", "/search?q=video&sort=newest"),
    ("very common, most played", "/search?q=video&sort=played"),
    ("very common, occurred", "/search?q=video&sort=occurred"),
    ("common + rating GA", "/search?q=protest&rating=GA"),
    ("very common + country", "/search?q=video&country=UA"),
    ("very common + occurred range", "/search?q=video&occurred_from=2025-01-01&occurred_to=2025-03-31"),
    ("filters only (tag)", "/search?tag=kharkiv"),
]
LISTED = "lifecycle = 'ready' AND visibility = 'public' AND moderation = 'ok' AND rating <> 'MA'"


def _cursor(row: tuple[object, ...]) -> str:
    """core.pagination's cursor for (key, id)."""
    key, item_id = row
    if isinstance(key, datetime.datetime):
        key = key.astimezone(datetime.UTC).isoformat()
    raw = json.dumps([key, item_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def deep_pages(app: App, page: int) -> list[tuple[str, str]]:
    """(label, url) of page 1 and page `page` of the home page and of the biggest tag's page:
    the cursor a reader clicking "older" `page - 1` times would about hold (listed, not MA: the
    position may differ by a few rows from a guest's exact list; the cost does not)."""
    offset = (page - 1) * env_int("PAGE_SIZE", 24) - 1
    out: list[tuple[str, str]] = []
    with psycopg.connect(app.database_url) as conn:
        row = conn.execute(
            f"SELECT added_at, id FROM items_item WHERE {LISTED} ORDER BY added_at DESC, id DESC OFFSET %s LIMIT 1",
            [offset],
        ).fetchone()
        out += [("home, page 1", "/")] + ([(f"home, page {page}", f"/?after={_cursor(row)}")] if row else [])
        tag = conn.execute(
            "SELECT t.key FROM items_tag t JOIN items_itemtag it ON it.tag_id = t.id "
            "GROUP BY t.key ORDER BY count(*) DESC, t.key LIMIT 1"
        ).fetchone()
        if tag:
            row = conn.execute(
                f"SELECT i.added_at, i.id FROM items_item i JOIN items_itemtag it ON it.item_id = i.id "
                f"JOIN items_tag t ON t.id = it.tag_id WHERE t.key = %s AND {LISTED.replace(' AND ', ' AND i.')} "
                "ORDER BY i.added_at DESC, i.id DESC OFFSET %s LIMIT 1",
                [tag[0], offset],
            ).fetchone()
            path = "/tag/" + urllib.parse.quote(tag[0])
            out.append((f"tag page ({tag[0]}), page 1", path))
            if row:
                out.append((f"tag page, page {page}", f"{path}?after={_cursor(row)}"))
        row = conn.execute(
            f"SELECT vote_score, id FROM items_item WHERE {LISTED} ORDER BY vote_score DESC, id DESC OFFSET %s LIMIT 1",
            [offset],
        ).fetchone()
        out.append(("top rated (all time), page 1", "/top?period=all"))
        if row:
            out.append((f"top rated, page {page}", f"/top?period=all&after={_cursor(row)}"))
    return out


_DB_TIMING = """
import json, time
from django.http import QueryDict
from fieldcast.discovery.views_search import SearchForm
from fieldcast.discovery.search import parse_query, search_page_rows
from fieldcast.moderation.viewer import anonymous_viewer
viewer = anonymous_viewer()
for label, query in CASES:
    form = SearchForm(QueryDict(query))
    form.is_valid()
    parsed, sort, filters = parse_query(form.value("q") or ""), form.value("sort") or "relevance", form.filters()
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        rows = search_page_rows(viewer, parsed, sort=sort, filters=filters, start=0, stop=25)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print("DBTIME " + json.dumps([label, times[len(times) // 2], p95, len(rows)]))
"""


def search_query_times(app: App, repeat: int) -> None:
    """The search as the view runs it (search_page_rows: the first page's ids, then its rows
    with their tags and files), in one process, with no HTTP and no template: what the
    database and the ORM cost."""
    cases = [(label, urllib.parse.urlsplit(path).query) for label, path in SEARCHES]
    code = f"CASES = {cases!r}\nREPEAT = {repeat}\n" + _DB_TIMING
    out = app.manage("shell", "--no-imports", "-c", code, capture=True)
    print(f"\nsearch_page_rows() alone, {repeat} runs each, one process (ms):")
    print(f"{'':<34}{'p50 ms':>8}{'p95 ms':>8}{'rows':>6}")
    for line in out.splitlines():
        if line.startswith("DBTIME "):
            label, p50, p95, rows = json.loads(line.removeprefix("DBTIME "))
            print(f"{label:<34}{p50:>8.1f}{p95:>8.1f}{rows:>6}")


def _ratios(urls: list[tuple[str, str]], results: list[LoadResult], baseline: LoadResult) -> None:
    print(f"\n{'':<34}{'p50 ms':>8}{'p95 ms':>8}{'p50 x base':>11}{'p95 x base':>11}{'req/s x base':>13}")
    for (label, _), r in zip(urls, results, strict=True):
        if not r.requests or not baseline.requests:
            print(f"{label:<34}  no successful requests")
            continue
        print(
            f"{label:<34}{r.percentile_ms(50):>8.1f}{r.percentile_ms(95):>8.1f}"
            f"{r.percentile_ms(50) / baseline.percentile_ms(50):>11.2f}"
            f"{r.percentile_ms(95) / baseline.percentile_ms(95):>11.2f}{r.rate / baseline.rate:>13.2f}"
        )


def run(app: App) -> bool:
    count = env_int("BENCH_DISCOVERY_ITEMS", 100_000)
    seconds = env_float("BENCH_SECONDS", 5.0)
    warmup = env_float("BENCH_WARMUP", 1.0)
    connections = env_int("BENCH_CONNECTIONS", 8)
    deep = env_int("BENCH_DEEP_PAGE", 200)
    connections_label = f"{connections} connections"
    # The search itself is measured, not the guest page cache (which would answer every
    # repeat of a URL from memory): bench/item_page.py measures the cache.
    app.env["GUEST_CACHE_SECONDS"] = "0"
    generate(app, count)
    with psycopg.connect(app.database_url) as conn:
        in_use = has_rum_index(conn)
    print(
        "RUM index: in use for rare words and phrases (discovery/rum.py)"
        if in_use
        else "RUM index: absent (install the rum extension, e.g. Debian's postgresql-15-rum; GIN alone)",
        flush=True,
    )

    with app.server() as server:
        status, page = server.get(SEARCHES[0][1])
        if status != 200:
            raise BenchError(f"GET {SEARCHES[0][1]} answered {status}:\n{page[:2000].decode(errors='replace')}")
        baseline_file = Path(app.data_dir) / "bench" / "baseline.html"
        baseline_file.parent.mkdir(parents=True, exist_ok=True)
        baseline_file.write_bytes(page)

        urls: list[tuple[str, str]] = [*SEARCHES, *deep_pages(app, deep), ("popular, page 1", "/popular")]
        urls += [("feed: latest", "/feeds/latest.rss"), ("feed: tag", "/feeds/tag/kharkiv.rss")]
        for label, path in (("map: world", "/map/items.json"), ("map: bbox", "/map/items.json?bbox=20,30,45,55")):
            status, _ = server.get(path)
            if status == 200:
                urls.append((label, path))
            else:
                print(f"({path} answered {status}: not measured)")
        urls.append(("baseline", BASELINE_PATH))
        status, same = server.get(BASELINE_PATH)
        if status != 200 or same != page:
            raise BenchError(f"{BASELINE_PATH} did not return the search page's bytes (status {status})")

        print(
            f"{count:,} generated items; {server.description}; {connections} connections, "
            f"{warmup:g} s warm-up then {seconds:g} s per URL",
            flush=True,
        )
        results: list[LoadResult] = []
        for _, path in urls:
            load(server, path, connections=connections, seconds=warmup)
            results.append(load(server, path, connections=connections, seconds=seconds))
        # One connection: what a search costs when it does not queue behind others.
        single_urls = [*SEARCHES, ("baseline", BASELINE_PATH)]
        single = [load(server, path, connections=1, seconds=seconds / 2) for _, path in single_urls]

    print_table(results)
    _ratios(urls, results, results[-1])
    print(f"\nsearch with one connection ({seconds / 2:g} s per URL):")
    _ratios(single_urls, single, single[-1])
    aim = 50.0 if count <= 100_000 else 150.0
    for name, rows, labels in ((connections_label, results, urls), ("one connection", single, single_urls)):
        misses = [
            label
            for (label, path), r in zip(labels, rows, strict=True)
            if path.startswith("/search") and r.requests and r.percentile_ms(95) > aim
        ]
        print(
            f"search p95 aim {aim:g} ms at {count:,} items, {name}: "
            + (f"missed by {len(misses)} of {len(SEARCHES)}: {', '.join(misses)}" if misses else "all met")
        )
    search_query_times(app, env_int("BENCH_DB_REPEAT", 20))
    results += single
    if any(r.errors for r in results):
        print("some requests failed (non-200 or connection errors): the figures above are not trustworthy")
        return False
    return True
