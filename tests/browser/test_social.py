"""Journey: a member votes and keeps an item without a page reload, then posts an update
to it, which the original lists and which points back to the original."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import assert_clean, login, make_item, make_user, shot
from playwright.sync_api import Page, expect

from fieldcast.community.models import Favorite, ItemVote
from fieldcast.items.models import Item

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ORIGINAL_TITLE = "Flooding on the Orontes"


def test_member_votes_keeps_and_posts_an_update(page: Page, live_server: Any, tmp_path: Path) -> None:
    author = make_user(username="ana_reporta")
    member = make_user(username="witness")
    original = make_item(title=ORIGINAL_TITLE, author=author, rating="PG")

    # A guest who wants to vote is sent to log in, and comes back to the item.
    page.goto(f"{live_server.url}{original.get_absolute_url()}")
    page.locator("#social").get_by_role("link", name="Vote up").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    login(page, live_server, member)
    page.goto(f"{live_server.url}{original.get_absolute_url()}")

    counters = page.locator(".counters")
    up = page.get_by_role("button", name="Vote up")
    down = page.get_by_role("button", name="Vote down")
    keep = page.get_by_role("button", name="Favorite")
    expect(counters).to_contain_text("Votes: 0 | Favorites: 0")
    expect(up).to_have_attribute("aria-pressed", "false")
    page.evaluate("window.notReloaded = true")

    up.click()
    expect(counters).to_contain_text("Votes: 1 |")
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#social-said")).to_have_text("You voted this item up.")

    # From the keyboard: focus stays on the button that was pressed.
    down.focus()
    page.keyboard.press("Enter")
    expect(counters).to_contain_text("Votes: -1 |")
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("document.activeElement.id") == "vote-down"

    keep.click()
    expect(counters).to_contain_text("Favorites: 1 |")
    expect(keep).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#social-said")).to_have_text("Kept in your favorites.")
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"
    shot(page, tmp_path, "1-voted-and-kept")
    assert ItemVote.objects.get(user=member, item=original).value == -1
    assert Favorite.objects.filter(user=member, item=original).exists()

    # It is on "My favorites".
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My favorites").click()
    expect(page.get_by_role("heading", name="My favorites")).to_be_visible()
    expect(page.locator(".card-title")).to_have_text(ORIGINAL_TITLE)

    # Post an update to it.
    page.goto(f"{live_server.url}{original.get_absolute_url()}")
    page.get_by_role("link", name="Post an update").click()
    expect(page.get_by_label("Follow-up of (optional)")).to_have_value(original.public_id)
    page.get_by_label("Title").fill("The water recedes on the second day")
    page.locator("label.check", has_text=re.compile(r"^\s*GA:")).click()
    page.get_by_label("Occurred on").fill("2026-03-02")
    page.get_by_label("I agree to the terms of use").check()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/v/[^/]+/"))

    update = Item.objects.get(update_of=original)
    banner = page.locator(".update-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(f"This is an update to: {ORIGINAL_TITLE}")
    box = banner.bounding_box()
    title_box = page.locator("h1").bounding_box()
    assert box is not None
    assert title_box is not None
    assert box["y"] < title_box["y"], "the banner is not at the top"
    shot(page, tmp_path, "2-update-with-banner")

    banner.get_by_role("link", name=ORIGINAL_TITLE).click()
    page.wait_for_url(re.compile(re.escape(original.public_id)))
    updates = page.locator("section.updates")
    expect(updates.get_by_role("link", name=update.title)).to_be_visible()
    expect(updates).to_contain_text("occurred on Mar-02-2026")
    expect(page.locator(".counters")).to_contain_text("Updates: 1 |")
    shot(page, tmp_path, "3-original-lists-the-update")
    assert_clean(page)
