"""Turning Safe Mode off needs the 18+ confirmation; guests keep it in a signed
cookie, members in their profile; members under 18 cannot turn it off."""

from __future__ import annotations

from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.moderation.viewer import SAFE_MODE_COOKIE


def test_safe_mode_is_on_by_default(client, db):
    assert "Safe Mode: <strong>On</strong>" in client.get("/").content.decode()


def test_guest_turns_it_off_with_the_confirmation(client, db):
    response = client.post(reverse("safe_mode"), {"mode": "off", "next": "/c/"})
    assert response.status_code == 200
    assert "Confirm that you are 18 or over" in response.content.decode()
    assert SAFE_MODE_COOKIE not in response.cookies
    response = client.post(reverse("safe_mode"), {"mode": "off", "confirm_adult": "on", "next": "/c/"})
    assert response.status_code == 302
    assert response["Location"] == "/c/"
    assert "Safe Mode: <strong>Off</strong>" in client.get("/").content.decode()
    client.post(reverse("safe_mode"), {"mode": "on"})
    assert "Safe Mode: <strong>On</strong>" in client.get("/").content.decode()


def test_member_setting_is_stored_in_the_profile(client, member):
    client.force_login(member)
    client.post(reverse("safe_mode"), {"mode": "off", "confirm_adult": "on"})
    member.refresh_from_db()
    assert member.safe_mode is False
    assert member.adult_confirmed_at is not None
    item = ItemFactory(rating="MA")
    assert client.get(item.get_absolute_url()).context["access"] == "show"


def test_minor_member_cannot_turn_it_off(client, minor):
    client.force_login(minor)
    response = client.post(reverse("safe_mode"), {"mode": "off", "confirm_adult": "on"})
    assert response.status_code == 403
    assert "under 18" in response.content.decode()
    minor.refresh_from_db()
    assert minor.safe_mode is True


def test_next_url_cannot_leave_the_site(client, db):
    response = client.post(reverse("safe_mode"), {"mode": "on", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_pages_vary_on_cookie(client, db):
    assert "Cookie" in client.get("/")["Vary"]


def test_turning_it_back_on_forgets_unlocked_items(client, db):
    item = ItemFactory(rating="MA")
    client.post(reverse("items:unlock", kwargs={"public_id": item.public_id}), {"confirm_adult": "1"})
    assert client.get(item.get_absolute_url()).context["access"] == "show"
    client.post(reverse("safe_mode"), {"mode": "on"})
    assert client.get(item.get_absolute_url()).context["access"] == "interstitial"


def test_the_page_describes_the_sites_policy(client, db, settings):
    for policy, words in [("blur", "behind a placeholder"), ("hide", "left out of lists"), ("show", "MA badge")]:
        settings.SAFE_MODE_POLICY = policy
        assert words in client.get(reverse("safe_mode")).content.decode()


def test_vary_cookie_is_added_to_the_views_own_vary():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from fieldcast.moderation.middleware import ViewerMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Vary"] = "HX-Request"
        return response

    response = ViewerMiddleware(view)(RequestFactory().get("/"))
    assert {v.strip() for v in response["Vary"].split(",")} == {"HX-Request", "Cookie"}
