"""Votes on items and favorites in the REST API."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.api.testing import as_member
from fieldcast.community.models import Favorite, ItemVote
from fieldcast.community.services_social import item_favorite_set
from fieldcast.core.testing import factories
from fieldcast.items.models import Item

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


def test_vote_sets_a_state(thread_item, member):
    client = as_member(member)
    url = f"{API}/items/{thread_item.public_id}/vote"
    body = client.put(url, {"vote": "up"}, content_type=JSON).json()
    assert body == {
        "item": thread_item.public_id,
        "my_vote": "up",
        "vote_score": 1,
        "is_favorite": False,
        "favorites_count": 0,
    }
    assert client.put(url, {"vote": "up"}, content_type=JSON).json()["vote_score"] == 1
    assert client.put(url, {"vote": "down"}, content_type=JSON).json()["vote_score"] == -1
    assert client.put(url, {"vote": "none"}, content_type=JSON).json()["vote_score"] == 0
    assert not ItemVote.objects.exists()
    bad = client.put(url, {"vote": 2}, content_type=JSON)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "vote"


def test_vote_and_favorite_need_a_write_credential(thread_item, member):
    vote = f"{API}/items/{thread_item.public_id}/vote"
    favorite = f"{API}/items/{thread_item.public_id}/favorite"
    assert Client().put(vote, {"vote": "up"}, content_type=JSON).status_code == 401
    assert as_member(member, "read").put(vote, {"vote": "up"}, content_type=JSON).status_code == 403
    assert Client().put(favorite).status_code == 401
    assert as_member(member, "read").delete(favorite).status_code == 403
    assert not ItemVote.objects.exists()


def test_votes_follow_the_access_layer_and_suspensions(member, other_member):
    ma = factories.ItemFactory(author=other_member, rating="MA")
    shielded = as_member(member).put(f"{API}/items/{ma.public_id}/vote", {"vote": "up"}, content_type=JSON)
    assert shielded.status_code == 403
    assert "Safe Mode" in shielded.json()["detail"]
    private = factories.ItemFactory(author=other_member, visibility="private")
    assert as_member(member).put(f"{API}/items/{private.public_id}/favorite").status_code == 404
    removed = factories.ItemFactory(author=other_member, moderation="removed")
    assert as_member(member).put(f"{API}/items/{removed.public_id}/favorite").status_code == 410
    User.objects.filter(pk=member.pk).update(suspended_until=timezone.now() + datetime.timedelta(days=2))
    item = factories.ItemFactory(author=other_member)
    suspended = as_member(User.objects.get(pk=member.pk)).put(f"{API}/items/{item.public_id}/favorite")
    assert suspended.status_code == 403
    assert "suspended" in suspended.json()["detail"]
    assert not Favorite.objects.exists()


def test_favorite_and_unfavorite(thread_item, member):
    client = as_member(member)
    url = f"{API}/items/{thread_item.public_id}/favorite"
    assert client.put(url).json()["is_favorite"] is True
    assert client.put(url).json()["favorites_count"] == 1
    assert client.delete(url).json()["is_favorite"] is False
    assert Item.objects.get(pk=thread_item.pk).favorites_count == 0


def test_my_favorites_list_only_what_i_may_see(member, other_member):
    kept = factories.ItemFactory(author=other_member, title="Kept")
    ma = factories.ItemFactory(author=other_member, title="Heavy", rating="MA")
    gone = factories.ItemFactory(author=other_member, title="Gone")
    for item in (kept, ma, gone):
        item_favorite_set(item=item, user=member, favorite=True)
    Item.objects.filter(pk=gone.pk).update(visibility="private")
    body = as_member(member, "read").get(f"{API}/me/favorites").json()
    assert [c["title"] for c in body["items"]] == ["Heavy", "Kept"]
    assert body["items"][0]["shielded"] is True
    assert Client().get(f"{API}/me/favorites").status_code == 401


def test_a_members_favorites_only_when_public(member, other_member):
    item_favorite_set(item=factories.ItemFactory(author=member), user=other_member, favorite=True)
    closed = Client().get(f"{API}/users/other/favorites")
    assert closed.status_code == 403
    assert closed.json()["detail"] == "other keeps their favorites private."
    assert as_member(other_member, "read").get(f"{API}/users/other/favorites").status_code == 200
    User.objects.filter(pk=other_member.pk).update(favorites_public=True)
    assert len(Client().get(f"{API}/users/other/favorites").json()["items"]) == 1
    assert Client().get(f"{API}/users/nobody/favorites").status_code == 404


def test_favorites_query_count_is_constant(member, other_member):
    for n in range(12):
        item = factories.ItemFactory(author=other_member, title=f"Item {n}", tags=["a", f"t{n}"])
        factories.attach_video_rows(item)
        item_favorite_set(item=item, user=member, favorite=True)
    client = as_member(member, "read")
    client.get(f"{API}/me/favorites", {"limit": 1})
    counts = []
    for limit in (2, 10):
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(f"{API}/me/favorites", {"limit": limit}).json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
