"""Comment pages and endpoints over HTTP: plain posts, htmx fragments, permissions,
CSRF, rate limits, the comment policy on the page, and fixed query counts."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fieldcast.accounts.models import Block, User
from fieldcast.community.models import Comment
from fieldcast.community.selectors import THREADS_PER_PAGE
from fieldcast.community.services import comment_create, comment_vote
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item

HTMX = {"HX-Request": "true"}


def post_url(item: Item) -> str:
    return reverse("community:comment_post", kwargs={"public_id": item.public_id})


def url(name: str, comment: Comment) -> str:
    return reverse(f"community:{name}", kwargs={"public_id": comment.item.public_id, "comment_id": comment.pk})


def count(item: Item) -> int:
    return Item.objects.values_list("comments_count", flat=True).get(pk=item.pk)


# --- Reading --------------------------------------------------------------------------


def test_guest_reads_comments_and_is_asked_to_register(client, thread_item, member):
    comment_create(item=thread_item, author=member, body="مرحبا **بالجميع**")
    html = client.get(thread_item.get_absolute_url()).content.decode()
    assert "You need to be registered in order to add comments! " in html
    assert "Register HERE" in html
    assert '<div class="comment-body" dir="auto"><p>مرحبا <strong>بالجميع</strong></p></div>' in html
    assert "csrfmiddlewaretoken" not in html  # guests' item pages stay cacheable


def test_guest_post_goes_to_log_in(client, thread_item):
    response = client.post(post_url(thread_item), {"body": "hi"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    response = client.post(post_url(thread_item), {"body": "hi"}, headers=HTMX)
    assert "/accounts/login/" in response["HX-Redirect"]
    assert count(thread_item) == 0


def test_injected_script_shows_as_text(client, thread_item, member):
    comment_create(item=thread_item, author=member, body="<script>alert('x')</script> & <b onclick=x>hi</b>")
    html = client.get(thread_item.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "onclick" not in html


def test_sorts_and_pages(client, thread_item, member, other_member, veteran):
    old = comment_create(item=thread_item, author=member, body="oldest one")
    popular = comment_create(item=thread_item, author=member, body="popular one")
    new = comment_create(item=thread_item, author=member, body="newest one")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    Comment.objects.filter(pk=popular.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    comment_vote(comment=popular, user=other_member, value=1)
    comment_vote(comment=popular, user=veteran, value=1)
    comment_vote(comment=new, user=other_member, value=-1)

    def order(html: str) -> list[str]:
        return sorted(["oldest one", "popular one", "newest one"], key=html.index)

    assert order(client.get(thread_item.get_absolute_url()).content.decode()) == [
        "popular one",
        "oldest one",
        "newest one",
    ]
    assert order(client.get(post_url(thread_item) + "?sort=newest").content.decode()) == [
        "newest one",
        "popular one",
        "oldest one",
    ]
    assert order(client.get(post_url(thread_item) + "?sort=oldest").content.decode()) == [
        "oldest one",
        "popular one",
        "newest one",
    ]
    fragment = client.get(post_url(thread_item) + "?sort=oldest&part=section", headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<section class="comments" id="comments"')
    assert "<html" not in fragment


def test_pages_of_threads_bring_their_replies(client, thread_item, member, other_member):
    tops = [comment_create(item=thread_item, author=member, body=f"thread {n}") for n in range(THREADS_PER_PAGE + 2)]
    comment_create(item=thread_item, author=other_member, body="answer to the first", parent=tops[0])
    first = client.get(post_url(thread_item) + "?sort=oldest").content.decode()
    assert "thread 0" in first
    assert "answer to the first" in first
    assert f"thread {THREADS_PER_PAGE}<" not in first
    assert "More comments" in first
    second = client.get(post_url(thread_item) + "?sort=oldest&page=2&part=threads", headers=HTMX).content.decode()
    assert f"thread {THREADS_PER_PAGE}<" in second
    assert f"thread {THREADS_PER_PAGE + 1}<" in second
    assert "thread 0<" not in second
    assert 'id="comments-more" aria-label="More comments" hx-swap-oob="true"' in second
    assert "More comments</a>" not in second  # the last page


def test_deep_replies_start_collapsed_and_the_comment_page_shows_them(client, thread_item, member, other_member):
    parent = comment_create(item=thread_item, author=member, body="level 0")
    chain = [parent]
    for depth in range(1, 5):
        author = other_member if depth % 2 else member
        chain.append(comment_create(item=thread_item, author=author, body=f"level {depth}", parent=chain[-1]))
    html = client.get(thread_item.get_absolute_url()).content.decode()
    assert html.count('<details class="more-replies">') == 1
    assert "<summary>2 more replies</summary>" in html
    assert html.index("<summary>2 more replies</summary>") < html.index("level 3")
    detail = client.get(url("comment_detail", chain[4])).content.decode()
    assert "more-replies" not in detail
    assert f'class="comment comment-reply comment-focus" id="comment-{chain[4].pk}"' in detail
    assert "level 0" in detail
    assert "level 4" in detail


def test_comment_page_404s_for_another_items_comment(client, thread_item, member, item_factory):
    comment = comment_create(item=item_factory(), author=member, body="elsewhere")
    wrong = reverse("community:comment_detail", kwargs={"public_id": thread_item.public_id, "comment_id": comment.pk})
    assert client.get(wrong).status_code == 404


def test_comment_page_of_a_private_item_is_not_found(client, member):
    item = ItemFactory(visibility="private")
    comment = comment_create(item=item, author=item.author, body="note to self")
    assert client.get(url("comment_detail", comment)).status_code == 404
    client.force_login(member)
    assert client.get(url("comment_detail", comment)).status_code == 404


def test_ma_item_comments_wait_behind_the_interstitial(client, member):
    item = ItemFactory(rating="MA")
    comment = comment_create(item=item, author=item.author, body="graphic description")
    response = client.get(url("comment_detail", comment))
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    assert "graphic description" not in client.get(item.get_absolute_url()).content.decode()


def test_comments_from_a_blocked_member_are_hidden(client, thread_item, member, other_member):
    comment_create(item=thread_item, author=other_member, body="rude words")
    Block.objects.create(blocker=member, blocked=other_member)
    client.force_login(member)
    html = client.get(thread_item.get_absolute_url()).content.decode()
    assert "rude words" not in html
    assert "Comment from a member you blocked." in html


def test_item_page_query_count_is_fixed(client, thread_item, member, other_member, django_assert_max_num_queries):
    def fill(n: int) -> None:
        for k in range(n):
            top = comment_create(item=thread_item, author=member, body=f"top {k}")
            reply = comment_create(item=thread_item, author=other_member, body=f"reply {k}", parent=top)
            comment_create(item=thread_item, author=member, body=f"deeper {k}", parent=reply)
            comment_vote(comment=reply, user=member, value=1)

    def queries(viewer: User | None) -> int:
        c = Client()
        if viewer:
            c.force_login(viewer)
        c.get(thread_item.get_absolute_url())  # session, caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert c.get(thread_item.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    fill(2)
    few = {name: queries(user) for name, user in [("guest", None), ("member", member)]}
    fill(15)
    many = {name: queries(user) for name, user in [("guest", None), ("member", member)]}
    assert few == many
    with django_assert_max_num_queries(few["guest"]):
        client.get(thread_item.get_absolute_url())


# --- Posting ----------------------------------------------------------------------------


def test_plain_post_returns_to_the_comment(client, thread_item, member):
    client.force_login(member)
    response = client.post(post_url(thread_item), {"body": "I was there"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{thread_item.get_absolute_url()}#comment-{comment.pk}"
    assert count(thread_item) == 1


def test_htmx_post_answers_with_the_comment_and_a_fresh_form(client, thread_item, member):
    client.force_login(member)
    response = client.post(post_url(thread_item), {"body": "Live **now**"}, headers=HTMX)
    html = response.content.decode()
    comment = Comment.objects.get()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<article class="comment" id="comment-{comment.pk}"')
    assert "data-new-comment" in html
    assert "<strong>now</strong>" in html
    assert 'id="comment-form"' in html
    assert 'hx-swap-oob="true"' in html
    assert json.loads(response["HX-Trigger"]) == {"fcCommentsCount": {"count": 1}}


def test_htmx_errors_come_back_under_the_field(client, thread_item, member):
    client.force_login(member)
    response = client.post(post_url(thread_item), {"body": "   "}, headers=HTMX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#comment-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'id="id_body_error"' in html
    assert "Write something before posting." in html
    assert count(thread_item) == 0


def test_reply_plain_and_live(client, thread_item, member, other_member):
    top = comment_create(item=thread_item, author=member, body="Where is this?")
    client.force_login(other_member)
    response = client.post(post_url(thread_item), {"body": "Homs", "parent": top.pk})
    reply = Comment.objects.get(parent=top)
    assert response["Location"] == f"{url('comment_detail', reply)}#comment-{reply.pk}"
    form = client.get(url("comment_reply", top), headers=HTMX).content.decode()
    assert f'id="reply-form-{top.pk}"' in form
    assert f'hx-target="#replies-{top.pk}"' in form
    assert f'id="id_reply{top.pk}_body"' in form
    assert "Your reply" in form
    response = client.post(post_url(thread_item), {"body": "Old city", "parent": top.pk}, headers=HTMX)
    html = response.content.decode()
    assert "Old city" in html
    assert f'id="reply-slot-{top.pk}" hx-swap-oob="true"' in html
    assert count(thread_item) == 3
    # Without JS, "Reply" leads to the comment's own page and its reply form.
    assert client.get(url("comment_reply", top))["Location"].endswith("#reply")
    page = client.get(url("comment_detail", top)).content.decode()
    assert 'id="reply"' in page
    assert f'id="reply-form-{top.pk}"' in page


def test_reply_refused_when_the_parent_author_blocked_you(client, thread_item, member, other_member):
    top = comment_create(item=thread_item, author=member, body="mine")
    Block.objects.create(blocker=member, blocked=other_member)
    client.force_login(other_member)
    response = client.post(post_url(thread_item), {"body": "but", "parent": top.pk}, headers=HTMX)
    assert "You cannot reply to this member: they blocked you." in response.content.decode()
    assert response["HX-Retarget"] == f"#reply-form-{top.pk}"
    response = client.post(post_url(thread_item), {"body": "but", "parent": top.pk})
    assert response.status_code == 400
    assert "they blocked you" in response.content.decode()
    assert "they blocked you" in client.get(url("comment_reply", top), headers=HTMX).content.decode()
    assert count(thread_item) == 1


def test_policy_shown_on_the_page_and_enforced(client, thread_item, member, veteran):
    Item.objects.filter(pk=thread_item.pk).update(comments_mode="established", comments_min_days=30)
    client.force_login(member)
    html = client.get(thread_item.get_absolute_url()).content.decode()
    assert "accepts comments only from members registered for at least 30 days" in html
    assert 'id="comment-form"' not in html
    response = client.post(post_url(thread_item), {"body": "let me in"})
    assert response.status_code == 400
    assert "You can comment here from" in response.content.decode()
    client.force_login(veteran)
    assert client.post(post_url(thread_item), {"body": "hello"}).status_code == 302
    Item.objects.filter(pk=thread_item.pk).update(comments_mode="off")
    html = Client().get(thread_item.get_absolute_url()).content.decode()
    assert "The uploader turned comments off for this item." in html
    assert "Register HERE" not in html
    Item.objects.filter(pk=thread_item.pk).update(comments_mode="open", comments_locked=True)
    html = client.get(thread_item.get_absolute_url()).content.decode()
    assert "Comments on this item are locked by the moderators." in html


def test_suspended_member_reads_why(client, thread_item, member):
    User.objects.filter(pk=member.pk).update(suspended_until=timezone.now() + datetime.timedelta(days=2))
    client.force_login(member)
    assert "Your account is suspended until" in client.get(thread_item.get_absolute_url()).content.decode()
    response = client.post(post_url(thread_item), {"body": "still here"}, headers=HTMX)
    assert "Your account is suspended until" in response.content.decode()
    assert count(thread_item) == 0


def test_comments_are_rate_limited(client, settings, thread_item, member):
    settings.COMMENT_RATE_LIMIT_PER_MINUTE = 2
    client.force_login(member)
    statuses = [client.post(post_url(thread_item), {"body": f"c{n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert count(thread_item) == 2


def test_csrf_is_required(thread_item, member):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(post_url(thread_item), {"body": "forged"}).status_code == 403
    comment = comment_create(item=thread_item, author=member, body="mine")
    assert strict.post(url("comment_delete", comment)).status_code == 403
    assert strict.post(url("comment_edit", comment), {"body": "forged"}).status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "mine"


# --- Editing and deleting ----------------------------------------------------------------


def test_author_edits_in_place_and_it_says_edited(client, thread_item, member):
    comment = comment_create(item=thread_item, author=member, body="teh queue")
    client.force_login(member)
    form = client.get(url("comment_edit", comment), headers=HTMX).content.decode()
    assert f'id="comment-main-{comment.pk}"' in form
    assert "teh queue</textarea>" in form
    response = client.post(url("comment_edit", comment), {"body": "the queue"}, headers=HTMX)
    html = response.content.decode()
    assert "the queue" in html
    assert ">edited</span>" in html
    page = client.get(url("comment_edit", comment))
    assert page.status_code == 200
    assert "Edit your comment" in page.content.decode()
    response = client.post(url("comment_edit", comment), {"body": "the long queue"})
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).body == "the long queue"


def test_edit_closes_after_fifteen_minutes(client, thread_item, member):
    comment = comment_create(item=thread_item, author=member, body="first words")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=15, seconds=1))
    client.force_login(member)
    assert "Edit</a>" not in client.get(thread_item.get_absolute_url()).content.decode()
    response = client.post(url("comment_edit", comment), {"body": "changed"}, headers=HTMX)
    assert "15 minutes after posting" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).body == "first words"


def test_another_member_cannot_edit_or_delete(client, thread_item, member, other_member):
    comment = comment_create(item=thread_item, author=member, body="mine")
    client.force_login(other_member)
    page = client.get(thread_item.get_absolute_url()).content.decode()
    assert "Edit</a>" not in page
    assert "Delete</a>" not in page
    assert client.get(url("comment_edit", comment)).status_code == 403
    assert client.post(url("comment_edit", comment), {"body": "hijacked"}).status_code == 403
    assert client.post(url("comment_edit", comment), {"body": "hijacked"}, headers=HTMX).status_code == 403
    assert client.get(url("comment_delete", comment)).status_code == 403
    assert client.post(url("comment_delete", comment)).status_code == 403
    assert client.post(url("comment_delete", comment), headers=HTMX).status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "mine"
    assert count(thread_item) == 1


def test_guest_cannot_edit_or_delete(client, thread_item, member):
    comment = comment_create(item=thread_item, author=member, body="mine")
    for name in ("comment_edit", "comment_delete"):
        response = client.post(url(name, comment), {"body": "x"})
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert Comment.objects.get(pk=comment.pk).body == "mine"


def test_author_deletes_with_confirmation_without_js(client, thread_item, member):
    comment = comment_create(item=thread_item, author=member, body="regret")
    client.force_login(member)
    page = client.get(url("comment_delete", comment)).content.decode()
    assert "Delete this comment?" in page
    assert "regret" in page
    response = client.post(url("comment_delete", comment))
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert count(thread_item) == 0


def test_live_delete_leaves_deleted_or_removes(client, thread_item, member, other_member):
    top = comment_create(item=thread_item, author=member, body="top words")
    reply = comment_create(item=thread_item, author=other_member, body="reply words", parent=top)
    client.force_login(member)
    response = client.post(url("comment_delete", top), headers=HTMX)
    assert "[deleted]" in response.content.decode()
    assert "top words" not in response.content.decode()
    assert json.loads(response["HX-Trigger"]) == {"fcCommentsCount": {"count": 1}}
    html = client.get(thread_item.get_absolute_url()).content.decode()
    assert "[deleted]" in html
    assert "reply words" in html
    client.force_login(other_member)
    response = client.post(url("comment_delete", reply), headers=HTMX)
    assert response["HX-Reswap"] == "delete"
    assert response["HX-Retarget"] == f"#comment-{reply.pk}"
    assert f'<div id="comment-{top.pk}" hx-swap-oob="delete">' in response.content.decode()
    assert Comment.objects.count() == 0
    assert count(thread_item) == 0


def test_staff_deletes_anyones_comment(client, thread_item, member, staff):
    comment = comment_create(item=thread_item, author=member, body="against the rules")
    client.force_login(staff)
    assert "Delete</a>" in client.get(thread_item.get_absolute_url()).content.decode()
    assert client.post(url("comment_delete", comment)).status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()


# --- The uploader's comment policy in the item form --------------------------------------


def test_item_form_saves_the_comment_policy(client, member):
    client.force_login(member)
    data = {
        "title": "Flooded street",
        "rating": "GA",
        "occurred_precision": "unknown",
        "visibility": "public",
        "agree_terms": "on",
        "comments_mode": "established",
        "comments_min_days": "14",
    }
    assert client.post(reverse("items:new"), data).status_code == 302
    item = Item.objects.get(title="Flooded street")
    assert (item.comments_mode, item.comments_min_days) == ("established", 14)
    edit = reverse("items:edit", kwargs={"public_id": item.public_id})
    form = client.get(edit).content.decode()
    assert 'value="established" checked' in form or 'value="established"\n' in form or "checked" in form
    data.pop("agree_terms")
    data.update(comments_mode="off", comments_min_days="")
    assert client.post(edit, data).status_code == 302
    item.refresh_from_db()
    assert (item.comments_mode, item.comments_min_days) == ("off", 7)
    data.update(comments_mode="established", comments_min_days="0")
    response = client.post(edit, data)
    assert response.status_code == 200
    assert "Give at least 1 day." in response.content.decode()


def test_comment_with_arabic_text_keeps_its_direction(client, thread_item):
    author = UserFactory(username="reporter_sy")
    comment_create(item=thread_item, author=author, body="القصف بدأ فجراً")
    html = client.get(thread_item.get_absolute_url()).content.decode()
    assert '<div class="comment-body" dir="auto"><p>القصف بدأ فجراً</p></div>' in html


@pytest.mark.parametrize("name", ["comment_edit", "comment_delete", "comment_vote"])
def test_unknown_comment_is_404(client, thread_item, member, name):
    client.force_login(member)
    missing = reverse(f"community:{name}", kwargs={"public_id": thread_item.public_id, "comment_id": 999999})
    assert client.post(missing, {"value": "1", "body": "x"}).status_code == 404
