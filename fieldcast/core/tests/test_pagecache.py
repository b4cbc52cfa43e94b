"""The guest page cache: who gets cached pages, what they vary on, and that every change
that matters (edits, moderation, comments, counters) shows up for the very next guest."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from fieldcast.community.services import comment_create
from fieldcast.core import pagecache
from fieldcast.core.testing.factories import ItemFactory, UserFactory, attach_video_rows
from fieldcast.items.models import Item, Moderation
from fieldcast.items.services import item_set_moderation, item_update
from fieldcast.moderation.viewer import COOKIE_SALT, SAFE_MODE_COOKIE
from fieldcast.player.services.counting import Event, counters_flush, event_count

HIT = pagecache.HIT_HEADER


@pytest.fixture
def cache_on(settings):
    settings.GUEST_CACHE_SECONDS = 60
    return settings


@pytest.fixture
def item(db):
    return ItemFactory(title="Shelling near the market", body="What we saw.", tags=["homs"])


def get(client, url, **extra):
    response = client.get(url, **extra)
    return response, response.get(HIT)


def adult_cookie() -> str:
    return signing.get_cookie_signer(salt=SAFE_MODE_COOKIE + COOKIE_SALT).sign("1")


def test_a_guest_gets_the_cached_page_with_one_query_at_most(client, cache_on, item, django_assert_max_num_queries):
    url = item.get_absolute_url()
    first, state = get(client, url)
    assert (first.status_code, state) == (200, "miss")
    assert not first.cookies  # nothing per visitor in the page: that is why it may be stored
    with django_assert_max_num_queries(1):  # the entry and its versions in one read (none on Redis)
        second, state = get(client, url)
    assert state == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Cookie" in second["Vary"]
    assert second["X-Frame-Options"] == "DENY"


def test_the_event_token_in_a_cached_page_names_the_item_not_the_visitor(client, cache_on, item):
    url = item.get_absolute_url()
    get(client, url)
    response, state = get(client, url)
    assert state == "hit"
    token = response.content.decode().split('data-event-token="', 1)[1].split('"', 1)[0]
    assert signing.loads(token, salt="fieldcast.events") == {"i": item.public_id, "e": 0}


def test_members_never_get_a_cached_page(client, cache_on, item, member):
    url = item.get_absolute_url()
    get(client, url)
    get(client, url)  # cached for guests now
    client.force_login(member)
    for _ in range(2):
        response, state = get(client, url)
        assert state is None  # not even looked up
        assert b"member" in response.content  # their own header, not the guest's


def test_safe_mode_and_language_give_their_own_entries(client, cache_on, item):
    url = reverse("home")
    assert get(client, url)[1] == "miss"
    assert get(client, url)[1] == "hit"
    client.cookies[SAFE_MODE_COOKIE] = adult_cookie()
    assert get(client, url)[1] == "miss"
    assert get(client, url)[1] == "hit"
    assert get(client, url, HTTP_ACCEPT_LANGUAGE="fr")[1] == "miss"
    assert get(client, url, HTTP_ACCEPT_LANGUAGE="fr")[1] == "hit"
    del client.cookies[SAFE_MODE_COOKIE]
    assert get(client, url)[1] == "hit"


def test_query_string_and_htmx_requests_give_their_own_entries(client, cache_on, item):
    url = reverse("home")
    get(client, url)
    assert get(client, url + "?after=x")[1] == "miss"
    assert get(client, url, HTTP_HX_REQUEST="true")[1] == "miss"
    assert get(client, url, HTTP_HX_REQUEST="true")[1] == "hit"


def test_safe_mode_pages_of_ma_items_are_never_stored(client, cache_on, db):
    """The interstitial carries a form with a CSRF token: its bytes belong to one visitor."""
    ma = ItemFactory(rating="MA")
    for _ in range(2):
        response, state = get(client, ma.get_absolute_url())
        assert state == "miss"
        assert "csrftoken" in response.cookies


def test_a_pending_message_or_a_session_bypasses_the_cache(client, cache_on, item):
    url = item.get_absolute_url()
    get(client, url)
    client.cookies["messages"] = "anything"
    assert get(client, url)[1] is None
    del client.cookies["messages"]
    client.cookies["sessionid"] = "x" * 32
    assert get(client, url)[1] is None


def test_off_when_guest_cache_seconds_is_zero(client, settings, item):
    settings.GUEST_CACHE_SECONDS = 0
    assert get(client, item.get_absolute_url())[1] is None


def test_an_edit_shows_up_at_once(client, cache_on, item, django_capture_on_commit_callbacks):
    url = item.get_absolute_url()
    get(client, url)
    assert get(client, url)[1] == "hit"
    home, _ = get(client, reverse("home"))
    with django_capture_on_commit_callbacks(execute=True):
        item = item_update(item=item, editor=item.author, **_update_kwargs(item, title="Shelling near the old market"))
    response, state = get(client, item.get_absolute_url())
    assert state == "miss"
    assert "Shelling near the old market" in response.content.decode()
    assert "the old market" in get(client, reverse("home"))[0].content.decode()
    assert "the old market" not in home.content.decode()


def _update_kwargs(item: Item, **changes):
    fields = {
        "title": item.title, "rating": item.rating, "body": item.body, "occurred_on": item.occurred_on,
        "occurred_precision": item.occurred_precision, "source": item.source,
        "location_label": item.location_label, "tags": ["homs"], "channels": [], "visibility": item.visibility,
    }  # fmt: skip
    return fields | changes


def test_a_removed_item_is_never_served_from_the_cache(client, cache_on, item, django_capture_on_commit_callbacks):
    """Its page, the lists and other items' pages all drop it at once."""
    other = ItemFactory(title="Another report", tags=["homs"])
    pages = [item.get_absolute_url(), reverse("home"), reverse("items:tag", args=["homs"]), other.get_absolute_url()]
    for url in pages:
        get(client, url)
        assert get(client, url)[1] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        item_set_moderation(item_id=item.pk, moderation=Moderation.REMOVED, reason="Faked footage")
    response, state = get(client, item.get_absolute_url())
    assert (response.status_code, state) == (410, "miss")
    assert "Faked footage" in response.content.decode()
    for url in pages[1:]:
        response, state = get(client, url)
        assert state == "miss"
        assert "Shelling near the market" not in response.content.decode()
    # A 410 is never stored: every guest asks the access layer again.
    assert get(client, item.get_absolute_url())[1] == "miss"


