from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from fieldcast.channels.services import channel_add_item, channel_delete, channels_set_for_item
from fieldcast.community.services import comment_create, comment_delete
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, UserFactory
from fieldcast.items.models import Item


def count(item, field):
    return Item.objects.values_list(field, flat=True).get(pk=item.pk)


def test_deleting_a_channel_lowers_channels_count(db):
    item = ItemFactory()
    keep, gone = ChannelFactory(), ChannelFactory()
    channel_add_item(channel=keep, item=item, actor=item.author)
    channel_add_item(channel=gone, item=item, actor=item.author)
    channel_delete(channel=gone)
    assert count(item, "channels_count") == 1


def test_deleting_a_comment_thread_lowers_comments_count(db):
    item = ItemFactory()
    root = comment_create(item=item, author=item.author, body="root")
    reply = comment_create(item=item, author=item.author, body="reply", parent=root)
    comment_create(item=item, author=item.author, body="reply to reply", parent=reply)
    comment_create(item=item, author=item.author, body="other")
    comment_delete(comment=root)
    assert count(item, "comments_count") == 1 == item.comments.count()


def test_editorial_channels_take_items_from_staff_only(db):
    featured = ChannelFactory(kind="editorial")
    item = ItemFactory()
    with pytest.raises(PermissionDenied):
        channel_add_item(channel=featured, item=item, actor=item.author)
    channel_add_item(channel=featured, item=item, actor=UserFactory(is_staff=True))
    assert count(item, "channels_count") == 1


def test_owner_edit_keeps_curators_links(db):
    featured = ChannelFactory(kind="editorial")
    topic = ChannelFactory()
    item = ItemFactory()
    channel_add_item(channel=featured, item=item, actor=UserFactory(is_staff=True))
    channel_add_item(channel=topic, item=item, actor=item.author)
    channels_set_for_item(item=item, channels=[], actor=item.author)
    assert list(item.channels.all()) == [featured]
    assert count(item, "channels_count") == 1
