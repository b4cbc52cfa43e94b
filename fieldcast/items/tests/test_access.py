"""The access layer: every state of an item, for every kind of viewer, on every
surface that exists so far (item page, home, channel, tag and member pages)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from fieldcast.channels.services import channel_add_item
from fieldcast.core.testing.factories import PASSWORD, ChannelFactory, ItemFactory, UserFactory
from fieldcast.moderation.viewer import COOKIE_SALT, SAFE_MODE_COOKIE

STATES = {
    "listed_ga": {"rating": "GA"},
    "listed_ma": {"rating": "MA"},
    "unlisted": {"visibility": "unlisted"},
    "private": {"visibility": "private"},
    "processing": {"lifecycle": "processing"},
    "failed": {"lifecycle": "failed"},
    "draft": {"lifecycle": "draft"},
    "removed": {"moderation": "removed", "moderation_reason": "Doxxing of a private person"},
    "held": {"moderation": "held"},
    "disabled": {"moderation": "disabled"},
}

# What the item page does for each viewer: "show", "interstitial", a notice, or 404.
PAGE = {
    "guest": {
        "listed_ga": "show", "listed_ma": "interstitial", "unlisted": "show", "private": 404,
        "processing": 404, "failed": 404, "draft": 404, "removed": "removed", "held": "held", "disabled": "disabled",
    },
    "guest_safe_off": {
        "listed_ga": "show", "listed_ma": "show", "unlisted": "show", "private": 404,
        "processing": 404, "failed": 404, "draft": 404, "removed": "removed", "held": "held", "disabled": "disabled",
    },
    "member": {
        "listed_ga": "show", "listed_ma": "interstitial", "unlisted": "show", "private": 404,
        "processing": 404, "failed": 404, "draft": 404, "removed": "removed", "held": "held", "disabled": "disabled",
    },
    "adult_safe_off": {
        "listed_ga": "show", "listed_ma": "show", "unlisted": "show", "private": 404,
        "processing": 404, "failed": 404, "draft": 404, "removed": "removed", "held": "held", "disabled": "disabled",
    },
    "minor": {
        "listed_ga": "show", "listed_ma": "interstitial", "unlisted": "show", "private": 404,
        "processing": 404, "failed": 404, "draft": 404, "removed": "removed", "held": "held", "disabled": "disabled",
    },
    "author": {
        "listed_ga": "show", "listed_ma": "show", "unlisted": "show", "private": "show",
        "processing": "show", "failed": "show", "draft": "show", "removed": "removed", "held": "show",
        "disabled": "disabled",
    },
    # Staff see every state; Safe Mode is their own setting too (they can unlock).
    "staff": {**dict.fromkeys(STATES, "show"), "listed_ma": "interstitial"},
    # Moderators review held, removed and disabled items; the rest is a member's view.
    "moderator": {
        "listed_ga": "show", "listed_ma": "interstitial", "unlisted": "show", "private": 404,
        "processing": 404, "failed": 404, "draft": 404, "removed": "show", "held": "show", "disabled": "show",
    },
}  # fmt: skip

LISTED_STATES = {"listed_ga", "listed_ma"}


@pytest.fixture
def world(db):
    author = UserFactory(username="author")
    channel = ChannelFactory(slug="syria", name="Syria", owner=author)
    items = {}
    for name, fields in STATES.items():
        states = {k: v for k, v in fields.items() if k in ("lifecycle", "moderation", "moderation_reason")}
        create = {k: v for k, v in fields.items() if k not in states}
        create.setdefault("rating", "GA")
        item = ItemFactory(author=author, title=f"Item {name}", tags=["shared-tag"], **create, **states)
        channel_add_item(channel=channel, item=item, actor=author)
        items[name] = item
    return {"author": author, "channel": channel, "items": items}


def client_for(kind: str, world: dict) -> Client:
    client = Client()
    if kind == "guest":
        return client
    if kind == "guest_safe_off":
        client.cookies[SAFE_MODE_COOKIE] = _signed_cookie("1")
        return client
    if kind == "author":
        user = world["author"]
    elif kind == "staff":
        user = UserFactory(username="staff", is_staff=True)
    elif kind == "minor":
        user = UserFactory(username="minor", minor=True)
    elif kind == "moderator":
        user = UserFactory(username="moderator")
        user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    else:
        user = UserFactory(username=kind)
        if kind == "adult_safe_off":
            user.safe_mode = False
            user.save(update_fields=["safe_mode"])
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _signed_cookie(value: str) -> str:
    from django.core import signing

    return signing.get_cookie_signer(salt=SAFE_MODE_COOKIE + COOKIE_SALT).sign(value)


@pytest.mark.parametrize("viewer", list(PAGE))
def test_item_page_for_every_state(world, viewer):
    client = client_for(viewer, world)
    for state, item in world["items"].items():
        expected = PAGE[viewer][state]
        response = client.get(item.get_absolute_url())
        body = response.content.decode()
        context = f"{viewer} on {state}"
        if expected == 404:
            assert response.status_code == 404, context
            assert item.title not in body, context
            continue
        assert response.status_code in {200, 410, 451}, context
        assert response.context["access"] == expected, context
        if expected == "show":
            assert 'id="player"' in body, context
        else:
            # No player, no article, no media for anything but "show".
            assert 'id="player"' not in body, context
        if expected == "removed":
            assert response.status_code == 410
            assert "removed by the moderators" in body
            assert "Doxxing of a private person" in body


@pytest.mark.parametrize("viewer", list(PAGE))
def test_lists_show_only_listed_items(world, viewer):
    client = client_for(viewer, world)
    author = world["author"]
    surfaces = [
        reverse("home"),
        reverse("channels:detail", kwargs={"slug": "syria"}),
        reverse("items:tag", kwargs={"key": "shared-tag"}),
    ]
    if viewer not in ("author", "staff"):
        surfaces.append(reverse("accounts:profile", kwargs={"username": author.username}))
    for url in surfaces:
        body = client.get(url).content.decode()
        for state, item in world["items"].items():
            shown = f">{item.title}</a>" in body
            assert shown == (state in LISTED_STATES), f"{viewer} on {url}: {state}"


def test_author_and_staff_see_own_unfinished_items_on_the_member_page(world):
    client = client_for("author", world)
    body = client.get(reverse("accounts:profile", kwargs={"username": "author"})).content.decode()
    for state in ("private", "processing", "unlisted", "held"):
        assert f">Item {state}</a>" in body
    assert ">Item draft</a>" not in body


@pytest.mark.parametrize(
    ("viewer", "shielded"), [("guest", True), ("guest_safe_off", False), ("minor", True), ("adult_safe_off", False)]
)
def test_ma_cards_are_shielded_in_safe_mode(world, viewer, shielded):
    body = client_for(viewer, world).get(reverse("home")).content.decode()
    assert ("MA · Safe Mode" in body) == shielded


def test_hide_policy_drops_ma_items_from_lists(world, settings):
    settings.SAFE_MODE_POLICY = "hide"
    body = Client().get(reverse("home")).content.decode()
    assert ">Item listed_ga</a>" in body
    assert ">Item listed_ma</a>" not in body
    body = client_for("guest_safe_off", world).get(reverse("home")).content.decode()
    assert ">Item listed_ma</a>" in body


def test_unlock_grants_one_ma_item_to_a_guest(world):
    client = Client()
    ma = world["items"]["listed_ma"]
    other_ma = ItemFactory(author=world["author"], rating="MA", title="Another MA item")
    response = client.post(reverse("items:unlock", kwargs={"public_id": ma.public_id}), {"confirm_adult": "1"})
    assert response.status_code == 302
    assert client.get(ma.get_absolute_url()).context["access"] == "show"
    assert client.get(other_ma.get_absolute_url()).context["access"] == "interstitial"


def test_unlock_needs_the_confirmation(world):
    client = Client()
    ma = world["items"]["listed_ma"]
    client.post(reverse("items:unlock", kwargs={"public_id": ma.public_id}), {})
    assert client.get(ma.get_absolute_url()).context["access"] == "interstitial"


def test_minor_cannot_unlock_or_leave_safe_mode(world):
    client = client_for("minor", world)
    ma = world["items"]["listed_ma"]
    response = client.post(reverse("items:unlock", kwargs={"public_id": ma.public_id}), {"confirm_adult": "1"})
    assert response.status_code == 403
    response = client.post(reverse("safe_mode"), {"mode": "off", "confirm_adult": "on"})
    assert response.status_code == 403
    assert client.get(ma.get_absolute_url()).context["access"] == "interstitial"


def test_forged_safe_mode_cookie_is_ignored(world):
    client = Client()
    client.cookies[SAFE_MODE_COOKIE] = "1"  # unsigned
    assert client.get(world["items"]["listed_ma"].get_absolute_url()).context["access"] == "interstitial"


def test_moderator_group_check_is_one_query_per_request(db, django_assert_num_queries):
    from fieldcast.moderation.viewer import viewer_for_user

    user = UserFactory(username="mod")
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    viewer = viewer_for_user(user)
    with django_assert_num_queries(1):
        assert viewer.is_moderator
        assert viewer.is_moderator
        # Another Viewer of the same user object (an embed's granted copy) asks no more.
        assert viewer.with_grant("AAAAAAAAAA").is_moderator
    staff = viewer_for_user(UserFactory(username="boss", is_staff=True))
    with django_assert_num_queries(0):
        assert staff.is_moderator


def test_openable_by_lets_moderators_reach_items_under_review(world):
    from fieldcast.items.models import Item
    from fieldcast.moderation.viewer import anonymous_viewer, viewer_for_user

    moderator = UserFactory(username="mod")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    titles = set(Item.objects.openable_by(viewer_for_user(moderator)).values_list("title", flat=True))
    assert {"Item held", "Item removed", "Item disabled", "Item listed_ma", "Item unlisted"} <= titles
    assert not {"Item private", "Item draft", "Item processing"} & titles
    guest_titles = set(Item.objects.openable_by(anonymous_viewer()).values_list("title", flat=True))
    assert not {"Item held", "Item removed", "Item disabled"} & guest_titles
