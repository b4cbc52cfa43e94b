"""The items API's reads: list and search, detail, follow-ups, through the same access
layer and search as the site's pages (writes: test_api_items_write.py)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fieldcast.api.pagination import encode_cursor
from fieldcast.api.testing import api_client, as_member, token_for
from fieldcast.channels.services import channel_add_item
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, PlaceFactory, UserFactory, attach_video_rows
from fieldcast.discovery.search import search_items
from fieldcast.items.models import Item
from fieldcast.items.tests.test_access import PAGE, STATES
from fieldcast.moderation.viewer import anonymous_viewer

pytestmark = pytest.mark.django_db

API = "/api/v1"


def safe_off(user):
    user.safe_mode = False
    user.save(update_fields=["safe_mode"])
    return user


def walk(client, path, limit=2, **params):
    """Every page of a list: the items' public ids in order."""
    seen, cursor = [], None
    for _ in range(50):
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, query)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row["public_id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the cursor never ended")


def new_item(**fields):
    """The body of a valid POST /items (the writes are in test_api_items_write.py)."""
    return {"title": "Market shelled", "rating": "PG", "agree_terms": True, **fields}


def fields_of(response):
    """The fields named by a 422 (a list's element: its name)."""
    return {e["field"].split(".")[0] for e in response.json()["errors"]}


# --- GET /items ---------------------------------------------------------------------------------


def test_list_is_the_newest_listed_items_in_keyset_pages(member):
    items = [ItemFactory(author=member, title=f"Report {n}") for n in range(5)]
    ItemFactory(author=member, visibility="private")
    ItemFactory(author=member, lifecycle="processing")
    expected = [i.public_id for i in sorted(items, key=lambda i: (i.added_at, i.pk), reverse=True)]
    assert walk(Client(), f"{API}/items") == expected
    first = Client().get(f"{API}/items", {"limit": 2}).json()
    card = first["items"][0]
    assert card["url"].startswith(f"/v/{card['public_id']}")
    assert card["author"] == {"username": "member", "name": "member", "url": "/u/member"}
    assert card["counts"]["plays"] == 0
    assert card["snippet_html"] is None


def test_list_shields_ma_items_under_safe_mode(member, other_member):
    ma = ItemFactory(author=member, rating="MA", title="Graphic footage", content_flags=["graphic_violence"])
    attach_video_rows(ma)
    guest = Client().get(f"{API}/items").json()["items"]
    (card,) = [c for c in guest if c["public_id"] == ma.public_id]
    assert card["rating"] == "MA"
    assert card["shielded"] is True
    assert card["thumbnail_url"] is None
    assert card["content_flags"] == ["graphic_violence"]
    cleared = as_member(safe_off(other_member), "read").get(f"{API}/items").json()["items"]
    (card,) = [c for c in cleared if c["public_id"] == ma.public_id]
    assert card["shielded"] is False
    assert card["thumbnail_url"].startswith("/m/")


def test_list_hide_policy_drops_ma_items(member, settings):
    settings.SAFE_MODE_POLICY = "hide"
    ItemFactory(author=member, rating="MA")
    ga = ItemFactory(author=member)
    assert walk(Client(), f"{API}/items") == [ga.public_id]


def test_search_uses_the_site_search_with_snippets(member):
    hit = ItemFactory(author=member, title="Convoy crosses the bridge", body="The convoy was seen at dawn.")
    ItemFactory(author=member, title="Something else entirely")
    response = Client().get(f"{API}/items", {"q": "convoy"})
    assert response.status_code == 200
    (card,) = response.json()["items"]
    assert card["public_id"] == hit.public_id
    assert "<mark>convoy</mark>" in card["snippet_html"]


def test_search_escapes_the_snippet(member):
    ItemFactory(author=member, title="Convoy", body="convoy <script>alert(1)</script>")
    (card,) = Client().get(f"{API}/items", {"q": "convoy"}).json()["items"]
    assert "<script>" not in card["snippet_html"]


@pytest.mark.parametrize("sort", ["relevance", "newest", "played", "voted", "occurred"])
def test_every_sort_pages_through_the_same_order_as_the_search(member, sort):
    for n in range(7):
        item = ItemFactory(author=member, title=f"Flood report {n}", body="flood " * (n % 3 + 1))
        Item.objects.filter(pk=item.pk).update(
            plays_count=n % 3,
            vote_score=(n * 5) % 3 - 1,
            occurred_on=datetime.date(2024, 1, 1 + n % 2) if n % 3 else None,
            occurred_precision="day" if n % 3 else "unknown",
        )
    ItemFactory(author=member, title="Unrelated")
    expected = [i.public_id for i in search_items(anonymous_viewer(), "flood", sort=sort)]
    assert len(expected) == 7
    got = walk(Client(), f"{API}/items", q="flood", sort=sort)
    assert got == expected


def test_sorts_apply_without_words_too(member):
    quiet = ItemFactory(author=member)
    loud = ItemFactory(author=member)
    Item.objects.filter(pk=quiet.pk).update(plays_count=9)
    assert walk(Client(), f"{API}/items", sort="played")[:2] == [quiet.public_id, loud.public_id]


