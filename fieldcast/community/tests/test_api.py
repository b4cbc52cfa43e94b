"""Comments in the REST API: threads, one comment, posting, replying, editing, deleting
and voting, with the item page's rules."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fieldcast.accounts.models import Block, User
from fieldcast.api.testing import as_member
from fieldcast.community.models import Comment, CommentVote
from fieldcast.community.services import comment_create, comment_vote_set
from fieldcast.core.testing import factories
from fieldcast.items.models import Item

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


def post(item: Item, user: User, body: str, parent: Comment | None = None) -> Comment:
    return comment_create(item=item, author=user, body=body, parent=parent)


# --- reads ------------------------------------------------------------------------------------


def test_threads_come_with_their_replies_in_the_chosen_order(thread_item, member, other_member):
    first = post(thread_item, member, "First, and *best*")
    second = post(thread_item, other_member, "Second")
    reply = post(thread_item, other_member, "A reply", parent=first)
    post(thread_item, member, "A reply to the reply", parent=reply)
    comment_vote_set(comment=first, user=other_member, value=1)
    body = Client().get(f"{API}/items/{thread_item.public_id}/comments").json()
    assert body["sort"] == "best"
    assert body["comments_count"] == 4
    assert [c["id"] for c in body["items"]] == [first.pk, second.pk]
    top = body["items"][0]
    assert top["body_html"] == "<p>First, and <em>best</em></p>"
    assert top["author"]["username"] == "member"
    assert top["score"] == 1
    assert top["url"] == f"/v/{thread_item.public_id}/-/comments/{first.pk}"
    assert [r["id"] for r in top["replies"]] == [reply.pk]
    assert top["replies"][0]["depth"] == 1
    assert top["replies"][0]["replies"][0]["body_html"] == "<p>A reply to the reply</p>"
    assert body["may_comment"] is False  # anonymous
    oldest = Client().get(f"{API}/items/{thread_item.public_id}/comments", {"sort": "oldest"}).json()
    assert [c["id"] for c in oldest["items"]] == [first.pk, second.pk]
    newest = Client().get(f"{API}/items/{thread_item.public_id}/comments", {"sort": "newest"}).json()
    assert [c["id"] for c in newest["items"]] == [second.pk, first.pk]
    bad = Client().get(f"{API}/items/{thread_item.public_id}/comments", {"sort": "loudest"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "sort"


def test_threads_page_by_cursor(thread_item, member):
    ids = [post(thread_item, member, f"Comment {n}").pk for n in range(5)]
    seen, cursor = [], None
    while True:
        params = {"sort": "newest", "limit": 2} | ({"cursor": cursor} if cursor else {})
        body = Client().get(f"{API}/items/{thread_item.public_id}/comments", params).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_thread_page_query_count_is_constant(thread_item, member, other_member):
    for n in range(12):
        top = post(thread_item, member, f"Top {n}")
        post(thread_item, other_member, f"Reply {n}", parent=top)
    client = as_member(other_member, "read")
    client.get(f"{API}/items/{thread_item.public_id}/comments", {"limit": 1})
    counts = []
    for limit in (2, 10):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"{API}/items/{thread_item.public_id}/comments", {"limit": limit}).json()
        assert len(body["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_placeholders_and_blocked_authors_show_no_text(thread_item, member, other_member):
    gone = post(thread_item, other_member, "Will be deleted")
    post(thread_item, member, "An answer", parent=gone)
    as_member(other_member).delete(f"{API}/comments/{gone.pk}")
    blocked = post(thread_item, other_member, "Rude words")
    Block.objects.create(blocker=member, blocked=other_member)
    body = as_member(member, "read").get(f"{API}/items/{thread_item.public_id}/comments", {"sort": "oldest"}).json()
    placeholder, hidden = body["items"]
    assert placeholder["state"] == "deleted"
    assert placeholder["body_html"] == ""
    assert placeholder["author"] is None
    assert hidden["id"] == blocked.pk
    assert hidden["state"] == "hidden"
    assert "Rude" not in str(hidden)


def test_comments_follow_the_item_page(member, other_member):
    ma = factories.ItemFactory(author=other_member, rating="MA")
    post(ma, other_member, "On an MA item")
    refused = Client().get(f"{API}/items/{ma.public_id}/comments")
    assert refused.status_code == 403
    assert "Safe Mode" in refused.json()["detail"]
    User.objects.filter(pk=member.pk).update(safe_mode=False)
    assert as_member(member, "read").get(f"{API}/items/{ma.public_id}/comments").status_code == 200
    removed = factories.ItemFactory(author=other_member, moderation="removed", moderation_reason="Spam")
    gone = Client().get(f"{API}/items/{removed.public_id}/comments")
    assert gone.status_code == 410
    assert "Spam" in gone.json()["detail"]
    private = factories.ItemFactory(author=other_member, visibility="private")
    assert Client().get(f"{API}/items/{private.public_id}/comments").status_code == 404
    processing = factories.ItemFactory(author=other_member, lifecycle="processing")
    assert Client().get(f"{API}/items/{processing.public_id}/comments").status_code == 404
    held = factories.ItemFactory(author=other_member, moderation="held")
    assert Client().get(f"{API}/items/{held.public_id}/comments").status_code == 403


def test_one_comment_with_its_replies(thread_item, member, other_member):
    top = post(thread_item, member, "Top")
    reply = post(thread_item, other_member, "Reply", parent=top)
    body = Client().get(f"{API}/comments/{reply.pk}").json()
    assert body["id"] == reply.pk
    assert body["parent"] == top.pk
    assert body["thread"] == top.pk
    assert Client().get(f"{API}/comments/{top.pk}").json()["replies"][0]["id"] == reply.pk
    missing = Client().get(f"{API}/comments/999999")
    assert missing.status_code == 404
    assert "no comment" in missing.json()["detail"]
    private = factories.ItemFactory(author=other_member, visibility="private")
    hidden = post(private, other_member, "Secret")
    assert Client().get(f"{API}/comments/{hidden.pk}").status_code == 404


# --- writes ----------------------------------------------------------------------------------


def test_post_a_comment_and_a_reply(thread_item, member, other_member):
    client = as_member(member)
    response = client.post(
        f"{API}/items/{thread_item.public_id}/comments", {"body": "I was there @other"}, content_type=JSON
    )
    assert response.status_code == 201
    body = response.json()
    assert body["author"]["username"] == "member"
    assert body["can_edit"] is True
    assert '<a href="/u/other"' in body["body_html"]
    reply = as_member(other_member).post(
        f"{API}/items/{thread_item.public_id}/comments", {"body": "So was I", "parent": body["id"]}, content_type=JSON
    )
    assert reply.status_code == 201
    assert reply.json()["parent"] == body["id"]
    assert Item.objects.get(pk=thread_item.pk).comments_count == 2


def test_posting_needs_a_member_with_a_write_credential(thread_item, member):
    url = f"{API}/items/{thread_item.public_id}/comments"
    assert Client().post(url, {"body": "Hi"}, content_type=JSON).status_code == 401
    assert as_member(member, "read").post(url, {"body": "Hi"}, content_type=JSON).status_code == 403
    assert not Comment.objects.exists()


def test_posting_refuses_bad_input(thread_item, member, other_member):
    client = as_member(member)
    url = f"{API}/items/{thread_item.public_id}/comments"
    empty = client.post(url, {"body": "   "}, content_type=JSON)
    assert empty.status_code == 422
    assert empty.json()["errors"] == [{"field": "body", "message": "Write something before posting."}]
    long = client.post(url, {"body": "x" * 10_001}, content_type=JSON)
    assert long.status_code == 422
    assert long.json()["errors"][0] == {
        "field": "body",
        "message": "A comment can have at most 10,000 characters (it has 10001).",
    }
    elsewhere = post(factories.ItemFactory(author=other_member), other_member, "Elsewhere")
    wrong_parent = client.post(url, {"body": "Hi", "parent": elsewhere.pk}, content_type=JSON)
    assert wrong_parent.status_code == 422
    assert wrong_parent.json()["errors"][0]["field"] == "parent"


def test_posting_follows_the_comment_policy(thread_item, member, other_member):
    url = f"{API}/items/{thread_item.public_id}/comments"
    Item.objects.filter(pk=thread_item.pk).update(comments_locked=True)
    locked = as_member(member).post(url, {"body": "Hi"}, content_type=JSON)
    assert locked.status_code == 403
    assert locked.json()["detail"] == "Comments on this item are locked by the moderators."
    Item.objects.filter(pk=thread_item.pk).update(comments_locked=False, comments_mode="established")
    newcomer = as_member(member).post(url, {"body": "Hi"}, content_type=JSON)
    assert newcomer.status_code == 403
    assert "registered for at least" in newcomer.json()["detail"]
    Item.objects.filter(pk=thread_item.pk).update(comments_mode="open")
    User.objects.filter(pk=member.pk).update(suspended_until=timezone.now() + datetime.timedelta(days=1))
    suspended = as_member(User.objects.get(pk=member.pk)).post(url, {"body": "Hi"}, content_type=JSON)
    assert suspended.status_code == 403
    assert "suspended" in suspended.json()["detail"]
    theirs = post(thread_item, other_member, "Mine")
    Block.objects.create(blocker=other_member, blocked=member)
    User.objects.filter(pk=member.pk).update(suspended_until=None)
    blocked = as_member(member).post(url, {"body": "Hi", "parent": theirs.pk}, content_type=JSON)
    assert blocked.status_code == 403
    assert "blocked you" in blocked.json()["detail"]


def test_posting_counts_against_the_comment_limit(thread_item, member, settings):
    settings.COMMENT_RATE_LIMIT_PER_MINUTE = 2
    client = as_member(member)
    url = f"{API}/items/{thread_item.public_id}/comments"
    statuses = [client.post(url, {"body": f"n{n}"}, content_type=JSON).status_code for n in range(3)]
    assert statuses == [201, 201, 429]


def test_edit_within_the_window_by_the_author_only(thread_item, member, other_member):
    comment = post(thread_item, member, "Typo")
    refused = as_member(other_member).patch(f"{API}/comments/{comment.pk}", {"body": "Mine"}, content_type=JSON)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the author can edit a comment."
    empty = as_member(member).patch(f"{API}/comments/{comment.pk}", {"body": ""}, content_type=JSON)
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "body"
    done = as_member(member).patch(f"{API}/comments/{comment.pk}", {"body": "Fixed"}, content_type=JSON)
    assert done.status_code == 200
    assert done.json()["body_html"] == "<p>Fixed</p>"
    assert done.json()["edited_at"] is not None
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    late = as_member(member).patch(f"{API}/comments/{comment.pk}", {"body": "Again"}, content_type=JSON)
    assert late.status_code == 403
    assert "15 minutes" in late.json()["detail"]
    assert Client().patch(f"{API}/comments/{comment.pk}", {"body": "x"}, content_type=JSON).status_code == 401


def test_delete_by_author_or_moderator(thread_item, member, other_member, staff):
    mine = post(thread_item, member, "Mine")
    refused = as_member(other_member).delete(f"{API}/comments/{mine.pk}")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the author or a moderator can delete a comment."
    done = as_member(member).delete(f"{API}/comments/{mine.pk}")
    assert done.status_code == 200
    assert done.json() == {"id": mine.pk, "placeholder": False, "removed_ids": [mine.pk]}
    answered = post(thread_item, other_member, "Answered")
    post(thread_item, member, "Answer", parent=answered)
    by_staff = as_member(staff).delete(f"{API}/comments/{answered.pk}")
    assert by_staff.json()["placeholder"] is True
    again = as_member(staff).delete(f"{API}/comments/{answered.pk}")
    assert again.status_code == 409
    assert Item.objects.get(pk=thread_item.pk).comments_count == 1


def test_votes_set_a_state_not_a_toggle(thread_item, member, other_member):
    comment = post(thread_item, other_member, "Vote on me")
    client = as_member(member)
    url = f"{API}/comments/{comment.pk}/vote"
    assert client.post(url, {"vote": "up"}, content_type=JSON).json() == {"id": comment.pk, "my_vote": "up", "score": 1}
    assert client.post(url, {"vote": "up"}, content_type=JSON).json()["score"] == 1  # a retry changes nothing
    assert client.post(url, {"vote": "down"}, content_type=JSON).json()["score"] == -1
    assert client.post(url, {"vote": "none"}, content_type=JSON).json() == {
        "id": comment.pk,
        "my_vote": "none",
        "score": 0,
    }
    assert not CommentVote.objects.exists()
    bad = client.post(url, {"vote": "sideways"}, content_type=JSON)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "vote"
    own = as_member(other_member).post(url, {"vote": "up"}, content_type=JSON)
    assert own.status_code == 403
    assert own.json()["detail"] == "You cannot vote on your own comment."
    assert Client().post(url, {"vote": "up"}, content_type=JSON).status_code == 401


def test_out_of_range_ids_and_nul_characters_are_client_errors(thread_item):
    too_big = Client().get(f"{API}/comments/{2**64}")
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "comment_id"
    assert Client().get(f"{API}/items/ab%00cd/comments").status_code == 404
    assert Client().get(f"{API}/channels/ab%00cd").status_code == 404
    assert Client().get(f"{API}/users/ab%00cd/favorites").status_code == 404
    assert Client().get(f"{API}/channels", {"q": "a\x00b"}).status_code == 200
