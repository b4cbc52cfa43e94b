"""sitemap.xml (index and sections, with Google video entries) and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from fieldcast.channels.models import ChannelItem
from fieldcast.core.testing.factories import ChannelFactory, attach_video_rows

pytestmark = pytest.mark.django_db

SITE = "https://fieldcast.example"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "video": "http://www.google.com/schemas/sitemap-video/1.1"}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.SAFE_MODE_POLICY = "blur"


@pytest.fixture
def world(member, item_factory):
    channel = ChannelFactory(name="Syria", slug="syria")
    video = item_factory(author=member, title="Shelling & <Homs>", body="At *dawn*.", tags=["Homs", "shelling"])
    attach_video_rows(video)
    pg = item_factory(author=member, title="Crowd", rating="PG", tags=["protest"])
    attach_video_rows(pg)
    ma = item_factory(author=member, title="Aftermath", rating="MA", tags=["gore-only"])
    attach_video_rows(ma)
    text = item_factory(author=member, title="Written report")
    hidden = [
        item_factory(author=member, title="Private", visibility="private", tags=["secret-tag"]),
        item_factory(author=member, title="Removed", moderation="removed", tags=["secret-tag"]),
        item_factory(author=member, title="Unlisted", visibility="unlisted", tags=["secret-tag"]),
    ]
    ChannelItem.objects.create(channel=channel, item=video)
    return {"channel": channel, "video": video, "pg": pg, "ma": ma, "text": text, "hidden": hidden}


def get_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own output)


def section(client, name):
    root = get_xml(client, reverse("discovery:sitemap_section", kwargs={"section": name}))
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {url.findtext("sm:loc", namespaces=NS): url for url in root.findall("sm:url", NS)}


def test_the_index_lists_every_section_on_site_url(client, world):
    root = get_xml(client, reverse("discovery:sitemap"))
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    locations = [s.findtext("sm:loc", namespaces=NS) for s in root.findall("sm:sitemap", NS)]
    assert locations == [f"{SITE}/sitemap-{name}.xml" for name in ("pages", "items", "channels", "tags")]


def test_items_are_the_listed_ones_with_video_entries(client, world):
    urls = section(client, "items")
    video, pg, ma, text = world["video"], world["pg"], world["ma"], world["text"]
    assert set(urls) == {SITE + i.get_absolute_url() for i in (video, pg, ma, text)}

    entry = urls[SITE + video.get_absolute_url()].find("video:video", NS)
    assert entry is not None
    assert entry.findtext("video:title", namespaces=NS) == "Shelling & <Homs>"  # escaped, parsed back
    assert entry.findtext("video:description", namespaces=NS) == "At dawn."
    assert entry.findtext("video:thumbnail_loc", namespaces=NS) == f"{SITE}/feeds/media/{video.public_id}/thumb.jpg"
    assert entry.findtext("video:content_loc", namespaces=NS) == f"{SITE}/feeds/media/{video.public_id}/video.mp4"
    assert entry.findtext("video:player_loc", namespaces=NS) == f"{SITE}/embed/{video.public_id}"
    assert entry.findtext("video:duration", namespaces=NS) == "12"
    assert entry.findtext("video:family_friendly", namespaces=NS) == "yes"
    assert {t.text for t in entry.findall("video:tag", NS)} == {"Homs", "shelling"}
    assert entry.findtext("video:publication_date", namespaces=NS)

    pg_entry = urls[SITE + pg.get_absolute_url()].find("video:video", NS)
    assert pg_entry.findtext("video:family_friendly", namespaces=NS) == "no"
    # MA: the page only (its media open after the age confirmation); a text report has no video.
    assert urls[SITE + ma.get_absolute_url()].find("video:video", NS) is None
    assert urls[SITE + text.get_absolute_url()].find("video:video", NS) is None


def test_hidden_items_and_their_tags_never_appear(client, world, settings):
    body = b"".join(
        client.get(reverse("discovery:sitemap_section", kwargs={"section": name})).content
        for name in ("items", "tags", "channels", "pages")
    ).decode()
    for item in world["hidden"]:
        assert item.public_id not in body
    assert "secret-tag" not in body
    settings.SAFE_MODE_POLICY = "hide"
    urls = section(client, "items")
    assert SITE + world["ma"].get_absolute_url() not in urls
    assert f"{SITE}/tag/gore-only" not in section(client, "tags")


def test_channels_tags_and_pages(client, world):
    assert f"{SITE}/c/syria" in section(client, "channels")
    tags = section(client, "tags")
    assert {f"{SITE}/tag/homs", f"{SITE}/tag/shelling", f"{SITE}/tag/protest"} <= set(tags)
    pages = section(client, "pages")
    assert f"{SITE}/" in pages
    assert f"{SITE}/c/" in pages


def test_unknown_section_or_page_is_404(client, world):
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-items.xml", {"p": "99"}).status_code == 404
    assert client.get("/sitemap-items.xml", {"p": "abc"}).status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_the_items_sitemap_costs_a_fixed_number_of_queries(
    client, member, item_factory, django_assert_max_num_queries, count
):
    for n in range(count):
        attach_video_rows(item_factory(author=member, title=f"Item {n}", tags=[f"t{n}"]))
    with django_assert_max_num_queries(5):
        assert client.get("/sitemap-items.xml").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/sitemap.xml").status_code == 200


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_areas(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in text
    for path in ("/me", "/moderation", "/accounts/", "/uploads", "/m/"):
        assert f"Disallow: {path}\n" in text
    assert "Disallow: /feeds" not in text  # feed media are what the video sitemap points at
