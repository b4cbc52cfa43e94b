"""Notifications in the REST API: the member's own, through the access layer; marking read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fieldcast.api.testing import as_member
from fieldcast.community.services import comment_create
from fieldcast.core.testing import factories
from fieldcast.items.models import Item
from fieldcast.notifications.models import Notification
from fieldcast.notifications.services import notify

pytestmark = pytest.mark.django_db

API = "/api/v1"


def test_my_notifications_newest_first_with_unread_filter(member, other_member):
    item = factories.ItemFactory(author=member, title="Night shelling")
    comment = comment_create(item=item, author=member, body="First")
    first = notify(recipient=member, kind="reply", actor=other_member, item=item, comment=comment)
    second = notify(recipient=member, kind="mention", actor=other_member, item=item, comment=comment)
    Notification.objects.filter(pk=first.pk).update(read_at=first.created_at)
    body = as_member(member, "read").get(f"{API}/notifications").json()
    assert [n["id"] for n in body["items"]] == [second.pk, first.pk]
    assert body["unread_count"] == 1
    note = body["items"][1]
    assert note["text"] == "other replied to your comment on Night shelling"
    assert note["item"] == item.public_id
    assert note["comment"] == comment.pk
    assert note["actor"] == "other"
    assert note["url"] == f"/v/{item.public_id}/-/comments/{comment.pk}"
    assert note["is_unread"] is False
    unread = as_member(member, "read").get(f"{API}/notifications", {"unread": "true"}).json()
    assert [n["id"] for n in unread["items"]] == [second.pk]


def test_items_no_longer_available_carry_no_id(member, other_member):
    item = factories.ItemFactory(author=other_member, title="Secret title")
    notify(recipient=member, kind="channel_item", actor=other_member, item=item)
    Item.objects.filter(pk=item.pk).update(visibility="private")
    note = as_member(member, "read").get(f"{API}/notifications").json()["items"][0]
    assert note["item"] is None
    assert "Secret title" not in note["text"]
    assert "no longer available" in note["text"]


def test_only_members_and_only_their_own(member, other_member):
    theirs = notify(recipient=other_member, kind="moderation", text="Your item was removed")
    assert Client().get(f"{API}/notifications").status_code == 401
    assert as_member(member, "read").get(f"{API}/notifications").json()["items"] == []
    missing = as_member(member).post(f"{API}/notifications/{theirs.pk}/read")
    assert missing.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    bad = as_member(member, "read").get(f"{API}/notifications", {"limit": 0})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "limit"


def test_mark_one_and_all_read(member, other_member):
    notes = [notify(recipient=member, kind="moderation", text=f"Note {n}") for n in range(3)]
    refused = as_member(member, "read").post(f"{API}/notifications/{notes[0].pk}/read")
    assert refused.status_code == 403
    one = as_member(member).post(f"{API}/notifications/{notes[0].pk}/read")
    assert one.status_code == 200
    assert one.json()["is_unread"] is False
    everything = as_member(member).post(f"{API}/notifications/read-all")
    assert everything.json() == {"marked": 2, "unread_count": 0}
    assert Client().post(f"{API}/notifications/read-all").status_code == 401


def test_notification_list_query_count_is_constant(member, other_member):
    for n in range(12):
        item = factories.ItemFactory(author=other_member, title=f"Item {n}")
        notify(recipient=member, kind="channel_item", actor=other_member, item=item)
    client = as_member(member, "read")
    client.get(f"{API}/notifications", {"limit": 1})
    counts = []
    for limit in (2, 10):
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(f"{API}/notifications", {"limit": limit}).json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
