"""Subscriptions, their counter, and the fan-out of new items to subscribers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from fieldcast.accounts.models import Block
from fieldcast.channels.models import Channel, ItemAnnouncement, Subscription
from fieldcast.channels.services import channel_add_item, channel_create, channel_ensure_personal
from fieldcast.channels.subscriptions import (
    channel_recount_subscribers,
    item_announce_to_subscribers,
    subscription_add,
    subscription_remove,
)
from fieldcast.channels.tasks import announce_item
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.items.services import item_refresh_lifecycle
from fieldcast.notifications.models import Notification

TASK = "fieldcast.channels.tasks.announce_item"


def subscribers(channel: Channel) -> int:
    return Channel.objects.values_list("subscribers_count", flat=True).get(pk=channel.pk)


def told(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="channel_item"))


@pytest.fixture
def topic(db):
    return channel_create(owner=UserFactory(username="desk"), name="Kharkiv", slug="kharkiv")


def test_subscribing_twice_counts_once_and_unsubscribing_lowers_the_count(topic):
    fan = UserFactory()
    assert subscription_add(user=fan, channel=topic) is True
    assert subscription_add(user=fan, channel=topic) is False
    assert subscribers(topic) == 1
    assert subscription_remove(user=fan, channel=topic) is True
    assert subscription_remove(user=fan, channel=topic) is False
    assert subscribers(topic) == 0
    assert channel_recount_subscribers(channel=topic) == 0


def test_nobody_subscribes_to_themselves(db):
    member = UserFactory()
    with pytest.raises(ValidationError):
        subscription_add(user=member, channel=channel_ensure_personal(user=member))


def test_a_new_item_in_a_subscribed_channel_is_announced_once(topic, django_capture_on_commit_callbacks):
    fan, also_follows_author = UserFactory(), UserFactory()
    author = UserFactory(username="reporter")
    subscription_add(user=fan, channel=topic)
    subscription_add(user=also_follows_author, channel=topic)
    subscription_add(user=also_follows_author, channel=channel_ensure_personal(user=author))
    channel_add_item(channel=topic, item=ItemFactory(), actor=topic.owner)  # before: not announced again
    Notification.objects.all().delete()
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        item = ItemFactory(author=author, title="Shelling at dawn")
        channel_add_item(channel=topic, item=item, actor=topic.owner)
    assert DBTaskResult.objects.filter(task_path=TASK, queue_name="default").exists()
    assert announce_item.call(item.pk) == 2
    assert announce_item.call(item.pk) == 0  # a second run tells nobody again
    for member in (fan, also_follows_author):
        [note] = told(member)
        assert (note.item, note.actor, note.channel) == (item, author, topic)  # the topic before the author
    assert ItemAnnouncement.objects.filter(item=item).count() == 2


def test_no_task_without_subscribers(topic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        channel_add_item(channel=topic, item=ItemFactory(), actor=topic.owner)
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()


def test_filed_in_a_second_channel_later_tells_nobody_twice(topic):
    fan = UserFactory()
    second = channel_create(owner=topic.owner, name="Ukraine", slug="ukraine")
    subscription_add(user=fan, channel=topic)
    subscription_add(user=fan, channel=second)
    item = ItemFactory()
    channel_add_item(channel=topic, item=item, actor=topic.owner)
    assert item_announce_to_subscribers(item_id=item.pk) == 1
    channel_add_item(channel=second, item=item, actor=topic.owner)
    assert item_announce_to_subscribers(item_id=item.pk) == 0
    assert len(told(fan)) == 1


def test_members_hear_of_the_items_of_members_they_follow(db, django_capture_on_commit_callbacks):
    fan, author = UserFactory(), UserFactory()
    subscription_add(user=fan, channel=channel_ensure_personal(user=author))
    with django_capture_on_commit_callbacks(execute=True):
        item = ItemFactory(author=author)  # a text report: listed at once
    [result] = DBTaskResult.objects.filter(task_path=TASK)
    assert result.args_kwargs["args"] == [item.pk]
    assert announce_item.call(item.pk) == 1
    [note] = told(fan)
    assert note.channel.kind == "personal"


def test_an_item_is_announced_when_it_becomes_ready_not_before(topic, django_capture_on_commit_callbacks):
    fan = UserFactory()
    subscription_add(user=fan, channel=topic)
    item = ItemFactory(lifecycle="processing")
    channel_add_item(channel=topic, item=item, actor=topic.owner)
    assert item_announce_to_subscribers(item_id=item.pk) == 0  # not listed yet
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        item_refresh_lifecycle(item_id=item.pk)  # its last file went away: a text report, ready
    assert Item.objects.get(pk=item.pk).lifecycle == "ready"
    assert DBTaskResult.objects.filter(task_path=TASK).exists()
    assert item_announce_to_subscribers(item_id=item.pk) == 1


def test_unlisted_private_and_moderated_items_are_not_announced(topic):
    fan = UserFactory()
    subscription_add(user=fan, channel=topic)
    for fields in ({"visibility": "unlisted"}, {"visibility": "private"}, {"moderation": "held"}):
        item = ItemFactory(**fields)
        channel_add_item(channel=topic, item=item, actor=topic.owner)
        assert item_announce_to_subscribers(item_id=item.pk) == 0
    assert told(fan) == []


def test_blocked_authors_the_author_and_hidden_ma_are_left_out(topic, settings):
    settings.SAFE_MODE_POLICY = "hide"
    fan, blocker, author = UserFactory(), UserFactory(), UserFactory()
    adult_unshielded = UserFactory()
    type(adult_unshielded).objects.filter(pk=adult_unshielded.pk).update(safe_mode=False)
    for member in (fan, blocker, author, adult_unshielded):
        subscription_add(user=member, channel=topic)
    Block.objects.create(blocker=blocker, blocked=author)
    item = ItemFactory(author=author, rating="MA")
    channel_add_item(channel=topic, item=item, actor=topic.owner)
    assert item_announce_to_subscribers(item_id=item.pk) == 1
    assert [n.recipient for n in Notification.objects.filter(kind="channel_item")] == [adult_unshielded]
    ga = ItemFactory(author=author)
    channel_add_item(channel=topic, item=ga, actor=topic.owner)
    assert item_announce_to_subscribers(item_id=ga.pk) == 2  # fan and adult_unshielded; not the blocker


def test_deleting_a_channel_takes_its_subscriptions(topic):
    subscription_add(user=UserFactory(), channel=topic)
    topic.delete()
    assert not Subscription.objects.exists()
