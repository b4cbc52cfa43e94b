from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fieldcast.channels.models import Channel, Curator
from fieldcast.channels.services import (
    channel_add_item,
    channel_create,
    channel_delete,
    channel_may_file,
    channel_remove_item,
    channels_fileable_by,
    channels_set_for_item,
    curator_invite,
    curator_remove,
    curator_respond,
)
from fieldcast.community.services import comment_create, comment_delete
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.notifications.models import Notification


def count(item, field):
    return Item.objects.values_list(field, flat=True).get(pk=item.pk)


def accepted_curator(channel: Channel, user) -> Curator:
    curator_invite(channel=channel, inviter=channel.owner, user=user)
    return curator_respond(channel=channel, user=user, accept=True)


def test_deleting_a_channel_lowers_channels_count(db):
    item = ItemFactory()
    keep, gone = ChannelFactory(owner=item.author), ChannelFactory(owner=item.author)
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
    item = ItemFactory()
    topic = ChannelFactory(owner=item.author)
    channel_add_item(channel=featured, item=item, actor=UserFactory(is_staff=True))
    channel_add_item(channel=topic, item=item, actor=item.author)
    channels_set_for_item(item=item, channels=[], actor=item.author)
    assert list(item.channels.all()) == [featured]
    assert count(item, "channels_count") == 1


def test_topic_channels_take_items_from_owner_curators_and_staff_only(db):
    owner, curator, stranger, staff = UserFactory(), UserFactory(), UserFactory(), UserFactory(is_staff=True)
    channel = channel_create(owner=owner, name="Kharkiv", slug="kharkiv")
    accepted_curator(channel, curator)
    item = ItemFactory(author=stranger)
    assert not channel_may_file(channel=channel, user=stranger)
    with pytest.raises(PermissionDenied):
        channel_add_item(channel=channel, item=item, actor=stranger)  # not even their own item
    for actor in (owner, curator, staff):
        assert channel_may_file(channel=channel, user=actor)
    assert channel_add_item(channel=channel, item=item, actor=curator) is True
    assert channel_add_item(channel=channel, item=item, actor=owner) is False  # already there
    assert count(item, "channels_count") == 1
    with pytest.raises(PermissionDenied):
        channel_remove_item(channel=channel, item=item, actor=stranger)
    assert channel_remove_item(channel=channel, item=item, actor=curator) is True
    assert count(item, "channels_count") == 0


def test_an_uploader_who_curates_files_their_own_item(db):
    owner, uploader = UserFactory(), UserFactory()
    channel = channel_create(owner=owner, name="Floods", slug="floods")
    accepted_curator(channel, uploader)
    item = ItemFactory(author=uploader, channels=[channel])
    assert list(item.channels.all()) == [channel]
    assert count(item, "channels_count") == 1


def test_invited_or_declined_members_cannot_file(db):
    owner, invitee = UserFactory(), UserFactory()
    channel = channel_create(owner=owner, name="Storms", slug="storms")
    curator_invite(channel=channel, inviter=owner, user=invitee)
    assert not channel_may_file(channel=channel, user=invitee)
    curator_respond(channel=channel, user=invitee, accept=False)
    assert not channel_may_file(channel=channel, user=invitee)
    assert channel not in channels_fileable_by(invitee)


def test_fileable_channels_match_the_rule(db):
    owner, curator, staff = UserFactory(), UserFactory(), UserFactory(is_staff=True)
    mine = channel_create(owner=owner, name="Mine", slug="mine")
    other = channel_create(owner=UserFactory(), name="Other", slug="other")
    accepted_curator(other, curator)
    featured = ChannelFactory(kind="editorial", name="Featured", slug="featured")
    personal = Channel.objects.get(kind="personal", owner=owner)
    assert set(channels_fileable_by(owner)) == {mine, personal}
    assert set(channels_fileable_by(curator)) == {other, Channel.objects.get(kind="personal", owner=curator)}
    staff_sees = set(channels_fileable_by(staff))
    assert {mine, other, featured, Channel.objects.get(kind="personal", owner=staff)} <= staff_sees
    assert personal not in staff_sees
    for user in (owner, curator, staff):
        for channel in Channel.objects.all():
            assert channel_may_file(channel=channel, user=user) == (channel in set(channels_fileable_by(user)))


def test_invitation_notifies_and_only_the_invitee_answers(db):
    owner, invitee, other = UserFactory(), UserFactory(), UserFactory()
    channel = channel_create(owner=owner, name="Aleppo", slug="aleppo")
    curator_invite(channel=channel, inviter=owner, user=invitee)
    note = Notification.objects.get(recipient=invitee)
    assert (note.kind, note.actor, note.channel) == ("curator_invite", owner, channel)
    with pytest.raises(PermissionDenied):
        curator_respond(channel=channel, user=other, accept=True)
    with pytest.raises(PermissionDenied):
        curator_invite(channel=channel, inviter=other, user=UserFactory())
    with pytest.raises(ValidationError):
        curator_invite(channel=channel, inviter=owner, user=invitee)  # still waiting for an answer
    curator_respond(channel=channel, user=invitee, accept=False)
    curator_invite(channel=channel, inviter=owner, user=invitee)  # asked again after declining
    assert Notification.objects.filter(recipient=invitee).count() == 2
    curator_respond(channel=channel, user=invitee, accept=True)
    with pytest.raises(ValidationError):
        curator_invite(channel=channel, inviter=owner, user=invitee)
    with pytest.raises(PermissionDenied):
        curator_remove(channel=channel, actor=invitee, user_id=invitee.pk)
    assert curator_remove(channel=channel, actor=owner, user_id=invitee.pk) is True
    assert not channel_may_file(channel=channel, user=invitee)


def test_channel_names_are_unique_whatever_the_case(db):
    channel_create(owner=UserFactory(), name="Сирія", slug="siriia")
    with pytest.raises(ValidationError):
        channel_create(owner=UserFactory(), name="СИРІЯ", slug="other")
    # A member named like a topic keeps their personal channel.
    assert UserFactory(username="Syria")
    channel_create(owner=UserFactory(), name="syria", slug="syria-topic")


def test_derived_fields_follow_the_text(db):
    channel = channel_create(
        owner=UserFactory(), name="Ukraine", slug="ukraine", description="**Kyiv** <script>x</script> ХАРКІВ"
    )
    assert channel.name_key == "ukraine"
    assert "харків" in channel.search_text
    assert "<strong>Kyiv</strong>" in channel.description_html
    assert "<script>" not in channel.description_html
