"""Fixtures for the comment tests: an item to talk about, and tasks that run at once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.core.testing.factories import ItemFactory, UserFactory


@pytest.fixture
def thread_item(db):
    return ItemFactory(title="Checkpoint queue at dawn", author=UserFactory(username="uploader"))


@pytest.fixture
def veteran(db) -> User:
    """A member registered long ago (established comment policies let them in)."""
    pk = UserFactory(username="veteran").pk
    User.objects.filter(pk=pk).update(date_joined=timezone.now() - datetime.timedelta(days=400))
    return User.objects.get(pk=pk)


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run inside enqueue(), as a worker would run them after the commit."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "media"]}
    }
