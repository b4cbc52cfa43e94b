"""/notifications: sentences with links through the access layer, opening marks read, mark all
read (plain and htmx), the header count, digest settings; a member sees only their own."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldcast.channels.models import Channel
from fieldcast.community.models import Comment
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.notifications.models import Digest, Kind, Notification, NotificationPreference
from fieldcast.notifications.services import notify
from fieldcast.notifications.views import PAGE_SIZE

INDEX = reverse("notifications:index")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def actor(db):
    return UserFactory(username="reporter")


def open_url(note: Notification, part: int | None = None) -> str:
    url = reverse("notifications:open", args=[note.pk])
    return url if part is None else f"{url}?part={part}"


def test_guests_are_sent_to_log_in(client, db):
    for url in [INDEX, reverse("notifications:settings"), "/notifications/1/open"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_each_kind_reads_as_a_sentence_with_links(member_client, member, actor):
    item = ItemFactory(author=member, title="Shelling near the port")
    comment = Comment.objects.create(item=item, author=member, body="mine", body_html="<p>mine</p>")
    channel = ChannelFactory(name="Syria", slug="syria")
    update = ItemFactory(author=actor, title="The port the day after", update_of=item)
    notify(recipient=member, kind=Kind.REPLY, actor=actor, item=item, comment=comment)
    notify(recipient=member, kind=Kind.MENTION, actor=actor, item=item, comment=comment)
    notify(recipient=member, kind=Kind.CHANNEL_ITEM, actor=actor, item=item, channel=channel)
    notify(recipient=member, kind=Kind.UPDATE, actor=actor, item=update)
    notify(recipient=member, kind=Kind.MODERATION, item=item, text="changed the rating to MA")
    notify(recipient=member, kind=Kind.CURATOR_INVITE, actor=actor, channel=channel)

    html = member_client.get(INDEX).content.decode()

    for sentence in [
        "replied to your comment on",
        "mentioned you on",
        "New in",
        "Update to",
        " you favorited: ",
        "Moderators",
        "changed the rating to MA",
        "invited you to curate",
    ]:
        assert sentence in html
    assert html.count("Shelling near the port") >= 4
    assert "The port the day after" in html
    assert 'dir="auto">reporter</bdi>' in html
    assert html.count('class="badge badge-new"') == 6
    assert "Accept or decline" in html
    assert "Notifications (6)" in html
    assert 'aria-label="Notifications: 6 unread"' in html


def test_opening_marks_read_and_goes_to_the_target(member_client, member, actor):
    item = ItemFactory(author=member, title="Shelling near the port")
    comment = Comment.objects.create(item=item, author=member, body="mine", body_html="<p>mine</p>")
    note = notify(recipient=member, kind=Kind.REPLY, actor=actor, item=item, comment=comment)
    assert note is not None

    response = member_client.get(open_url(note))

    assert response.status_code == 302
    assert response["Location"] == f"/v/{item.public_id}/-/comments/{comment.pk}"
    note.refresh_from_db()
    assert note.read_at is not None
    first_read = note.read_at
    member_client.get(open_url(note, part=0))  # again, through the actor's link
    note.refresh_from_db()
    assert note.read_at == first_read
    assert "Notifications (0)" in member_client.get(INDEX).content.decode()


def test_each_link_of_the_sentence_opens_its_own_target(member_client, member, actor):
    original = ItemFactory(author=member, title="Original")
    update = ItemFactory(author=actor, title="Follow-up", update_of=original)
    note = notify(recipient=member, kind=Kind.UPDATE, actor=actor, item=update)
    assert note is not None
    # Parts: "Update to ", original, " you favorited: ", update
    assert member_client.get(open_url(note, 1))["Location"] == original.get_absolute_url()
    assert member_client.get(open_url(note, 3))["Location"] == update.get_absolute_url()
    assert member_client.get(open_url(note))["Location"] == update.get_absolute_url()
    # A part without a link, or out of range, falls back to the target; nothing else is reachable.
    assert member_client.get(open_url(note, 0))["Location"] == update.get_absolute_url()
    assert member_client.get(open_url(note, 99))["Location"] == update.get_absolute_url()
    assert member_client.get(open_url(note) + "?part=https://evil.example")["Location"] == update.get_absolute_url()


def test_curator_invitation_links_to_the_channels_invitation_page(member_client, member, actor):
    channel = ChannelFactory(name="Kharkiv", slug="kharkiv")
    note = notify(recipient=member, kind=Kind.CURATOR_INVITE, actor=actor, channel=channel)
    assert note is not None
    html = member_client.get(INDEX).content.decode()
    assert f"{open_url(note)}?part=3" in html  # the extra "Accept or decline" link
    response = member_client.get(open_url(note))
    assert response["Location"] == "/c/kharkiv/curators/invitation"


@pytest.mark.parametrize(
    "state",
    [
        {"moderation": "removed", "moderation_reason": "Doxxing"},
        {"visibility": "private"},
        {"lifecycle": "processing"},
    ],
)
def test_items_the_member_can_no_longer_open_show_without_title_or_link(member_client, member, actor, state):
    item = ItemFactory(author=actor, title="Secret footage title")
    channel = ChannelFactory(name="Syria", slug="syria")
    note = notify(recipient=member, kind=Kind.CHANNEL_ITEM, actor=actor, item=item, channel=channel)
    assert note is not None
    Item.objects.filter(pk=item.pk).update(**state)

    html = member_client.get(INDEX).content.decode()

    assert "Secret footage title" not in html
    assert item.public_id not in html
    assert "an item that is no longer available" in html
    response = member_client.get(open_url(note, 3))  # the item's part: no link left
    assert response["Location"] == channel.get_absolute_url()


def test_the_author_still_sees_their_own_private_item(member_client, member, actor):
    item = ItemFactory(author=member, title="My private clip", visibility="private")
    notify(recipient=member, kind=Kind.MODERATION, item=item, text="held your item for review")
    html = member_client.get(INDEX).content.decode()
    assert "My private clip" in html


def test_a_member_cannot_see_or_open_anothers_notifications(member_client, member, other_member, actor):
    item = ItemFactory(author=other_member, title="Someone else's item")
    theirs = notify(recipient=other_member, kind=Kind.MENTION, actor=actor, item=item)
    assert theirs is not None

    assert "Someone else" not in member_client.get(INDEX).content.decode()
    assert member_client.get(open_url(theirs)).status_code == 404
    member_client.post(reverse("notifications:mark_all_read"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_plain_post(member_client, member, actor, other_member):
    for _ in range(3):
        notify(recipient=member, kind=Kind.MENTION, actor=actor)
    notify(recipient=other_member, kind=Kind.MENTION, actor=actor)

    response = member_client.post(reverse("notifications:mark_all_read"), follow=True)

    assert response.redirect_chain == [(INDEX, 302)]
    html = response.content.decode()
    assert "Marked 3 notifications read." in html
    assert "Notifications (0)" in html
    assert 'class="badge badge-new"' not in html
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=other_member, read_at__isnull=True).count() == 1


def test_mark_all_read_with_htmx_returns_the_list_and_the_header_count(member_client, member, actor):
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    notify(recipient=member, kind=Kind.MENTION, actor=actor)

    response = member_client.post(reverse("notifications:mark_all_read"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Marked 2 notifications read." in html
    assert 'id="notifications-link"' in html
    assert 'hx-swap-oob="true"' in html
    assert "Notifications (0)" in html
    assert 'class="badge badge-new"' not in html


def test_mark_all_read_needs_csrf(member, actor, db):
    from django.test import Client

    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(reverse("notifications:mark_all_read")).status_code == 403
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == 1


def test_the_page_is_keyset_paginated_newest_first(member_client, member, actor):
    now = timezone.now()
    notes = []
    for n in range(PAGE_SIZE + 5):
        note = notify(recipient=member, kind=Kind.MODERATION, text=f"note number {n:03d}")
        assert note is not None
        Notification.objects.filter(pk=note.pk).update(created_at=now - datetime.timedelta(minutes=n))
        notes.append(note)

    first = member_client.get(INDEX)
    html = first.content.decode()
    assert html.index("note number 000") < html.index("note number 001")
    assert "note number 029" in html
    assert "note number 030" not in html
    cursor = first.context["next_cursor"]
    assert cursor

    second = member_client.get(INDEX, {"after": cursor}).content.decode()
    assert "note number 030" in second
    assert "note number 034" in second
    assert "note number 029" not in second
    assert "Mark all read" not in second
    assert "Older notifications" not in second


def test_page_queries_do_not_grow_with_notifications(member_client, member, actor, django_assert_max_num_queries):
    channel = ChannelFactory(name="Syria", slug="syria")
    personal = Channel.objects.get(owner=actor, kind=Channel.Kind.PERSONAL)  # its address names the owner
    for n in range(12):
        item = ItemFactory(author=actor, title=f"Item {n}")
        comment = Comment.objects.create(item=item, author=member, body="c", body_html="<p>c</p>")
        update = ItemFactory(author=actor, title=f"Update {n}", update_of=item)
        notify(recipient=member, kind=Kind.REPLY, actor=actor, item=item, comment=comment)
        notify(recipient=member, kind=Kind.CHANNEL_ITEM, actor=actor, item=item, channel=personal)
        notify(recipient=member, kind=Kind.UPDATE, actor=actor, item=update)
        notify(recipient=member, kind=Kind.CURATOR_INVITE, actor=UserFactory(), channel=channel)
    # session, user, the page of notifications, the viewer's moderator group (access layer),
    # the openable items, the header count
    with django_assert_max_num_queries(6):
        response = member_client.get(INDEX)
    assert response.status_code == 200
    assert response.content.decode().count("notification-unread") == PAGE_SIZE


def test_header_count_on_every_page_and_only_for_members(client, member, actor):
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    first = Notification.objects.filter(recipient=member).order_by("pk").first()
    assert first is not None
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())

    assert "notifications-link" not in client.get("/").content.decode()
    client.force_login(member)
    for url in ["/", reverse("channels:index")]:
        html = client.get(url).content.decode()
        assert "Notifications (2)" in html
        assert 'aria-label="Notifications: 2 unread"' in html


def test_the_header_count_is_one_query(member_client, member, actor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notify(recipient=member, kind=Kind.MENTION, actor=actor)
    with CaptureQueriesContext(connection) as captured:
        member_client.get(reverse("notifications:settings"))
    counts = [q["sql"] for q in captured.captured_queries if 'FROM "notifications_notification"' in q["sql"]]
    assert len(counts) == 1
    assert "COUNT" in counts[0].upper()


def test_settings_default_off_then_daily(member_client, member):
    response = member_client.get(reverse("notifications:settings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="off" checked' in html or ('value="off"' in html and "checked" in html)
    assert "<legend>Email digest" in html
    assert "not verified yet" in html

    response = member_client.post(reverse("notifications:settings"), {"email_digest": "daily"}, follow=True)
    assert "daily email digest" in response.content.decode()
    assert NotificationPreference.objects.get(user=member).email_digest == Digest.DAILY


def test_settings_refuse_an_unknown_choice_with_a_message(member_client, member):
    response = member_client.post(reverse("notifications:settings"), {"email_digest": "hourly"})
    assert response.status_code == 400
    assert "Choose Off, Daily or Weekly." in response.content.decode()
    assert not NotificationPreference.objects.filter(user=member).exclude(email_digest=Digest.OFF).exists()


def test_settings_show_the_verified_address(member_client, member):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=member, email=member.email, primary=True, verified=True)
    html = member_client.get(reverse("notifications:settings")).content.decode()
    assert f'Digests go to <bdi dir="auto">{member.email}</bdi>' in html


def test_arabic_and_markup_in_titles_show_intact_and_escaped(member_client, member, actor):
    item = ItemFactory(author=actor, title="قصف على حمص <script>alert(1)</script>")
    channel = ChannelFactory(name="سوريا", slug="سوريا")
    notify(recipient=member, kind=Kind.CHANNEL_ITEM, actor=actor, item=item, channel=channel)
    html = member_client.get(INDEX).content.decode()
    assert 'dir="auto">قصف على حمص &lt;script&gt;alert(1)&lt;/script&gt;</bdi>' in html
    assert 'dir="auto">سوريا</bdi>' in html
    assert "<script>alert(1)" not in html


def test_moderation_sentences_as_the_moderation_app_writes_them(member_client, member):
    item = ItemFactory(author=member, title="Market fire")
    note = notify(
        recipient=member,
        kind=Kind.MODERATION,
        item=item,
        text="Moderators changed the rating of “Market fire” from PG to MA: graphic "
        "(details and appeal: /me/moderation)",
    )
    assert note is not None
    html = member_client.get(INDEX).content.decode()
    assert "Moderators changed the rating of “Market fire” from PG to MA: graphic</bdi>" in html
    assert "see the item</a>" in html
    assert f'href="{open_url(note)}?part=4">details and appeal</a>' in html
    assert member_client.get(open_url(note, 4))["Location"] == "/me/moderation"
    assert member_client.get(open_url(note))["Location"] == item.get_absolute_url()

    Item.objects.filter(pk=item.pk).update(moderation="removed")
    html = member_client.get(INDEX).content.decode()
    assert "see the item" not in html
    assert member_client.get(open_url(note))["Location"] == "/me/moderation"


def test_a_moderation_text_cannot_link_off_site(member_client, member):
    note = notify(recipient=member, kind=Kind.MODERATION, text="A warning (details: //evil.example/x)")
    assert note is not None
    assert member_client.get(open_url(note))["Location"] == INDEX
