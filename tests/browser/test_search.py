"""Journey: a guest types in the header search box, sees suggestions, submits, and finds
highlighted results; a filter and a sort narrow them; a phone keeps the box usable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_helpers import assert_clean, make_item, make_user, no_horizontal_scroll, shot
from playwright.sync_api import Page, ViewportSize, expect

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PHONE_VIEWPORT: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def footage(transactional_db: None) -> None:
    author = make_user(username="stringer")
    make_item(
        author=author, title="Convoy crosses the Dnipro bridge", tags=["Zaporizhzhia"],
        body="Trucks with aid wait at the checkpoint before the **convoy** moves on.",
    )  # fmt: skip
    make_item(author=author, title="Market day", body="Later a convoy passed `<script>` square, people said.")
    make_item(author=author, title="Quiet night", body="Nothing happened.")
    make_item(author=author, title="Convoy hidden", body="Private.", visibility="private")


def test_header_search_suggests_and_finds_highlighted_results(
    page: Page, live_server: Any, footage: None, tmp_path: Path
) -> None:
    page.goto(live_server.url + "/")
    box = page.get_by_role("search", name="Site search").get_by_label("Search footage")
    box.press_sequentially("conv", delay=30)
    # htmx fills the box's datalist with the titles (and tags, channels) that start so.
    options = page.locator("#site-search-suggestions option")
    expect(options.first).to_be_attached()
    values = options.evaluate_all("os => os.map(o => o.value)")
    assert "Convoy crosses the Dnipro bridge" in values
    assert "Convoy hidden" not in values  # private: never suggested
    box.fill("convoy")
    box.press("Enter")
    page.wait_for_url("**/search?q=convoy")
    results = page.locator(".search-result")
    expect(results).to_have_count(2)
    # The title match ranks first; the body match shows its snippet with the word marked.
    expect(results.nth(0).locator(".card-title")).to_have_text("Convoy crosses the Dnipro bridge")
    expect(results.nth(1).locator(".search-snippet mark")).to_have_text("convoy")
    expect(results.nth(1).locator(".search-snippet")).to_contain_text("passed <script> square")
    expect(page.get_by_text("Convoy hidden")).to_have_count(0)
    shot(page, tmp_path, "1-results")

    # A tag finds an item whose text does not say it; filters open and narrow by tag.
    page.get_by_role("search", name="Site search").get_by_label("Search footage").fill("zaporizhzhia")
    page.get_by_role("search", name="Site search").get_by_label("Search footage").press("Enter")
    expect(page.locator(".search-result")).to_have_count(1)
    page.get_by_label("Search for", exact=True).fill("convoy")
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Tag", exact=True).fill("zaporizhzhia")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".search-result")).to_have_count(1)
    page.get_by_label("Sort by", exact=True).select_option("newest")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    expect(page.locator(".search-result")).to_have_count(1)
    assert_clean(page)


def test_search_on_a_phone(page: Page, live_server: Any, footage: None, tmp_path: Path) -> None:
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(live_server.url + "/search?q=" + "%22" * 50 + "convoy -(")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Search")
    page.get_by_role("search", name="Site search").get_by_label("Search footage").fill("квартал")
    page.get_by_role("search", name="Site search").get_by_label("Search footage").press("Enter")
    expect(page.get_by_text("No listed item matches")).to_be_visible()
    scroll_width, width = no_horizontal_scroll(page)
    assert scroll_width <= width
    shot(page, tmp_path, "2-phone")
    assert_clean(page)
