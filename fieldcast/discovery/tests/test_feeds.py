"""RSS 2.0 and Atom feeds: parsed with feedparser, access layer, media, query counts."""

from __future__ import annotations

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from fieldcast.channels.models import Channel, ChannelItem
from fieldcast.core.testing.factories import ChannelFactory, attach_video_rows
from fieldcast.items.models import Item, Tag

pytestmark = pytest.mark.django_db

SITE = "https://fieldcast.example"


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.SAFE_MODE_POLICY = "blur"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = ""


@pytest.fixture
def world(member, item_factory):
    """Listed items of every kind, and items that must never reach a feed."""
    channel = ChannelFactory(name="Syria", slug="syria")
    video = item_factory(
        author=member,
        title="Shelling in Homs",
        body="Footage **filmed** at dawn. <script>alert(1)</script>",
        tags=["Homs", "shelling"],
        location_label="Homs, Syria",
    )
    asset = attach_video_rows(video)
    asset.renditions.filter(profile="mp4").update(size=123456, width=1280, height=720)
    text = item_factory(author=member, title="نص عربي", body="تقرير مكتوب", tags=["Homs"])
    ma = item_factory(
        author=member,
        title="Aftermath",
        body="SECRET GORE DETAILS",
        rating="MA",
        content_warning="Bodies",
        tags=["Homs"],
    )
    attach_video_rows(ma)
    hidden = [
        item_factory(author=member, title="Private one", visibility="private", tags=["Homs"]),
        item_factory(author=member, title="Unlisted one", visibility="unlisted", tags=["Homs"]),
        item_factory(author=member, title="Removed one", moderation="removed", tags=["Homs"]),
        item_factory(author=member, title="Held one", moderation="held", tags=["Homs"]),
        item_factory(author=member, title="Draft one", lifecycle="draft", tags=["Homs"]),
    ]
    for item in [video, text, ma, *hidden]:
        ChannelItem.objects.create(channel=channel, item=item)
    return {"channel": channel, "video": video, "text": text, "ma": ma, "hidden": hidden, "asset": asset}


def feed_urls(world, member):
    homs = Tag.objects.get(name="Homs").key
    for fmt in ("rss", "atom"):
        yield reverse(f"discovery:latest_{fmt}")
        yield reverse(f"discovery:channel_{fmt}", kwargs={"slug": "syria"})
        yield reverse(f"discovery:tag_{fmt}", kwargs={"key": homs})
        yield reverse(f"discovery:member_{fmt}", kwargs={"username": member.username})


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return response, parsed


def test_every_feed_parses_and_lists_only_what_an_anonymous_visitor_may_see(client, world, member):
    for url in feed_urls(world, member):
        response, parsed = parse(client, url)
        expected = "rss20" if url.endswith(".rss") else "atom10"
        assert parsed.version == expected
        assert "public" in response["Cache-Control"]
        titles = {entry.title for entry in parsed.entries}
        assert titles == {"Shelling in Homs", "نص عربي", "[MA] Aftermath"}, url
        assert parsed.feed.link.startswith(SITE)
        body = response.content.decode()
        for hidden in world["hidden"]:
            assert hidden.title not in body
            assert hidden.public_id not in body


def test_an_entry_has_link_author_date_categories_enclosure_and_media_rss(client, world):
    for fmt in ("rss", "atom"):
        _, parsed = parse(client, reverse(f"discovery:latest_{fmt}"))
        entry = next(e for e in parsed.entries if e.title == "Shelling in Homs")
        video = world["video"]
        assert entry.link == SITE + video.get_absolute_url()
        assert entry.author == video.author.public_name
        assert entry.published_parsed is not None
        assert {t.term for t in entry.tags} == {"Homs", "shelling"}
        media_url = f"{SITE}/feeds/media/{video.public_id}/video.mp4"
        enclosure = next(link for link in entry.links if link.rel == "enclosure")
        assert enclosure.href == media_url
        assert enclosure.type == "video/mp4"
        assert str(enclosure.length) == "123456"
        assert entry.media_content[0]["url"] == media_url
        assert entry.media_content[0]["duration"] == "12"
        assert entry.media_thumbnail[0]["url"] == f"{SITE}/feeds/media/{video.public_id}/thumb.jpg"
        # The body, sanitised: markup kept, scripts gone; the location too.
        assert "<strong>filmed</strong>" in entry.summary
        assert "<script" not in entry.summary
        assert "Homs, Syria" in entry.summary


def test_an_ma_entry_has_its_warning_but_no_body_and_no_media(client, world):
    ma = world["ma"]
    for fmt in ("rss", "atom"):
        response, parsed = parse(client, reverse(f"discovery:latest_{fmt}"))
        entry = next(e for e in parsed.entries if e.title == "[MA] Aftermath")
        assert "Bodies" in entry.summary
        assert "confirm your age" in entry.summary
        assert not [link for link in entry.links if link.rel == "enclosure"]
        assert "media_content" not in entry
        assert "media_thumbnail" not in entry
        body = response.content.decode()
        assert "SECRET GORE DETAILS" not in body
        assert f"/feeds/media/{ma.public_id}/" not in body


def test_under_the_hide_policy_ma_items_are_not_in_feeds(client, world, settings):
    settings.SAFE_MODE_POLICY = "hide"
    _, parsed = parse(client, reverse("discovery:latest_rss"))
    assert "[MA] Aftermath" not in {e.title for e in parsed.entries}


