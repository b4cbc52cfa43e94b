"""/me/comments and /me/replies: the member's own comments, and the answers they got,
only on items they can still open, paginated."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fieldcast.accounts.models import Block
from fieldcast.community.services import comment_create, comment_remove
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item


@pytest.mark.parametrize("name", ["my_comments", "my_replies"])
def test_pages_need_a_member(client, name):
    response = client.get(reverse(f"community:{name}"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_comments_link_their_items(client, member, thread_item):
    comment_create(item=thread_item, author=member, body="Seen it **live**")
    gone = comment_create(item=thread_item, author=member, body="deleted words")
    comment_remove(comment=gone, actor=member)
    hidden_item = ItemFactory(title="Later made private")
    comment_create(item=hidden_item, author=member, body="on a private item")
    Item.objects.filter(pk=hidden_item.pk).update(visibility="private")
    comment_create(item=thread_item, author=UserFactory(username="someone"), body="not mine")
    client.force_login(member)
    html = client.get(reverse("community:my_comments")).content.decode()
    assert "Seen it <strong>live</strong>" in html
    assert f'href="{thread_item.get_absolute_url()}"' in html
    assert "deleted words" not in html
    assert "on a private item" not in html
    assert "Later made private" not in html
    assert "not mine" not in html


def test_my_comments_are_paginated(client, settings, member, thread_item):
    settings.PAGE_SIZE = 3
    for n in range(5):
        comment_create(item=thread_item, author=member, body=f"number {n}")
    client.force_login(member)
    first = client.get(reverse("community:my_comments")).content.decode()
    assert "number 4" in first
    assert "number 2" in first
    assert "number 1" not in first
    cursor = first.split("?after=")[1].split('"')[0]
    second = client.get(reverse("community:my_comments") + f"?after={cursor}").content.decode()
    assert "number 1" in second
    assert "number 0" in second
    assert "number 2" not in second


def test_replies_to_me_lists_replies_and_mentions(client, member, other_member, thread_item):
    mine = comment_create(item=thread_item, author=member, body="my question")
    comment_create(item=thread_item, author=other_member, body="an answer", parent=mine)
    comment_create(item=thread_item, author=other_member, body="hey @member look")
    comment_create(item=thread_item, author=member, body="my own follow-up", parent=mine)
    comment_create(item=thread_item, author=other_member, body="unrelated")
    blocked = UserFactory(username="troll")
    comment_create(item=thread_item, author=blocked, body="troll reply", parent=mine)
    Block.objects.create(blocker=member, blocked=blocked)
    private = ItemFactory(title="Private one", author=other_member)
    theirs = comment_create(item=private, author=member, body="on their item")
    comment_create(item=private, author=other_member, body="secret reply", parent=theirs)
    Item.objects.filter(pk=private.pk).update(visibility="private")
    client.force_login(member)
    html = client.get(reverse("community:my_replies")).content.decode()
    assert "an answer" in html
    assert "replied to your comment" in html
    assert 'hey <a href="/u/member" class="mention"' in html
    assert "mentioned you" in html
    assert "my own follow-up" not in html
    assert "unrelated" not in html
    assert "troll reply" not in html
    assert "secret reply" not in html


def test_my_pages_keep_a_fixed_number_of_queries(client, member, other_member, django_assert_max_num_queries):
    def add(n: int) -> None:
        for k in range(n):
            item = ItemFactory(author=other_member)
            mine = comment_create(item=item, author=member, body=f"mine {k} @other")
            comment_create(item=item, author=other_member, body=f"answer {k} @member", parent=mine)

    client.force_login(member)
    add(2)
    client.get(reverse("community:my_comments"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("community:my_comments"))
        client.get(reverse("community:my_replies"))
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "mine 7" in client.get(reverse("community:my_comments")).content.decode()
        assert "answer 7" in client.get(reverse("community:my_replies")).content.decode()
