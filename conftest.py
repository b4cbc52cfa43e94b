"""Project-wide test fixtures: members of each kind, and item factories."""

from __future__ import annotations

import pytest

from fieldcast.core.testing import factories


@pytest.fixture
def member(db):
    return factories.UserFactory(username="member")


@pytest.fixture
def other_member(db):
    return factories.UserFactory(username="other")


@pytest.fixture
def staff(db):
    return factories.UserFactory(username="staffer", is_staff=True)


@pytest.fixture
def minor(db):
    return factories.UserFactory(username="teen", minor=True)


@pytest.fixture
def item_factory(db):
    return factories.ItemFactory


@pytest.fixture(autouse=True)
def _steady_rate_limit_clock(monkeypatch):
    """Rate limits count per minute window (core.ratelimit): a test's requests must not
    straddle two windows, or a limit it expects to reach starts again from zero."""
    from types import SimpleNamespace

    monkeypatch.setattr("fieldcast.core.ratelimit.time", SimpleNamespace(time=lambda: 1_800_000_020.0))


@pytest.fixture(autouse=True)
def _clear_redis_cache(settings):
    """Rate-limit counters live in the cache: start each test from zero. (The database
    cache needs nothing: each test's transaction is rolled back.)"""
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        from django.core.cache import cache

        cache.clear()
