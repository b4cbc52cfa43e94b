"""Journey: members report an item; a moderator (a member of the "moderators" group, not
staff) removes it from the queue with a reason; the public page says why."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import assert_clean, login, make_item, make_user, no_horizontal_scroll, shot
from playwright.sync_api import Page, ViewportSize, expect

from fieldcast.items.models import Item
from fieldcast.moderation.models import ModerationAction
from fieldcast.moderation.permissions import moderators_group
from fieldcast.moderation.services_reports import report_create

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REASON = "Graphic footage posted without any context"
ARABIC_REASON = "لقطات دون سياق"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


def test_moderator_removes_a_reported_item_and_the_page_says_why(
    page: Page, live_server: Any, transactional_db: None, tmp_path: Path
) -> None:
    uploader = make_user(username="uploader")
    item = make_item(author=uploader, title="Footage of the checkpoint", body="Secret **details**.")
    make_item(author=uploader, title="Another item")  # a second group in the queue
    for name in ("witness1", "witness2"):
        report_create(reporter=make_user(username=name), target=item, reason="graphic")
    moderator = make_user(username="moderator_jo")
    moderator.groups.add(moderators_group())

    # A member reports through the item page's link.
    reporter = make_user(username="witness3")
    login(page, live_server, reporter)
    page.goto(item.get_absolute_url())
    page.get_by_role("link", name="Report this item").click()
    page.get_by_label("Wrong rating").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you")

    # The moderator works the queue.
    page.get_by_role("button", name="Log out").click()
    login(page, live_server, moderator)
    page.goto("/moderation/")
    row = page.locator(".case-row", has_text="Footage of the checkpoint")
    expect(row).to_contain_text("3 reports")
    expect(row).to_contain_text("Graphic content without context × 2")
    # Usable on a phone: nothing scrolls sideways.
    page.set_viewport_size(PHONE)
    scroll_width, viewport_width = no_horizontal_scroll(page)
    assert scroll_width <= viewport_width, f"the queue scrolls sideways: {scroll_width}px > {viewport_width}px"
    page.set_viewport_size(DESKTOP)
    row.get_by_label("Action").select_option(label="Remove the item")
    row.get_by_label("Reason").fill(f"{REASON} ({ARABIC_REASON})")
    shot(page, tmp_path, "1-queue")
    row.get_by_role("button", name="Apply").click()
    done = page.locator(".case-done")
    expect(done).to_contain_text("Removed")  # the row was swapped in place (htmx)
    expect(page.locator(".case-row", has_text="Footage of the checkpoint").get_by_role("button")).to_have_count(0)
    action = ModerationAction.objects.get(kind="remove")
    assert action.moderator_id == moderator.pk
    assert Item.objects.get(pk=item.pk).moderation == "removed"

    # A guest follows a link to the item: the notice, never the footage.
    page.get_by_role("button", name="Log out").click()
    response = page.goto(item.get_absolute_url())
    assert response is not None
    assert response.status == 410
    notice = page.get_by_role("status")
    expect(notice).to_contain_text(f"Removed by moderators: {REASON} ({ARABIC_REASON})")
    expect(page.get_by_text("details")).to_have_count(0)
    expect(page.locator("#player")).to_have_count(0)
    shot(page, tmp_path, "2-removed-page")

    # And the public log lists it, without naming the removed item.
    page.get_by_role("link", name="moderation log").first.click()
    expect(page).to_have_url(re.compile(r"/moderation/log$"))
    entry = page.locator(".log-entry").first
    expect(entry).to_contain_text("Removed")
    expect(entry).to_contain_text("an item")
    expect(entry).to_contain_text(REASON)
    assert_clean(page)
