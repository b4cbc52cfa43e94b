"""The list pages (/popular, /top, /discussed), the home shelf and the header link."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.discovery.models import TrendingScore
from fieldcast.items.counters import item_counter_add

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.title for item in response.context["page"].items]


def trending(item, score_24h: float, score_7d: float | None = None) -> None:  # type: ignore[no-untyped-def]
    TrendingScore.objects.create(item=item, score_24h=score_24h, score_7d=score_7d or score_24h)


def counters(item, **deltas: int) -> None:  # type: ignore[no-untyped-def]
    for field, delta in deltas.items():
        item_counter_add(item_id=item.pk, field=field, delta=delta)


@pytest.fixture
def hidden_world(settings):  # type: ignore[no-untyped-def]
    """A listed GA item and three that no list may show a guest under Safe Mode `hide`:
    MA, private and removed; each popular, top rated and discussed."""
    settings.SAFE_MODE_POLICY = "hide"
    items = {
        "ga": ItemFactory(title="Listed street footage"),
        "ma": ItemFactory(title="MA footage", rating="MA"),
        "private": ItemFactory(title="Private footage", visibility="private"),
        "removed": ItemFactory(title="Removed footage", moderation="removed"),
    }
    for n, item in enumerate(items.values()):
        trending(item, 10.0 + n)
        counters(item, vote_score=5 + n, comments_count=3 + n)
    return items


@pytest.mark.parametrize("name", ["discovery:popular", "discovery:top", "discovery:discussed"])
def test_lists_go_through_the_access_layer(client, hidden_world, name, member):
    for who in ("guest", "member"):
        if who == "member":
            client.force_login(member)
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert titles(response) == ["Listed street footage"], who
        html = response.content.decode()
        for hidden in ("MA footage", "Private footage", "Removed footage"):
            assert hidden not in html


def test_private_and_removed_stay_out_even_for_their_author(client, hidden_world):
    client.force_login(hidden_world["private"].author)
    assert "Private footage" not in titles(client.get(reverse("discovery:popular")))


def test_popular_orders_by_score_and_switches_period(client):
    a, b, c = ItemFactory(title="A"), ItemFactory(title="B"), ItemFactory(title="C")
    trending(a, 1.0, 50.0)
    trending(b, 9.0, 10.0)
    trending(c, 0.0, 30.0)  # quiet today: only in the week's list
    response = client.get(reverse("discovery:popular"))
    assert titles(response) == ["B", "A"]
    assert 'aria-current="true"' in response.content.decode()
    assert titles(client.get(reverse("discovery:popular") + "?period=7d")) == ["A", "C", "B"]
    # An unknown period is the default one, never an error.
    assert titles(client.get(reverse("discovery:popular") + "?period=1y%27--")) == ["B", "A"]


def test_top_and_discussed_rank_items_added_in_the_period(client):
    old = ItemFactory(title="Old", added_at=timezone.now() - datetime.timedelta(days=40))
    fresh = ItemFactory(title="Fresh")
    quiet = ItemFactory(title="Quiet")
    counters(old, vote_score=100, comments_count=100)
    counters(fresh, vote_score=3, comments_count=2)
    counters(quiet, vote_score=-1)
    assert titles(client.get(reverse("discovery:top"))) == ["Fresh", "Quiet"]
    assert titles(client.get(reverse("discovery:top") + "?period=all")) == ["Old", "Fresh", "Quiet"]
    assert titles(client.get(reverse("discovery:discussed"))) == ["Fresh"]  # only items with comments
    assert titles(client.get(reverse("discovery:discussed") + "?period=all")) == ["Old", "Fresh"]


def test_pages_follow_the_cursor_and_keep_the_period(client, settings):
    settings.PAGE_SIZE = 2
    for n in range(5):
        counters(ItemFactory(title=f"Item {n}"), vote_score=n % 3)  # ties on the score: the id breaks them
    seen: list[str] = []
    url = reverse("discovery:top") + "?period=all"
    while url:
        response = client.get(url)
        seen += titles(response)
        cursor = response.context["page"].next_cursor
        if cursor:
            assert f"?period=all&amp;after={cursor}" in response.content.decode()
        url = reverse("discovery:top") + f"?period=all&after={cursor}" if cursor else ""
    assert seen == ["Item 2", "Item 4", "Item 1", "Item 3", "Item 0"]
    # A broken cursor is the first page.
    assert titles(client.get(reverse("discovery:top") + "?after=%%%")) == ["Item 2", "Item 4"]


def test_popular_cursor_pages_through_float_scores(client, settings):
    settings.PAGE_SIZE = 2
    for n in range(5):
        trending(ItemFactory(title=f"P{n}"), 1.0 / (n + 1))
    first = client.get(reverse("discovery:popular"))
    second = client.get(reverse("discovery:popular") + f"?after={first.context['page'].next_cursor}")
    third = client.get(reverse("discovery:popular") + f"?after={second.context['page'].next_cursor}")
    assert titles(first) + titles(second) + titles(third) == ["P0", "P1", "P2", "P3", "P4"]


@pytest.mark.parametrize("name", ["discovery:popular", "discovery:top", "discovery:discussed"])
def test_list_pages_run_a_fixed_number_of_queries(client, name, django_assert_max_num_queries, settings):
    from fieldcast.core.testing.factories import attach_video_rows

    settings.PAGE_SIZE = 5
    for n in range(12):
        item = ItemFactory(title=f"Busy {n}", tags=["a", "b"])
        attach_video_rows(item)
        trending(item, n + 1.0)
        counters(item, vote_score=n, comments_count=n + 1)
    client.get(reverse(name))  # session, caches
    # items, tags, assets, renditions (+ the session lookups of the middleware)
    with django_assert_max_num_queries(6):
        response = client.get(reverse(name))
    assert len(response.context["page"].items) == 5


def test_home_shows_the_popular_shelf_and_the_header_links_the_lists(client):
    hot = ItemFactory(title="Hot right now")
    ItemFactory(title="Not popular")
    trending(hot, 5.0)
    response = client.get(reverse("home"))
    assert [i.title for i in response.context["popular"]] == ["Hot right now"]
    html = response.content.decode()
    assert "Popular now" in html
    assert f'href="{reverse("discovery:popular")}"' in html
    # Deeper pages of the home list skip the shelves.
    assert client.get(reverse("home") + "?after=xyz").context["popular"] == []
    page = client.get(reverse("discovery:top")).content.decode()
    # The header's "Popular" leads to the three lists: current on each of them.
    assert f'<a href="{reverse("discovery:popular")}" aria-current="page">Popular</a>' in page
    assert 'aria-current="page">Top rated</a>' in page


def test_home_shelf_falls_back_to_the_week(client):
    week = ItemFactory(title="Big this week")
    trending(week, 0.0, 12.0)
    assert [i.title for i in client.get(reverse("home")).context["popular"]] == ["Big this week"]
