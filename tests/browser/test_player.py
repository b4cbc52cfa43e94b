"""The player with a real processed video: hls.js plays it, the quality menu switches rung,
Switch Player swaps to the plain MP4 (and is remembered), views and plays are counted, the
embed plays inside another origin's iframe and counts as an embed play, and the Embed Code
dialog copies a snippet that makes a working player."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from browser_helpers import assert_clean, make_item, make_user
from django.conf import settings
from playwright.sync_api import Frame, Page, expect

from fieldcast.items.models import Item
from fieldcast.media.models import MediaAsset
from fieldcast.media.services.processing import asset_process
from fieldcast.media.testing import Clips, asset_from_file, clips_fixture, media_dirs_fixture  # noqa: F401 (fixtures)
from fieldcast.player.models import EmbedHost
from fieldcast.player.services.counting import counters_flush

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Loading hls.js, the manifest and the first segments; a rung switch after a flush.
PLAY_MS = 15_000


# --- material ----------------------------------------------------------------------------------


@pytest.fixture
def video_item(clips: Clips, media_dirs: Any) -> Item:
    """A public GA item whose video went through the real pipeline: 640x360, so the ladder
    has 240p and 360p rungs (the clip is generated once per session)."""
    author = make_user(username="reporter")
    item = make_item(author=author, title="Crossing at dawn", lifecycle="processing")
    asset = asset_from_file(clips.video(640, 360, seconds=6), owner=author, item=item, name="dawn.mp4")
    asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    item.refresh_from_db()
    assert item.lifecycle == "ready"
    return item


class _Pages(BaseHTTPRequestHandler):
    pages: dict[str, str] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not here").encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def other_site(page: Page) -> Iterator[tuple[str, dict[str, str]]]:
    """Another web site on another 127.0.0.1 port: (its origin, its pages by path). Only this
    page may reach it (the conftest's handler refuses other ports; page routes come first)."""

    class Handler(_Pages):
        pages: dict[str, str] = {}  # this server's own pages, filled by the test

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    page.route(f"{origin}/**", lambda route: route.continue_())
    try:
        yield origin, Handler.pages
    finally:
        server.shutdown()
        server.server_close()


def counts(item: Item) -> tuple[int, int, int]:
    """(views, plays, embed plays), after moving the Redis buffer where there is one."""
    if settings.COUNTER_BUFFER == "redis":
        counters_flush()
    item.refresh_from_db()
    return item.views_count, item.plays_count, item.embed_plays_count


def wait_for_counts(page: Page, item: Item, expected: tuple[int, int, int]) -> None:
    """Beacons are fire-and-forget: give them a moment to land."""
    for _ in range(50):
        if counts(item) == expected:
            return
        page.wait_for_timeout(100)
    assert counts(item) == expected


def play_muted(target: Page | Frame) -> None:
    """Start playback as the autoplay policy allows without a gesture, and see time pass."""
    target.locator("#player video").evaluate("v => { v.muted = true; return v.play(); }")
    target.wait_for_function("document.querySelector('#player video').currentTime > 1", timeout=PLAY_MS)


# --- the item page -----------------------------------------------------------------------------


def test_hls_player_plays_and_quality_menu_switches_rung(page: Page, video_item: Item) -> None:
    page.goto(video_item.get_absolute_url())
    player = page.locator("#player")
    expect(player).to_have_attribute("data-mode", "adaptive")
    expect(player).to_have_attribute("data-state", "ready", timeout=PLAY_MS)
    assert page.evaluate("typeof window.Hls === 'function' && window.Hls.isSupported()")
    assert page.evaluate("document.querySelector('#player video').currentSrc").startswith("blob:")
    expect(page.locator("#player-mode")).to_have_text("Adaptive player")

    select = page.locator("[data-quality] select")
    expect(select).to_be_visible()
    expect(select.locator("option")).to_have_text(["Auto", "360p", "240p"])
    play_muted(page)

    select.select_option(label="240p")
    expect(page.locator("[data-quality-current]")).to_have_text("Playing 240p", timeout=PLAY_MS)
    page.wait_for_function("document.querySelector('#player video').videoHeight === 240", timeout=PLAY_MS)
    select.select_option(label="360p")
    expect(page.locator("[data-quality-current]")).to_have_text("Playing 360p", timeout=PLAY_MS)
    assert_clean(page)


def test_switch_player_plays_the_mp4_and_is_remembered(page: Page, video_item: Item) -> None:
    page.goto(video_item.get_absolute_url())
    player = page.locator("#player")
    expect(player).to_have_attribute("data-state", "ready", timeout=PLAY_MS)

    page.get_by_role("button", name="Switch Player").click()
    expect(page.locator("#player-mode")).to_have_text("Plain MP4 player")
    expect(player).to_have_attribute("data-mode", "mp4")
    expect(page.locator("[data-quality]")).to_be_hidden()
    expect(player).to_have_attribute("data-state", "ready", timeout=PLAY_MS)
    assert page.evaluate("document.querySelector('#player video').currentSrc").endswith("/video.mp4")
    play_muted(page)

    page.reload()
    expect(page.locator("#player-mode")).to_have_text("Plain MP4 player")
    expect(player).to_have_attribute("data-mode", "mp4")
    expect(player).to_have_attribute("data-state", "ready", timeout=PLAY_MS)
    assert page.evaluate("document.querySelector('#player video').currentSrc").endswith("/video.mp4")

    page.get_by_role("button", name="Switch Player").click()  # and back
    expect(page.locator("#player-mode")).to_have_text("Adaptive player")
    expect(player).to_have_attribute("data-mode", "adaptive")
    expect(player).to_have_attribute("data-state", "ready", timeout=PLAY_MS)
    assert page.evaluate("document.querySelector('#player video').currentSrc").startswith("blob:")
    assert_clean(page)


def test_item_page_counts_a_view_then_a_play(page: Page, video_item: Item) -> None:
    assert counts(video_item) == (0, 0, 0)
    page.goto(video_item.get_absolute_url())
    wait_for_counts(page, video_item, (1, 0, 0))  # the page beacon, before any play

    expect(page.locator("#player")).to_have_attribute("data-state", "ready", timeout=PLAY_MS)
    play_muted(page)
    wait_for_counts(page, video_item, (1, 1, 0))

    # The same visitor plays it again: still one play.
    page.locator("#player video").evaluate("v => { v.currentTime = 0; }")
    page.reload()
    expect(page.locator("#player")).to_have_attribute("data-state", "ready", timeout=PLAY_MS)
    play_muted(page)
    page.wait_for_timeout(500)
    assert counts(video_item)[1:] == (1, 0)
    assert_clean(page)


def test_a_guest_reloading_the_page_counts_one_view(page: Page) -> None:
    item = make_item(title="A text report")  # ready, no video: the page beacon still counts
    page.goto(item.get_absolute_url())
    wait_for_counts(page, item, (1, 0, 0))
    page.reload()
    page.wait_for_timeout(500)
    assert counts(item) == (1, 0, 0)


# --- embeds ------------------------------------------------------------------------------------


def test_embed_on_another_origin_plays_and_counts_as_an_embed_play(
    page: Page, live_server: Any, video_item: Item, other_site: tuple[str, dict[str, str]]
) -> None:
    origin, pages = other_site
    pages["/host.html"] = (
        "<!DOCTYPE html><html><head><title>A newspaper</title></head><body><h1>Our report</h1>"
        f'<iframe id="fc" width="640" height="360" src="{live_server.url}/embed/{video_item.public_id}"></iframe>'
        "</body></html>"
    )
    page.goto(f"{origin}/host.html")
    frame = page.frame_locator("#fc")
    expect(frame.locator("#player")).to_have_attribute("data-state", "ready", timeout=PLAY_MS)
    expect(frame.locator("#player")).to_have_attribute("data-mode", "adaptive")
    embedded = page.frame(url=lambda url: "/embed/" in url)
    assert embedded is not None
    assert embedded.evaluate("document.referrer").startswith(origin)

    play_muted(embedded)
    wait_for_counts(page, video_item, (0, 1, 1))  # no page view: the embed sends none
    hosts = list(EmbedHost.objects.filter(item=video_item).values_list("host", "plays"))
    assert hosts == [(origin.removeprefix("http://"), 1)]
    assert_clean(page)


def test_embed_code_dialog_copies_a_working_snippet(
    page: Page, live_server: Any, video_item: Item, other_site: tuple[str, dict[str, str]]
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(video_item.get_absolute_url())
    page.get_by_role("button", name="Embed Code").click()
    dialog = page.get_by_role("dialog", name="Embed this item")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Size").select_option("560x315")
    dialog.get_by_label("Start at (seconds)").fill("3")
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.locator("[data-copy-status]")).to_have_text("Copied.")

    snippet = page.evaluate("navigator.clipboard.readText()")
    assert snippet == page.locator("#embed-code").input_value()
    src = f"{live_server.url}/embed/{video_item.public_id}?t=3"
    assert snippet.startswith("<iframe ")
    assert snippet.endswith("></iframe>")
    assert f'src="{src}"' in snippet
    assert 'width="560"' in snippet
    assert 'height="315"' in snippet
    # The live preview shows the same address, marked so that playing it counts nothing.
    expect(dialog.locator("[data-embed-preview] iframe")).to_have_attribute("src", src + "&preview=1")

    origin, pages = other_site
    pages["/blog.html"] = f"<!DOCTYPE html><html><body><p>Seen today:</p>{snippet}</body></html>"
    page.goto(f"{origin}/blog.html")
    frame = page.frame_locator("iframe")
    expect(frame.locator("#player")).to_have_attribute("data-state", "ready", timeout=PLAY_MS)
    box = page.locator("iframe").bounding_box()
    assert box is not None
    assert (round(box["width"]), round(box["height"])) == (560, 315)
    # ?t=3: the player starts three seconds in.
    embedded = page.frame(url=lambda url: "/embed/" in url)
    assert embedded is not None
    embedded.wait_for_function("document.querySelector('#player video').currentTime >= 2.9", timeout=PLAY_MS)
    assert_clean(page)
