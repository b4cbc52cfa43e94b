"""The embed page, oEmbed, and the tokens item pages carry."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory, attach_video_rows
from fieldcast.items.models import Item


@pytest.fixture
def video_item(db):
    item = ItemFactory(title="Flood in the valley")
    attach_video_rows(item)
    return item


def embed_url(item, **query):
    url = reverse("player:embed", kwargs={"public_id": item.public_id})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_embed_page_plays_and_may_be_framed(client, video_item):
    response = client.get(embed_url(video_item, autoplay=1, loop=1))
    body = response.content.decode()
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"].startswith("frame-ancestors *")
    assert 'data-embed="1"' in body
    assert 'data-autoplay="1"' in body
    assert 'data-loop="1"' in body
    assert 'data-event-token="' in body
    assert "site-header" not in body  # no site chrome


def test_other_pages_may_not_be_framed(client, video_item):
    response = client.get(video_item.get_absolute_url())
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_frame_ancestors_is_configurable(client, video_item, settings):
    settings.EMBED_FRAME_ANCESTORS = "https://partner.example.org"
    response = client.get(embed_url(video_item))
    assert response["Content-Security-Policy"].startswith("frame-ancestors https://partner.example.org;")


def test_embed_shows_the_interstitial_for_ma_items(client, db):
    item = ItemFactory(rating="MA", title="Graphic footage")
    attach_video_rows(item)
    body = client.get(embed_url(item)).content.decode()
    assert "This item is rated MA" in body
    assert 'id="player"' not in body
    assert "/m/" not in body  # no media URL issued


def test_embed_respects_the_uploaders_choice(client, video_item):
    Item.objects.filter(pk=video_item.pk).update(embeddable=False)
    body = client.get(embed_url(video_item)).content.decode()
    assert "turned off embedding" in body
    assert "/m/" not in body
    assert "Embed Code" not in client.get(video_item.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("state", "status"), [({"visibility": "private"}, 404), ({"moderation": "removed"}, 410)])
def test_embed_of_private_or_removed_items(client, db, state, status):
    item = ItemFactory()
    attach_video_rows(item)
    Item.objects.filter(pk=item.pk).update(**state)
    response = client.get(embed_url(item))
    assert response.status_code == status
    assert "/m/" not in response.content.decode()


def test_item_page_carries_tokens_and_discovery_links(client, video_item):
    body = client.get(video_item.get_absolute_url()).content.decode()
    assert 'data-event-token="' in body
    assert 'type="application/json+oembed"' in body
    assert 'type="text/xml+oembed"' in body
    assert 'property="og:video"' in body


def oembed(client, url, **extra):
    return client.get(reverse("player:oembed"), {"url": url, **extra})


def test_oembed_json(client, video_item, settings):
    response = oembed(client, settings.SITE_URL + video_item.get_absolute_url(), maxwidth=560)
    data = response.json()
    assert data["type"] == "video"
    assert data["version"] == "1.0"
    assert data["title"] == "Flood in the valley"
    assert data["author_name"] == video_item.author.username
    assert (data["width"], data["height"]) == (560, 315)
    assert f"/embed/{video_item.public_id}" in data["html"]
    assert data["thumbnail_url"].startswith(settings.SITE_URL + "/m/")


def test_oembed_xml(client, video_item, settings):
    response = oembed(client, settings.SITE_URL + video_item.get_absolute_url(), format="xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own response)
    assert root.tag == "oembed"
    assert root.findtext("type") == "video"
    assert response["Content-Type"].startswith("text/xml")


def test_oembed_for_ma_items_has_no_thumbnail(client, db, settings):
    item = ItemFactory(rating="MA")
    attach_video_rows(item)
    data = oembed(client, settings.SITE_URL + item.get_absolute_url()).json()
    assert "thumbnail_url" not in data


@pytest.mark.parametrize(
    ("make_url", "status"),
    [
        (lambda item, site: site + "/v/ZZZZZZZZZZ/nothing", 404),
        (lambda item, site: site + "/c/", 404),
        (lambda item, site: "https://elsewhere.example" + item.get_absolute_url(), 404),
        (lambda item, site: "not a url", 404),
    ],
)
def test_oembed_refuses_what_is_not_a_public_item(client, video_item, settings, make_url, status):
    assert oembed(client, make_url(video_item, settings.SITE_URL)).status_code == status


@pytest.mark.parametrize(
    ("state", "status"),
    [({"visibility": "private"}, 404), ({"moderation": "removed"}, 404), ({"embeddable": False}, 401)],
)
def test_oembed_for_private_removed_or_unembeddable(client, video_item, settings, state, status):
    Item.objects.filter(pk=video_item.pk).update(**state)
    assert oembed(client, settings.SITE_URL + video_item.get_absolute_url()).status_code == status


def test_oembed_unsupported_format(client, video_item, settings):
    assert oembed(client, settings.SITE_URL + video_item.get_absolute_url(), format="yaml").status_code == 501
