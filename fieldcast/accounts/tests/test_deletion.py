"""Deleting an account: at once deactivated and wiped; content anonymised or deleted
(in a task), with every counter exact."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from fieldcast.accounts.deletion import account_delete, account_purge, account_purge_content
from fieldcast.accounts.models import Block, User
from fieldcast.accounts.services import user_block, user_update_profile
from fieldcast.channels.models import Channel, Subscription
from fieldcast.channels.subscriptions import subscription_add
from fieldcast.community.models import Comment, Favorite, ItemVote
from fieldcast.community.services import comment_create
from fieldcast.community.services_social import item_favorite_set, item_vote_set
from fieldcast.core.testing.factories import PASSWORD, ItemFactory, UserFactory, attach_video_rows
from fieldcast.items.models import Item
from fieldcast.notifications.models import Notification

DELETE = "/me/delete"


@pytest.fixture
def world(member, other_member):
    """The member's items, comments (one answered by someone else), votes, favorites,
    a subscription, a block, an email address, an authenticator, a notification."""
    user_update_profile(user=member, display_name="Reporter", bio="About me", favorites_public=True)
    mine = ItemFactory(author=member, title="Mine")
    theirs = ItemFactory(author=other_member, title="Theirs")
    attach_video_rows(mine)
    thread = comment_create(item=theirs, author=member, body="My comment")
    comment_create(item=theirs, author=other_member, body="An answer", parent=thread)
    comment_create(item=theirs, author=member, body="My lone comment")
    comment_create(item=mine, author=other_member, body="On your item")
    item_vote_set(item=theirs, user=member, value=-1)
    item_vote_set(item=theirs, user=other_member, value=1)
    item_vote_set(item=mine, user=other_member, value=1)
    item_favorite_set(item=theirs, user=member, favorite=True)
    item_favorite_set(item=theirs, user=other_member, favorite=True)
    channel = Channel.objects.get(kind="personal", owner=other_member)
    subscription_add(user=member, channel=channel)
    user_block(blocker=member, blocked=other_member)
    user_block(blocker=other_member, blocked=member)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    TOTP.activate(member, "JBSWY3DPEHPK3PXP")
    Notification.objects.create(recipient=member, kind="reply", actor=other_member, item=theirs)
    return {"mine": mine, "theirs": theirs, "thread": thread, "channel": channel}


def delete_through_the_page(client, user, content: str, password: str = PASSWORD):
    client.force_login(user)
    return client.post(DELETE, {"content": content, "password": password, "confirm": "on"})


def test_the_page_explains_and_asks_for_the_password(client, member):
    client.force_login(member)
    body = client.get(DELETE).content.decode()
    assert 'for="id_password"' in body
    assert "id_content_group" in body
    assert 'for="id_confirm"' in body
    assert "download your data" in body


def test_a_wrong_password_or_no_confirmation_deletes_nothing(client, member):
    response = delete_through_the_page(client, member, "keep", password="wrong")
    assert response.status_code == 400
    assert "This is not your password." in response.content.decode()
    response = client.post(DELETE, {"content": "keep", "password": PASSWORD})
    assert "Tick this box to confirm." in response.content.decode()
    member.refresh_from_db()
    assert member.is_active
    assert member.deleted_at is None


def test_keeping_content_anonymises_it_and_frees_the_username(
    client, member, other_member, world, django_capture_on_commit_callbacks
):
    old_username = member.username
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = delete_through_the_page(client, member, "keep")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:deleted")
    assert "[deleted account]" in client.get(response["Location"]).content.decode()
    assert "_auth_user_id" not in client.session

    gone = User.objects.get(pk=member.pk)
    assert gone.username.startswith("deleted-")
    assert gone.username != old_username
    assert (gone.email, gone.display_name, gone.bio, gone.bio_html) == ("", "", "", "")
    assert not gone.is_active
    assert not gone.has_usable_password()
    assert gone.deleted_at is not None
    assert gone.public_name == "[deleted account]"
    assert not EmailAddress.objects.filter(user=gone).exists()
    assert not Authenticator.objects.filter(user=gone).exists()
    assert not Block.objects.filter(blocker=gone).exists()
    assert not Block.objects.filter(blocked=gone).exists()
    assert not Notification.objects.filter(recipient=gone).exists()
    assert Item.objects.get(pk=world["mine"].pk).author_id is None
    assert not Comment.objects.filter(author=gone).exists()
    assert Comment.objects.filter(author=None, body="My comment").exists()
    assert client.get(f"/u/{old_username}").status_code == 404
    # The name is free again, and the old password opens nothing.
    UserFactory(username=old_username)
    assert not client.login(username=gone.username, password=PASSWORD)
    item_page = client.get(world["mine"].get_absolute_url()).content.decode()
    assert "[deleted account]" in item_page

    assert len(callbacks) == 1
    account_purge(user_id=member.pk, keep_content=True)
    theirs = Item.objects.get(pk=world["theirs"].pk)
    assert theirs.favorites_count == Favorite.objects.filter(item=theirs).count() == 1
    assert theirs.vote_score == sum(ItemVote.objects.filter(item=theirs).values_list("value", flat=True)) == 0
    assert not Channel.objects.filter(kind="personal", owner=gone).exists()
    assert not Subscription.objects.filter(user=gone).exists()
    assert Channel.objects.get(pk=world["channel"].pk).subscribers_count == 0


def test_deleting_content_goes_through_the_services_in_a_task(
    client, member, other_member, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delete_through_the_page(client, member, "delete")
    gone = User.objects.get(pk=member.pk)
    assert not gone.is_active
    assert Item.objects.filter(author=gone).exists()  # the task has not run yet
    assert len(callbacks) == 1

    account_purge_content.call(member.pk, keep_content=False)
    assert not Item.objects.filter(pk=world["mine"].pk).exists()
    theirs = Item.objects.get(pk=world["theirs"].pk)
    live = Comment.objects.filter(item=theirs, is_deleted=False)
    assert theirs.comments_count == live.count() == 1
    placeholder = Comment.objects.get(pk=world["thread"].pk)
    assert placeholder.is_deleted
    assert placeholder.body == ""
    assert placeholder.author_id is None
    assert not Comment.objects.filter(body="My lone comment").exists()
    assert theirs.vote_score == sum(ItemVote.objects.filter(item=theirs).values_list("value", flat=True)) == 1
    assert theirs.favorites_count == 1
    assert not ItemVote.objects.filter(user=gone).exists()
    assert not Favorite.objects.filter(user=gone).exists()

    # A second run finds nothing left to do.
    account_purge(user_id=member.pk, keep_content=False)
    assert Item.objects.get(pk=theirs.pk).comments_count == 1


def test_deleting_an_item_deletes_its_files_after_commit(member, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    item = ItemFactory(author=member)
    asset = attach_video_rows(item)
    from fieldcast.items.services import item_delete

    with django_capture_on_commit_callbacks(execute=True):
        item_delete(item=item)
    queued = DBTaskResult.objects.filter(task_path="fieldcast.media.tasks_files.delete_asset_files")
    assert [row.args_kwargs["args"] for row in queued] == [[asset.public_id]]


def test_the_purge_ignores_live_accounts(member):
    item = ItemFactory(author=member)
    account_purge(user_id=member.pk, keep_content=False)
    assert Item.objects.filter(pk=item.pk).exists()


def test_deleting_twice_changes_nothing(member):
    account_delete(user=member, keep_content=True)
    first = User.objects.get(pk=member.pk).username
    account_delete(user=member, keep_content=True)
    assert User.objects.get(pk=member.pk).username == first


def test_only_the_member_themselves_can_delete_and_with_csrf(member, other_member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(other_member)
    assert strict.post(DELETE, {"content": "keep", "password": PASSWORD, "confirm": "on"}).status_code == 403
    guest = Client()
    assert guest.post(DELETE, {"content": "keep", "password": PASSWORD, "confirm": "on"}).status_code == 302
    member.refresh_from_db()
    other_member.refresh_from_db()
    assert member.is_active
    assert other_member.is_active


def test_the_deleted_page_is_shown_once(client, db):
    assert client.get(reverse("accounts:deleted"))["Location"] == "/"
