"""One access layer across every surface: a GA, a PG and an MA item (each with its
video files), walked by every kind of viewer under each Safe Mode policy.

What each viewer sees is read from the HTML (cards, players, every media URL in any
attribute) and from the media files themselves, fetched with the viewer's cookies.
A new surface is one line in LIST_SURFACES (lists of cards) or SURFACES below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from fieldcast.channels.models import Channel
from fieldcast.channels.services import channel_add_item
from fieldcast.channels.subscriptions import subscription_add
from fieldcast.community.services_social import item_favorite_set
from fieldcast.core.testing.factories import PASSWORD, ChannelFactory, ItemFactory, UserFactory, attach_video_rows
from fieldcast.items.models import Item
from fieldcast.media.access import unsign
from fieldcast.media.models import MediaAsset

VIEWERS = ("guest", "minor", "safe_member", "adult_off", "staff", "moderator")
POLICIES = ("blur", "hide", "show")
RATINGS = ("GA", "PG", "MA")
MA_WARNING = "Bodies are visible from 0:40 — الجثث ظاهرة"

# How a list shows the MA item ("thumb": its real thumbnail; "blurred": a neutral
# placeholder and no URL of its files anywhere in the page; "absent": not listed).
# GA and PG items are always listed with their thumbnail.
MA_CARD = {
    "blur": {"guest": "blurred", "minor": "blurred", "safe_member": "blurred", "adult_off": "thumb",
             "staff": "blurred", "moderator": "blurred"},
    "hide": {"guest": "absent", "minor": "absent", "safe_member": "absent", "adult_off": "thumb",
             "staff": "absent", "moderator": "absent"},
    "show": {"guest": "thumb", "minor": "blurred", "safe_member": "thumb", "adult_off": "thumb",
             "staff": "thumb", "moderator": "thumb"},
}  # fmt: skip

# The MA item's page and embed, whatever the policy: the interstitial unless the
# viewer is out of Safe Mode.
MA_PAGE = {"guest": "interstitial", "minor": "interstitial", "safe_member": "interstitial", "adult_off": "show",
           "staff": "interstitial", "moderator": "interstitial"}  # fmt: skip

# Files of the MA item issued to the adult (Safe Mode off), fetched by each viewer
# with their own cookies: staff and moderators may (review), the rest are refused.
MA_COPIED_MEDIA = {"guest": 403, "minor": 403, "safe_member": 403, "adult_off": 200, "staff": 200,
                   "moderator": 200}  # fmt: skip

FILES = {
    "hls/master.m3u8": b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n720/index.m3u8\n",
    "hls/720/index.m3u8": b"#EXTM3U\n#EXT-X-ENDLIST\n",
    "video.mp4": b"\x00\x00\x00\x18ftypmp42" + bytes(64),
    "poster.jpg": b"\xff\xd8\xff poster",
    "sprite.vtt": b"WEBVTT\n\n00:00.000 --> 00:02.000\nsprite.jpg#xywh=0,0,160,90\n",
    "sprite.jpg": b"\xff\xd8\xff sprite",
}


# --- reading pages ------------------------------------------------------------------


@dataclass
class Card:
    title: str = ""
    shielded: bool = False
    image: str | None = None


@dataclass
class Page:
    cards: list[Card] = field(default_factory=list)
    media_urls: list[str] = field(default_factory=list)  # every /m/ URL in any attribute
    has_player: bool = False
    has_interstitial: bool = False


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._card: Card | None = None
        self._card_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        for value in values.values():
            if value and "/m/" in value:
                self.page.media_urls.append(value)
        if values.get("id") == "player":
            self.page.has_player = True
        if "interstitial" in classes or values.get("aria-labelledby") == "interstitial-h":
            self.page.has_interstitial = True
        if tag == "article" and "card" in classes:
            self._card = Card()
            self._card_depth = 0
            self.page.cards.append(self._card)
        if self._card is None:
            return
        if tag == "article":
            self._card_depth += 1
        if "card-thumb" in classes and "shielded" in classes:
            self._card.shielded = True
        if tag == "img":
            self._card.image = values.get("src")
        if tag == "h3":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3":
            self._in_title = False
        if self._card is not None and tag == "article":
            self._card_depth -= 1
            if self._card_depth == 0:
                self._card = None

    def handle_data(self, data: str) -> None:
        if self._card is not None and self._in_title and not self._card.title:
            self._card.title = data.strip()


def read_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    return parser.page


def asset_of(url: str) -> str:
    """The asset public id a media URL opens (its token names it)."""
    token = url.split("/m/", 1)[1].split("/", 1)[0]
    return unsign(token)[0]


# --- the world ------------------------------------------------------------------------


@dataclass
class World:
    author: Any
    channel: Channel
    items: dict[str, Item]
    assets: dict[str, MediaAsset]
    clients: dict[str, Client] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    def client(self, kind: str) -> Client:
        if kind not in self.clients:
            self.clients[kind], self.users[kind] = viewer_login(kind)
        return self.clients[kind]


def write_files(asset: MediaAsset) -> None:
    for name, data in FILES.items():
        default_storage.save(f"assets/{asset.public_id}/{name}", ContentFile(data))


def make_world(tmp_path: Any, settings: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    author = UserFactory(username="uploader")
    channel = ChannelFactory(slug="syria", name="Syria", owner=author)
    items, assets = {}, {}
    for rating in RATINGS:
        extra = {"content_flags": ["graphic_violence", "death_injury"], "content_warning": MA_WARNING}
        item = ItemFactory(
            author=author, title=f"Footage rated {rating}", rating=rating, tags=["shared-tag"],
            **(extra if rating == "MA" else {}),
        )  # fmt: skip
        channel_add_item(channel=channel, item=item, actor=author)
        asset = attach_video_rows(item)
        write_files(asset)
        items[rating], assets[rating] = item, asset
        item_favorite_set(item=item, user=author, favorite=True)
    author.favorites_public = True
    author.save(update_fields=["favorites_public"])
    return World(author=author, channel=channel, items=items, assets=assets)


def viewer_client(kind: str) -> Client:
    """A browser of one kind of viewer."""
    return viewer_login(kind)[0]


def viewer_login(kind: str) -> tuple[Client, Any]:
    """A browser of one kind of viewer, and its member account (None for a guest)."""
    client = Client()
    if kind == "guest":
        return client, None
    if kind == "minor":
        user = UserFactory(username="teen", minor=True)
    elif kind == "staff":
        user = UserFactory(username="staffer", is_staff=True)
    else:
        user = UserFactory(username=kind)
    if kind == "adult_off":
        user.safe_mode = False
        user.save(update_fields=["safe_mode"])
    if kind == "moderator":
        user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    assert client.login(username=user.username, password=PASSWORD)
    return client, user


@pytest.fixture
def world(db, tmp_path, settings) -> World:
    return make_world(tmp_path, settings)


# --- the surfaces ---------------------------------------------------------------------


@dataclass(frozen=True)
class ListSurface:
    url: Callable[[World], str]
    members_only: bool = False  # guests are sent to log in
    prepare: Callable[[World, Any], None] | None = None  # run with the viewer's account first


def favorite_everything(world: World, user: Any) -> None:
    for item in world.items.values():
        item_favorite_set(item=item, user=user, favorite=True)


def subscribe_to_the_channel(world: World, user: Any) -> None:
    subscription_add(user=user, channel=world.channel)


def with_activity(name: str) -> Callable[[World], str]:
    """Popular now, Top rated, Most discussed: the world's items get a trending score and a
    comment first (idempotent), so that every list has them to show or to hide."""

    def url(world: World) -> str:
        from fieldcast.discovery.models import TrendingScore
        from fieldcast.items.counters import item_counter_add

        for item in world.items.values():
            TrendingScore.objects.update_or_create(item=item, defaults={"score_24h": 1.0, "score_7d": 1.0})
        for pk in Item.objects.filter(pk__in=[i.pk for i in world.items.values()], comments_count=0).values_list(
            "pk", flat=True
        ):
            item_counter_add(item_id=pk, field="comments_count")
        return reverse(name)

    return url


def on_the_map(world: World) -> str:
    """/map lists (as the fallback beside the map) the items that have a place: give the
    world's items one first (idempotent)."""
    from fieldcast.geo.models import Place

    place, _ = Place.objects.get_or_create(
        name="Homs",
        country_code="SY",
        kind="city",
        defaults={"country_name": "Syria", "latitude": 34.73, "longitude": 36.71},
    )
    Item.objects.filter(pk__in=[i.pk for i in world.items.values()]).update(place=place)
    return reverse("discovery:map")


