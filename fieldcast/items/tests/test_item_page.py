"""The item page shows every element of the reference page, in its order."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from fieldcast.channels.services import channel_add_item
from fieldcast.community.services import comment_create
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, PlaceFactory, UserFactory, attach_video_rows
from fieldcast.items.models import Item


@pytest.fixture
def reference_item(db):
    author = UserFactory(username="nutsflipped")
    PlaceFactory(name="Syria", kind="country", country_code="SY", country_name="Syria", latitude=35.0, longitude=38.0)
    syria = ChannelFactory(name="Syria", slug="syria", is_current_event=True, owner=author)
    item = ItemFactory(
        author=author,
        title="The Battle of Qalamoun Has Started",
        body="Fighting began at dawn.\n\nA [report](https://example.org/report) follows.",
        rating="PG",
        occurred_on=datetime.date(2013, 10, 19),
        occurred_precision="day",
        location_label="Syria",
        tags=["Syria", "qalamoon", "Qalamoun", "battle", "SYRIA"],
    )
    channel_add_item(channel=syria, item=item, actor=author)
    Item.objects.filter(pk=item.pk).update(plays_count=3425, views_count=5460, vote_score=4, favorites_count=1)
    item.refresh_from_db()
    return item


def test_every_reference_element_in_order(client, reference_item):
    html = client.get(reference_item.get_absolute_url()).content.decode()
    body = html[html.index("<body") :]
    markers = [
        "Safe Mode: <strong>On</strong>",
        "The Battle of Qalamoun Has Started",
        "Part of channel(s):",
        "(current event)",
        "Loading the player",
        "Embed Code",
        "Switch Player",
        "Plays: <strong>3425</strong> (Embed: 0)",
        "Fighting began at dawn.",
        "Added:",
        "Occurred On:",
        "Oct-19-2013",
        "By:",
        'href="/u/nutsflipped"',
        "Tags:",
        "Location:",
        "(load item map)",
        'Views: 5460 | Comments: 0 | Votes: <span id="social-votes">4</span> | Favorites: '
        '<span id="social-favorites">1</span> | Shared: 0 | Updates: 0 | Times used in channels: 1',
        "You need to be registered in order to add comments!",
    ]
    positions = [body.find(m) for m in markers]
    missing = [m for m, p in zip(markers, positions, strict=True) if p < 0]
    assert not missing
    assert positions == sorted(positions)


def test_tags_are_deduplicated_case_insensitively(client, reference_item):
    body = client.get(reference_item.get_absolute_url()).content.decode()
    assert [link.tag.name for link in reference_item.tag_links.select_related("tag")] == [
        "Syria",
        "qalamoon",
        "Qalamoun",
        "battle",
    ]
    assert 'href="/tag/syria"' in body


def test_open_graph_and_twitter_tags(client, reference_item):
    body = client.get(reference_item.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="The Battle of Qalamoun Has Started">' in body
    assert 'name="twitter:card"' in body


def test_slug_is_cosmetic_and_redirects_to_canonical(client, reference_item):
    url = reverse("items:detail", kwargs={"public_id": reference_item.public_id, "slug": "wrong-words"})
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == reference_item.get_absolute_url()
    short = client.get(reverse("items:detail_short", kwargs={"public_id": reference_item.public_id}))
    assert short.status_code == 301


def test_unknown_item_gives_the_404_page(client, db):
    response = client.get("/v/AAAAAAAAAA/whatever")
    assert response.status_code == 404
    assert "No item has this address." in response.content.decode()


def test_arabic_title_and_body_round_trip(client, db):
    title = "بدء معركة القلمون"
    item = ItemFactory(title=title, body="اشتباكات عنيفة في **يبرود** صباح اليوم", tags=["سوريا", "القلمون"])
    assert item.slug == "بدء-معركة-القلمون"
    response = client.get(item.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert title in body
    assert "<strong>يبرود</strong>" in body
    assert 'dir="auto"' in body
    tag_page = client.get(reverse("items:tag", kwargs={"key": "سوريا"}))
    assert title in tag_page.content.decode()


def test_body_html_is_sanitised(client, db):
    item = ItemFactory(body="<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> **ok**")
    html = client.get(item.get_absolute_url()).content.decode()
    body = html[html.index('<section class="article-body"') :]
    assert "<script>alert(1)" not in body
    assert "javascript:alert" not in body
    assert "onerror" not in body
    assert "<strong>ok</strong>" in body


def test_title_is_escaped(client, db):
    item = ItemFactory(title='<b onmouseover="x">Title</b>')
    body = client.get(item.get_absolute_url()).content.decode()
    assert '<b onmouseover="x">' not in body
    assert "&lt;b onmouseover=" in body


@pytest.mark.parametrize(
    ("precision", "date", "time", "tz", "shown"),
    [
        ("day", datetime.date(2022, 2, 24), None, "", "Feb-24-2022"),
        ("day", datetime.date(2022, 2, 24), datetime.time(5, 7), "Europe/Kyiv", "Feb-24-2022 05:07 (Europe/Kyiv)"),
        ("month", datetime.date(2022, 2, 24), None, "", "Feb-2022"),
        ("year", datetime.date(2022, 2, 24), None, "", "2022"),
        ("unknown", None, None, "", "Unknown"),
    ],
)
def test_occurred_on_respects_precision(client, db, precision, date, time, tz, shown):
    item = ItemFactory(occurred_precision=precision, occurred_on=date, occurred_time=time, occurred_tz=tz)
    body = client.get(item.get_absolute_url()).content.decode()
    assert f"<dt>Occurred On:</dt> <dd>{shown}</dd>" in body


def test_member_sees_the_comment_form_and_posts(client, member, reference_item):
    client.force_login(member)
    page = client.get(reference_item.get_absolute_url()).content.decode()
    assert "You need to be registered" not in page
    response = client.post(
        reverse("community:comment_post", kwargs={"public_id": reference_item.public_id}),
        {"body": "Confirmed by **two** sources"},
    )
    assert response.status_code == 302
    page = client.get(reference_item.get_absolute_url()).content.decode()
    assert "Confirmed by <strong>two</strong> sources" in page
    assert "Comments: 1 |" in page


def test_guest_cannot_post_comments(client, reference_item):
    response = client.post(
        reverse("community:comment_post", kwargs={"public_id": reference_item.public_id}), {"body": "hi"}
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert reference_item.comments.count() == 0


def test_empty_comment_is_refused_with_a_message(client, member, reference_item):
    client.force_login(member)
    response = client.post(
        reverse("community:comment_post", kwargs={"public_id": reference_item.public_id}), {"body": ""}
    )
    assert response.status_code == 400
    assert "Write something before posting." in response.content.decode()


def test_item_page_query_count_is_fixed(client, reference_item, django_assert_max_num_queries):
    other = UserFactory(username="commenter")
    attach_video_rows(reference_item)
    attach_video_rows(reference_item, position=1)
    for n in range(5):
        comment_create(item=reference_item, author=other, body=f"comment {n}")
        ItemFactory(update_of=reference_item)
    with django_assert_max_num_queries(9):
        response = client.get(reference_item.get_absolute_url())
    assert response.status_code == 200
    assert "comment 4" in response.content.decode()


def test_player_gets_signed_sources_and_more_videos_follow(client, reference_item):
    attach_video_rows(reference_item)
    attach_video_rows(reference_item, position=1)
    body = client.get(reference_item.get_absolute_url()).content.decode()
    assert 'data-hls="/m/' in body
    assert 'data-mp4="/m/' in body
    assert 'data-vtt="/m/' in body
    assert body.count('data-sources="1"') == 2
    assert "vendor/hls.min.js" in body


def test_follow_ups_are_linked_both_ways(client, reference_item):
    update = ItemFactory(title="Second day of fighting", update_of=reference_item)
    reference_item.refresh_from_db()
    assert reference_item.updates_count == 1
    body = client.get(reference_item.get_absolute_url()).content.decode()
    assert "Second day of fighting" in body
    assert "Updates: 1 |" in body
    assert reference_item.title in client.get(update.get_absolute_url()).content.decode()


def test_removing_the_last_file_makes_the_item_a_text_report(db):
    from fieldcast.items.services import item_refresh_lifecycle
    from fieldcast.media.services.attach import item_remove_asset

    item = ItemFactory(lifecycle="processing")
    asset = attach_video_rows(item)
    item_remove_asset(item=item, asset=asset)
    item_refresh_lifecycle(item_id=item.pk)
    item.refresh_from_db()
    assert item.lifecycle == "ready"


def test_unfinished_items_carry_no_event_token(client, db):
    item = ItemFactory(lifecycle="processing")
    client.force_login(item.author)
    body = client.get(item.get_absolute_url()).content.decode()
    assert "data-event-token" not in body


def test_files_attached_later_follow_the_first(db):
    from fieldcast.media.models import MediaAsset
    from fieldcast.media.services.attach import item_attach_assets

    item = ItemFactory()
    first = MediaAsset.objects.create(owner=item.author, original_name="first.mp4")
    second = MediaAsset.objects.create(owner=item.author, original_name="second.jpg")
    item_attach_assets(item=item, assets=[first])
    item_attach_assets(item=item, assets=[second])
    assert list(MediaAsset.objects.filter(item=item).order_by("position").values_list("position", flat=True)) == [0, 1]
