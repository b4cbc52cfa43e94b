"""@mentions and the notifications a comment sends (replies, mentions), blocks respected."""

from __future__ import annotations

import pytest

from fieldcast.accounts.models import Block, User
from fieldcast.community.mentions import mention_names, render_comment
from fieldcast.community.models import CommentMention
from fieldcast.community.notifying import comment_notify
from fieldcast.community.services import comment_create, comment_edit
from fieldcast.core.testing.factories import UserFactory
from fieldcast.notifications.models import Notification


@pytest.fixture
def bob(db) -> User:
    return User.objects.get(pk=UserFactory(username="bob").pk)


def test_names_are_found_outside_words_and_addresses():
    assert mention_names("@bob and @Alice, see mail@example.org or @bob. Also (@carol_1)") == [
        "bob",
        "Alice",
        "carol_1",
    ]


def test_existing_active_members_are_linked(member, bob):
    html, mentioned = render_comment("Thanks @BOB. Ask @nobody", author_id=member.pk)
    assert '<a href="/u/bob" class="mention" rel="nofollow noopener ugc">@BOB</a>.' in html
    assert "@nobody" in html
    assert "/u/nobody" not in html
    assert mentioned == [bob]
    User.objects.filter(pk=bob.pk).update(is_active=False)
    html, mentioned = render_comment("Thanks @bob", author_id=member.pk)
    assert "/u/bob" not in html
    assert mentioned == []


def test_no_link_inside_code_or_links(member, bob):
    html, _ = render_comment("`@bob` and [@bob](https://example.org) and\n\n    @bob in code", author_id=member.pk)
    assert "/u/bob" not in html


def test_markup_cannot_sneak_in_through_a_mention(member, bob):
    html, _ = render_comment('@bob"><script>alert(1)</script> @bob<img src=x onerror=alert(1)>', author_id=member.pk)
    assert "<script" not in html
    assert "onerror" not in html
    assert "<img" not in html
    assert html.count('href="/u/bob"') == 2


def test_no_link_between_members_who_blocked_each_other(member, bob):
    Block.objects.create(blocker=bob, blocked=member)
    html, mentioned = render_comment("hey @bob", author_id=member.pk)
    assert "/u/bob" not in html
    assert mentioned == []
    html, mentioned = render_comment("hey @member", author_id=bob.pk)
    assert "/u/member" not in html
    assert mentioned == []


def test_reply_and_mention_notify_once_each(
    thread_item, member, other_member, bob, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        top = comment_create(item=thread_item, author=member, body="Who filmed this?")
    with django_capture_on_commit_callbacks(execute=True):
        reply = comment_create(item=thread_item, author=other_member, body="@bob did, ask @member", parent=top)
    kinds = sorted(Notification.objects.filter(comment=reply).values_list("recipient__username", "kind"))
    assert kinds == [("bob", "mention"), ("member", "reply")]
    # Running the task again tells nobody twice.
    assert comment_notify(comment_id=reply.pk, mention_ids=[bob.pk], reply=True) == 0
    assert Notification.objects.filter(comment=reply).count() == 2


def test_edit_notifies_only_new_mentions(thread_item, member, bob, immediate_tasks, django_capture_on_commit_callbacks):
    carol = UserFactory(username="carol")
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(item=thread_item, author=member, body="cc @bob")
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(comment=comment, editor=member, body="cc @bob @carol")
    assert sorted(Notification.objects.filter(comment=comment).values_list("recipient__username", flat=True)) == [
        "bob",
        "carol",
    ]
    assert set(CommentMention.objects.filter(comment=comment).values_list("user_id", flat=True)) == {bob.pk, carol.pk}
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(comment=comment, editor=member, body="cc @carol")
    assert set(CommentMention.objects.filter(comment=comment).values_list("user_id", flat=True)) == {carol.pk}
    assert Notification.objects.filter(comment=comment).count() == 2


@pytest.mark.parametrize("direction", ["replier_blocked_parent_author", "parent_author_blocked_replier"])
def test_no_notification_between_members_who_blocked_each_other(
    thread_item, member, other_member, immediate_tasks, django_capture_on_commit_callbacks, direction
):
    top = comment_create(item=thread_item, author=member, body="top")
    if direction == "replier_blocked_parent_author":
        Block.objects.create(blocker=other_member, blocked=member)
        with django_capture_on_commit_callbacks(execute=True):
            comment_create(item=thread_item, author=other_member, body="reply", parent=top)
    else:
        # The blocked member cannot reply at all; the blocker's reply does not reach them.
        Block.objects.create(blocker=member, blocked=other_member)
        theirs = comment_create(item=thread_item, author=other_member, body="theirs")
        with django_capture_on_commit_callbacks(execute=True):
            comment_create(item=thread_item, author=member, body="reply", parent=theirs)
    assert Notification.objects.count() == 0


def test_notifications_go_through_the_default_queue(
    thread_item, member, other_member, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    top = comment_create(item=thread_item, author=member, body="top")
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(item=thread_item, author=other_member, body="reply", parent=top)
    task = DBTaskResult.objects.get()
    assert task.queue_name == "default"
    assert task.task_path.endswith("community.tasks.notify_comment")
    assert Notification.objects.count() == 0  # not in the request: a worker sends it
