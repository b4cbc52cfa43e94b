"""Fixtures for the moderation tests: a moderator (a member of the "moderators" group,
not staff), trusted reporters, and a reported item."""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.core.testing import factories
from fieldcast.moderation.permissions import moderators_group


def make_member(username: str, **fields) -> User:
    user = factories.UserFactory(username=username)
    if fields:
        User.objects.filter(pk=user.pk).update(**fields)
    return User.objects.get(pk=user.pk)


def make_trusted(username: str) -> User:
    """Trusted the ordinary way: verified email, an account older than 30 days."""
    user = make_member(username, date_joined=timezone.now() - datetime.timedelta(days=45))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def moderator(db) -> User:
    user = factories.UserFactory(username="marta_mod")
    user.groups.add(moderators_group())
    return User.objects.get(pk=user.pk)  # a fresh permission cache


@pytest.fixture
def uploader(db) -> User:
    return make_member("uploader")


@pytest.fixture
def item(uploader):
    return factories.ItemFactory(author=uploader, title="Footage of the square", body="What happened **here**.")
