"""The demo's community: conversations in several languages, votes and favorites from the
demo members, subscriptions, a curator invitation, and the notifications they bring.

Everything goes through the services the site itself uses, and everything is looked up
first, so a second run (or a run over a database loaded by an older loader) only adds what
is missing. The notifications that workers would send after the load (replies, mentions,
updates to favorites, new items in subscriptions) are sent here at once, by the same
idempotent functions the tasks run: the demo member sees a count in the header right
away, and the tasks, when a worker gets to them, find nothing left to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final, TypedDict

from django.db.models import Q

from fieldcast.accounts.models import User
from fieldcast.channels.models import Channel, ChannelItem, Curator, ItemAnnouncement, Subscription
from fieldcast.channels.services import curator_invite
from fieldcast.channels.subscriptions import item_announce_to_subscribers, subscription_add
from fieldcast.community.models import Comment, CommentMention, Favorite, ItemVote
from fieldcast.community.notifying import comment_notify
from fieldcast.community.services import comment_create
from fieldcast.community.services_social import item_favorite_set, item_vote_set, update_notify_favoriters
from fieldcast.items.models import Item, Rating


class Post(TypedDict):
    author: str
    body: str
    reply_to: int | None  # index of an earlier post of the same thread


class Thread(TypedDict):
    item: tuple[str, str]  # (author's username, title)
    posts: list[Post]


# Conversations with replies and @mentions, in the languages of the footage.
THREADS: Final[list[Thread]] = [
    {
        "item": ("nutsflipped", "حلب: أمطار غزيرة تغمر شوارع المدينة القديمة"),
        "posts": [
            {"author": "member", "body": "هل هذا الفيديو من اليوم؟ الشارع يبدو مثل باب الفرج.", "reply_to": None},
            {
                "author": "nutsflipped",
                "body": "نعم، صُوّر صباح اليوم قرب باب الفرج. شكراً @member على السؤال",
                "reply_to": 0,
            },
            {
                "author": "kyiv_witness",
                "body": "Same flash flooding as Kharkiv last spring. Stay safe @nutsflipped and thanks for the date.",
                "reply_to": None,
            },
        ],
    },
    {
        "item": ("nutsflipped", "The Battle for Yabroud Has Started"),
        "posts": [
            {
                "author": "member",
                "body": "@kyiv_witness the ridge and the timing of the impacts look like your Kharkiv footage. Same?",
                "reply_to": None,
            },
            {
                "author": "kyiv_witness",
                "body": "Very similar: first the ridge, then the road. Thanks for the tag @member, see the updates.",
                "reply_to": 0,
            },
        ],
    },
    {
        "item": ("kyiv_witness", "Київ: волонтери замінюють вибиті вікна у школі"),
        "posts": [
            {
                "author": "ana_reporta",
                "body": "Qué trabajo tan bonito. ¿Cómo se puede ayudar desde lejos?",
                "reply_to": None,
            },
            {"author": "kyiv_witness", "body": "Дякую! Посилання на збір для школи є в описі.", "reply_to": 0},
            {"author": "member", "body": "Donated. Thank you both for posting the link.", "reply_to": 1},
        ],
    },
    {
        "item": ("member", "Street musicians keep playing through the Kyiv blackout"),
        "posts": [
            {
                "author": "kyiv_witness",
                "body": "Я был там в ту ночь, они играли до утра. Спасибо, что сняли.",
                "reply_to": None,
            },
            {"author": "member", "body": "Thank you! Do you know the name of the band?", "reply_to": 0},
        ],
    },
]

# The demo member follows a topic channel and an uploader; so does another member.
SUBSCRIPTIONS: Final[list[tuple[str, str]]] = [  # (member, channel slug or "@username")
    ("member", "syria"),
    ("member", "@nutsflipped"),
    ("ana_reporta", "@kyiv_witness"),
    ("kyiv_witness", "protests"),
]
# Followed from before these items were posted: their subscribers hear of them.
ANNOUNCED: Final[list[tuple[str, str]]] = [("nutsflipped", "Aleppo: unexploded shell removed from a schoolyard")]
# The demo member's favorites: the first has follow-ups, so they hear of its updates.
FAVORITES: Final[dict[str, list[tuple[str, str]]]] = {
    "member": [
        ("nutsflipped", "The Battle for Yabroud Has Started"),
        ("kyiv_witness", "Kyiv metro as a shelter: a night at Zoloti Vorota"),
        ("ana_reporta", "Valparaíso hills fire: night footage from Cerro Alegre"),
    ],
}
# The channel desk invites the demo member to curate a channel (pending: accept or decline).
# (The loader makes each uploader a curator of the channels they post in: not this one.)
CURATOR_INVITATIONS: Final[list[tuple[str, str, str]]] = [("admin", "disasters", "member")]  # inviter, slug, invitee
# Members whose votes and favorites are left to the person trying the demo.
NO_RANDOM_REACTIONS: Final[frozenset[str]] = frozenset({"member"})


@dataclass
class CommunitySummary:
    comments: int = 0
    votes: int = 0
    favorites: int = 0
    subscriptions: int = 0
    invitations: int = 0
    notifications: int = 0

    @property
    def created(self) -> int:
        return self.comments + self.votes + self.favorites + self.subscriptions + self.invitations


def load_community(*, users: dict[str, User]) -> CommunitySummary:
    """Add what is missing of the demo's community (the caller holds the transaction)."""
    summary = CommunitySummary()
    items = {
        (item.author.username, item.title): item
        for item in Item.objects.filter(author__in=users.values()).select_related("author")
    }
    for thread in THREADS:
        item = items.get(thread["item"])
        if item is not None:
            _load_thread(item, thread["posts"], users=users, summary=summary)
    _load_reactions(items, users=users, summary=summary)
    _load_subscriptions(items, users=users, summary=summary)
    for inviter, slug, invitee in CURATOR_INVITATIONS:
        channel = Channel.objects.filter(slug=slug).first()
        if channel is not None and not Curator.objects.filter(channel=channel, user=users[invitee]).exists():
            curator_invite(channel=channel, inviter=users[inviter], user=users[invitee])  # notifies the invitee
            summary.invitations += 1
            summary.notifications += 1
    return summary


