"""Abuse of Safe Mode: forged cookies and grants, and MA files fetched directly
(URLs copied out of an adult's page, before and after they expire)."""

from __future__ import annotations

import json

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from fieldcast.core.testing.factories import PASSWORD, ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.items.tests.test_access_surfaces import adult_media_urls, make_world, read_page, viewer_client
from fieldcast.media.access import TOKEN_SALT, VIA_CARD, sign
from fieldcast.moderation.viewer import (
    COOKIE_SALT,
    EMBED_GRANT_SALT,
    GRANTS_COOKIE,
    GRANTS_SALT,
    SAFE_MODE_COOKIE,
    embed_grant_token,
)


def cookie(name: str, value: str, salt: str) -> str:
    """A cookie value exactly as Django's set_signed_cookie writes it."""
    return signing.get_cookie_signer(salt=name + salt).sign(value)


@pytest.fixture
def world(db, tmp_path, settings):
    return make_world(tmp_path, settings)


def access_of(client: Client, item: Item) -> str:
    return client.get(item.get_absolute_url()).context["access"]


# --- forged Safe Mode cookies ---------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "1",  # unsigned
        cookie(SAFE_MODE_COOKIE, "1", "another salt"),  # signed for something else
        cookie(GRANTS_COOKIE, "1", GRANTS_SALT),  # a grant's signature moved over
        cookie(SAFE_MODE_COOKIE, "1", COOKIE_SALT)[:-1] + "x",  # tampered signature
        "1" + cookie(SAFE_MODE_COOKIE, "0", COOKIE_SALT)[1:],  # value changed under its signature
    ],
    # Signed values carry a timestamp: fixed ids keep the collection identical across workers.
    ids=["unsigned", "other-salt", "grant-signature", "tampered", "value-changed"],
)
def test_forged_safe_mode_cookie_keeps_safe_mode_on(world, value):
    client = Client()
    client.cookies[SAFE_MODE_COOKIE] = value
    assert access_of(client, world.items["MA"]) == "interstitial"
    assert "Safe Mode: <strong>On</strong>" in client.get("/").content.decode()


def test_genuine_cookie_turns_it_off(world):
    client = Client()
    client.cookies[SAFE_MODE_COOKIE] = cookie(SAFE_MODE_COOKIE, "1", COOKIE_SALT)
    assert access_of(client, world.items["MA"]) == "show"


def test_guest_cookie_does_not_override_a_members_profile(world):
    client = viewer_client("safe_member")
    client.cookies[SAFE_MODE_COOKIE] = cookie(SAFE_MODE_COOKIE, "1", COOKIE_SALT)
    assert access_of(client, world.items["MA"]) == "interstitial"


# --- forged item grants ---------------------------------------------------------------


def grants_cookie(public_ids: object, salt: str = GRANTS_SALT) -> str:
    return cookie(GRANTS_COOKIE, json.dumps(public_ids), salt)


@pytest.mark.parametrize(
    "value",
    [
        lambda pid: json.dumps([pid]),  # unsigned
        lambda pid: grants_cookie([pid], salt=COOKIE_SALT),  # the Safe Mode cookie's salt
        lambda pid: grants_cookie([pid])[:-2] + "zz",  # tampered signature
        lambda pid: grants_cookie({"grants": [pid]}),  # signed, but not a list
        lambda pid: grants_cookie([[pid]]),  # signed, but not strings
    ],
)
def test_forged_grants_unlock_nothing(world, value):
    ma = world.items["MA"]
    client = Client()
    client.cookies[GRANTS_COOKIE] = value(ma.public_id)
    assert access_of(client, ma) == "interstitial"


def test_a_grant_unlocks_only_its_item(world):
    ma = world.items["MA"]
    other = ItemFactory(author=world.author, rating="MA", title="Another MA item")
    client = Client()
    client.cookies[GRANTS_COOKIE] = grants_cookie([other.public_id])
    assert access_of(client, other) == "show"
    assert access_of(client, ma) == "interstitial"


def test_a_grant_copied_into_a_minors_browser_unlocks_nothing(world):
    ma = world.items["MA"]
    client = viewer_client("minor")
    client.cookies[GRANTS_COOKIE] = grants_cookie([ma.public_id])
    client.cookies[SAFE_MODE_COOKIE] = cookie(SAFE_MODE_COOKIE, "1", COOKIE_SALT)
    assert access_of(client, ma) == "interstitial"
    for url in adult_media_urls(world, "MA").values():
        assert client.get(url).status_code == 403


# --- MA files fetched directly --------------------------------------------------------


@pytest.mark.parametrize("policy", ["blur", "hide", "show"])
def test_guest_in_safe_mode_cannot_fetch_copied_ma_files(world, settings, policy):
    settings.SAFE_MODE_POLICY = policy
    urls = adult_media_urls(world, "MA")
    guest = Client()
    for name in ("poster", "sprite", "sprite-vtt", "hls", "hls-rung", "mp4"):
        response = guest.get(urls[name])
        assert response.status_code == 403, name
        assert b"rated MA" in response.content
    # The adult who was issued them still plays them.
    assert world.client("adult_off").get(urls["mp4"]).status_code == 200


