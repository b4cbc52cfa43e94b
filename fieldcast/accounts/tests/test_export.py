"""The data export: a JSON download of the member's own data, and nobody else's."""

from __future__ import annotations

import json

from django.test import Client

from fieldcast.accounts.services import user_block
from fieldcast.channels.models import Channel
from fieldcast.channels.subscriptions import subscription_add
from fieldcast.community.services import comment_create
from fieldcast.community.services_social import item_favorite_set, item_vote_set
from fieldcast.core.testing.factories import ItemFactory, attach_video_rows
from fieldcast.items.services import item_set_tags
from fieldcast.media.models import MediaAsset

EXPORT = "/me/export"


def download(client) -> dict:
    response = client.post(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="fieldcast-')
    return json.loads(b"".join(response.streaming_content))


def test_export_holds_the_members_data(client, member, other_member):
    item = ItemFactory(author=member, title="حمص", body="Article")
    item_set_tags(item=item, names=["Homs", "protest"])
    asset = attach_video_rows(item)
    MediaAsset.objects.filter(pk=asset.pk).update(probe={"tags": {"location": "+34.73+036.71/"}, "make": "PhoneCo"})
    private = ItemFactory(author=member, title="Kept private", visibility="private")
    theirs = ItemFactory(author=other_member, title="Theirs")
    comment_create(item=theirs, author=member, body="Mine")
    comment_create(item=theirs, author=other_member, body="Not mine")
    item_vote_set(item=theirs, user=member, value=1)
    item_favorite_set(item=theirs, user=member, favorite=True)
    subscription_add(user=member, channel=Channel.objects.get(kind="personal", owner=other_member))
    user_block(blocker=member, blocked=other_member)

    client.force_login(member)
    page = client.get(EXPORT).content.decode()
    assert "Download my data" in page
    data = download(client)
    assert data["format"] == "fieldcast-export"
    assert data["profile"]["username"] == member.username
    assert {i["title"] for i in data["items"]} == {"حمص", private.title}
    exported = next(i for i in data["items"] if i["public_id"] == item.public_id)
    assert exported["tags"] == ["Homs", "protest"]
    assert exported["files"][0]["original_name"] == "clip.mp4"
    assert [c["body"] for c in data["comments"]] == ["Mine"]
    assert data["votes"] == [{"item": theirs.public_id, "value": 1, "at": data["votes"][0]["at"]}]
    assert [f["item"] for f in data["favorites"]] == [theirs.public_id]
    assert [s["member"] for s in data["subscriptions"]] == [other_member.username]
    assert [b["member"] for b in data["blocks"]] == [other_member.username]
    raw = json.dumps(data)
    assert "PhoneCo" not in raw
    assert "+34.73" not in raw
    assert "probe" not in raw
    assert "Not mine" not in raw
    assert "Theirs" not in raw


def test_export_needs_a_member_and_csrf(member):
    guest = Client()
    assert guest.post(EXPORT).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(EXPORT).status_code == 403


def test_export_streams_with_a_fixed_number_of_queries(client, member, django_assert_max_num_queries):
    for n in range(3):
        attach_video_rows(ItemFactory(author=member, title=f"Item {n}"))
    client.force_login(member)
    download(client)  # the rate limit's cache rows exist from here on
    with django_assert_max_num_queries(60) as few:
        download(client)
    for n in range(6):
        attach_video_rows(ItemFactory(author=member, title=f"More {n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = download(client)
    assert len(data["items"]) == 9
