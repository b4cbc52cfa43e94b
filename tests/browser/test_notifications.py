"""Notifications: the header count, opening one marks it read, "Mark all read" without a
reload, and a rate-limited htmx form says when to try again."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import assert_clean, login, make_item, make_user, no_horizontal_scroll, shot
from playwright.sync_api import Page, expect

from fieldcast.accounts.models import User
from fieldcast.community.models import Comment
from fieldcast.notifications.models import Kind, Notification
from fieldcast.notifications.services import notify

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARABIC_TITLE = "قصف على حمص"


@pytest.fixture
def member(transactional_db: None) -> User:
    return make_user(username="witness")


@pytest.fixture
def replier(transactional_db: None) -> User:
    return make_user(username="replier")


def header_link(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("header #notifications-link")


def test_a_notification_shows_in_the_header_and_opening_it_marks_it_read(
    page: Page, live_server: Any, member: User, replier: User, tmp_path: Path
) -> None:
    item = make_item(author=member, title=ARABIC_TITLE)
    comment = Comment.objects.create(item=item, author=member, body="first", body_html="<p>first</p>")
    login(page, live_server, member)
    expect(header_link(page)).to_have_text("Notifications (0)")

    notify(recipient=member, kind=Kind.REPLY, actor=replier, item=item, comment=comment)
    page.reload()
    link = header_link(page)
    expect(link).to_have_text("Notifications (1)")
    expect(link).to_have_attribute("aria-label", "Notifications: 1 unread")

    link.click()
    page.wait_for_url(re.compile(r"/notifications$"))
    entry = page.locator(".notification").first
    expect(entry).to_have_class(re.compile(r"notification-unread"))
    expect(entry).to_contain_text("replier replied to your comment on")
    title = entry.get_by_role("link", name=ARABIC_TITLE)
    expect(title.locator("bdi")).to_have_attribute("dir", "auto")
    shot(page, tmp_path, "1-unread")

    title.click()
    page.wait_for_url(re.compile(rf"/v/{item.public_id}/-/comments/{comment.pk}$"))  # the comment in its thread
    expect(header_link(page)).to_have_text("Notifications (0)")
    assert Notification.objects.get().read_at is not None

    page.goto(f"{live_server.url}/notifications")
    expect(page.locator(".notification-unread")).to_have_count(0)
    expect(page.locator(".notification")).to_have_count(1)
    assert_clean(page)


def test_mark_all_read_updates_the_list_and_the_header_without_a_reload(
    page: Page, live_server: Any, member: User, replier: User, settings: Any, tmp_path: Path
) -> None:
    for _ in range(3):
        notify(recipient=member, kind=Kind.MENTION, actor=replier)
    login(page, live_server, member)
    page.goto(f"{live_server.url}/notifications")
    expect(page.locator(".notification-unread")).to_have_count(3)
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="Mark all read").click()

    expect(page.locator(".notification-unread")).to_have_count(0)
    expect(header_link(page)).to_have_text("Notifications (0)")
    expect(page.locator("#notifications-announce")).to_have_text("Marked 3 notifications read.")
    assert page.evaluate("window.notReloaded") is True
    shot(page, tmp_path, "2-all-read")

    # Over the limit, the htmx form says so beside itself, with the wait.
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 0
    page.get_by_role("button", name="Mark all read").click()
    alert = page.locator("[data-rate-limited][role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(re.compile(r"^You're doing that too often\. Try again in \d+ seconds?\.$"))
    assert page.evaluate("window.notReloaded") is True
    shot(page, tmp_path, "3-rate-limited")
    assert_clean(page)


def test_the_notifications_page_fits_a_phone(
    phone_page: Page, live_server: Any, member: User, replier: User, tmp_path: Path
) -> None:
    item = make_item(author=replier, title=ARABIC_TITLE + " — " + "شارع " * 30)
    notify(recipient=member, kind=Kind.MENTION, actor=replier, item=item)
    login(phone_page, live_server, member)
    phone_page.goto(f"{live_server.url}/notifications")
    expect(header_link(phone_page)).to_have_text("Notifications (1)")
    expect(phone_page.locator(".notification")).to_have_count(1)
    width, viewport = no_horizontal_scroll(phone_page)
    assert width <= viewport, f"page is {width}px wide on a {viewport}px screen"
    shot(phone_page, tmp_path, "4-phone")
    assert_clean(phone_page)
