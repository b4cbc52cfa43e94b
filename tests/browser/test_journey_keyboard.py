"""Journey 2: keyboard only, from the home page to switching the player."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import assert_clean, make_item, shot
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def focused(page: Page, script: str) -> str:
    """Evaluate `script` on the focused element (`el`)."""
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()")


def tab_until(page: Page, selector: str, *, limit: int = 40) -> int:
    """Press Tab until the focused element matches `selector`; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached {selector}; ended on {focused(page, 'el.outerHTML')}")


def test_keyboard_only_visitor_reaches_an_item_and_switches_the_player(
    page: Page, transactional_db: None, tmp_path: Path
) -> None:
    make_item(title="Older footage")
    item = make_item(title="Newest footage from Kharkiv")
    page.goto("/")

    page.keyboard.press("Tab")
    assert focused(page, "el.textContent.trim()") == "Skip to content"
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_in_viewport()  # visible while focused
    assert focused(page, "getComputedStyle(el).outlineStyle") != "none", "the focused skip link shows no outline"
    page.keyboard.press("Enter")
    assert focused(page, "el.id") == "main", "Enter on the skip link did not move focus to <main>"

    # From <main>, the first stop should be the newest card's title (thumbnails are skipped).
    presses = tab_until(page, ".card-title a")
    assert presses == 1, f"{presses} Tab presses from <main> to the first item title"
    assert focused(page, "el.textContent.trim()") == "Newest footage from Kharkiv"
    assert focused(page, "getComputedStyle(el).outlineStyle") != "none", "the focused title shows no outline"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/v/{item.public_id}/"))
    expect(page.locator("h1")).to_contain_text("Newest footage from Kharkiv")

    mode = page.locator("#player-mode")
    expect(mode).to_have_text("Adaptive player")
    tab_until(page, "#switch-player")
    assert focused(page, "el.textContent.trim()") == "Switch Player"
    page.keyboard.press("Enter")
    expect(mode).to_have_text("Plain MP4 player")
    expect(page.get_by_role("button", name="Switch Player")).to_have_attribute("aria-pressed", "true")
    shot(page, tmp_path, "1-switched")

    # The embed dialog opens from the keyboard, Escape closes it, focus comes back.
    page.keyboard.press("Shift+Tab")
    assert focused(page, "el.textContent.trim()") == "Embed Code"
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Embed this item")
    expect(dialog).to_be_visible()
    assert focused(page, "!!el.closest('dialog')"), "focus did not move into the open dialog"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert focused(page, "el.textContent.trim()") == "Embed Code", "focus did not return to Embed Code"

    page.reload()
    expect(mode).to_have_text("Plain MP4 player")
    expect(page.get_by_role("button", name="Switch Player")).to_have_attribute("aria-pressed", "true")
    # And back, with the space bar this time.
    tab_until(page, "#switch-player")
    page.keyboard.press("Space")
    expect(mode).to_have_text("Adaptive player")
    shot(page, tmp_path, "2-reloaded")
    assert_clean(page)
