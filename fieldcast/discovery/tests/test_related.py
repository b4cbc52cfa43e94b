"""'More on this story': what it picks, in what order, through the access layer, at a
fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fieldcast.channels.services import channel_add_item
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, PlaceFactory, UserFactory, attach_video_rows
from fieldcast.discovery.related import RELATED_SHOWN, related_items
from fieldcast.items.models import Item, ItemTag
from fieldcast.moderation.viewer import anonymous_viewer, viewer_for_user

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)


def dated(days: int) -> dict:  # type: ignore[type-arg]
    return {"occurred_on": DAY + datetime.timedelta(days=days), "occurred_precision": "day"}


def at(item: Item, place) -> Item:  # type: ignore[no-untyped-def]
    Item.objects.filter(pk=item.pk).update(place=place)
    item.refresh_from_db()
    return item


def related_for(item: Item, viewer=None) -> list[str]:  # type: ignore[no-untyped-def]
    item = Item.objects.select_related("update_of").get(pk=item.pk)
    tags = [link.tag for link in ItemTag.objects.filter(item=item).select_related("tag")]
    channels = list(item.channels.all())
    return [i.title for i in related_items(item, viewer or anonymous_viewer(), tags=tags, channels=channels)]


@pytest.fixture
def story(db):  # type: ignore[no-untyped-def]
    author = UserFactory(username="reporter")
    homs = PlaceFactory()
    event = ChannelFactory(name="Siege of Homs", slug="siege", owner=author, is_current_event=True)
    topic = ChannelFactory(name="Topic", slug="topic", owner=author)  # not a current event: no link
    item = at(ItemFactory(author=author, title="The story", tags=["homs", "shelling"], **dated(0)), homs)
    channel_add_item(channel=event, item=item, actor=author)
    channel_add_item(channel=topic, item=item, actor=author)
    made = {
        "follow_up": ItemFactory(author=author, title="Follow-up", update_of=item),
        "in_event": ItemFactory(author=author, title="Same event", **dated(40)),
        "same_place_near": at(ItemFactory(title="Same place, same week", **dated(2)), homs),
        "two_tags_far": ItemFactory(title="Two shared tags", tags=["Homs", "SHELLING"], **dated(300)),
        "one_tag": ItemFactory(title="One shared tag", tags=["shelling"]),
        "topic_only": ItemFactory(author=author, title="Only in the topic channel", **dated(0)),
        "unrelated": ItemFactory(title="Unrelated", tags=["weather"], **dated(0)),
    }
    channel_add_item(channel=event, item=made["in_event"], actor=author)
    channel_add_item(channel=topic, item=made["topic_only"], actor=author)
    return item, made, event, author


def test_ranked_by_what_they_share(story):
    item, _, _, _ = story
    assert related_for(item) == [
        "Follow-up",
        "Same event",
        "Same place, same week",  # 4 for the place + nearness beats 2 tags (4) a year away
        "Two shared tags",
        "One shared tag",
    ]


def test_a_follow_up_leads_to_its_original_and_siblings(story):
    item, made, _, author = story
    sibling = ItemFactory(author=author, title="Second follow-up", update_of=item)
    titles = related_for(made["follow_up"])
    assert titles[:2] == ["The story", "Second follow-up"] or titles[:2] == ["Second follow-up", "The story"]
    assert "Follow-up" not in titles  # never itself
    assert sibling.title in related_for(item)


def test_at_most_six(story):
    item, _, _, _ = story
    for n in range(10):
        ItemFactory(title=f"Tagged {n}", tags=["homs"])
    assert len(related_for(item)) == RELATED_SHOWN


def test_nothing_shared_is_nothing_shown(db):
    assert related_for(ItemFactory(title="Alone")) == []


def test_access_layer_drops_hidden_items(story, settings, member):
    settings.SAFE_MODE_POLICY = "hide"
    item, _, _, author = story
    ItemFactory(author=author, title="MA follow-up", rating="MA", update_of=item)
    ItemFactory(author=author, title="Private follow-up", visibility="private", update_of=item)
    ItemFactory(author=author, title="Removed follow-up", moderation="removed", update_of=item)
    hidden = {"MA follow-up", "Private follow-up", "Removed follow-up"}
    for viewer in (anonymous_viewer(), viewer_for_user(member), viewer_for_user(author)):
        titles = related_for(item, viewer)
        assert "Follow-up" in titles
        assert not hidden & set(titles)  # even the author's own: related lists are public lists


def test_item_page_shows_more_on_this_story(client, story):
    item, _, _, _ = story
    html = client.get(item.get_absolute_url()).content.decode()
    assert "More on this story" in html
    assert html.index("Follow-up") < html.index("One shared tag")
    assert "Unrelated" not in html.split("More on this story", 1)[1]
    alone = ItemFactory(title="Alone")
    assert "More on this story" not in client.get(alone.get_absolute_url()).content.decode()


def test_query_count_does_not_grow_with_related_items(client, story):
    item, made, _, author = story
    attach_video_rows(made["follow_up"])

    def count() -> int:
        client.get(item.get_absolute_url())  # session, caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(item.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(8):
        extra = ItemFactory(author=author, title=f"More {n}", tags=["homs", "shelling"], update_of=item)
        attach_video_rows(extra)
    assert count() == few


def test_related_itself_costs_three_queries(story, django_assert_num_queries):
    item, made, _, _ = story
    attach_video_rows(made["follow_up"])
    item = Item.objects.get(pk=item.pk)
    tags = [link.tag for link in ItemTag.objects.filter(item=item).select_related("tag")]
    channels = list(item.channels.all())
    with django_assert_num_queries(3):  # candidates, assets, renditions
        related_items(item, anonymous_viewer(), tags=tags, channels=channels)
