"""Play, view and share beacons: what counts, what does not, and that nothing is lost."""

from __future__ import annotations

import datetime
import threading
from unittest import mock

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.player.models import CountedEvent, EmbedHost, HourlyStat
from fieldcast.player.services.counting import counters_flush
from fieldcast.player.tokens import TOKEN_SALT, VISITOR_COOKIE, event_token

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
FIXED_NOW = datetime.datetime(2026, 11, 24, 12, 5, tzinfo=datetime.UTC)


def post(client, kind, token, **extra):
    return client.post(reverse(f"player:{kind}"), {"token": token, **extra}, HTTP_USER_AGENT=BROWSER)


def counters(item):
    return Item.objects.values("plays_count", "embed_plays_count", "views_count", "shares_count").get(pk=item.pk)


@pytest.fixture(params=["database", "redis"])
def buffer(request, settings):
    """Run a test with each counter backend (Redis only where REDIS_URL is set)."""
    if request.param == "redis":
        if not settings.REDIS_URL:
            pytest.skip("REDIS_URL is not set: the Redis buffer is tested in the PostgreSQL + Redis run")
        from fieldcast.player.services.counting import BUFFER_KEY, redis_client

        redis_client().delete(BUFFER_KEY)
    settings.COUNTER_BUFFER = request.param
    with mock.patch("fieldcast.player.services.counting.timezone.now", return_value=FIXED_NOW):
        yield request.param


def settle(buffer):
    if buffer == "redis":
        counters_flush()


def test_a_play_counts_once_per_viewer_per_window(client, db, buffer):
    item = ItemFactory()
    token = event_token(item.public_id)
    assert post(client, "play", token).json() == {"counted": True}
    client.cookies[VISITOR_COOKIE] = "a" * 22
    assert post(client, "play", token).json() == {"counted": True}
    assert post(client, "play", token).json() == {"counted": False}
    assert post(client, "view", token).json() == {"counted": True}
    settle(buffer)
    assert counters(item) == {"plays_count": 2, "embed_plays_count": 0, "views_count": 1, "shares_count": 0}


def test_embed_plays_count_as_plays_and_embed_plays_with_their_host(client, db, buffer):
    item = ItemFactory()
    token = event_token(item.public_id, embed=True)
    assert post(client, "play", token, host="news.example.org").json() == {"counted": True}
    settle(buffer)
    assert counters(item)["plays_count"] == 1
    assert counters(item)["embed_plays_count"] == 1
    assert EmbedHost.objects.get(item=item).host == "news.example.org"
    stat = HourlyStat.objects.get(item=item)
    assert (stat.plays, stat.embed_plays, stat.hour) == (1, 1, FIXED_NOW.replace(minute=0))