def test_copied_urls_stop_working_for_everyone_once_expired(world, settings):
    urls = adult_media_urls(world, "MA")
    settings.MEDIA_URL_TTL_S = -1
    for client in (Client(), world.client("adult_off")):
        for name in ("poster", "sprite", "hls", "mp4"):
            response = client.get(urls[name])
            assert response.status_code == 410, name
            assert b"expired" in response.content


def test_a_guest_who_unlocked_the_item_may_fetch_its_files(world):
    ma = world.items["MA"]
    urls = adult_media_urls(world, "MA")
    guest = Client()
    assert guest.get(urls["mp4"]).status_code == 403
    guest.post(reverse("items:unlock", kwargs={"public_id": ma.public_id}), {"confirm_adult": "1"})
    assert guest.get(urls["mp4"]).status_code == 200
    assert guest.get(urls["sprite"]).status_code == 200


def test_rating_raised_to_ma_after_the_url_was_issued(world):
    ga = world.items["GA"]
    urls = adult_media_urls(world, "GA")
    guest = Client()
    assert guest.get(urls["mp4"]).status_code == 200
    Item.objects.filter(pk=ga.pk).update(rating="MA")
    assert guest.get(urls["mp4"]).status_code == 403
    assert guest.get(urls["thumbnail"]).status_code == 403


def test_a_card_token_opens_stills_only_and_follows_the_policy(world, settings):
    asset = world.assets["MA"]
    token = sign(asset.public_id, "poster", VIA_CARD)
    url = reverse("media:serve", kwargs={"token": token, "name": "poster.jpg"})
    guest = Client()
    settings.SAFE_MODE_POLICY = "show"
    assert guest.get(url).status_code == 200
    assert guest.get(url.replace("poster.jpg", "video.mp4")).status_code == 403  # outside the scope
    assert viewer_client("minor").get(url).status_code == 403
    settings.SAFE_MODE_POLICY = "blur"
    assert guest.get(url).status_code == 403
    # A card token cannot be minted for the video, even by the signer itself.
    video_token = signing.dumps([asset.public_id, "mp4", VIA_CARD], salt=TOKEN_SALT, compress=False)
    assert guest.get(reverse("media:serve", kwargs={"token": video_token, "name": "video.mp4"})).status_code == 403


# --- the embed's URL grant ------------------------------------------------------------


def embed_url(item: Item, grant: str | None = None) -> str:
    url = reverse("player:embed", kwargs={"public_id": item.public_id})
    return f"{url}?grant={grant}" if grant is not None else url


@pytest.mark.parametrize(
    "grant",
    [
        lambda pid: pid,  # not signed at all
        lambda pid: signing.dumps(pid, salt="another salt", compress=False),
        lambda pid: embed_grant_token(pid)[:-2] + "zz",
        lambda pid: embed_grant_token("AAAAAAAAAA"),  # another item's grant
        lambda pid: signing.dumps([pid], salt=EMBED_GRANT_SALT, compress=False),  # not the id itself
    ],
)
def test_forged_embed_grants_unlock_nothing(world, grant):
    ma = world.items["MA"]
    page = read_page(Client().get(embed_url(ma, grant(ma.public_id))).content.decode())
    assert page.has_interstitial
    assert not page.has_player
    assert page.media_urls == []


def test_expired_embed_grant_unlocks_nothing(world, settings):
    ma = world.items["MA"]
    token = embed_grant_token(ma.public_id)
    settings.MEDIA_URL_TTL_S = -1
    assert read_page(Client().get(embed_url(ma, token)).content.decode()).has_interstitial


def test_a_minor_gets_nothing_from_an_embed_grant(world):
    ma = world.items["MA"]
    minor = viewer_client("minor")
    page = read_page(minor.get(embed_url(ma, embed_grant_token(ma.public_id))).content.decode())
    assert page.has_interstitial
    assert page.media_urls == []
    # Nor from the files an unlocked embed issued to someone else.
    unlocked = read_page(Client().get(embed_url(ma, embed_grant_token(ma.public_id))).content.decode())
    assert unlocked.media_urls
    for url in unlocked.media_urls:
        assert minor.get(url).status_code == 403
        assert Client().get(url).status_code == 200  # a cookie-less iframe plays them


def test_logged_in_member_may_log_in_again_without_losing_safe_mode(world):
    """Logging in keeps the profile's Safe Mode even over a guest cookie saying off."""
    client = Client()
    client.cookies[SAFE_MODE_COOKIE] = cookie(SAFE_MODE_COOKIE, "1", COOKIE_SALT)
    assert access_of(client, world.items["MA"]) == "show"
    member = UserFactory(username="careful")
    assert client.login(username=member.username, password=PASSWORD)
    assert access_of(client, world.items["MA"]) == "interstitial"
