"""Tags in the API: prefix search with the count of items the caller may see, and a tag's items."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fieldcast.api.testing import as_member
from fieldcast.core.testing.factories import ItemFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def test_tags_by_prefix_with_visible_counts(member, settings):
    ItemFactory(author=member, tags=["Kharkiv", "Kherson"])
    ItemFactory(author=member, tags=["KHARKIV"])
    ItemFactory(author=member, tags=["Kharkiv"], visibility="private")
    ItemFactory(author=member, tags=["Khartoum"], rating="MA")
    ItemFactory(author=member, tags=["Homs"])
    body = Client().get(f"{API}/tags", {"q": "KH"}).json()
    assert [(t["name"], t["items_count"]) for t in body["items"]] == [("Kharkiv", 2), ("Khartoum", 1), ("Kherson", 1)]
    assert body["items"][0]["url"] == "/tag/kharkiv"
    settings.SAFE_MODE_POLICY = "hide"  # MA items are not listed in Safe Mode: their tags count nothing
    assert [t["key"] for t in Client().get(f"{API}/tags", {"q": "kh"}).json()["items"]] == ["kharkiv", "kherson"]


def test_tags_in_any_script_and_pages(member):
    ItemFactory(author=member, tags=["Харків", "Харківщина", "Херсон"])
    first = Client().get(f"{API}/tags", {"q": "харк", "limit": 1}).json()
    assert [t["name"] for t in first["items"]] == ["Харків"]
    second = Client().get(f"{API}/tags", {"q": "харк", "limit": 1, "cursor": first["next_cursor"]}).json()
    assert [t["name"] for t in second["items"]] == ["Харківщина"]
    assert second["next_cursor"] is None


def test_tags_query_count_does_not_grow(member):
    for n in range(12):
        ItemFactory(author=member, tags=[f"tag{n:02}"])
    Client().get(f"{API}/tags", {"limit": 1})  # the rate-limit bucket's first write costs a query more
    counts = []
    for limit in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            assert len(Client().get(f"{API}/tags", {"limit": limit}).json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_tags_refuse_bad_input():
    response = Client().get(f"{API}/tags", {"q": "x" * 101})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"
    assert Client().get(f"{API}/tags", {"limit": 101}).status_code == 422


def test_tag_items_newest_first_through_the_access_layer(member, other_member):
    items = [ItemFactory(author=member, tags=["Qalamoun"]) for _ in range(3)]
    ItemFactory(author=member, tags=["Qalamoun"], visibility="private")
    ItemFactory(author=member, tags=["elsewhere"])
    body = Client().get(f"{API}/tags/qalamoun/items", {"limit": 2}).json()
    assert body["tag"] == {"name": "Qalamoun", "key": "qalamoun", "url": "/tag/qalamoun"}
    rest = Client().get(f"{API}/tags/QALAMOUN/items", {"limit": 2, "cursor": body["next_cursor"]}).json()
    got = [c["public_id"] for c in body["items"] + rest["items"]]
    assert got == [i.public_id for i in sorted(items, key=lambda i: (i.added_at, i.pk), reverse=True)]
    # The author's own private item is not in a list, even for them (as on /tag/<key>).
    assert len(as_member(member, "read").get(f"{API}/tags/qalamoun/items").json()["items"]) == 3


def test_unknown_tag_is_404():
    response = Client().get(f"{API}/tags/nothing-here/items")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no tag with this key."