def test_uploader_and_bots_do_not_count(client, db, buffer):
    item = ItemFactory()
    token = event_token(item.public_id)
    client.force_login(item.author)
    assert post(client, "play", token).json() == {"counted": False}
    bot = Client()
    response = bot.post(
        reverse("player:play"), {"token": token}, HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)"
    )
    assert response.json() == {"counted": False}
    assert Client().post(reverse("player:play"), {"token": token}).json() == {"counted": False}  # no user agent
    settle(buffer)
    assert counters(item)["plays_count"] == 0


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"token": "forged"}, 403),
        ({"token": signing.dumps({"i": "AAAAAAAAAA", "e": 0}, salt="other", compress=False)}, 403),
        ({}, 403),
    ],
)
def test_bad_tokens_count_nothing(client, db, fields, status):
    response = client.post(reverse("player:play"), fields, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == status
    assert CountedEvent.objects.count() == 0


def test_expired_token_and_unknown_item(client, db):
    item = ItemFactory()
    with mock.patch("django.core.signing.time.time", return_value=0):
        old = event_token(item.public_id)
    assert post(client, "play", old).status_code == 403
    unknown = signing.dumps({"i": "ZZZZZZZZZZ", "e": 0}, salt=TOKEN_SALT, compress=False)
    assert post(client, "play", unknown).status_code == 404
    assert counters(item)["plays_count"] == 0


def test_absurd_values_are_rejected(client, db):
    item = ItemFactory()
    token = event_token(item.public_id, embed=True)
    assert post(client, "play", token, host="x" * 300).status_code == 400
    assert post(client, "play", token, host="<script>").status_code == 400
    assert post(client, "view", token, host="example.org").status_code == 400
    assert counters(item)["plays_count"] == 0


def test_removed_or_unfinished_items_do_not_count(client, db):
    removed = ItemFactory(moderation="removed")
    processing = ItemFactory(lifecycle="processing")
    for item in (removed, processing):
        assert post(client, "play", event_token(item.public_id)).status_code == 404


def test_beacons_need_no_csrf_token(db):
    item = ItemFactory()
    client = Client(enforce_csrf_checks=True)
    assert post(client, "view", event_token(item.public_id)).status_code == 200


def test_get_is_not_allowed(client, db):
    assert client.get(reverse("player:play")).status_code == 405


def fire_concurrently(viewers: int, per_viewer: int, tokens: dict[str, str]) -> list[BaseException]:
    """`viewers` guests (distinct cookies) each post `per_viewer` plays at once: the
    first half from the page, the second half from an embed on another site."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)
    queue = list(range(viewers))
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait()
            while True:
                with lock:
                    if not queue:
                        return
                    n = queue.pop()
                client = Client()
                client.cookies[VISITOR_COOKIE] = f"viewer-{n:04d}-xxxxxxxxxxxx"
                embed = n >= viewers // 2
                for _ in range(per_viewer):
                    fields = {"host": "blog.example.net"} if embed else {}
                    response = post(client, "play", tokens["embed" if embed else "page"], **fields)
                    assert response.status_code == 200, response.content
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def run_burst(buffer, viewers, per_viewer):
    item = ItemFactory()
    tokens = {"page": event_token(item.public_id), "embed": event_token(item.public_id, embed=True)}
    assert fire_concurrently(viewers, per_viewer, tokens) == []
    settle(buffer)
    assert counters(item)["plays_count"] == viewers
    assert counters(item)["embed_plays_count"] == viewers // 2
    assert HourlyStat.objects.get(item=item).plays == viewers
    assert EmbedHost.objects.get(item=item).plays == viewers // 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_plays_are_counted_exactly(buffer):
    run_burst(buffer, viewers=20, per_viewer=10)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_thousand_concurrent_plays_from_two_hundred_viewers(buffer):
    run_burst(buffer, viewers=200, per_viewer=10)


def test_members_are_counted_by_account(client, db):
    item = ItemFactory()
    member = UserFactory()
    client.force_login(member)
    token = event_token(item.public_id)
    post(client, "play", token)
    other_browser = Client()
    other_browser.force_login(member)
    assert post(other_browser, "play", token).json() == {"counted": False}


def test_stats_panel_shows_days_embed_share_and_hosts(client, db):
    item = ItemFactory()
    embed = event_token(item.public_id, embed=True)
    for n in range(3):
        visitor = Client()
        visitor.cookies[VISITOR_COOKIE] = f"stats-visitor-{n:02d}-xxxxxx"
        post(
            visitor, "play", embed if n else event_token(item.public_id), **({"host": "blog.example.net"} if n else {})
        )
    counters_flush()  # with COUNTER_BUFFER=redis the counts wait in Redis until a flush
    response = client.get(reverse("player:stats", kwargs={"public_id": item.public_id}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "in embeds: 2 (67%)" in body
    assert "blog.example.net: 2" in body
    assert body.count("<tr>") == 15  # header + 14 days


def test_stats_follow_the_access_layer(client, db):
    item = ItemFactory(rating="MA")
    assert client.get(reverse("player:stats", kwargs={"public_id": item.public_id})).status_code == 404
    private = ItemFactory(visibility="private")
    assert client.get(reverse("player:stats", kwargs={"public_id": private.public_id})).status_code == 404


def test_a_guest_keeps_one_identity_from_the_first_event_on(db):
    item = ItemFactory()
    guest = Client()
    token = event_token(item.public_id)
    first = post(guest, "view", token)
    assert first.json() == {"counted": True}
    assert VISITOR_COOKIE in first.cookies
    # The cookie carries the id the first view counted under: a reload counts nothing.
    assert post(guest, "view", token).json() == {"counted": False}
    # A client that drops cookies stays on the same daily hash.
    assert post(Client(), "view", token).json() == {"counted": False}


def test_embed_preview_carries_no_event_token(client, db):
    from fieldcast.core.testing.factories import attach_video_rows

    item = ItemFactory()
    attach_video_rows(item)
    url = reverse("player:embed", kwargs={"public_id": item.public_id})
    assert "data-event-token" in client.get(url).content.decode()
    assert "data-event-token" not in client.get(url + "?preview=1").content.decode()
