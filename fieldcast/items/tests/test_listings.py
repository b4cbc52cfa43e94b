"""Home, channel, tag and member pages: keyset pagination and fixed query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fieldcast.channels.services import channel_add_item
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, UserFactory, attach_video_rows


@pytest.fixture
def many_items(db, settings):
    settings.PAGE_SIZE = 5
    author = UserFactory(username="reporter")
    channel = ChannelFactory(slug="protests", name="Protests", owner=author)
    featured = ChannelFactory(slug="featured", name="Featured", kind="editorial")
    staff = UserFactory(username="editor", is_staff=True)
    start = timezone.now() - datetime.timedelta(days=1)
    items = []
    for n in range(12):
        item = ItemFactory(
            author=author,
            title=f"Report {n:02d}",
            tags=["march", f"t{n}"],
            added_at=start + datetime.timedelta(minutes=n),
        )
        channel_add_item(channel=channel, item=item, actor=author)
        attach_video_rows(item)
        if n % 4 == 0:
            channel_add_item(channel=featured, item=item, actor=staff)
        items.append(item)
    return items


def titles(response):
    return [item.title for item in response.context["page"].items]


def test_home_pages_through_every_item_once(client, many_items):
    seen: list[str] = []
    url: str | None = reverse("home")
    while url:
        response = client.get(url)
        seen += titles(response)
        cursor = response.context["page"].next_cursor
        url = f"{reverse('home')}?after={cursor}" if cursor else None
    assert seen == [f"Report {n:02d}" for n in reversed(range(12))]


def test_pagination_survives_new_items(client, many_items):
    first = client.get(reverse("home"))
    ItemFactory(title="Breaking", added_at=timezone.now())
    second = client.get(f"{reverse('home')}?after={first.context['page'].next_cursor}")
    assert titles(second) == [f"Report {n:02d}" for n in (6, 5, 4, 3, 2)]


def test_bad_cursor_gives_the_first_page(client, many_items):
    response = client.get(reverse("home") + "?after=%%%garbage")
    assert response.status_code == 200
    assert titles(response)[0] == "Report 11"


def test_home_shows_featured(client, many_items):
    response = client.get(reverse("home"))
    assert [i.title for i in response.context["featured"]] == ["Report 08", "Report 04", "Report 00"]


@pytest.mark.parametrize(
    ("url", "max_queries"),
    [
        # Per list: items, tags, assets, renditions; plus the page's own lookups.
        # home: the Featured, Must See and Popular now shelves (discovery.trending.popular_items: 3)
        (reverse("home"), 13),
        (reverse("channels:detail", kwargs={"slug": "protests"}), 5),
        (reverse("items:tag", kwargs={"key": "march"}), 5),
        # the member page adds the member and their figures (items and plays, comments)
        (reverse("accounts:profile", kwargs={"username": "reporter"}), 7),
    ],
)
def test_lists_run_a_fixed_number_of_queries(client, many_items, url, max_queries, django_assert_max_num_queries):
    with django_assert_max_num_queries(max_queries):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].items) == 5


def test_cards_show_posters_through_signed_urls(client, many_items):
    body = client.get(reverse("home")).content.decode()
    assert body.count('<img src="/m/') == 5 + 3  # recent page + Featured shelf


def test_channel_lists_in_filing_order(client, many_items):
    response = client.get(reverse("channels:detail", kwargs={"slug": "protests"}))
    assert titles(response)[0] == "Report 11"
    assert "Protests" in response.content.decode()


def test_personal_channel_lives_at_the_member_page(client, many_items):
    from fieldcast.channels.models import Channel

    personal = Channel.objects.get(kind="personal", owner__username="reporter")
    response = client.get(reverse("channels:detail", kwargs={"slug": personal.slug}))
    assert response.status_code == 301
    assert response["Location"] == "/u/reporter"


def test_unknown_pages_are_404(client, db):
    assert client.get("/c/nothing-here").status_code == 404
    assert client.get("/u/nobody").status_code == 404
    assert client.get("/tag/nothing").status_code == 404


def test_tag_urls_fold_case(client, many_items):
    response = client.get("/tag/MARCH")
    assert response.status_code == 301
    assert response["Location"] == "/tag/march"


def test_terms_and_privacy_pages(client, db):
    assert "Terms of use" in client.get("/terms").content.decode()
    assert "Privacy" in client.get("/privacy").content.decode()


def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


def test_pages_with_equal_dates_keep_every_item_once(client, settings, db):
    settings.PAGE_SIZE = 3
    at = timezone.now() - datetime.timedelta(hours=1)
    for n in range(8):  # one instant for all: the id breaks the ties
        ItemFactory(title=f"Same {n}", added_at=at)
    seen: list[str] = []
    url: str | None = reverse("home")
    while url:
        response = client.get(url)
        seen += titles(response)
        cursor = response.context["page"].next_cursor
        url = f"{reverse('home')}?after={cursor}" if cursor else None
    assert seen == [f"Same {n}" for n in reversed(range(8))]


def test_a_deep_page_starts_at_its_cursor(client, many_items):
    """The cursor's date bounds the query on its own, so the index range starts there
    (the tie-breaking OR alone would make the database read every newer row first)."""
    first = client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{reverse('home')}?after={first.context['page'].next_cursor}")
    assert any('"items_item"."added_at" <=' in q["sql"] for q in queries.captured_queries)
