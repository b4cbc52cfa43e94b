"""Journey 6: a guest follows a link to an item the moderators removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import assert_clean, make_item, shot
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_guest_opens_a_removed_item(page: Page, transactional_db: None, tmp_path: Path) -> None:
    item = make_item(
        title="Footage of the square",
        body="Secret **details**.",
        moderation="removed",
        moderation_reason="Reason text",
    )
    response = page.goto(item.get_absolute_url())
    assert response is not None
    notice = page.get_by_role("status")
    expect(notice).to_contain_text("This item was removed by the moderators.")
    expect(notice).to_contain_text("Removed by moderators: Reason text")
    expect(page.get_by_role("heading", level=1)).to_have_text("Footage of the square")
    expect(page.locator("#player")).to_have_count(0)
    expect(page.get_by_role("button", name="Embed Code")).to_have_count(0)
    expect(page.get_by_text("details")).to_have_count(0)
    expect(page.locator(".comments")).to_have_count(0)
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    assert response.status == 410, f"a removed item answered {response.status}"  # Gone, with the explanation

    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("heading", name="Recent items")).to_be_visible()
    expect(page.get_by_text("Footage of the square")).to_have_count(0)
    shot(page, tmp_path, "1-home-without-it")
    assert_clean(page)