def test_a_rating_raised_to_ma_is_not_served_from_the_cache(client, cache_on, db, django_capture_on_commit_callbacks):
    from fieldcast.moderation.permissions import moderators_group
    from fieldcast.moderation.services import target_act

    moderator = UserFactory(username="mod")
    moderator.groups.add(moderators_group())
    item = ItemFactory(title="Graphic footage")
    attach_video_rows(item)
    url = item.get_absolute_url()
    get(client, url)
    assert b"data-hls=" in get(client, url)[0].content
    with django_capture_on_commit_callbacks(execute=True):
        target_act(moderator=moderator, action="rate", target=item, rating="MA", reason="Graphic injuries")
    response, state = get(client, url)
    assert state == "miss"
    assert b"data-hls=" not in response.content  # the interstitial, no media


def test_a_new_comment_shows_up_at_once(client, cache_on, item, member, django_capture_on_commit_callbacks):
    url = item.get_absolute_url()
    get(client, url)
    assert get(client, url)[1] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(item=item, author=member, body="I was there: it was at noon.")
    response, state = get(client, url)
    assert state == "miss"
    assert "I was there: it was at noon." in response.content.decode()


def test_a_counted_play_shows_up_at_once_then_at_most_once_per_flush_interval(
    client, cache_on, item, django_capture_on_commit_callbacks
):
    cache_on.COUNTER_BUFFER = "database"
    url = item.get_absolute_url()
    get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        event_count(Event(item_id=item.pk, kind="play", viewer_key="v:one"))
    response, state = get(client, url)
    assert state == "miss"
    assert "Plays: <strong>1</strong>" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        event_count(Event(item_id=item.pk, kind="play", viewer_key="v:two"))
    assert get(client, url)[1] == "hit"  # the same flush interval: not invalidated again


def test_a_counter_flush_shows_up_at_once(client, cache_on, item, django_capture_on_commit_callbacks):
    if not cache_on.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the Redis counter buffer is tested in the PostgreSQL + Redis run")
    from fieldcast.player.services.counting import BUFFER_KEY, redis_client

    redis_client().delete(BUFFER_KEY)
    cache_on.COUNTER_BUFFER = "redis"
    url = item.get_absolute_url()
    get(client, url)
    event_count(Event(item_id=item.pk, kind="play", viewer_key="v:one"))
    assert get(client, url)[1] == "hit"  # buffered: the page is still right
    with django_capture_on_commit_callbacks(execute=True):
        counters_flush()
    response, state = get(client, url)
    assert state == "miss"
    assert "Plays: <strong>1</strong>" in response.content.decode()


def test_embeds_are_cached_and_stay_frameable(client, cache_on, item):
    url = reverse("player:embed", args=[item.public_id])
    get(client, url)
    response, state = get(client, url)
    assert state == "hit"
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert get(client, url + "?grant=anything")[1] is None  # an unlocked embed is per visitor


def test_lists_are_cached(client, cache_on, item):
    for url in (reverse("discovery:popular"), reverse("discovery:top"), reverse("items:tag", args=["homs"])):
        get(client, url)
        assert get(client, url)[1] == "hit"


def test_an_evicted_version_never_brings_an_old_entry_back(client, cache_on, item):
    url = item.get_absolute_url()
    get(client, url)
    cache.delete(pagecache.item_version_key(item.public_id))
    assert get(client, url)[1] == "miss"
    assert get(client, url)[1] == "hit"


def test_channel_pages_are_cached_and_a_filing_shows_up_at_once(
    client, cache_on, item, django_capture_on_commit_callbacks
):
    from fieldcast.channels.services import channel_add_item
    from fieldcast.core.testing.factories import ChannelFactory

    channel = ChannelFactory(owner=item.author, name="Homs today", slug="homs-today")
    url = channel.get_absolute_url()
    response, _ = get(client, url)
    assert get(client, url)[1] == "hit"
    assert "Shelling near the market" not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        channel_add_item(channel=channel, item=item, actor=item.author)
    response, state = get(client, url)
    assert state == "miss"
    assert "Shelling near the market" in response.content.decode()