# Lists of item cards. A new list surface is one more line.
LIST_SURFACES: dict[str, ListSurface] = {
    "home": ListSurface(lambda w: reverse("home")),
    "channel": ListSurface(lambda w: reverse("channels:detail", kwargs={"slug": w.channel.slug})),
    "tag": ListSurface(lambda w: reverse("items:tag", kwargs={"key": "shared-tag"})),
    "profile": ListSurface(lambda w: reverse("accounts:profile", kwargs={"username": w.author.username})),
    "member_favorites": ListSurface(
        lambda w: reverse("social:member_favorites", kwargs={"username": w.author.username})
    ),
    "my_favorites": ListSurface(
        lambda w: reverse("social:my_favorites"), members_only=True, prepare=favorite_everything
    ),
    "feed": ListSurface(lambda w: reverse("channels:feed"), members_only=True, prepare=subscribe_to_the_channel),
    "popular": ListSurface(with_activity("discovery:popular")),
    "top": ListSurface(with_activity("discovery:top")),
    "discussed": ListSurface(with_activity("discovery:discussed")),
    "search": ListSurface(lambda w: reverse("discovery:search") + "?q=footage"),
    "map": ListSurface(on_the_map),
}


def ma_card_state(page: Page, world: World) -> str:
    ma = world.items["MA"]
    cards = [c for c in page.cards if c.title == ma.title]
    if not cards:
        return "absent"
    assert len(cards) == 1
    return "blurred" if cards[0].shielded else "thumb"


