"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live_server.

One browser per test session; a fresh context (cookies, storage) per test. Nothing leaves
the machine: map tiles are answered with a tiny PNG, every other non-local request is
aborted and recorded (``page.blocked_urls``), so a journey can assert that it stayed local.
"""

from __future__ import annotations

import os

# Playwright's sync API runs an asyncio loop in this thread; the ORM calls the tests make
# beside it (factories, refresh_from_db) are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import base64
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# A 1x1 transparent PNG: what every map tile request gets.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Playwright's default is 30 s; a local page answers in well under a second, so a
# missing element should fail the journey quickly, with its screenshot.
TIMEOUT_MS = 5_000


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        if os.environ.get("SKIP_BROWSER_TESTS") == "1":
            pytest.skip(f"{CHROMIUM} is missing and SKIP_BROWSER_TESTS=1")
        pytest.fail(
            "\n\n"
            "########################################################################\n"
            f"##  {CHROMIUM} is missing: the browser tests cannot run.\n"
            "##  Install it:  apt-get install chromium\n"
            "##  Or run everything else:  SKIP_BROWSER_TESTS=1 (or -m 'not browser')\n"
            "########################################################################\n",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"_browser_report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "_browser_report_call", None)
    return report is None or report.failed


def _keep_local(context: BrowserContext, server_url: str) -> list[str]:
    """Route every request: the live server's pass, tiles get a PNG, the rest are aborted.

    Other local ports are refused too: a page that links to SITE_URL instead of the
    server it came from would otherwise reach whatever runs on 127.0.0.1:8000.
    """
    server_port = urlsplit(server_url).port
    blocked: list[str] = []
    tiles: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        host = parts.hostname or ""
        if url.startswith(("data:", "blob:")) or (host in LOCAL_HOSTS and parts.port == server_port):
            route.continue_()
        elif host.endswith("tile.openstreetmap.org"):
            tiles.append(url)
            route.fulfill(status=200, content_type="image/png", body=TILE_PNG)
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", handle)
    context.tile_urls = tiles  # type: ignore[attr-defined]
    return blocked


def _new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, settings: Any, tmp_path: Path, **options: Any
) -> Iterator[Page]:
    # Absolute links (embed code, share links, canonical URLs) point at this server.
    settings.SITE_URL = live_server.url
    # Rate-limit counters live in the database cache, whose table the transactional
    # flush between tests does not empty: start each journey from zero.
    cache.clear()
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS * 2)
    blocked = _keep_local(context, live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.blocked_urls = blocked  # type: ignore[attr-defined]
    page.js_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        # Journeys take their own screenshots as they go; a failed one also leaves
        # the state it failed in.
        try:
            if _failed(request):
                page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
        finally:
            context.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    settings: Any,
    tmp_path: Path,
) -> Iterator[Page]:
    """A desktop-sized page in a fresh context; relative URLs go to the live server."""
    yield from _new_page(request, browser, live_server, settings, tmp_path, viewport=DESKTOP)


@pytest.fixture
def phone_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    settings: Any,
    tmp_path: Path,
) -> Iterator[Page]:
    """A phone: 390x844, touch, mobile viewport meta honoured."""
    yield from _new_page(
        request,
        browser,
        live_server,
        settings,
        tmp_path,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        # Copy uses navigator.clipboard where the page is a secure context (localhost is).
        permissions=["clipboard-read", "clipboard-write"],
    )
