"""Blocking members: services, selectors, the profile button (htmx and plain), the settings list."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fieldcast.accounts.models import Block
from fieldcast.accounts.selectors import blocked_by_ids, blocked_ids, blocks_between
from fieldcast.accounts.services import user_block, user_unblock
from fieldcast.core.testing.factories import UserFactory


def test_block_and_unblock_services(member, other_member):
    assert user_block(blocker=member, blocked=other_member) is True
    assert user_block(blocker=member, blocked=other_member) is False
    assert Block.objects.count() == 1
    assert blocked_ids(member) == {other_member.pk}
    assert blocked_ids(member.pk) == {other_member.pk}
    assert blocked_ids(other_member) == set()
    assert blocked_by_ids(other_member) == {member.pk}
    assert blocks_between(member, other_member)
    assert blocks_between(other_member, member)
    assert blocks_between(other_member.pk, member.pk)
    assert user_unblock(blocker=member, blocked=other_member) is True
    assert user_unblock(blocker=member, blocked=other_member) is False
    assert not blocks_between(member, other_member)


def test_nobody_blocks_themselves(member):
    with pytest.raises(ValidationError):
        user_block(blocker=member, blocked=member)
    assert not blocks_between(member, member)


def test_guests_are_never_blocked(member):
    from django.contrib.auth.models import AnonymousUser

    assert blocked_ids(AnonymousUser()) == set()
    assert not blocks_between(AnonymousUser(), member)
    assert not blocks_between(None, member)


def test_block_from_the_profile_plain_post(client, member, other_member):
    client.force_login(member)
    response = client.post(reverse("accounts:block", args=[other_member.username]))
    assert response.status_code == 302
    assert response["Location"] == f"/u/{other_member.username}"
    assert blocks_between(member, other_member)
    page = client.get(response["Location"]).content.decode()
    assert "You blocked other" in page
    assert f"Unblock {other_member.username}" in page


def test_block_and_unblock_with_htmx(client, member, other_member):
    client.force_login(member)
    response = client.post(reverse("accounts:block", args=[other_member.username]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert f"Unblock {other_member.username}" in body
    assert 'role="status"' in body
    response = client.post(reverse("accounts:unblock", args=[other_member.username]), headers={"HX-Request": "true"})
    assert f"Block {other_member.username}" in response.content.decode()
    assert not blocks_between(member, other_member)


def test_blocked_list_in_settings_and_unblock_from_there(client, member, other_member):
    user_block(blocker=member, blocked=other_member)
    client.force_login(member)
    body = client.get("/me/settings").content.decode()
    assert 'class="block-list"' in body
    assert f"/u/{other_member.username}" in body
    response = client.post(reverse("accounts:unblock", args=[other_member.username]), {"next": "/me/settings"})
    assert response["Location"] == "/me/settings"
    assert "You have not blocked anyone" in client.get("/me/settings").content.decode()


def test_unblock_only_undoes_your_own_blocks(client, member, other_member):
    third = UserFactory(username="third")
    user_block(blocker=member, blocked=third)
    client.force_login(other_member)
    client.post(reverse("accounts:unblock", args=[third.username]))
    assert blocks_between(member, third)


def test_blocking_needs_a_member_a_post_and_csrf(client, member, other_member):
    url = reverse("accounts:block", args=[other_member.username])
    assert client.post(url).status_code == 302  # to log in
    client.force_login(member)
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(url).status_code == 403
    assert not blocks_between(member, other_member)


def test_self_block_by_url_is_refused_with_a_message(client, member):
    client.force_login(member)
    response = client.post(reverse("accounts:block", args=[member.username]), follow=True)
    assert "You cannot block yourself." in response.content.decode()
    assert Block.objects.count() == 0


def test_blocks_are_rate_limited(client, member, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 3
    others = [UserFactory(username=f"target{n}") for n in range(5)]
    client.force_login(member)
    statuses = [client.post(reverse("accounts:block", args=[o.username])).status_code for o in others]
    assert statuses[-1] == 429
    assert Block.objects.count() < 5
