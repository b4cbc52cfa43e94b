"""What members do from other pages: subscribe (channels and members), read their feed,
add items to channels from the item page and take them out from the channel page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldcast.channels.models import Channel, ChannelItem, Subscription
from fieldcast.channels.services import channel_add_item, channel_create, curator_invite, curator_respond
from fieldcast.channels.subscriptions import subscription_add
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, UserFactory
from fieldcast.items.models import Item

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def topic(db):
    return channel_create(owner=UserFactory(username="desk"), name="Kharkiv", slug="kharkiv")


def subscribers(channel: Channel) -> int:
    return Channel.objects.values_list("subscribers_count", flat=True).get(pk=channel.pk)


# --- Subscribing -------------------------------------------------------------------------------


def test_guests_are_asked_to_log_in(client, topic):
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "/accounts/login/?next=%2Fc%2Fkharkiv" in page
    response = client.post(reverse("channels:subscribe", args=[topic.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Subscription.objects.exists()


def test_member_subscribes_and_unsubscribes_with_a_plain_form(client, member, topic):
    client.force_login(member)
    response = client.post(reverse("channels:subscribe", args=[topic.slug]), {"next": "/c/kharkiv"})
    assert response["Location"] == "/c/kharkiv"
    assert subscribers(topic) == 1
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Unsubscribe" in page
    assert "1 subscriber<" in page
    client.post(
        reverse("channels:subscribe", args=[topic.slug]), {"action": "unsubscribe", "next": "https://evil.example/"}
    )
    assert subscribers(topic) == 0


def test_subscribe_button_swaps_in_place_with_htmx(client, member, topic):
    client.force_login(member)
    response = client.post(reverse("channels:subscribe", args=[topic.slug]), {"action": "subscribe"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="subscribe-c-' in body
    assert "Unsubscribe" in body
    assert "1 subscriber" in body
    assert "<html" not in body
    response = client.post(reverse("channels:subscribe", args=[topic.slug]), {"action": "unsubscribe"}, **HTMX)
    assert ">Subscribe<" in response.content.decode()


def test_members_subscribe_to_members_from_their_profile(client, member, other_member):
    client.force_login(member)
    profile = client.get(reverse("accounts:profile", args=[other_member.username])).content.decode()
    assert reverse("channels:member_subscribe", args=[other_member.username]) in profile
    client.post(reverse("channels:member_subscribe", args=[other_member.username]))
    personal = Channel.objects.get(kind="personal", owner=other_member)
    assert Subscription.objects.filter(user=member, channel=personal).exists()
    assert subscribers(personal) == 1
    assert "Unsubscribe" in client.get(reverse("accounts:profile", args=[other_member.username])).content.decode()
    # Not on one's own page, and not by posting either.
    assert "member_subscribe" not in client.get(reverse("accounts:profile", args=[member.username])).content.decode()
    response = client.post(reverse("channels:member_subscribe", args=[member.username]), **HTMX)
    assert response.status_code == 400
    assert "cannot subscribe to yourself" in response.content.decode()


def test_subscribing_is_rate_limited(client, member, topic, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 3
    client.force_login(member)
    codes = [client.post(reverse("channels:subscribe", args=[topic.slug])).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]


def test_my_subscriptions_lists_channels_and_members(client, member, other_member, topic):
    subscription_add(user=member, channel=topic)
    subscription_add(user=member, channel=Channel.objects.get(kind="personal", owner=other_member))
    subscription_add(user=other_member, channel=ChannelFactory(name="Not mine", slug="not-mine"))
    assert client.get(reverse("channels:subscriptions")).status_code == 302
    client.force_login(member)
    response = client.get(reverse("channels:subscriptions"))
    assert [c.name for c in response.context["channels"]] == ["Kharkiv"]
    assert [c.owner for c in response.context["members"]] == [other_member]
    body = response.content.decode()
    assert "Not mine" not in body
    assert body.count(">Unsubscribe<") == 2


# --- The feed ----------------------------------------------------------------------------------------


def test_feed_shows_new_items_of_subscribed_channels_and_members(client, member, other_member, topic, settings):
    settings.PAGE_SIZE = 2
    staff = UserFactory(is_staff=True)
    start = timezone.now() - datetime.timedelta(hours=5)
    subscription_add(user=member, channel=topic)
    subscription_add(user=member, channel=Channel.objects.get(kind="personal", owner=other_member))

    def at(hours: int, **fields):
        return ItemFactory(added_at=start + datetime.timedelta(hours=hours), **fields)

    in_channel = at(1, title="In the channel")
    channel_add_item(channel=topic, item=in_channel, actor=staff)
    by_member = at(2, title="By the member", author=other_member)
    at(3, title="Elsewhere")
    private = at(4, title="Private one", author=other_member, visibility="private")
    removed = at(5, title="Removed one", moderation="removed")
    channel_add_item(channel=topic, item=removed, actor=staff)
    assert private.visibility == "private"

    assert client.get(reverse("channels:feed")).status_code == 302
    client.force_login(member)
    first = client.get(reverse("channels:feed"))
    assert [i.title for i in first.context["page"].items] == ["By the member", "In the channel"]
    assert first.context["page"].next_cursor is None
    channel_add_item(channel=topic, item=by_member, actor=staff)  # in both: listed once
    channel_add_item(channel=topic, item=at(0, title="Oldest"), actor=staff)
    first = client.get(reverse("channels:feed"))
    assert [i.title for i in first.context["page"].items] == ["By the member", "In the channel"]
    second = client.get(reverse("channels:feed"), {"after": first.context["page"].next_cursor})
    assert [i.title for i in second.context["page"].items] == ["Oldest"]


def test_feed_query_count_is_fixed(client, member, topic, django_assert_max_num_queries):
    subscription_add(user=member, channel=topic)
    for _ in range(6):
        channel_add_item(channel=topic, item=ItemFactory(), actor=topic.owner)
    client.force_login(member)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("channels:feed"))
    assert len(response.context["page"].items) == 6


def test_empty_feed_says_what_to_do(client, member):
    client.force_login(member)
    assert "Subscribe to channels and members" in client.get(reverse("channels:feed")).content.decode()


# --- Filing from the item page, removing from the channel page -------------------------------------------


def test_curators_add_items_from_the_item_page(client, member, other_member, topic):
    curator_invite(channel=topic, inviter=topic.owner, user=member)
    curator_respond(channel=topic, user=member, accept=True)
    item = ItemFactory(author=other_member, title="Strike on a school")
    client.force_login(member)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'name="channel"' in page
    assert ">Kharkiv</option>" in page
    response = client.post(reverse("channels:item_file", args=[item.public_id]), {"channel": topic.pk})
    assert response["Location"] == item.get_absolute_url()
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Added to the channel “Kharkiv”." in page
    assert "Part of channel(s):" in page
    assert "Times used in channels: 1" in page
    assert ">Kharkiv</option>" not in page  # already there: no longer offered
    client.post(reverse("channels:item_file", args=[item.public_id]), {"channel": topic.pk})
    assert Item.objects.get(pk=item.pk).channels_count == 1


def test_others_cannot_file_into_channels_they_do_not_curate(client, other_member, topic):
    item = ItemFactory(author=other_member)
    client.force_login(other_member)
    assert ">Kharkiv</option>" not in client.get(item.get_absolute_url()).content.decode()
    response = client.post(reverse("channels:item_file", args=[item.public_id]), {"channel": topic.pk}, follow=True)
    assert "You cannot add items to that channel." in response.content.decode()
    assert not ChannelItem.objects.filter(channel=topic).exists()
    assert client.post(reverse("channels:item_file", args=[item.public_id]), {}).status_code == 302


def test_nobody_files_an_item_they_cannot_see(client, member, other_member):
    mine = channel_create(owner=member, name="Mine", slug="mine")
    hidden = ItemFactory(author=other_member, visibility="private")
    removed = ItemFactory(author=other_member, moderation="removed")
    client.force_login(member)
    assert client.post(reverse("channels:item_file", args=[hidden.public_id]), {"channel": mine.pk}).status_code == 404
    assert client.post(reverse("channels:item_file", args=[removed.public_id]), {"channel": mine.pk}).status_code == 403
    assert not ChannelItem.objects.filter(channel=mine).exists()


def test_filing_needs_a_member(client, topic):
    item = ItemFactory()
    response = client.post(reverse("channels:item_file", args=[item.public_id]), {"channel": topic.pk})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_remove_control_on_the_channel_page(client, member, other_member, topic):
    item = ItemFactory(title="To be removed")
    channel_add_item(channel=topic, item=item, actor=topic.owner)
    url = reverse("channels:item_remove", args=[topic.slug, item.public_id])
    assert "Remove from channel" not in client.get(topic.get_absolute_url()).content.decode()
    client.force_login(other_member)
    assert "Remove from channel" not in client.get(topic.get_absolute_url()).content.decode()
    assert client.post(url).status_code == 403
    client.force_login(topic.owner)
    assert "Remove from channel" in client.get(topic.get_absolute_url()).content.decode()
    assert client.post(url)["Location"] == topic.get_absolute_url()
    assert Item.objects.get(pk=item.pk).channels_count == 0
    assert client.post(url).status_code == 404


def test_my_channels_lists_owned_curated_and_invitations(client, member, topic):
    channel_create(owner=member, name="Own story", slug="own-story")
    other = channel_create(owner=topic.owner, name="Invited here", slug="invited-here")
    curator_invite(channel=topic, inviter=topic.owner, user=member)
    curator_respond(channel=topic, user=member, accept=True)
    curator_invite(channel=other, inviter=topic.owner, user=member)
    client.force_login(member)
    mine = client.get(reverse("channels:mine")).context["mine"]
    assert [c.name for c in mine.owned] == ["Own story"]
    assert [c.name for c in mine.curated] == ["Kharkiv"]
    assert [i.channel.name for i in mine.invitations] == ["Invited here"]


def test_the_item_form_offers_only_channels_the_member_may_file_in(client, member, other_member, topic):
    curator_invite(channel=topic, inviter=topic.owner, user=member)
    curator_respond(channel=topic, user=member, accept=True)
    for user, offered in ((member, True), (other_member, False)):
        client.force_login(user)
        choices = client.get(reverse("items:new")).context["form"].fields["channels"].queryset
        assert (topic in choices) is offered
