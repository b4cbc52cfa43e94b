"""Channels in the REST API: the directory, a channel and its items through the access
layer, creating, editing and deleting, filing items and subscriptions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fieldcast.accounts.models import User
from fieldcast.api.testing import as_member
from fieldcast.channels.models import Channel, ChannelItem, Subscription
from fieldcast.channels.services import channel_add_item, channel_ensure_personal
from fieldcast.core.testing import factories
from fieldcast.items.models import Item

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def topic(member):
    return factories.ChannelFactory(name="Syria", slug="syria", owner=member, description="The *war*.")


def adult_out_of_safe_mode(user: User) -> User:
    User.objects.filter(pk=user.pk).update(safe_mode=False)
    return User.objects.get(pk=user.pk)


def file(channel: Channel, item: Item) -> None:
    ChannelItem.objects.create(channel=channel, item=item)


# --- reads ------------------------------------------------------------------------------------


def test_directory_lists_topic_and_editorial_channels_current_events_first(member, topic):
    factories.ChannelFactory(name="Alpha", slug="alpha", owner=member)
    factories.ChannelFactory(name="Featured", slug="featured", kind="editorial", is_featured=True)
    factories.ChannelFactory(name="Zulu", slug="zulu", owner=member, is_current_event=True)
    channel_ensure_personal(user=member)
    body = Client().get(f"{API}/channels").json()
    assert [c["slug"] for c in body["items"]] == ["zulu", "alpha", "featured", "syria"]
    assert body["next_cursor"] is None
    syria = body["items"][-1]
    assert syria["owner"]["username"] == "member"
    assert syria["description_html"] == "<p>The <em>war</em>.</p>"
    assert syria["url"] == "/c/syria"
    assert syria["is_subscribed"] is False
    featured = Client().get(f"{API}/channels", {"featured": "true"}).json()["items"]
    assert [c["slug"] for c in featured] == ["featured"]
    assert [c["slug"] for c in Client().get(f"{API}/channels", {"kind": "editorial"}).json()["items"]] == ["featured"]
    assert [c["slug"] for c in Client().get(f"{API}/channels", {"q": "SYR"}).json()["items"]] == ["syria"]


def test_directory_pages_by_cursor_without_repeats_and_refuses_foreign_cursors(member):
    for n in range(7):
        factories.ChannelFactory(name=f"Story {n}", slug=f"story-{n}", owner=member, is_current_event=n % 3 == 0)
    for sort in ("name", "new", "subscribers", "items"):
        seen, cursor = [], None
        while True:
            params = {"limit": 3, "sort": sort} | ({"cursor": cursor} if cursor else {})
            body = Client().get(f"{API}/channels", params).json()
            seen += [c["slug"] for c in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == 7 == len(set(seen)), sort
        assert all(c.startswith("story-") for c in seen)
        current = [s for s in seen if int(s[-1]) % 3 == 0]
        assert seen[: len(current)] == current  # current events first, whatever the sort
    first = Client().get(f"{API}/channels", {"limit": 3, "sort": "name"}).json()
    wrong = Client().get(f"{API}/channels", {"sort": "new", "cursor": first["next_cursor"]})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "cursor"
    bad = Client().get(f"{API}/channels", {"sort": "loudest"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "sort"


def test_directory_query_count_does_not_grow_with_the_page(member):
    for n in range(12):
        factories.ChannelFactory(name=f"Story {n}", slug=f"story-{n}", owner=member)
    client = as_member(member, "read")
    client.get(f"{API}/channels", {"limit": 1})  # warm the token and caches
    counts = []
    for limit in (2, 10):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{API}/channels", {"limit": limit}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_channel_detail_says_what_the_caller_may_do(member, other_member, topic):
    mine = as_member(member, "read").get(f"{API}/channels/syria").json()
    assert mine["may_manage"] is True
    assert mine["may_file"] is True
    theirs = as_member(other_member, "read").get(f"{API}/channels/syria").json()
    assert theirs["may_manage"] is False
    assert theirs["may_file"] is False
    missing = Client().get(f"{API}/channels/nowhere")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no channel with this slug."
    arabic = factories.ChannelFactory(name="سوريا", slug="سوريا", owner=member)
    assert Client().get(f"{API}/channels/{arabic.slug}").json()["name"] == "سوريا"


def test_channel_items_go_through_the_access_layer(member, topic):
    shown = factories.ItemFactory(author=member, title="Listed")
    ma = factories.ItemFactory(author=member, title="Heavy", rating="MA")
    factories.attach_video_rows(ma)
    hidden = [
        factories.ItemFactory(author=member, title="Private", visibility="private"),
        factories.ItemFactory(author=member, title="Processing", lifecycle="processing"),
        factories.ItemFactory(author=member, title="Removed", moderation="removed"),
        factories.ItemFactory(author=member, title="Held", moderation="held"),
    ]
    for item in (shown, ma, *hidden):
        file(topic, item)
    body = Client().get(f"{API}/channels/syria/items").json()
    assert [c["title"] for c in body["items"]] == ["Heavy", "Listed"]
    card = body["items"][0]
    assert card["rating"] == "MA"
    assert card["shielded"] is True
    assert card["thumbnail_url"] is None
    adult = adult_out_of_safe_mode(factories.UserFactory(username="adult"))
    card = as_member(adult, "read").get(f"{API}/channels/syria/items").json()["items"][0]
    assert card["shielded"] is False
    assert card["thumbnail_url"].startswith("/m/")
    assert "probe" not in str(card)


def test_channel_items_hide_ma_under_the_hide_policy(member, topic, settings):
    settings.SAFE_MODE_POLICY = "hide"
    file(topic, factories.ItemFactory(author=member, rating="MA"))
    file(topic, factories.ItemFactory(author=member, rating="GA"))
    assert [c["rating"] for c in Client().get(f"{API}/channels/syria/items").json()["items"]] == ["GA"]


def test_channel_items_query_count_is_constant(member, topic):
    for n in range(12):
        item = factories.ItemFactory(author=member, title=f"Item {n}", tags=["homs", f"t{n}"])
        factories.attach_video_rows(item)
        file(topic, item)
    client = Client()
    client.get(f"{API}/channels/syria/items", {"limit": 1})
    counts = []
    for limit in (2, 10):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"{API}/channels/syria/items", {"limit": limit}).json()
        assert len(body["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_item_channels_lists_where_an_item_is_filed(member, topic):
    item = factories.ItemFactory(author=member, rating="MA")
    file(topic, item)
    body = Client().get(f"{API}/items/{item.public_id}/channels").json()
    assert [c["slug"] for c in body] == ["syria"]  # an MA item's page lists its channels too
    private = factories.ItemFactory(author=member, visibility="private")
    assert Client().get(f"{API}/items/{private.public_id}/channels").status_code == 404
    assert as_member(member, "read").get(f"{API}/items/{private.public_id}/channels").status_code == 200


# --- create, edit, delete --------------------------------------------------------------------


def test_create_a_channel(member):
    response = as_member(member).post(
        f"{API}/channels", {"name": "Siege of Mariupol", "description": "A *story*."}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "siege-of-mariupol"
    assert body["kind"] == "topic"
    assert body["may_manage"] is True
    assert Channel.objects.get(slug="siege-of-mariupol").owner == member


def test_create_needs_a_write_credential(member):
    payload = {"name": "Anything"}
    assert Client().post(f"{API}/channels", payload, content_type="application/json").status_code == 401
    refused = as_member(member, "read").post(f"{API}/channels", payload, content_type="application/json")
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert not Channel.objects.filter(kind="topic").exists()


def test_create_refuses_what_the_form_refuses(member, topic):
    client = as_member(member)
    taken = client.post(f"{API}/channels", {"name": "SYRIA"}, content_type="application/json")
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["field"] == "name"
    assert "already exists" in taken.json()["detail"]
    reserved = client.post(f"{API}/channels", {"name": "Fresh", "slug": "new"}, content_type="application/json")
    assert reserved.status_code == 422
    assert reserved.json()["errors"][0] == {
        "field": "slug",
        "message": "The address “new” is reserved: choose another.",
    }
    empty = client.post(f"{API}/channels", {"name": "   "}, content_type="application/json")
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "name"
    missing = client.post(f"{API}/channels", {}, content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "name"


def test_owner_edits_others_are_refused(member, other_member, topic):
    refused = as_member(other_member).patch(f"{API}/channels/syria", {"name": "Mine"}, content_type="application/json")
    assert refused.status_code == 403
    response = as_member(member).patch(
        f"{API}/channels/syria", {"description": "Updated"}, content_type="application/json"
    )
    assert response.status_code == 200
    topic.refresh_from_db()
    assert (topic.name, topic.slug, topic.description) == ("Syria", "syria", "Updated")
    bad = as_member(member).patch(f"{API}/channels/syria", {"slug": "user-x"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "slug"


def test_only_staff_mark_featured_and_current_events(member, staff, topic):
    refused = as_member(member).patch(f"{API}/channels/syria", {"is_featured": True}, content_type="application/json")
    assert refused.status_code == 403
    done = as_member(staff).patch(
        f"{API}/channels/syria", {"is_featured": True, "is_current_event": True}, content_type="application/json"
    )
    assert done.status_code == 200
    assert done.json()["is_featured"] is True
    assert done.json()["is_current_event"] is True


def test_delete_a_channel(member, other_member, topic):
    item = factories.ItemFactory(author=member)
    channel_add_item(channel=topic, item=item, actor=member)
    assert as_member(other_member).delete(f"{API}/channels/syria").status_code == 403
    assert as_member(member).delete(f"{API}/channels/syria").status_code == 204
    assert not Channel.objects.filter(slug="syria").exists()
    assert Item.objects.get(pk=item.pk).channels_count == 0
    personal = channel_ensure_personal(user=member)
    assert as_member(member).delete(f"{API}/channels/{personal.slug}").status_code == 403
    assert as_member(member).delete(f"{API}/channels/nowhere").status_code == 404


# --- filing -------------------------------------------------------------------------------------


def test_curators_file_and_unfile_items(member, other_member, topic):
    item = factories.ItemFactory(author=other_member)
    client = as_member(member)
    added = client.post(f"{API}/channels/syria/items", {"item": item.public_id}, content_type="application/json")
    assert added.status_code == 201
    assert added.json() == {"channel": "syria", "item": item.public_id, "added": True}
    again = client.post(f"{API}/channels/syria/items", {"item": item.public_id}, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["added"] is False
    assert Item.objects.get(pk=item.pk).channels_count == 1
    assert client.delete(f"{API}/channels/syria/items/{item.public_id}").status_code == 204
    assert Item.objects.get(pk=item.pk).channels_count == 0
    assert client.delete(f"{API}/channels/syria/items/{item.public_id}").status_code == 404


def test_filing_follows_the_sites_rules(member, other_member, topic):
    item = factories.ItemFactory(author=other_member)
    stranger = as_member(other_member)
    refused = stranger.post(f"{API}/channels/syria/items", {"item": item.public_id}, content_type="application/json")
    assert refused.status_code == 403
    assert "cannot add items" in refused.json()["detail"]
    file(topic, item)
    assert stranger.delete(f"{API}/channels/syria/items/{item.public_id}").status_code == 403
    removed = factories.ItemFactory(author=other_member, moderation="removed")
    owner = as_member(member)
    gone = owner.post(f"{API}/channels/syria/items", {"item": removed.public_id}, content_type="application/json")
    assert gone.status_code == 403
    private = factories.ItemFactory(author=other_member, visibility="private")
    hidden = owner.post(f"{API}/channels/syria/items", {"item": private.public_id}, content_type="application/json")
    assert hidden.status_code == 404
    invalid = owner.post(f"{API}/channels/syria/items", {}, content_type="application/json")
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "item"
    assert (
        Client()
        .post(f"{API}/channels/syria/items", {"item": item.public_id}, content_type="application/json")
        .status_code
        == 401
    )


def test_filing_counts_against_the_sites_curate_limit(member, topic, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 2
    items = [factories.ItemFactory(author=member) for _ in range(3)]
    client = as_member(member)
    statuses = [
        client.post(f"{API}/channels/syria/items", {"item": i.public_id}, content_type="application/json").status_code
        for i in items
    ]
    assert statuses == [201, 201, 429]


# --- subscriptions ------------------------------------------------------------------------------


def test_subscribe_and_unsubscribe(member, other_member, topic):
    client = as_member(other_member)
    body = client.post(f"{API}/channels/syria/subscription").json()
    assert body == {"channel": "syria", "subscribed": True, "subscribers_count": 1}
    assert client.post(f"{API}/channels/syria/subscription").json()["subscribers_count"] == 1
    assert as_member(other_member, "read").get(f"{API}/channels/syria").json()["is_subscribed"] is True
    assert client.delete(f"{API}/channels/syria/subscription").json()["subscribed"] is False
    assert not Subscription.objects.exists()
    assert Client().post(f"{API}/channels/syria/subscription").status_code == 401
    assert as_member(other_member, "read").post(f"{API}/channels/syria/subscription").status_code == 403
    own = channel_ensure_personal(user=member)
    self_sub = as_member(member).post(f"{API}/channels/{own.slug}/subscription")
    assert self_sub.status_code == 422
    assert self_sub.json()["detail"] == "You cannot subscribe to yourself."