@pytest.mark.parametrize("viewer", VIEWERS)
def test_lists(world, settings, viewer):
    client = world.client(viewer)
    for surface, spec in LIST_SURFACES.items():
        if spec.prepare is not None and world.users[viewer] is not None:
            spec.prepare(world, world.users[viewer])
        for policy in POLICIES:
            settings.SAFE_MODE_POLICY = policy
            check_list(world, client, viewer, surface, spec, policy)


def check_list(world: World, client: Client, viewer: str, surface: str, spec: ListSurface, policy: str) -> None:
    context = f"{viewer} on {surface} ({policy})"
    response = client.get(spec.url(world))
    if spec.members_only and viewer == "guest":
        assert response.status_code == 302, context
        assert response["Location"].startswith(reverse("account_login")), context
        return
    assert response.status_code == 200, context
    assert "Cookie" in response["Vary"], context
    page = read_page(response.content.decode())
    for rating in ("GA", "PG"):
        card = next(c for c in page.cards if c.title == world.items[rating].title)
        assert card.image, context
        assert asset_of(card.image) == world.assets[rating].public_id, context
        assert not card.shielded, context
    expected = MA_CARD[policy][viewer]
    assert ma_card_state(page, world) == expected, context
    ma_asset = world.assets["MA"].public_id
    ma_urls = [u for u in page.media_urls if asset_of(u) == ma_asset]
    if expected == "thumb":
        assert len(ma_urls) == 1, context
        assert client.get(ma_urls[0]).status_code == 200, context
    else:
        # Never the real image of a shielded item: no URL of its files anywhere.
        assert ma_urls == [], context


