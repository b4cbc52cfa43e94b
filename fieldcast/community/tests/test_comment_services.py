"""Comment services: threads, the comment policy, edits, deletes and the exact count."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from fieldcast.accounts.models import Block, User
from fieldcast.community.models import Comment
from fieldcast.community.services import (
    CommentNotAllowed,
    comment_create,
    comment_delete,
    comment_edit,
    comment_remove,
)
from fieldcast.core.testing.factories import UserFactory
from fieldcast.items.models import Item


def count(item: Item) -> int:
    return Item.objects.values_list("comments_count", flat=True).get(pk=item.pk)


def live(item: Item) -> int:
    return Comment.objects.filter(item=item, is_deleted=False).count()


def test_replies_know_their_thread(thread_item, member, other_member):
    top = comment_create(item=thread_item, author=member, body="What time was this?")
    reply = comment_create(item=thread_item, author=other_member, body="Around six.", parent=top)
    deeper = comment_create(item=thread_item, author=member, body="Thanks", parent=reply)
    assert top.root_id is None
    assert reply.root_id == top.pk
    assert deeper.root_id == top.pk
    assert count(thread_item) == 3 == live(thread_item)


def test_markdown_is_sanitised(thread_item, member):
    comment = comment_create(
        item=thread_item,
        author=member,
        body="**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    assert "<strong>bold</strong>" in comment.body_html
    assert "<script" not in comment.body_html
    assert "javascript:" not in comment.body_html
    assert "onerror" not in comment.body_html


def test_reply_must_be_on_the_same_item(thread_item, item_factory, member):
    elsewhere = comment_create(item=item_factory(), author=member, body="elsewhere")
    with pytest.raises(CommentNotAllowed, match="another item"):
        comment_create(item=thread_item, author=member, body="hi", parent=elsewhere)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"comments_mode": "off"}, "The uploader turned comments off for this item."),
        ({"comments_locked": True}, "Comments on this item are locked by the moderators."),
    ],
)
def test_closed_items_refuse_comments(thread_item, member, fields, message):
    Item.objects.filter(pk=thread_item.pk).update(**fields)
    thread_item.refresh_from_db()
    with pytest.raises(CommentNotAllowed) as exc:
        comment_create(item=thread_item, author=member, body="hello")
    assert str(exc.value) == message
    assert count(thread_item) == 0


def test_established_policy_tells_a_new_member_when_they_may_comment(thread_item, member, veteran):
    Item.objects.filter(pk=thread_item.pk).update(comments_mode="established", comments_min_days=7)
    thread_item.refresh_from_db()
    with pytest.raises(CommentNotAllowed) as exc:
        comment_create(item=thread_item, author=member, body="first!")
    allowed_from = timezone.localtime(member.date_joined + datetime.timedelta(days=7))
    assert "registered for at least 7 days" in str(exc.value)
    assert allowed_from.strftime("%b-%d-%Y") in str(exc.value)
    assert comment_create(item=thread_item, author=veteran, body="I have been here a while")
    # The uploader may always answer on their own item.
    assert comment_create(item=thread_item, author=thread_item.author, body="Thanks all")


def test_suspended_member_cannot_comment(thread_item, member):
    User.objects.filter(pk=member.pk).update(suspended_until=timezone.now() + datetime.timedelta(days=3))
    member.refresh_from_db()
    with pytest.raises(CommentNotAllowed, match="suspended until"):
        comment_create(item=thread_item, author=member, body="hello")
    User.objects.filter(pk=member.pk).update(suspended_until=timezone.now() - datetime.timedelta(minutes=1))
    member.refresh_from_db()
    assert comment_create(item=thread_item, author=member, body="back again")


def test_a_blocked_member_cannot_reply_to_the_blocker(thread_item, member, other_member):
    top = comment_create(item=thread_item, author=member, body="My report")
    Block.objects.create(blocker=member, blocked=other_member)
    with pytest.raises(CommentNotAllowed, match="they blocked you"):
        comment_create(item=thread_item, author=other_member, body="reply", parent=top)
    # The blocker may still answer the blocked member's comments elsewhere in the thread.
    their = comment_create(item=thread_item, author=other_member, body="separate")
    assert comment_create(item=thread_item, author=member, body="noted", parent=their)


def test_edit_within_the_window_then_never(thread_item, member, other_member):
    comment = comment_create(item=thread_item, author=member, body="typo hre")
    edited = comment_edit(comment=comment, editor=member, body="typo here")
    assert edited.body == "typo here"
    assert edited.edited_at is not None
    with pytest.raises(CommentNotAllowed, match="Only the author"):
        comment_edit(comment=comment, editor=other_member, body="hijacked")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    with pytest.raises(CommentNotAllowed, match="15 minutes"):
        comment_edit(comment=comment, editor=member, body="too late")
    assert Comment.objects.get(pk=comment.pk).body == "typo here"


def test_delete_without_replies_disappears(thread_item, member):
    comment = comment_create(item=thread_item, author=member, body="oops")
    outcome = comment_remove(comment=comment, actor=member)
    assert not outcome.placeholder
    assert outcome.gone_ids == [comment.pk]
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert count(thread_item) == 0


def test_delete_with_replies_leaves_a_placeholder_then_goes_with_its_last_reply(thread_item, member, other_member):
    top = comment_create(item=thread_item, author=member, body="original text")
    reply = comment_create(item=thread_item, author=other_member, body="an answer", parent=top)
    outcome = comment_remove(comment=top, actor=member)
    assert outcome.placeholder
    top.refresh_from_db()
    assert top.is_deleted
    assert top.body == ""
    assert top.body_html == ""
    assert count(thread_item) == 1 == live(thread_item)
    with pytest.raises(CommentNotAllowed, match="deleted: it can no longer be answered"):
        comment_create(item=thread_item, author=other_member, body="more", parent=top)
    outcome = comment_remove(comment=reply, actor=other_member)
    assert outcome.gone_ids == [reply.pk, top.pk]
    assert Comment.objects.filter(item=thread_item).count() == 0
    assert count(thread_item) == 0


def test_only_the_author_or_a_moderator_deletes(thread_item, member, other_member, staff):
    first = comment_create(item=thread_item, author=member, body="one")
    with pytest.raises(CommentNotAllowed, match="Only the author or a moderator"):
        comment_remove(comment=first, actor=other_member)
    comment_create(item=thread_item, author=other_member, body="a reply", parent=first)
    assert comment_remove(comment=first, actor=staff).placeholder
    first.refresh_from_db()
    assert first.deleted_by_moderator
    moderator = User.objects.get(pk=UserFactory(username="mod").pk)
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    second = comment_create(item=thread_item, author=member, body="two")
    comment_remove(comment=second, actor=moderator)
    assert not Comment.objects.filter(pk=second.pk).exists()
    assert count(thread_item) == live(thread_item) == 1


def test_purging_a_thread_counts_only_live_comments(thread_item, member, other_member):
    top = comment_create(item=thread_item, author=member, body="top")
    middle = comment_create(item=thread_item, author=other_member, body="middle", parent=top)
    comment_create(item=thread_item, author=member, body="leaf", parent=middle)
    comment_create(item=thread_item, author=member, body="other thread")
    comment_remove(comment=middle, actor=other_member)  # a placeholder: the count drops by one
    assert count(thread_item) == 3
    comment_delete(comment=top)
    assert count(thread_item) == 1 == live(thread_item) == Comment.objects.filter(item=thread_item).count()