def _load_thread(item: Item, posts: list[Post], *, users: dict[str, User], summary: CommunitySummary) -> None:
    written: list[Comment] = []
    for post in posts:
        author = users[post["author"]]
        parent = written[post["reply_to"]] if post["reply_to"] is not None else None
        comment = Comment.objects.filter(item=item, author=author, body=post["body"]).first()
        if comment is None:
            comment = comment_create(item=item, author=author, body=post["body"], parent=parent)
            summary.comments += 1
            mentioned = list(CommentMention.objects.filter(comment=comment).values_list("user_id", flat=True))
            # What the notify_comment task does after the commit: now, so the count shows at once.
            summary.notifications += comment_notify(
                comment_id=comment.pk, mention_ids=mentioned, reply=parent is not None
            )
        written.append(comment)


def _load_reactions(items: dict[tuple[str, str], Item], *, users: dict[str, User], summary: CommunitySummary) -> None:
    """Each adult demo member votes on most listed items and keeps a few as favorites (the
    same choices on every machine); members under 18 stay off MA items."""
    voted = set(ItemVote.objects.filter(user__in=users.values()).values_list("user_id", "item_id"))
    kept = set(Favorite.objects.filter(user__in=users.values()).values_list("user_id", "item_id"))
    listed = set(Item.objects.listed().filter(pk__in=[i.pk for i in items.values()]).values_list("pk", flat=True))
    for (author, title), item in sorted(items.items()):
        if item.pk not in listed:
            continue
        for name, user in sorted(users.items()):
            if name == author or name in NO_RANDOM_REACTIONS or (item.rating == Rating.MA and user.is_minor()):
                continue
            rng = random.Random(f"{name}/{author}/{title}")
            roll = rng.random()
            value = 1 if roll < 0.6 else -1 if roll < 0.72 else 0
            if value and (user.pk, item.pk) not in voted:
                item_vote_set(item=item, user=user, value=value)
                summary.votes += 1
            if rng.random() < 0.15 and (user.pk, item.pk) not in kept:
                item_favorite_set(item=item, user=user, favorite=True)
                summary.favorites += 1
    for name, keys in FAVORITES.items():
        user = users[name]
        for key in keys:
            favorite = items.get(key)
            if favorite is None or (user.pk, favorite.pk) in kept:
                continue
            item_favorite_set(item=favorite, user=user, favorite=True)
            summary.favorites += 1
    # The follow-ups were posted before these favorites: tell of them as the task would have.
    updates = Item.objects.filter(update_of__in=list(items.values())).order_by("pk")
    for update_id in updates.values_list("pk", flat=True):
        summary.notifications += update_notify_favoriters(update_id=update_id)


def _load_subscriptions(
    items: dict[tuple[str, str], Item], *, users: dict[str, User], summary: CommunitySummary
) -> None:
    announced = [items[key] for key in ANNOUNCED if key in items]
    for name, target in SUBSCRIPTIONS:
        user = users[name]
        if target.startswith("@"):
            channel = Channel.objects.filter(kind=Channel.Kind.PERSONAL, owner=users[target[1:]]).first()
        else:
            channel = Channel.objects.filter(slug=target).first()
        if channel is None or Subscription.objects.filter(user=user, channel=channel).exists():
            continue
        subscription_add(user=user, channel=channel)
        summary.subscriptions += 1
        # Subscribing does not announce what was there before: only the items in ANNOUNCED,
        # "posted after" the subscription, are told (here, and never again by the tasks).
        in_channel = Q(pk__in=ChannelItem.objects.filter(channel=channel).values("item_id"))
        if channel.kind == Channel.Kind.PERSONAL:
            in_channel |= Q(author_id=channel.owner_id)
        earlier = Item.objects.filter(in_channel).exclude(pk__in=[item.pk for item in announced])
        ItemAnnouncement.objects.bulk_create(
            [ItemAnnouncement(user=user, item_id=pk) for pk in earlier.values_list("pk", flat=True)],
            ignore_conflicts=True,
        )
    for item in announced:
        summary.notifications += item_announce_to_subscribers(item_id=item.pk)
