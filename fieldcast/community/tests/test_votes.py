"""Votes on items: up, down, changed and withdrawn; through the page, htmx and plain POST."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fieldcast.community.models import ItemVote
from fieldcast.community.services_social import item_favorite_set, item_vote_set
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item

HTMX = {"HTTP_HX_REQUEST": "true"}


def vote_url(item):
    return reverse("social:vote", kwargs={"public_id": item.public_id})


def score(item) -> int:
    return Item.objects.values_list("vote_score", flat=True).get(pk=item.pk)


def assert_score_matches_rows(item) -> None:
    total = ItemVote.objects.filter(item=item).aggregate(total=Sum("value"))["total"] or 0
    assert score(item) == total


def test_up_down_and_withdraw_move_the_score(db, member):
    item = ItemFactory()
    assert item_vote_set(item=item, user=member, value=1) == 1
    assert score(item) == 1
    assert item_vote_set(item=item, user=member, value=-1) == -1
    assert score(item) == -1  # up -> down moves the score by -2
    assert item_vote_set(item=item, user=member, value=0) == 0
    assert score(item) == 0
    assert not ItemVote.objects.exists()


def test_asking_for_the_same_vote_twice_changes_nothing(db, member):
    item = ItemFactory()
    item_vote_set(item=item, user=member, value=1)
    item_vote_set(item=item, user=member, value=1)
    assert score(item) == 1
    assert ItemVote.objects.get().value == 1
    item_vote_set(item=item, user=member, value=0)
    item_vote_set(item=item, user=member, value=0)
    assert score(item) == 0


def test_many_members_add_up(db):
    item = ItemFactory()
    for n, value in enumerate([1, 1, 1, -1, 1]):
        item_vote_set(item=item, user=UserFactory(username=f"voter{n}"), value=value)
    assert score(item) == 3
    assert_score_matches_rows(item)


def test_member_votes_on_the_page_without_js(client, member):
    item = ItemFactory(title="Bridge collapse")
    client.force_login(member)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'id="vote-up"' in page
    assert 'aria-pressed="false"' in page
    assert 'Votes: <span id="social-votes">0</span>' in page

    response = client.post(vote_url(item), {"value": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{item.get_absolute_url()}#social"
    page = client.get(response["Location"]).content.decode()
    assert "You voted this item up." in page
    assert 'Votes: <span id="social-votes">1</span>' in page
    # The pressed "up" button now asks for no vote: clicking it again withdraws the vote.
    assert 'id="vote-up" name="value" value="0"' in page
    assert 'value="0" class="button button-secondary button-small social-button" aria-pressed="true"' in page

    client.post(vote_url(item), {"value": "0"})
    assert score(item) == 0


def test_htmx_answers_with_the_buttons_and_the_new_counts(client, member):
    item = ItemFactory()
    client.force_login(member)
    response = client.post(vote_url(item), {"value": "-1"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="social-buttons" id="social-buttons">')
    assert 'id="vote-down" name="value" value="0"' in html
    assert '<span id="social-votes" hx-swap-oob="innerHTML">-1</span>' in html
    assert '<span id="social-said" hx-swap-oob="innerHTML">You voted this item down.</span>' in html
    assert "<html" not in html
    assert score(item) == -1


def test_guest_is_sent_to_log_in_and_back_to_the_item(client, db):
    item = ItemFactory()
    page = client.get(item.get_absolute_url()).content.decode()
    login = f"/accounts/login/?next={item.get_absolute_url()}"
    assert f'href="{login}"' in page
    assert "Log in to vote and keep favorites." in page
    response = client.post(vote_url(item), {"value": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert item.public_id in response["Location"]
    htmx = client.post(vote_url(item), {"value": "1"}, **HTMX)
    assert htmx["HX-Redirect"].startswith("/accounts/login/?next=")
    assert not ItemVote.objects.exists()


def test_csrf_is_required(db, member):
    item = ItemFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(vote_url(item), {"value": "1"})
    assert response.status_code == 403
    assert not ItemVote.objects.exists()


def test_only_get_is_refused(client, member):
    item = ItemFactory()
    client.force_login(member)
    assert client.get(vote_url(item)).status_code == 405


def test_a_bad_value_is_explained(client, member):
    item = ItemFactory()
    client.force_login(member)
    response = client.post(vote_url(item), {"value": "5"}, **HTMX)
    assert '<span class="error">Choose up or down.</span>' in response.content.decode()
    response = client.post(vote_url(item), {}, follow=True)
    assert "Choose up or down." in response.content.decode()
    assert not ItemVote.objects.exists()


def test_a_second_member_changes_only_their_own_vote(client, member, other_member):
    item = ItemFactory()
    item_vote_set(item=item, user=member, value=1)
    client.force_login(other_member)
    client.post(vote_url(item), {"value": "0"})
    client.post(vote_url(item), {"value": "-1"})
    assert ItemVote.objects.get(user=member).value == 1
    assert ItemVote.objects.get(user=other_member).value == -1
    assert score(item) == 0


def test_suspended_member_cannot_vote(client, member):
    item = ItemFactory()
    member.suspended_until = timezone.now() + datetime.timedelta(days=3)
    member.save(update_fields=["suspended_until"])
    client.force_login(member)
    response = client.post(vote_url(item), {"value": "1"}, follow=True)
    assert "Your account is suspended until" in response.content.decode()
    htmx = client.post(vote_url(item), {"value": "1"}, **HTMX).content.decode()
    assert "you cannot vote or keep favorites until then" in htmx
    assert score(item) == 0
    with pytest.raises(PermissionDenied):
        item_vote_set(item=item, user=member, value=1)


def test_a_suspension_that_ended_lets_them_vote(client, member):
    item = ItemFactory()
    member.suspended_until = timezone.now() - datetime.timedelta(minutes=1)
    member.save(update_fields=["suspended_until"])
    client.force_login(member)
    client.post(vote_url(item), {"value": "1"})
    assert score(item) == 1


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"moderation": "removed", "moderation_reason": "Doxxing"}, 302),
        ({"moderation": "held"}, 302),
        ({"lifecycle": "processing"}, 404),
        ({"visibility": "private"}, 404),
    ],
)
def test_items_the_member_cannot_see_cannot_be_voted_on(client, member, fields, status):
    item = ItemFactory()
    Item.objects.filter(pk=item.pk).update(**fields)
    client.force_login(member)
    response = client.post(vote_url(item), {"value": "1"})
    assert response.status_code == status
    assert score(item) == 0
    assert not ItemVote.objects.exists()


def test_ma_item_behind_the_interstitial_cannot_be_voted_on(client, member):
    item = ItemFactory(rating="MA")
    client.force_login(member)  # Safe Mode on, no grant for this item
    response = client.post(vote_url(item), {"value": "1"}, **HTMX)
    assert "You can vote on and keep only items you can see." in response.content.decode()
    assert score(item) == 0


def test_the_author_of_a_private_item_may_vote_on_it(client, member):
    item = ItemFactory(author=member, visibility="private")
    client.force_login(member)
    client.post(vote_url(item), {"value": "1"})
    assert score(item) == 1


def test_rate_limit_applies(client, member, settings):
    settings.VOTE_RATE_LIMIT_PER_MINUTE = 3
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 3
    item = ItemFactory()
    client.force_login(member)
    codes = [client.post(vote_url(item), {"value": str(v)}).status_code for v in (1, -1, 1, -1)]
    assert codes[:3] == [302, 302, 302]
    assert codes[3] == 429
    assert score(item) == 1


def test_item_page_queries_stay_fixed_for_a_member(client, member):
    """The vote and favorite line costs one query for a member, however many voted."""
    item = ItemFactory()
    client.force_login(member)

    def page_queries() -> tuple[int, str]:
        client.get(item.get_absolute_url())  # warm the session
        with CaptureQueriesContext(connection) as queries:
            html = client.get(item.get_absolute_url()).content.decode()
        return len(queries), html

    few, _ = page_queries()
    for n in range(5):
        item_vote_set(item=item, user=UserFactory(username=f"fan{n}"), value=1)
        item_favorite_set(item=item, user=UserFactory(username=f"keeper{n}"), favorite=True)
    item_vote_set(item=item, user=member, value=-1)
    item_favorite_set(item=item, user=member, favorite=True)
    many, html = page_queries()
    assert many == few
    assert 'Votes: <span id="social-votes">4</span>' in html
    assert 'Favorites: <span id="social-favorites">6</span>' in html
    assert 'id="vote-down" name="value" value="0"' in html
    assert 'id="favorite-toggle" name="favorite" value="0"' in html
