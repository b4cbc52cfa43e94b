"""Favorites: keep and drop an item, the count, and the favorites pages through the access layer."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fieldcast.community.models import Favorite
from fieldcast.community.services_social import item_favorite_set
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item

HTMX = {"HTTP_HX_REQUEST": "true"}
MY_FAVORITES = "/me/favorites"


def favorite_url(item):
    return reverse("social:favorite", kwargs={"public_id": item.public_id})


def favorites(item) -> int:
    return Item.objects.values_list("favorites_count", flat=True).get(pk=item.pk)


def make_public(user) -> None:
    type(user).objects.filter(pk=user.pk).update(favorites_public=True)


def test_keep_and_drop_move_the_count(db, member):
    item = ItemFactory()
    assert item_favorite_set(item=item, user=member, favorite=True) is True
    assert item_favorite_set(item=item, user=member, favorite=True) is True  # twice: still one
    assert favorites(item) == 1
    assert Favorite.objects.count() == 1
    assert item_favorite_set(item=item, user=member, favorite=False) is False
    assert item_favorite_set(item=item, user=member, favorite=False) is False
    assert favorites(item) == 0
    assert not Favorite.objects.exists()


def test_member_keeps_an_item_from_its_page(client, member):
    item = ItemFactory(title="Harbour fire")
    client.force_login(member)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'id="favorite-toggle" name="favorite" value="1"' in page
    response = client.post(favorite_url(item), {"favorite": "1"}, follow=True)
    html = response.content.decode()
    assert "Kept in your favorites." in html
    assert 'Favorites: <span id="social-favorites">1</span>' in html
    assert 'id="favorite-toggle" name="favorite" value="0"' in html
    htmx = client.post(favorite_url(item), {"favorite": "0"}, **HTMX).content.decode()
    assert '<span id="social-favorites" hx-swap-oob="innerHTML">0</span>' in htmx
    assert 'aria-pressed="false"' in htmx
    assert "Removed from your favorites." in htmx
    assert favorites(item) == 0


def test_guest_is_sent_to_log_in(client, db):
    item = ItemFactory()
    response = client.post(favorite_url(item), {"favorite": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert client.get(MY_FAVORITES)["Location"].startswith("/accounts/login/")
    assert not Favorite.objects.exists()


def test_csrf_is_required(db, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    item = ItemFactory()
    assert client.post(favorite_url(item), {"favorite": "1"}).status_code == 403
    assert favorites(item) == 0


def test_a_second_member_cannot_drop_someone_elses_favorite(client, member, other_member):
    item = ItemFactory()
    item_favorite_set(item=item, user=member, favorite=True)
    client.force_login(other_member)
    client.post(favorite_url(item), {"favorite": "0"})
    assert Favorite.objects.filter(user=member, item=item).exists()
    assert favorites(item) == 1


def test_suspended_member_cannot_keep_favorites(client, member):
    item = ItemFactory()
    member.suspended_until = timezone.now() + datetime.timedelta(days=1)
    member.save(update_fields=["suspended_until"])
    client.force_login(member)
    response = client.post(favorite_url(item), {"favorite": "1"}, follow=True)
    assert "Your account is suspended until" in response.content.decode()
    assert favorites(item) == 0


def test_removed_or_shielded_items_cannot_be_kept(client, member):
    removed = ItemFactory(moderation="removed", moderation_reason="Spam")
    shielded = ItemFactory(rating="MA")
    client.force_login(member)
    for item in (removed, shielded):
        client.post(favorite_url(item), {"favorite": "1"})
        assert favorites(item) == 0
    assert client.post(favorite_url(ItemFactory(visibility="private")), {"favorite": "1"}).status_code == 404


def test_rate_limit_applies(client, member, settings):
    settings.VOTE_RATE_LIMIT_PER_MINUTE = 2
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 2
    item = ItemFactory()
    client.force_login(member)
    codes = [client.post(favorite_url(item), {"favorite": v}).status_code for v in ("1", "0", "1")]
    assert codes == [302, 302, 429]
    assert favorites(item) == 0


def test_my_favorites_lists_them_most_recently_kept_first(client, member):
    older = ItemFactory(title="Kept first")
    newer = ItemFactory(title="Kept second")
    ItemFactory(title="Not kept")
    item_favorite_set(item=older, user=member, favorite=True)
    item_favorite_set(item=newer, user=member, favorite=True)
    Favorite.objects.filter(item=older).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(member)
    html = client.get(MY_FAVORITES).content.decode()
    assert "My favorites" in html
    assert "Only you can see this list." in html
    assert html.index("Kept second") < html.index("Kept first")
    assert "Not kept" not in html


def test_favorites_are_paginated(client, member, settings):
    settings.PAGE_SIZE = 2
    now = timezone.now()
    for n in range(5):
        item = ItemFactory(title=f"Kept number {n}")
        item_favorite_set(item=item, user=member, favorite=True)
        Favorite.objects.filter(item=item).update(created_at=now - datetime.timedelta(minutes=10 - n))
    client.force_login(member)
    seen: list[str] = []
    url = MY_FAVORITES
    for _ in range(3):
        response = client.get(url)
        page = response.context["page"]
        seen += [item.title for item in page.items]
        if page.next_cursor is None:
            break
        url = f"{MY_FAVORITES}?after={page.next_cursor}"
    assert seen == [f"Kept number {n}" for n in (4, 3, 2, 1, 0)]


def test_the_list_follows_the_access_layer(client, member, settings):
    settings.SAFE_MODE_POLICY = "hide"
    kept = {name: ItemFactory(title=name, **fields) for name, fields in {
        "Still public": {},
        "Made private": {},
        "Removed later": {},
        "Shielded footage": {"rating": "MA"},
    }.items()}  # fmt: skip
    for item in kept.values():
        item_favorite_set(item=item, user=member, favorite=True)
    Item.objects.filter(pk=kept["Made private"].pk).update(visibility="private")
    Item.objects.filter(pk=kept["Removed later"].pk).update(moderation="removed")
    client.force_login(member)  # Safe Mode on
    html = client.get(MY_FAVORITES).content.decode()
    assert "Still public" in html
    for gone in ("Made private", "Removed later", "Shielded footage"):
        assert gone not in html


def test_a_members_favorites_are_private_until_made_public(client, member, other_member):
    item = ItemFactory(title="Kept by member")
    item_favorite_set(item=item, user=member, favorite=True)
    url = reverse("social:member_favorites", kwargs={"username": member.username})

    client.force_login(other_member)
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "keeps their favorites private" in html
    assert "Kept by member" not in html
    assert Client().get(url).status_code == 403

    client.force_login(member)
    assert "Kept by member" in client.get(url).content.decode()

    make_public(member)
    response = Client().get(url)
    assert response.status_code == 200
    assert "Kept by member" in response.content.decode()
    client.force_login(member)
    assert f'Anyone can see this list at <a href="{url}">' in client.get(MY_FAVORITES).content.decode()


def test_unknown_member_is_404(client, db):
    assert client.get(reverse("social:member_favorites", kwargs={"username": "nobody"})).status_code == 404


def test_favorites_page_queries_are_fixed(client, member):
    def count_queries() -> int:
        client.force_login(member)
        client.get(MY_FAVORITES)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MY_FAVORITES).status_code == 200
        return len(queries)

    item_favorite_set(item=ItemFactory(), user=member, favorite=True)
    few = count_queries()
    for n in range(6):
        item_favorite_set(item=ItemFactory(author=UserFactory(username=f"author{n}")), user=member, favorite=True)
    assert count_queries() == few