def test_arabic_text_comes_through_intact(client, world):
    _, parsed = parse(client, reverse("discovery:latest_atom"))
    entry = next(e for e in parsed.entries if e.title == "نص عربي")
    assert "تقرير مكتوب" in entry.summary


def test_unknown_channel_tag_or_member_is_404(client, world, member):
    member.is_active = False
    member.save()
    for url in [
        reverse("discovery:channel_rss", kwargs={"slug": "nowhere"}),
        reverse("discovery:tag_atom", kwargs={"key": "nothing-here"}),
        reverse("discovery:member_rss", kwargs={"username": "ghost"}),
        reverse("discovery:member_rss", kwargs={"username": member.username}),  # deactivated
    ]:
        assert client.get(url).status_code == 404, url


def test_a_personal_channel_has_no_channel_feed(client, world, member):
    personal = Channel.objects.filter(kind="personal", owner=member).first() or ChannelFactory(
        kind="personal", owner=member, slug="member-personal"
    )
    assert client.get(reverse("discovery:channel_rss", kwargs={"slug": personal.slug})).status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_feeds_cost_a_fixed_number_of_queries(client, member, item_factory, django_assert_max_num_queries, count):
    channel = ChannelFactory(slug="fixed")
    for n in range(count):
        item = item_factory(author=member, title=f"Item {n}", tags=[f"t{n}", "common"])
        attach_video_rows(item)
        ChannelItem.objects.create(channel=channel, item=item)
    key = Tag.objects.get(name="common").key
    urls = [
        reverse("discovery:latest_rss"),
        reverse("discovery:channel_atom", kwargs={"slug": "fixed"}),
        reverse("discovery:tag_rss", kwargs={"key": key}),
        reverse("discovery:member_atom", kwargs={"username": member.username}),
    ]
    for url in urls:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200


def test_feed_media_serves_the_public_file_of_a_listed_item(client, world):
    video = world["video"]
    mp4 = world["asset"].renditions.get(profile="mp4")
    default_storage.save(mp4.path, ContentFile(b"\x00\x00\x00\x18ftypmp42 fake video"))
    response = client.get(reverse("discovery:feed_media", kwargs={"public_id": video.public_id, "name": "video.mp4"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Cache-Control"].startswith("public")
    assert b"".join(response.streaming_content).endswith(b"fake video")  # type: ignore[attr-defined]


def test_feed_media_refuses_ma_private_removed_and_unknown_names(client, world):
    refused = [(world["ma"], "video.mp4"), (world["ma"], "thumb.jpg"), (world["video"], "original.mp4")]
    refused += [(item, "video.mp4") for item in world["hidden"]]
    refused.append((world["text"], "video.mp4"))  # no video at all
    for item, name in refused:
        url = reverse("discovery:feed_media", kwargs={"public_id": item.public_id, "name": name})
        assert client.get(url).status_code == 404, (item.title, name)


def test_feed_media_stops_at_once_when_the_item_is_removed(client, world):
    video = world["video"]
    url = reverse("discovery:feed_media", kwargs={"public_id": video.public_id, "name": "thumb.jpg"})
    poster = world["asset"].renditions.get(profile="poster")
    default_storage.save(poster.path, ContentFile(b"\xff\xd8\xff jpeg"))
    assert client.get(url).status_code == 200
    Item.objects.filter(pk=video.pk).update(moderation="removed")
    assert client.get(url).status_code == 404


def test_pages_link_to_their_feeds(client, world, member):
    homs = Tag.objects.get(name="Homs")
    pages = {
        reverse("home"): reverse("discovery:latest_rss"),
        reverse("channels:detail", kwargs={"slug": "syria"}): reverse(
            "discovery:channel_rss", kwargs={"slug": "syria"}
        ),
        homs.get_absolute_url(): reverse("discovery:tag_rss", kwargs={"key": homs.key}),
        reverse("accounts:profile", kwargs={"username": member.username}): reverse(
            "discovery:member_rss", kwargs={"username": member.username}
        ),
    }
    for page, feed in pages.items():
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/rss+xml"' in html, page
        assert feed in html, page


def test_a_search_feed_lists_matching_listed_items_newest_first(client, world):
    for fmt in ("rss", "atom"):
        response, parsed = parse(client, reverse(f"discovery:search_{fmt}") + "?q=homs")
        # Titles, bodies and tags are searched ("Homs" is a tag of all three), newest first.
        assert [e.title for e in parsed.entries] == ["[MA] Aftermath", "نص عربي", "Shelling in Homs"]
        _, parsed = parse(client, reverse(f"discovery:search_{fmt}") + "?q=dawn")
        assert [e.title for e in parsed.entries] == ["Shelling in Homs"]
        body = response.content.decode()
        for hidden in world["hidden"]:
            assert hidden.public_id not in body
        assert parsed.feed.link.endswith("/search?q=dawn")


def test_a_search_feed_validates_its_query(client, world):
    for fmt in ("rss", "atom"):
        url = reverse(f"discovery:search_{fmt}")
        for q in ["", "   ", '"" - -', "x" * 501]:
            response = client.get(url, {"q": q})
            assert response.status_code == 400, q
            assert response["Content-Type"].startswith("text/plain")
            assert response.content
        assert client.get(url).status_code == 400
        # Operators and injection-style text are words or nothing, never an error.
        for q in ["homs' OR 1=1 --", "NEAR(homs)", "homs*", "<script>alert(1)</script>", "title:homs ^ AND"]:
            assert client.get(url, {"q": q}).status_code == 200, q
