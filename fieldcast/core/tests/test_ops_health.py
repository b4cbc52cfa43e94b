"""/healthz and /readyz: what they check, what they answer when something fails, and that
nothing in front of them (HTTPS redirect, Host check, two-factor setup, caches) gets in the way."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from fieldcast.core.tasks import prune_task_results
from fieldcast.core.testing.factories import UserFactory
from fieldcast.player.tasks import flush_counters

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


def test_readyz_reports_each_check_and_the_queue_depth(client):
    flush_counters.enqueue()
    flush_counters.enqueue()
    prune_task_results.enqueue()

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert "failed" not in body
    assert set(body["checks"]) == {"database", "cache", "storage", "queue"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["queues"]["default"]["waiting"] == 3
    assert body["queues"]["media"] == {"waiting": 0, "oldest_waiting_s": 0.0}
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


def test_readyz_names_a_failed_cache(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(cache, "set", broken)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"]["ok"] is False
    assert (
        body["checks"]["cache"]["error"]
        == "ConnectionError: Error 111 connecting to 127.0.0.1:6379. Connection refused."
    )
    assert body["checks"]["database"]["ok"] is True
    assert "readyz: not ready" in caplog.text
    assert "Connection refused" in caplog.text


def test_readyz_keeps_the_errors_from_strangers(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis.internal:6379.")

    monkeypatch.setattr(cache, "set", broken)
    response = client.get("/readyz", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache"]
    assert "redis.internal" not in response.content.decode()
    assert body["checks"]["cache"]["error"].startswith("failed")


def test_readyz_names_missing_media_storage(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "gone"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["storage"]
    assert "does not exist" in body["checks"]["storage"]["error"]


def test_readyz_names_a_failed_database(client, monkeypatch):
    from fieldcast.core import health

    def down():
        raise health.CheckFailed("connection to server at 127.0.0.1 failed")

    monkeypatch.setitem(health.CHECKS, "database", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


def test_probes_pass_what_stands_in_front_of_pages(client, settings):
    """A load balancer asks by address over plain HTTP: no redirect, no 400 for the Host."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["fieldcast.example"]
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
    assert client.get("/metrics", HTTP_HOST="10.0.0.7:8000").status_code == 200
    # ... while pages still get both.
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_staff_without_a_second_factor_are_not_sent_to_set_one_up(client, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(UserFactory(username="boss", is_staff=True))
    assert client.get("/admin/").status_code == 302  # the two-factor rule holds elsewhere
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200, path


def test_probes_are_never_rate_limited(client, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 1
    statuses = {client.get("/readyz").status_code for _ in range(30)}
    assert statuses == {200}


def test_readyz_resolves_like_a_page():
    from django.urls import reverse

    assert (reverse("healthz"), reverse("readyz"), reverse("metrics")) == ("/healthz", "/readyz", "/metrics")
