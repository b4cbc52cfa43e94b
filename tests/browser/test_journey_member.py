"""Journeys 4 and 5: a member posts an item (Arabic title, Markdown preview), then comments."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from browser_helpers import assert_clean, login, make_channel, make_item, make_user, shot
from playwright.sync_api import Page, expect

from fieldcast.accounts.models import User
from fieldcast.core.testing.factories import PlaceFactory
from fieldcast.items.models import Item

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARABIC_TITLE = "احتجاجات في حمص"


@pytest.fixture
def reporter(transactional_db: None) -> User:
    return make_user(username="reporter")


def test_member_posts_an_item_with_an_arabic_title(
    page: Page, live_server: Any, reporter: User, tmp_path: Path
) -> None:
    PlaceFactory()
    make_channel(name="Syria", slug="syria", owner=reporter)
    login(page, live_server, reporter)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Post").click()
    expect(page.get_by_role("heading", name="Post an item")).to_be_visible()
    page.get_by_label("Title").fill(ARABIC_TITLE)
    page.locator("label.check", has_text=re.compile(r"^\s*PG:")).click()
    expect(page.get_by_role("radio", name=re.compile(r"^PG:"))).to_be_checked()
    page.get_by_label("Article").fill("Crowds in the **bold** new square.\n\n- first\n- second")
    page.get_by_role("button", name="Preview article").click()
    preview = page.locator("#body-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview).not_to_contain_text("**")
    page.get_by_label("Occurred on").fill("2011-04-18")
    page.get_by_label("Location").fill("Homs, Syria")
    page.get_by_label("Tags").fill("Homs, protest, HOMS")
    page.get_by_role("group", name="Channels").get_by_label("Syria").check()
    page.get_by_label("I agree to the terms of use").check()
    shot(page, tmp_path, "1-form-filled")
    page.get_by_role("button", name="Publish").click()

    page.wait_for_url(re.compile(r"/v/[^/]+/"))
    item = Item.objects.get()
    assert unquote(page.url).endswith(f"/v/{item.public_id}/{item.slug}"), unquote(page.url)
    assert item.title == ARABIC_TITLE
    expect(page.get_by_text("Your item is published.")).to_be_visible()
    title = page.locator("h1")
    expect(title).to_contain_text(ARABIC_TITLE)
    assert title.evaluate("el => el.matches(':dir(rtl)')"), "the Arabic title is not laid out right to left"
    expect(page.locator(".item-facts .tags")).to_have_text("Homs, protest")
    expect(page.locator(".item-facts")).to_contain_text("Apr-18-2011")
    expect(page.locator(".item-facts")).to_contain_text("Homs, Syria")
    expect(page.get_by_role("button", name="(load item map)")).to_be_visible()
    expect(page.locator(".item-channels").get_by_role("link", name="Syria")).to_be_visible()
    expect(page.locator(".counters")).to_contain_text("Times used in channels: 1")
    expect(page.locator(".article-body strong")).to_have_text("bold")
    expect(page.locator(".badge-PG").first).to_be_visible()
    shot(page, tmp_path, "2-published")

    # The same form, sent empty: each field says what it needs, and a summary says how many.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Post").click()
    page.get_by_role("button", name="Publish").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(re.compile(r"Please correct (this problem|these \d+ problems):"))
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile(r"^Title: Give the item a title"))).to_have_attribute(
        "href", "#id_title"
    )
    title_field = page.locator(".field", has=page.get_by_label("Title"))
    expect(title_field.locator(".error")).to_have_text("Give the item a title: what happened, where.")
    rating_field = page.locator(".field", has=page.get_by_role("group", name=re.compile(r"^Rating")))
    expect(rating_field.locator(".error")).to_have_text(
        "Choose a rating: GA, PG or MA. MA items are shielded by Safe Mode."
    )
    shot(page, tmp_path, "3-errors")
    assert Item.objects.count() == 1
    assert_clean(page)


def test_member_comments_on_an_item(page: Page, live_server: Any, reporter: User, tmp_path: Path) -> None:
    item = make_item(title="Checkpoint queue at dawn")
    login(page, live_server, reporter)
    page.goto(item.get_absolute_url())
    comments = page.get_by_role("region", name=re.compile(r"^Comments"))
    expect(comments).to_contain_text("No comments yet.")
    expect(page.locator(".counters")).to_contain_text("Comments: 0")

    page.get_by_label("Your comment").fill("I was there: the queue was **two kilometres** long.")
    page.get_by_role("button", name="Post comment").click()

    comment = comments.locator(".comment")
    expect(comment).to_have_count(1)
    expect(comment.locator(".comment-body")).to_contain_text("I was there: the queue was two kilometres long.")
    expect(comment.locator(".comment-body strong")).to_have_text("two kilometres")
    expect(comment.locator(".comment-meta")).to_contain_text("reporter")
    expect(page.locator(".counters")).to_contain_text("Comments: 1")
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.get_by_label("Your comment")).to_have_value("")
    shot(page, tmp_path, "1-commented")
    assert_clean(page)
