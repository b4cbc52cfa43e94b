"""Journey 3: a guest meets Safe Mode: one MA item unlocked, then Safe Mode turned off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import assert_clean, make_item, shot
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_guest_unlocks_one_ma_item_then_turns_safe_mode_off(page: Page, transactional_db: None, tmp_path: Path) -> None:
    make_item(title="Market in Idlib", rating="GA")
    first = make_item(title="Aftermath of the strike", rating="MA", body="Graphic **scenes**.")
    second = make_item(title="Wounded at the checkpoint", rating="MA")

    page.goto(first.get_absolute_url())
    interstitial = page.get_by_role("region", name="This item is rated MA")
    expect(interstitial).to_be_visible()
    expect(page.locator("#player")).to_have_count(0)
    expect(page.locator(".article-body")).to_have_count(0)
    shot(page, tmp_path, "1-interstitial")

    # "Show this item" without the box ticked: the page stays shielded.
    show = page.get_by_role("button", name="Show this item")
    show.click()
    box = page.get_by_label("I am 18 or over")
    if box.evaluate("el => el.validity.valueMissing"):
        pass  # the browser's `required` check stopped the form
    else:
        expect(page.get_by_text("Tick “I am 18 or over” to show this item.")).to_be_visible()
    expect(interstitial).to_be_visible()
    expect(page.locator("#player")).to_have_count(0)

    box.check()
    show.click()
    expect(page.locator("#player")).to_be_visible()
    expect(page.locator(".interstitial")).to_have_count(0)
    expect(page.locator(".article-body strong")).to_have_text("scenes")
    expect(page.get_by_role("banner")).to_contain_text("Safe Mode: On")  # one item, not the whole site

    page.goto(second.get_absolute_url())
    expect(page.get_by_role("region", name="This item is rated MA")).to_be_visible()
    expect(page.locator("#player")).to_have_count(0)

    # Turning Safe Mode off: the header link leads to the confirmation page.
    page.get_by_role("link", name="Safe Mode: On").click()
    page.wait_for_url(re.compile(r"/safe-mode\?next="))
    expect(page.get_by_role("heading", name="Safe Mode is on")).to_be_visible()
    turn_off = page.get_by_role("button", name="Turn Safe Mode off")
    confirm = page.get_by_label("I confirm I am 18 or over")
    turn_off.click()
    # The checkbox carries `required`, so the browser stops the form before the server
    # can answer; a browser without that check posts it and gets the server's message.
    assert confirm.evaluate("el => el.validity.valueMissing"), "the unticked form was not stopped by the browser"
    expect(page).to_have_url(re.compile(r"/safe-mode\?next="))
    page.locator("form:has(input[name=confirm_adult])").evaluate("form => { form.noValidate = true; }")
    turn_off.click()
    expect(page.get_by_text("Confirm that you are 18 or over to turn Safe Mode off.")).to_be_visible()
    expect(page.get_by_role("heading", name="Safe Mode is on")).to_be_visible()
    shot(page, tmp_path, "2-confirm-error")

    page.get_by_label("I confirm I am 18 or over").check()
    page.get_by_role("button", name="Turn Safe Mode off").click()
    # Back where the visitor came from: the second MA item, now shown.
    page.wait_for_url(re.compile(rf"/v/{second.public_id}"))
    expect(page.get_by_role("button", name="Safe Mode: Off")).to_be_visible()
    expect(page.locator("#player")).to_be_visible()
    expect(page.get_by_text("Safe Mode is off: MA items show without a shield.")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.locator(".card")).to_have_count(3)
    expect(page.get_by_text("MA · Safe Mode")).to_have_count(0)
    expect(page.locator(".card-thumb.shielded")).to_have_count(0)
    expect(page.get_by_role("button", name="Safe Mode: Off")).to_be_visible()
    shot(page, tmp_path, "3-home-safe-mode-off")
    assert_clean(page)
