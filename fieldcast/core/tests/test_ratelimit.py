"""Rate limits on writes: per member and per address, per scope, with a 429 that says when to
try again (a page for plain requests, a fragment for htmx)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from fieldcast.core.ratelimit import check_write, client_ip, limit_writes
from fieldcast.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


NOW = 1_800_000_000 + 20  # 20 s into a minute: 40 s left in the window


@pytest.fixture
def members(db):
    return [UserFactory(username=f"m{n}") for n in range(3)]


@pytest.fixture(autouse=True)
def _limits(settings, monkeypatch):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 3
    settings.WRITE_RATE_LIMIT_IP_FACTOR = 2
    # A fixed clock: no test crosses into the next minute's window halfway through.
    monkeypatch.setattr("fieldcast.core.ratelimit.time", SimpleNamespace(time=lambda: float(NOW)))


def post(user=None, *, ip="203.0.113.7", htmx=False) -> HttpRequest:
    request = RequestFactory().post("/x", REMOTE_ADDR=ip, headers={"HX-Request": "true"} if htmx else {})
    request.user = user or AnonymousUser()  # type: ignore[assignment]
    request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]
    return request


@limit_writes("test")
def view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@limit_writes("vote", per_minute=5)
def vote_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def test_a_member_is_limited_per_minute_with_a_clear_page(members):
    member = members[0]
    for _ in range(3):
        assert view(post(member)).status_code == 200
    response = view(post(member))
    assert response.status_code == 429
    assert response["Retry-After"] == "40"
    html = response.content.decode()
    assert "You're doing that too often. Try again in 40 seconds." in html
    assert "<html" in html


def test_htmx_gets_a_small_fragment_site_js_shows(members):
    member = members[0]
    for _ in range(3):
        view(post(member, htmx=True))
    response = view(post(member, htmx=True))
    assert response.status_code == 429
    html = response.content.decode()
    assert "<html" not in html
    assert "data-rate-limited" in html
    assert 'role="alert"' in html
    assert "Try again in 40 seconds." in html


def test_gets_are_never_counted(members):
    member = members[0]
    request = RequestFactory().get("/x")
    request.user = member  # type: ignore[assignment]
    for _ in range(10):
        assert view(request).status_code == 200


def test_members_behind_one_address_share_a_higher_limit(members):
    # 3 per member, 2 x 3 = 6 per address: the third member at the address is refused.
    for member in members[:2]:
        for _ in range(3):
            assert view(post(member)).status_code == 200
    assert view(post(members[2])).status_code == 429
    # Another address is not affected.
    assert view(post(members[2], ip="198.51.100.1")).status_code == 200


def test_a_member_over_their_own_limit_does_not_use_up_the_address(members):
    noisy, neighbour = members[:2]
    for _ in range(20):
        view(post(noisy))
    # The noisy member was counted 3 times at the address, so a neighbour still has room.
    for _ in range(3):
        assert view(post(neighbour)).status_code == 200


def test_a_member_changing_address_is_still_limited(members):
    member = members[0]
    for n in range(3):
        assert view(post(member, ip=f"198.51.100.{n}")).status_code == 200
    assert view(post(member, ip="198.51.100.99")).status_code == 429


def test_guests_are_limited_per_address():
    for _ in range(3):
        assert view(post()).status_code == 200
    assert view(post()).status_code == 429
    assert view(post(ip="198.51.100.1")).status_code == 200


def test_a_scope_has_its_own_limit_and_bucket(members):
    member = members[0]
    for _ in range(5):
        assert vote_view(post(member)).status_code == 200
    assert vote_view(post(member)).status_code == 429
    # Votes used up do not touch the default scope.
    assert view(post(member)).status_code == 200


def test_a_callable_limit_is_read_per_request(settings, members):
    settings.VOTE_RATE_LIMIT_PER_MINUTE = 1
    member = members[0]
    assert check_write(post(member), "callable", per_minute=lambda: settings.VOTE_RATE_LIMIT_PER_MINUTE) is None
    assert check_write(post(member), "callable", per_minute=lambda: settings.VOTE_RATE_LIMIT_PER_MINUTE) is not None


def test_the_address_behind_a_proxy(settings):
    request = post(ip="127.0.0.1")
    request.META["HTTP_X_FORWARDED_FOR"] = "10.0.0.1, 203.0.113.9"
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.9"


def test_the_settings_have_sensible_defaults():
    from django.conf import settings as live

    assert live.COMMENT_RATE_LIMIT_PER_MINUTE > 0
    assert live.VOTE_RATE_LIMIT_PER_MINUTE >= live.COMMENT_RATE_LIMIT_PER_MINUTE


def test_through_a_real_view_with_the_429_page(client, settings, member):
    """The Safe Mode toggle is limited (scope safe_mode): the whole site answers the same way."""
    client.force_login(member)
    for _ in range(3):
        assert client.post("/safe-mode", {"mode": "on"}).status_code == 302
    response = client.post("/safe-mode", {"mode": "on"})
    assert response.status_code == 429
    assert "You're doing that too often. Try again in 40 seconds." in response.content.decode()
    response = client.post("/safe-mode", {"mode": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert response.content.decode().startswith('<p class="message message-error" role="alert" data-rate-limited')
