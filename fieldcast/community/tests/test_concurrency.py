"""Votes and favorites under concurrency: members voting, flipping, double-clicking and
keeping the same item at once, each request in its own thread and database connection.
Afterwards the counters equal the rows. Run against PostgreSQL (SQLite serialises writers)."""

from __future__ import annotations

from itertools import zip_longest

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from fieldcast.community.models import Favorite, ItemVote
from fieldcast.community.services_social import item_favorite_set, item_vote_set
from fieldcast.core.testing.concurrency import run_concurrently
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL): SQLite serialises all writes"
    ),
]

MEMBERS = 6
ROUNDS = 6
# Each member's votes in order (up, flip to down, withdraw, ...) and favorites (keep, drop, ...),
# each member starting at another point of the plan; everyone ends with the last entries.
VOTE_PLAN = [1, -1, 0, -1, 1, 1, 0, 1]
FAVORITE_PLAN = ["1", "1", "0", "1", "0", "0"]
FINAL_VOTE, FINAL_KEEP = -1, "1"


def rotated(plan: list, offset: int) -> list:
    offset %= len(plan)
    return plan[offset:] + plan[:offset]


def assert_counters_match_rows(item: Item) -> None:
    """Refreshes `item`, then compares its counters with the rows."""
    item.refresh_from_db()
    total = ItemVote.objects.filter(item=item).aggregate(total=Sum("value"))["total"] or 0
    assert item.vote_score == total
    assert item.favorites_count == Favorite.objects.filter(item=item).count()


def test_members_vote_flip_double_click_and_keep_at_once(settings):
    settings.VOTE_RATE_LIMIT_PER_MINUTE = 10_000
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 10_000
    item = ItemFactory(title="Contested footage")
    members = [UserFactory(username=f"crowd{n}") for n in range(MEMBERS)]
    vote_url = reverse("social:vote", kwargs={"public_id": item.public_id})
    favorite_url = reverse("social:favorite", kwargs={"public_id": item.public_id})

    def member_clicks(n: int) -> None:
        # Two threads per member: every click arrives twice at once, as a double click.
        member = members[n // 2]
        client = Client()
        client.force_login(member)
        votes = [*rotated(VOTE_PLAN, n // 2), FINAL_VOTE]
        keeps = [*rotated(FAVORITE_PLAN, n // 2), FINAL_KEEP]
        for value, keep in zip_longest(votes, keeps):
            if value is not None:
                response = client.post(vote_url, {"value": str(value)}, HTTP_HX_REQUEST="true")
                assert response.status_code == 200, response.content
            if keep is not None:
                response = client.post(favorite_url, {"favorite": keep}, HTTP_HX_REQUEST="true")
                assert response.status_code == 200, response.content

    run_concurrently(member_clicks, MEMBERS * 2, timeout=300)
    assert_counters_match_rows(item)
    # Every member's last vote is down and their last wish is to keep it.
    assert ItemVote.objects.filter(item=item).count() == MEMBERS
    assert item.vote_score == MEMBERS * FINAL_VOTE
    assert item.favorites_count == MEMBERS


def test_the_same_member_clicking_eight_times_at_once_counts_once():
    item = ItemFactory()
    member = UserFactory(username="clicker")

    def click(n: int) -> None:
        item_vote_set(item=item, user=member, value=1)
        item_favorite_set(item=item, user=member, favorite=True)

    run_concurrently(click, 8, timeout=300)
    assert_counters_match_rows(item)
    assert (item.vote_score, item.favorites_count) == (1, 1)

    def flip(n: int) -> None:
        item_vote_set(item=item, user=member, value=-1 if n % 2 else 1)
        item_favorite_set(item=item, user=member, favorite=bool(n % 2))

    run_concurrently(flip, 8, timeout=300)
    assert_counters_match_rows(item)
    assert item.vote_score in (1, -1)


def test_many_members_at_once_add_up():
    item = ItemFactory()
    members = [UserFactory(username=f"voter{n}") for n in range(12)]

    def vote(n: int) -> None:
        for _ in range(ROUNDS):
            item_vote_set(item=item, user=members[n], value=1 if n % 3 else -1)
            item_favorite_set(item=item, user=members[n], favorite=n % 2 == 0)

    run_concurrently(vote, len(members), timeout=300)
    assert_counters_match_rows(item)
    assert item.vote_score == 8 - 4
    assert item.favorites_count == 6
