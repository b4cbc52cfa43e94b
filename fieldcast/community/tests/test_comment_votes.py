"""Votes on comments: one per member, changeable, the score moved with F() and exact."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from fieldcast.community.models import Comment, CommentVote
from fieldcast.community.services import CommentNotAllowed, comment_create, comment_remove, comment_vote
from fieldcast.core.testing.factories import ItemFactory, UserFactory


def score(comment: Comment) -> int:
    return Comment.objects.values_list("score", flat=True).get(pk=comment.pk)


def rows_total(comment: Comment) -> int:
    return CommentVote.objects.filter(comment=comment).aggregate(total=Sum("value"))["total"] or 0


def vote_url(comment: Comment) -> str:
    return reverse("community:comment_vote", kwargs={"public_id": comment.item.public_id, "comment_id": comment.pk})


@pytest.fixture
def comment(thread_item, other_member):
    return comment_create(item=thread_item, author=other_member, body="Seen from the roof")


def test_up_again_takes_back_and_down_replaces(comment, member):
    assert comment_vote(comment=comment, user=member, value=1) == (1, 1)
    assert comment_vote(comment=comment, user=member, value=-1) == (-1, -1)
    assert comment_vote(comment=comment, user=member, value=-1) == (0, 0)
    assert comment_vote(comment=comment, user=member, value=1) == (1, 1)
    assert score(comment) == rows_total(comment) == 1
    assert CommentVote.objects.filter(comment=comment).count() == 1


def test_no_vote_on_your_own_or_a_deleted_comment(comment, member, other_member):
    with pytest.raises(CommentNotAllowed, match="your own comment"):
        comment_vote(comment=comment, user=other_member, value=1)
    comment_create(item=comment.item, author=member, body="reply", parent=comment)
    comment_remove(comment=comment, actor=other_member)  # stays as a placeholder
    with pytest.raises(CommentNotAllowed, match="deleted"):
        comment_vote(comment=comment, user=member, value=1)


def test_guest_is_sent_to_log_in(client, comment):
    response = client.post(vote_url(comment), {"value": "1"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert score(comment) == 0


def test_plain_post_votes_and_comes_back_to_the_comment(client, comment, member):
    client.force_login(member)
    response = client.post(vote_url(comment), {"value": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert score(comment) == 1


def test_htmx_vote_answers_with_the_buttons(client, comment, member):
    client.force_login(member)
    response = client.post(vote_url(comment), {"value": "-1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="votes-{comment.pk}"' in html
    assert 'value="-1" class="vote vote-down" aria-pressed="true"' in html
    assert '<span class="score">-1<' in html


def test_htmx_refusal_is_shown_beside_the_buttons(client, comment, other_member, member):
    client.force_login(member)
    comment.item.comments_locked = True
    comment.item.save(update_fields=["comments_locked"])
    response = client.post(vote_url(comment), {"value": "1"}, headers={"HX-Request": "true"})
    assert "locked by the moderators" in response.content.decode()
    assert score(comment) == 0


def test_bad_value_is_refused(client, comment, member):
    client.force_login(member)
    assert client.post(vote_url(comment), {"value": "5"}).status_code == 400
    assert client.get(vote_url(comment)).status_code == 405


def test_votes_are_rate_limited(client, settings, thread_item, member, other_member):
    settings.VOTE_RATE_LIMIT_PER_MINUTE = 2
    comments = [comment_create(item=thread_item, author=other_member, body=f"c{n}") for n in range(3)]
    client.force_login(member)
    statuses = [client.post(vote_url(c), {"value": "1"}).status_code for c in comments]
    assert statuses == [302, 302, 429]
    assert [score(c) for c in comments] == [1, 1, 0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_add_up():
    item = ItemFactory()
    target = comment_create(item=item, author=item.author, body="vote on me")
    voters = [UserFactory(username=f"voter{n}") for n in range(8)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(voters))

    def work(n: int) -> None:
        try:
            barrier.wait()
            for _ in range(3):  # up, take back, up: +1 each in the end
                comment_vote(comment=target, user=voters[n], value=1)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(voters))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert score(target) == rows_total(target) == len(voters)
