"""The embed's interstitial: "I am 18 or over, show this item" unlocks the item inside
that embed only (a signed grant in its URL: another site's iframe sends no cookies)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory, attach_video_rows
from fieldcast.items.tests.test_access_surfaces import read_page, viewer_client
from fieldcast.moderation.viewer import GRANTS_COOKIE


@pytest.fixture
def ma_item(db):
    item = ItemFactory(
        rating="MA", title="Strike on the market", content_flags=["graphic_violence"],
        content_warning="Wounded people are shown — يظهر جرحى",
    )  # fmt: skip
    attach_video_rows(item)
    return item


def embed_url(item) -> str:
    return reverse("player:embed", kwargs={"public_id": item.public_id})


def test_interstitial_in_the_embed(client, ma_item):
    response = client.get(embed_url(ma_item))
    body = response.content.decode()
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "This item is rated MA" in body
    assert "Wounded people are shown — يظهر جرحى" in body
    assert "Graphic violence" in body
    assert 'name="confirm_adult"' in body
    assert "Turn Safe Mode off" in body
    assert "csrfmiddlewaretoken" not in body  # a third-party iframe cannot read our CSRF cookie
    assert read_page(body).media_urls == []


def test_confirming_unlocks_the_embed_only(client, ma_item):
    response = client.post(embed_url(ma_item), {"confirm_adult": "1", "t": "30", "loop": "1", "evil": "x"})
    assert response.status_code == 303
    location = urlsplit(response["Location"])
    assert location.path == embed_url(ma_item)
    query = parse_qs(location.query)
    assert query["t"] == ["30"]
    assert query["loop"] == ["1"]
    assert "evil" not in query
    assert GRANTS_COOKIE not in response.cookies  # nothing stored: the grant is the URL's
    unlocked = client.get(response["Location"])
    page = read_page(unlocked.content.decode())
    assert page.has_player
    assert not page.has_interstitial
    assert 'data-loop="1"' in unlocked.content.decode()
    # The site itself is still shielded for this visitor.
    assert client.get(ma_item.get_absolute_url()).context["access"] == "interstitial"
    assert read_page(client.get(embed_url(ma_item)).content.decode()).has_interstitial


def test_confirmation_is_required(client, ma_item):
    response = client.post(embed_url(ma_item), {})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tick “I am 18 or over” to show this item." in body
    assert 'aria-invalid="true"' in body
    assert read_page(body).media_urls == []


def test_a_minor_cannot_unlock_the_embed(ma_item):
    minor = viewer_client("minor")
    assert "stays hidden" in minor.get(embed_url(ma_item)).content.decode()
    response = minor.post(embed_url(ma_item), {"confirm_adult": "1"})
    assert response.status_code == 403
    assert read_page(response.content.decode()).media_urls == []


def test_nothing_to_unlock_goes_back_to_the_plain_embed(client, db):
    item = ItemFactory(rating="GA")
    response = client.post(embed_url(item), {"confirm_adult": "1"})
    assert response.status_code == 303
    assert response["Location"] == embed_url(item)


def test_unlocking_is_rate_limited(client, ma_item, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 2
    statuses = [client.post(embed_url(ma_item), {"confirm_adult": "1"}).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]


def test_adult_out_of_safe_mode_plays_at_once(ma_item):
    page = read_page(viewer_client("adult_off").get(embed_url(ma_item)).content.decode())
    assert page.has_player
    assert page.media_urls


def test_item_page_unlock_is_rate_limited(ma_item, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 1
    client = Client()
    url = reverse("items:unlock", kwargs={"public_id": ma_item.public_id})
    assert client.post(url, {"confirm_adult": "1"}).status_code == 302
    assert client.post(url, {"confirm_adult": "1"}).status_code == 429
