"""The profile page (a member's channel): names, bio, figures, favorites link, block button."""

from __future__ import annotations

from django.urls import reverse

from fieldcast.accounts.services import user_update_profile
from fieldcast.community.services import comment_create
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item

ARABIC_NAME = "مراسل حمص"


def test_profile_shows_the_members_figures(client, member, other_member):
    listed = ItemFactory(author=member)
    ItemFactory(author=member)
    ItemFactory(author=member, moderation="removed")
    Item.objects.filter(pk=listed.pk).update(plays_count=41)
    comment_create(item=listed, author=member, body="First!")
    body = client.get(f"/u/{member.username}").content.decode()
    assert "<dt>Items</dt> <dd>2</dd>" in body
    assert "<dt>Plays</dt> <dd>41</dd>" in body
    assert "<dt>Comments</dt> <dd>1</dd>" in body
    assert "<dt>Member since</dt>" in body


def test_display_name_and_bio_render_as_text_and_sanitised_markdown(client, member):
    user_update_profile(
        user=member,
        display_name=f'{ARABIC_NAME} <script>alert("n")</script>',
        bio='**Bold** and <script>alert("b")</script> <img src=x onerror=alert(1)> [site](javascript:alert(2))',
        favorites_public=False,
    )
    body = client.get(f"/u/{member.username}").content.decode()
    assert f'<h1 dir="auto">{ARABIC_NAME} &lt;script&gt;' in body
    assert "<strong>Bold</strong>" in body
    assert "<script>alert" not in body
    assert "onerror" not in body
    assert "javascript:" not in body
    assert 'class="profile-bio article-body" dir="auto"' in body


def test_a_bio_saved_without_html_still_shows_as_text(client, member):
    type(member).objects.filter(pk=member.pk).update(bio="Plain <b>words</b>")
    body = client.get(f"/u/{member.username}").content.decode()
    assert "Plain &lt;b&gt;words&lt;/b&gt;" in body


def test_favorites_link_only_when_public_or_own(client, member, other_member):
    favorites = f"/u/{member.username}/favorites"
    assert favorites not in client.get(f"/u/{member.username}").content.decode()
    client.force_login(member)
    own = client.get(f"/u/{member.username}").content.decode()
    assert favorites in own
    assert "(only you see them)" in own
    client.force_login(other_member)
    assert favorites not in client.get(f"/u/{member.username}").content.decode()
    user_update_profile(user=member, display_name="", bio="", favorites_public=True)
    assert favorites in client.get(f"/u/{member.username}").content.decode()


def test_block_button_for_other_members_only(client, member, other_member):
    assert "Block " not in client.get(f"/u/{member.username}").content.decode()
    client.force_login(member)
    assert reverse("accounts:block", args=[member.username]) not in client.get(f"/u/{member.username}").content.decode()
    body = client.get(f"/u/{other_member.username}").content.decode()
    assert f'action="{reverse("accounts:block", args=[other_member.username])}"' in body


def test_deleted_and_unknown_members_have_no_profile(client, member):
    type(member).objects.filter(pk=member.pk).update(is_active=False)
    assert client.get(f"/u/{member.username}").status_code == 404
    assert client.get("/u/nobody-here").status_code == 404


def test_profile_runs_a_fixed_number_of_queries(client, member, other_member, django_assert_max_num_queries):
    for _ in range(3):
        ItemFactory(author=member)
    client.force_login(other_member)
    client.get(f"/u/{member.username}")
    with django_assert_max_num_queries(16) as few:
        client.get(f"/u/{member.username}")
    for _ in range(6):
        ItemFactory(author=member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/u/{member.username}").status_code == 200


def test_me_hub_links_every_my_page(client, member):
    assert client.get("/me").status_code == 302
    client.force_login(member)
    body = client.get("/me").content.decode()
    for path in ["/me/uploads", "/me/comments", "/me/replies", "/me/favorites", "/me/subscriptions", "/notifications"]:
        assert f'href="{path}"' in body
    assert reverse("accounts:settings") in body
    assert reverse("accounts:me") in client.get("/").content.decode()


def test_other_members_names_on_the_profile_are_escaped(client, member):
    evil = UserFactory(username="evil")
    user_update_profile(user=evil, display_name="<b>x</b>", bio="", favorites_public=False)
    body = client.get("/u/evil").content.decode()
    assert "<title>&lt;b&gt;x&lt;/b&gt; (@evil)" in body
