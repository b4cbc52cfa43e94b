"""Journey: a member subscribes to a channel; a curator files a new item in it; the first
member sees the notification count and the item on /feed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import assert_clean, login, make_user, shot
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect

from fieldcast.accounts.models import User
from fieldcast.channels.models import Channel, Subscription
from fieldcast.channels.services import channel_create, curator_invite, curator_respond
from fieldcast.items.models import Item
from fieldcast.notifications.models import Notification

pytestmark = [pytest.mark.slow, pytest.mark.browser]

TITLE = "Обстріл Салтівки: кадри з місця"


@pytest.fixture
def channel(transactional_db: None) -> Channel:
    desk = make_user(username="desk")
    channel = channel_create(owner=desk, name="Kharkiv", slug="kharkiv", description="The city under **fire**.")
    curator = make_user(username="curator")
    curator_invite(channel=channel, inviter=desk, user=curator)
    curator_respond(channel=channel, user=curator, accept=True)
    return channel


def test_a_subscriber_hears_of_a_new_item_and_finds_it_on_the_feed(
    page: Page, live_server: Any, channel: Channel, tmp_path: Path
) -> None:
    reader: User = make_user(username="reader")
    curator = User.objects.get(username="curator")

    # The reader finds the channel in the directory and subscribes (htmx swaps the button).
    login(page, live_server, reader)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Channels").click()
    page.get_by_label("Search channels").fill("KHARKIV")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Kharkiv").click()
    expect(page.locator(".channel-description strong")).to_have_text("fire")
    page.get_by_role("button", name="Subscribe to Kharkiv").click()
    expect(page.get_by_role("button", name="Unsubscribe from Kharkiv")).to_be_visible()
    expect(page.locator(".subscriber-count")).to_have_text("1 subscriber")
    assert Subscription.objects.filter(user=reader, channel=channel).exists()
    shot(page, tmp_path, "1-subscribed")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Feed").click()
    expect(page.get_by_text("Nothing new yet.")).to_be_visible()
    assert_clean(page)
    page.get_by_role("button", name="Log out").click()

    # A curator of the channel posts a new item and files it there.
    login(page, live_server, curator)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Post").click()
    page.get_by_label("Title").fill(TITLE)
    page.locator("label.check", has_text=re.compile(r"^\s*PG:")).click()
    page.get_by_label("Occurred on").fill("2024-05-17")
    page.get_by_role("group", name="Channels").get_by_label("Kharkiv").check()
    page.get_by_label("I agree to the terms of use").check()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/v/[^/]+/"))
    expect(page.locator(".item-channels").get_by_role("link", name="Kharkiv")).to_be_visible()
    expect(page.locator(".counters")).to_contain_text("Times used in channels: 1")
    item = Item.objects.get(title=TITLE)
    page.get_by_role("button", name="Log out").click()

    # The default queue's worker tells the subscribers.
    assert DBTaskResult.objects.filter(task_path="fieldcast.channels.tasks.announce_item").exists()
    call_command("db_worker", "--queue-name", "default", "--batch", "--no-startup-delay", verbosity=0)
    note = Notification.objects.get(recipient=reader)
    assert (note.kind, note.item, note.channel) == ("channel_item", item, channel)

    # The reader sees one unread notification and the item on the feed.
    login(page, live_server, reader)
    expect(page.locator("#notifications-link")).to_have_attribute("aria-label", "Notifications: 1 unread")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Feed").click()
    card = page.locator(".card", has_text=TITLE)
    expect(card).to_be_visible()
    assert card.locator(".card-title").evaluate("el => el.matches(':dir(ltr)')")
    shot(page, tmp_path, "2-feed")
    card.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_contain_text(TITLE)

    # Unsubscribing from My subscriptions, without leaving the page.
    page.goto(f"{live_server.url}/me/subscriptions")
    page.get_by_role("button", name="Unsubscribe from Kharkiv").click()
    expect(page.get_by_role("button", name="Subscribe to Kharkiv")).to_be_visible()
    assert not Subscription.objects.filter(user=reader).exists()
    assert Channel.objects.get(pk=channel.pk).subscribers_count == 0
    assert_clean(page)