@pytest.mark.parametrize("viewer", VIEWERS)
def test_item_page_and_embed(world, viewer):
    client = world.client(viewer)
    for rating, item in world.items.items():
        expected = MA_PAGE[viewer] if rating == "MA" else "show"
        for surface, url in [
            ("page", item.get_absolute_url()),
            ("embed", reverse("player:embed", kwargs={"public_id": item.public_id})),
        ]:
            context = f"{viewer} on the {surface} of {rating}"
            response = client.get(url)
            assert response.status_code == 200, context
            body = response.content.decode()
            page = read_page(body)
            if expected == "show":
                assert page.has_player, context
                assert not page.has_interstitial, context
                assert page.media_urls, context
                for media_url in page.media_urls:
                    assert client.get(media_url).status_code == 200, f"{context}: {media_url}"
            else:
                assert page.has_interstitial, context
                assert not page.has_player, context
                assert page.media_urls == [], context
                # The uploader's warning and flags, intact, before anything is shown.
                assert MA_WARNING in body, context
                assert "Graphic violence" in body, context
                assert "Death or injury" in body, context
                assert ("stays hidden" in body) == (viewer == "minor"), context


@pytest.mark.parametrize("viewer", VIEWERS)
def test_oembed_follows_anonymous_rules(world, viewer, settings):
    """oEmbed answers other sites (no cookies of ours): MA gives no thumbnail, and its
    html is the embed, which shows the interstitial."""
    client = world.client(viewer)
    for rating, item in world.items.items():
        data = client.get(reverse("player:oembed"), {"url": settings.SITE_URL + item.get_absolute_url()}).json()
        embed_src = reverse("player:embed", kwargs={"public_id": item.public_id})
        assert embed_src in data["html"]
        assert ("thumbnail_url" in data) == (rating != "MA"), f"{viewer}: {rating}"
        if rating != "MA":
            assert Client().get(data["thumbnail_url"].removeprefix(settings.SITE_URL)).status_code == 200


def adult_media_urls(world: World, rating: str) -> dict[str, str]:
    """The URLs of an item's files as an adult with Safe Mode off gets them: the card's
    thumbnail, and the poster, sprite, HLS and MP4 from the item page."""
    adult = world.client("adult_off")
    item, asset = world.items[rating], world.assets[rating]
    home = read_page(adult.get(reverse("home")).content.decode())
    (thumbnail,) = [c.image for c in home.cards if c.title == item.title]
    assert thumbnail is not None
    urls = read_page(adult.get(item.get_absolute_url()).content.decode()).media_urls
    by_name = {u.rsplit("/", 1)[1]: u for u in urls if asset_of(u) == asset.public_id}
    vtt = by_name["sprite.vtt"]
    return {
        "thumbnail": thumbnail,
        "poster": by_name["poster.jpg"],
        "sprite-vtt": vtt,
        "sprite": vtt.replace("sprite.vtt", "sprite.jpg"),  # the VTT's relative reference
        "hls": by_name["master.m3u8"],
        "hls-rung": by_name["master.m3u8"].replace("master.m3u8", "720/index.m3u8"),
        "mp4": by_name["video.mp4"],
    }


@pytest.mark.parametrize("viewer", VIEWERS)
def test_media_urls_copied_from_an_adult(world, settings, viewer):
    client = world.client(viewer)
    for policy in POLICIES:
        settings.SAFE_MODE_POLICY = policy
        for rating in RATINGS:
            for name, url in adult_media_urls(world, rating).items():
                expected = MA_COPIED_MEDIA[viewer] if rating == "MA" else 200
                if rating == "MA" and name == "thumbnail" and policy == "show" and viewer != "minor":
                    expected = 200  # a card's still, which the `show` policy lists for everyone else
                assert client.get(url).status_code == expected, f"{viewer} fetching {rating} {name} ({policy})"


def test_the_walk_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    """The moderators-group check is made at most once per request."""
    client = world.client("moderator")
    held = ItemFactory(author=world.author, title="Under review", moderation="held")
    with django_assert_max_num_queries(20):
        response = client.get(held.get_absolute_url())
    assert response.context["access"] == "show"
    with django_assert_max_num_queries(12):
        client.get(reverse("home"))