def test_filters_are_the_search_filters(member):
    PlaceFactory()
    channel = ChannelFactory(slug="syria", owner=member)
    syria = ItemFactory(author=member, location_label="Homs", tags=["Qalamoun"], rating="PG")
    channel_add_item(channel=channel, item=syria, actor=member)
    ItemFactory(author=member, tags=["elsewhere"])
    for params in ({"country": "sy"}, {"tag": "QALAMOUN"}, {"channel": "syria"}, {"rating": "PG"}, {"place": "Homs"}):
        assert walk(Client(), f"{API}/items", **params) == [syria.public_id], params
    assert walk(Client(), f"{API}/items", has_video="true") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "loudest"}, "sort"),
        ({"rating": "XX"}, "rating"),
        ({"country": "SYR"}, "country"),
        ({"channel": "no-such-channel"}, "channel"),
        ({"occurred_from": "2024-05-01", "occurred_to": "2024-04-01"}, "occurred_to"),
        ({"added_from": "yesterday"}, "added_from"),
        ({"occurred_from": "0"}, "occurred_from"),  # not a Unix time
        ({"duration": "epic"}, "duration"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_list_refuses_bad_input_naming_the_parameter(member, params, field):
    response = Client().get(f"{API}/items", params)
    assert response.status_code == 422
    assert field in fields_of(response)


def test_a_cursor_of_one_sort_is_refused_by_another(member):
    for _ in range(3):
        ItemFactory(author=member)
    cursor = Client().get(f"{API}/items", {"limit": 1}).json()["next_cursor"]
    response = Client().get(f"{API}/items", {"limit": 1, "sort": "played", "cursor": cursor})
    assert response.status_code == 422
    assert fields_of(response) == {"cursor"}


@pytest.mark.parametrize("params", [{}, {"q": "storm"}, {"q": "storm", "sort": "played"}])
def test_list_queries_do_not_grow_with_the_page(member, params):
    for n in range(12):
        item = ItemFactory(author=member, title=f"Storm {n}", tags=[f"t{n}", "storm"], location_label="Homs")
        attach_video_rows(item)
    client = api_client(token_for(member, "read"))
    client.get(f"{API}/items", {**params, "limit": 1})  # token's last_used_at written once
    counts = []
    for limit in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}/items", {**params, "limit": limit})
        assert len(response.json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- GET /items/{public_id} ------------------------------------------------------------------


def test_detail_has_what_the_item_page_shows(member):
    PlaceFactory()
    channel = ChannelFactory(slug="syria", name="Syria", owner=member, is_current_event=True)
    original = ItemFactory(author=member, title="First report")
    item = ItemFactory(
        author=member, title="Second report", body="**Bold** text", tags=["Homs", "shelling"],
        location_label="Homs", pin_latitude=34.73, pin_longitude=36.71, update_of=original,
        occurred_on=datetime.date(2024, 3, 14), occurred_precision="day", source="Local reporter",
    )  # fmt: skip
    channel_add_item(channel=channel, item=item, actor=member)
    attach_video_rows(item)
    Item.objects.filter(pk=item.pk).update(plays_count=7, embed_plays_count=2, views_count=11)
    body = Client().get(f"{API}/items/{item.public_id}").json()
    assert body["access"] == "show"
    assert body["title"] == "Second report"
    assert "<strong>Bold</strong>" in body["body_html"]
    assert [t["name"] for t in body["tags"]] == ["Homs", "shelling"]
    assert body["channels"] == [
        {"slug": "syria", "name": "Syria", "kind": "topic", "is_current_event": True, "url": "/c/syria"}
    ]
    assert body["place"]["label"] == "Homs, Syria"
    assert body["pin"] == {"latitude": 34.73, "longitude": 36.71}
    assert body["occurred_on"] == "2024-03-14"
    assert body["occurred_precision"] == "day"
    assert body["counts"]["plays"] == 7
    assert body["counts"]["embed_plays"] == 2
    assert body["counts"]["views"] == 11
    assert body["counts"]["channels"] == 1
    assert body["update_of"]["public_id"] == original.public_id
    assert body["state"] is None  # only for the author and staff
    (video,) = body["media"]
    assert set(video["urls"]) == {"hls", "mp4", "poster", "sprite-vtt"}
    assert video["original_url"] is None
    assert {r["profile"]: r["url"] for r in video["renditions"]}["hls-720"] is None
    assert body["media_expires_at"]
    assert "probe" not in str(body)


def test_detail_state_is_for_the_author(member):
    item = ItemFactory(author=member, lifecycle="processing")
    body = as_member(member, "read").get(f"{API}/items/{item.public_id}").json()
    assert body["state"]["lifecycle"] == "processing"
    assert body["state"]["status_url"] == f"/api/v1/items/{item.public_id}/status"


def test_detail_of_ma_item_under_safe_mode_withholds_article_and_media(member, other_member, minor):
    item = ItemFactory(author=member, rating="MA", body="Graphic description", content_warning="Bodies at 0:40")
    attach_video_rows(item)
    for client in (Client(), as_member(other_member, "read"), as_member(minor, "read")):
        body = client.get(f"{API}/items/{item.public_id}").json()
        assert body["access"] == "interstitial"
        assert body["body_html"] == ""
        assert body["media"] == []
        assert body["thumbnail_url"] is None
        assert body["content_warning"] == "Bodies at 0:40"
        assert "/m/" not in str(body)
    body = as_member(safe_off(other_member), "read").get(f"{API}/items/{item.public_id}").json()
    assert body["access"] == "show"
    assert body["media"][0]["urls"]["hls"].startswith("/m/")


VIEWERS = ["guest", "member", "adult_safe_off", "minor", "author", "staff", "moderator"]
# The item page's decision (test_access.PAGE) as the API answers it.
API_ANSWER = {"show": (200, "show"), "interstitial": (200, "interstitial"), 404: (404, None),
              "removed": (410, None), "disabled": (451, None), "held": (403, None)}  # fmt: skip


@pytest.fixture
def world(db):
    author = UserFactory(username="author")
    items = {}
    for name, fields in STATES.items():
        states = {k: v for k, v in fields.items() if k in ("lifecycle", "moderation", "moderation_reason")}
        create = {k: v for k, v in fields.items() if k not in states}
        items[name] = ItemFactory(author=author, title=f"Item {name}", **{"rating": "GA", **create}, **states)
    return {"author": author, "items": items}


def api_client_for(kind, world):
    if kind == "guest":
        return Client()
    if kind == "author":
        user = world["author"]
    elif kind == "staff":
        user = UserFactory(username="staff", is_staff=True)
    elif kind == "minor":
        user = UserFactory(username="minor", minor=True)
    else:
        user = UserFactory(username=kind)
        if kind == "moderator":
            user.groups.add(Group.objects.get_or_create(name="moderators")[0])
        if kind == "adult_safe_off":
            safe_off(user)
    return as_member(user, "read")


@pytest.mark.parametrize("viewer", VIEWERS)
def test_detail_and_list_follow_the_item_page_for_every_state(world, viewer):
    client = api_client_for(viewer, world)
    listed = set(walk(client, f"{API}/items", limit=20))
    for state, item in world["items"].items():
        status, access = API_ANSWER[PAGE[viewer][state]]
        response = client.get(f"{API}/items/{item.public_id}")
        assert response.status_code == status, f"{viewer} on {state}"
        if access:
            assert response.json()["access"] == access, f"{viewer} on {state}"
        else:
            assert item.title not in response.json()["detail"]
        assert (item.public_id in listed) == (state in ("listed_ga", "listed_ma")), f"{viewer} lists {state}"
    removed = client.get(f"{API}/items/{world['items']['removed'].public_id}")
    if removed.status_code == 410:
        assert "Doxxing of a private person" in removed.json()["detail"]


def test_unknown_item_is_404_with_a_specific_message():
    response = Client().get(f"{API}/items/zzzzzzzzzz")
    assert response.status_code == 404
    assert "no item with this public id" in response.json()["detail"]


# --- GET /items/{public_id}/updates ---------------------------------------------------------------


def test_updates_lists_the_listed_follow_ups(member, other_member):
    original = ItemFactory(author=member)
    updates = [ItemFactory(author=other_member, update_of=original) for _ in range(3)]
    ItemFactory(author=other_member, update_of=original, visibility="private")
    expected = [u.public_id for u in sorted(updates, key=lambda u: (u.added_at, u.pk), reverse=True)]
    assert walk(Client(), f"{API}/items/{original.public_id}/updates") == expected
    hidden = ItemFactory(author=member, visibility="private")
    assert Client().get(f"{API}/items/{hidden.public_id}/updates").status_code == 404


def test_nul_characters_never_reach_the_database(member):
    item = ItemFactory(author=member)
    client = as_member(member)
    assert client.get(f"{API}/items/{item.public_id[:-1]}%00").status_code == 404
    assert client.patch(f"{API}/items/a%00", {"title": "x"}, content_type="application/json").status_code == 404
    assert client.get(f"{API}/items", {"channel": "syr\x00ia", "place": "\x00", "tag": "a\x00"}).status_code == 422
    assert client.get(f"{API}/tags/a%00/items").status_code == 404
    assert client.get(f"{API}/tags", {"q": "a\x00"}).status_code == 200
    response = client.post(f"{API}/items", new_item(body="a\x00b", channels=["x\x00"]), content_type="application/json")
    assert response.status_code == 422
    assert fields_of(response) == {"body", "channels"}


@pytest.mark.parametrize(
    ("sort", "values"),
    [("relevance", ["x", "y", "z"]), ("played", ["x", 1, 2]), ("newest", [7, "x"]), ("occurred", [[1], 2, 3])],
)
def test_a_cursor_with_values_of_the_wrong_kinds_is_refused(member, sort, values):
    ItemFactory(author=member, title="Flood", body="flood")
    cursor = encode_cursor(f"items-{sort}", values)
    response = Client().get(f"{API}/items", {"q": "flood", "sort": sort, "cursor": cursor})
    assert response.status_code == 422, response.content
    assert fields_of(response) == {"cursor"}
