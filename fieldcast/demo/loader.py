"""Load the demo content through the services. Safe to run twice: every row is
looked up by its natural key first (username, place name, channel slug, an
author's item title) and left alone when it exists."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.accounts.services import user_create
from fieldcast.channels.models import Channel, ChannelItem, Curator
from fieldcast.channels.services import channel_add_item
from fieldcast.community.models import Comment
from fieldcast.community.services import comment_create
from fieldcast.core.text import clean_line, normalize_key
from fieldcast.discovery.search import search_reindex
from fieldcast.geo.models import Place
from fieldcast.items.models import DatePrecision, Item, Rating, Visibility
from fieldcast.items.services import item_create, tags_parse

from . import items_americas, items_levant, items_ukraine
from .community import load_community
from .data import (
    CHANNEL_OWNER,
    CHANNELS,
    COMMENTS,
    DEMO_CREDENTIALS,
    MINOR_AGE,
    PLACES,
    USERS,
    ItemSpec,
    Occurred,
    UserSpec,
)  # fmt: skip
from .media import demo_media_enqueue, items_needing_media

ITEMS: Final[list[ItemSpec]] = [*items_levant.ITEMS, *items_ukraine.ITEMS, *items_americas.ITEMS]
DEMO_EMAIL_DOMAIN = "demo.fieldcast.invalid"


class Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


class DemoConflict(Exception):
    """A demo username already belongs to an account that load_demo did not create."""


@dataclass
class DemoSummary:
    users: int = 0
    places: int = 0
    channels: int = 0
    items: int = 0
    comments: int = 0
    community: int = 0  # votes, favorites, subscriptions and curator invitations (community.py)
    notifications: int = 0  # sent while loading (replies, mentions, updates, subscriptions)
    existing: int = 0  # users, places, channels and items found from an earlier run
    media_queued: int = 0  # items whose generated video was enqueued (tasks.generate_demo_media)

    @property
    def created(self) -> int:
        return self.users + self.places + self.channels + self.items + self.comments + self.community

    def __str__(self) -> str:
        return (
            f"Created {self.users} users, {self.places} places, {self.channels} channels, "
            f"{self.items} items and {self.comments} comments, {self.community} votes, favorites, "
            f"subscriptions and invitations; {self.existing} were already there."
        )


@transaction.atomic
def load_demo(*, stdout: Writer | None = None, media: bool = True) -> DemoSummary:
    """Load what is missing. With `media`, every item without media (and not queued already)
    gets a generate_demo_media task, enqueued when the transaction commits."""

    def say(line: str) -> None:
        if stdout is not None:
            stdout.write(f"{line}\n")

    now = timezone.now()
    summary = DemoSummary()
    users = _load_users(summary, today=timezone.localdate())
    say(f"Users: {summary.users} new.")
    _load_places(summary)
    say(f"Places: {summary.places} new.")
    channels = _load_channels(summary, owner=users[CHANNEL_OWNER], now=now)
    say(f"Channels: {summary.channels} new.")
    refs: dict[str, Item] = {}
    loaded: list[tuple[Item, int, float]] = []
    for variant, spec in enumerate(ITEMS):
        author = users[spec["author"]]
        item = Item.objects.filter(author=author, title=clean_line(spec["title"])).first()
        if item is None:
            item = _create_item(spec, users=users, channels=channels, refs=refs, now=now)
            summary.items += 1
            summary.comments += item.comments_count
            say(f"Item by {author.username}: {item.title}")
        else:
            summary.existing += 1
        if "ref" in spec:
            refs[spec["ref"]] = item
        loaded.append((item, variant, spec["days_ago"]))
    community = load_community(users=users)
    summary.comments += community.comments
    summary.community += community.created - community.comments
    summary.notifications += community.notifications
    say(
        f"Community: {community.comments} comments in conversations, {community.votes} votes, "
        f"{community.favorites} favorites, {community.subscriptions} subscriptions, "
        f"{community.invitations} curator invitations; {community.notifications} notifications sent."
    )
    if media:
        # The newest items first: the home page fills from the top.
        loaded.sort(key=lambda entry: entry[2])
        pending = items_needing_media([(item, variant) for item, variant, _ in loaded])
        demo_media_enqueue(pending)
        summary.media_queued = len(pending)
    say(f"Search index: {search_reindex()} items.")  # channels and places filed after the items
    return summary


def _load_users(summary: DemoSummary, *, today: datetime.date) -> dict[str, User]:
    passwords = {c["username"]: c["password"] for c in DEMO_CREDENTIALS}
    users: dict[str, User] = {}
    for spec in USERS:
        username = spec["username"]
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = _create_user(spec, password=passwords[username], today=today)
            summary.users += 1
        elif not user.is_demo:
            raise DemoConflict(
                f"The username {username!r} belongs to a real account, not a demo one; "
                "load_demo will not post demo content in its name. Rename that account or use another database."
            )
        else:
            summary.existing += 1
        users[username] = user
    return users


def _create_user(spec: UserSpec, *, password: str, today: datetime.date) -> User:
    date_of_birth = spec["date_of_birth"] or _birthday_of_a_minor(today)
    user = user_create(
        username=spec["username"],
        email=f"{spec['username']}@{DEMO_EMAIL_DOMAIN}",
        password=password,
        date_of_birth=date_of_birth,
        adult_confirmed=spec["date_of_birth"] is not None,
        is_staff=spec.get("is_staff", False),
        is_superuser=spec.get("is_superuser", False),
    )
    # is_demo is not editable and user_create takes no profile text.
    User.objects.filter(pk=user.pk).update(is_demo=True, display_name=spec["display_name"], bio=spec["bio"])
    user.refresh_from_db()
    for name in spec.get("groups", []):
        group, _ = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    return user


def _birthday_of_a_minor(today: datetime.date) -> datetime.date:
    """A birthday two months past the MINOR_AGE-th, so the member stays that age for a while."""
    year = today.year - MINOR_AGE
    birthday = today.replace(year=year, day=28) if (today.month, today.day) == (2, 29) else today.replace(year=year)
    return birthday - datetime.timedelta(days=60)


def _load_places(summary: DemoSummary) -> None:
    for spec in PLACES:
        exists = Place.objects.filter(
            name_key=normalize_key(spec["name"]), country_code=spec["country_code"], kind=spec["kind"]
        ).exists()
        if exists:
            summary.existing += 1
            continue
        # No place service yet (issue #7's gazetteer import will bring one).
        Place(**spec).save()
        summary.places += 1


def _load_channels(summary: DemoSummary, *, owner: User, now: datetime.datetime) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    for spec in CHANNELS:
        channel = Channel.objects.filter(slug=spec["slug"]).first()
        if channel is None:
            # Staff create topic and editorial channels in the admin: there is no service to call.
            channel = Channel.objects.create(
                slug=spec["slug"],
                name=spec["name"],
                kind=spec["kind"],
                description=spec["description"],
                is_current_event=spec.get("is_current_event", False),
                is_featured=spec.get("is_featured", False),
                owner=owner,
                created_at=now - datetime.timedelta(days=90),
            )
            summary.channels += 1
        else:
            summary.existing += 1
        channels[spec["slug"]] = channel
    return channels


def _create_item(
    spec: ItemSpec, *, users: dict[str, User], channels: dict[str, Channel], refs: dict[str, Item],
    now: datetime.datetime,
) -> Item:  # fmt: skip
    rng = random.Random(f"{spec['author']}/{spec['title']}")  # the same numbers on every machine
    author = users[spec["author"]]
    for slug in spec["channels"]:  # uploaders curate the topic channels they post in
        Curator.objects.get_or_create(
            channel=channels[slug], user=author, defaults={"status": "accepted", "invited_by": channels[slug].owner}
        )
    added_at = now - datetime.timedelta(days=spec["days_ago"])
    occurred_on, precision, occurred_time, occurred_tz = _occurred(spec["occurred"], added_at)
    item = item_create(
        author=author,
        title=spec["title"],
        rating=spec["rating"],
        content_flags=spec.get("content_flags", []),
        content_warning=spec.get("content_warning", ""),
        body=spec["body"],
        occurred_on=occurred_on,
        occurred_precision=precision,
        occurred_time=occurred_time,
        occurred_tz=occurred_tz,
        source=spec["source"],
        location_label=spec["location"],
        tags=tags_parse(spec["tags"]),
        channels=[channels[slug] for slug in spec["channels"]],
        visibility=spec.get("visibility", Visibility.PUBLIC),
        update_of=refs[spec["update_of"]] if "update_of" in spec else None,
    )
    # Created without files (ready at once); load_demo then enqueues its generated video
    # (media.py), and the item is `processing` only while the media worker makes it.
    curator = users[CHANNEL_OWNER]
    for slug in spec.get("editorial", []):
        channel_add_item(channel=channels[slug], item=item, actor=curator)

    # Realism: the demo's items were posted over the last weeks and have an audience.
    Item.objects.filter(pk=item.pk).update(added_at=added_at, updated_at=added_at, **_counters(spec, rng))
    ChannelItem.objects.filter(item=item, channel__kind=Channel.Kind.TOPIC).update(added_at=added_at)
    picked_at = min(added_at + datetime.timedelta(hours=rng.uniform(2, 30)), now)
    ChannelItem.objects.filter(item=item, channel__kind=Channel.Kind.EDITORIAL).update(added_at=picked_at)
    if "moderation" in spec:
        state, reason = spec["moderation"]
        Item.objects.filter(pk=item.pk).update(moderation=state, moderation_reason=reason)
    _add_comments(item, spec, users=users, rng=rng, added_at=added_at, now=now)
    item.refresh_from_db()
    return item


def _occurred(
    spec: Occurred, added_at: datetime.datetime
) -> tuple[datetime.date | None, str, datetime.time | None, str]:
    precision = spec["precision"]
    if precision == DatePrecision.UNKNOWN:
        return None, precision, None, ""
    if "on" in spec:
        return spec["on"], precision, None, ""
    tz = ZoneInfo(spec.get("tz", "UTC"))
    day = added_at.astimezone(tz).date() - datetime.timedelta(days=spec.get("days_before", 0))
    if "time" not in spec:
        return day, precision, None, ""
    at = datetime.time.fromisoformat(spec["time"])
    if datetime.datetime.combine(day, at, tzinfo=tz) > added_at:
        day -= datetime.timedelta(days=1)  # filmed before it was posted
    return day, precision, at, spec["tz"]


COUNTER_REACH = {Rating.GA: 1.0, Rating.PG: 1.6, Rating.MA: 2.6}


def _counters(spec: ItemSpec, rng: random.Random) -> dict[str, int]:
    """Plays, views and reactions; comments, updates and channels are real rows."""
    if "counters" in spec:
        return spec["counters"]
    reach = COUNTER_REACH[Rating(spec["rating"])] * (2.5 if spec.get("editorial") else 1.0)
    reach *= 0.3 + min(spec["days_ago"], 30) / 30  # older items had time to collect plays
    if spec.get("visibility") == Visibility.UNLISTED:
        reach /= 20
    if "moderation" in spec:
        reach /= 5
    plays = int(rng.randint(300, 6000) * reach)
    return {
        "plays_count": plays,
        "embed_plays_count": int(plays * rng.uniform(0, 0.2)),
        "views_count": plays + int(plays * rng.uniform(0.3, 0.9)) + rng.randint(0, 40),
        "vote_score": rng.randint(-3, max(3, plays // 150)),
        "favorites_count": rng.randint(0, plays // 400 + 1),
        "shares_count": rng.randint(0, plays // 600 + 1),
    }


def _add_comments(
    item: Item, spec: ItemSpec, *, users: dict[str, User], rng: random.Random, added_at: datetime.datetime,
    now: datetime.datetime,
) -> None:  # fmt: skip
    """A few comments from other members (minors stay off MA items); the third one
    replies to the first. The service moves comments_count."""
    pool = COMMENTS["en"] if spec["lang"] == "en" else COMMENTS[spec["lang"]] + COMMENTS["en"]
    count = spec.get("comments", rng.randint(0, 5))
    commenters = [
        user for name, user in users.items()
        if name != spec["author"] and not (spec["rating"] == Rating.MA and user.is_minor())
    ]  # fmt: skip
    first: Comment | None = None
    written_at = added_at
    for i, body in enumerate(rng.sample(pool, count)):
        comment = comment_create(item=item, author=rng.choice(commenters), body=body, parent=first if i == 2 else None)
        first = first or comment
        written_at = min(written_at + datetime.timedelta(hours=rng.uniform(0.2, 12)), now)
        Comment.objects.filter(pk=comment.pk).update(created_at=written_at)
