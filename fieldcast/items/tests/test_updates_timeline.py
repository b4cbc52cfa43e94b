"""A current-event channel's timeline: items by occurred-on date, grouped by day."""

from __future__ import annotations

import datetime

from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.channels.services import channel_add_item
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.items.selectors import channel_timeline
from fieldcast.moderation.viewer import anonymous_viewer, viewer_for_user


def file(channel, **fields):
    """An item filed into `channel` by staff (who may file anywhere)."""
    editor = User.objects.filter(username="desk").first() or UserFactory(username="desk", is_staff=True)
    item = ItemFactory(**fields)
    channel_add_item(channel=channel, item=item, actor=editor)
    return item


def day(n: int) -> datetime.date:
    return datetime.date(2026, 5, n)


def test_items_by_occurred_on_then_added_at_grouped_by_day(db):
    channel = ChannelFactory(name="Floods 2026", is_current_event=True)
    now = timezone.now()
    second = file(channel, title="Second day, early post", occurred_on=day(2), occurred_precision="day")
    later_post = file(channel, title="Second day, later post", occurred_on=day(2), occurred_precision="day")
    first = file(channel, title="First day", occurred_on=day(1), occurred_precision="day")
    month = file(channel, title="Sometime in May", occurred_on=day(1), occurred_precision="month")
    file(channel, title="Date unknown")
    Item.objects.filter(pk=second.pk).update(added_at=now - datetime.timedelta(hours=2))
    Item.objects.filter(pk=later_post.pk).update(added_at=now - datetime.timedelta(hours=1))
    ItemFactory(title="Not in the channel", occurred_on=day(1), occurred_precision="day")

    timeline = channel_timeline(channel, anonymous_viewer())
    groups = [(g["date"], g["precision"], [i.title for i in g["items"]]) for g in timeline["days"]]
    assert groups == [
        (day(1), "month", ["Sometime in May"]),
        (day(1), "day", ["First day"]),
        (day(2), "day", ["Second day, early post", "Second day, later post"]),
    ]
    assert timeline["truncated"] is False
    assert {first.pk, month.pk} <= {i.pk for g in timeline["days"] for i in g["items"]}


def test_the_timeline_goes_through_the_access_layer(db, settings, member):
    settings.SAFE_MODE_POLICY = "hide"
    channel = ChannelFactory(is_current_event=True)
    file(channel, title="Listed", occurred_on=day(3), occurred_precision="day")
    file(channel, title="Private", occurred_on=day(3), occurred_precision="day", visibility="private")
    file(channel, title="Removed", occurred_on=day(3), occurred_precision="day", moderation="removed")
    file(channel, title="Graphic", occurred_on=day(3), occurred_precision="day", rating="MA")
    titles = [i.title for g in channel_timeline(channel, viewer_for_user(member))["days"] for i in g["items"]]
    assert titles == ["Listed"]


def test_only_the_latest_items_when_there_are_many(db):
    channel = ChannelFactory(is_current_event=True)
    for n in range(1, 6):
        file(channel, title=f"Day {n}", occurred_on=day(n), occurred_precision="day")
    timeline = channel_timeline(channel, anonymous_viewer(), limit=3)
    assert [g["items"][0].title for g in timeline["days"]] == ["Day 3", "Day 4", "Day 5"]
    assert timeline["truncated"] is True


def test_one_query_however_many_items(db):
    channel = ChannelFactory(is_current_event=True)
    for n in range(1, 9):
        file(channel, title=f"Day {n}", occurred_on=day(n), occurred_precision="day", location_label="Homs")
    with CaptureQueriesContext(connection) as queries:
        html = Template("{% load social %}{% channel_timeline channel %}").render(
            Context({"channel": channel, "viewer": anonymous_viewer()})
        )
    assert len(queries) == 1
    assert html.count('<li class="timeline-day">') == 8


def test_the_template_tag_renders_dates_times_and_titles(db):
    channel = ChannelFactory(is_current_event=True)
    item = file(
        channel,
        title="انفجار في الميناء",
        occurred_on=day(4),
        occurred_precision="day",
        occurred_time=datetime.time(6, 30),
        occurred_tz="Asia/Beirut",
    )
    file(channel, title="Sometime that year", occurred_on=datetime.date(2026, 1, 1), occurred_precision="year")
    html = Template("{% load social %}{% channel_timeline channel %}").render(
        Context({"channel": channel, "viewer": anonymous_viewer()})
    )
    assert '<time datetime="2026-05-04">Mon, May-04-2026</time>' in html
    assert '<span class="timeline-time">06:30 <span class="hint">(Asia/Beirut)</span></span>' in html
    assert f'<a href="{item.get_absolute_url()}" dir="auto">انفجار في الميناء</a>' in html
    assert '<time datetime="2026">2026 <span class="hint">(month unknown)</span></time>' in html
    assert html.index("Sometime that year") < html.index("انفجار في الميناء")


def test_an_empty_timeline_says_so(db):
    channel = ChannelFactory(is_current_event=True)
    html = Template("{% load social %}{% channel_timeline channel %}").render(
        Context({"channel": channel, "viewer": anonymous_viewer()})
    )
    assert "No item with a known date yet." in html
