"""Two-factor authentication: any member may turn it on; staff and moderators must."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.urls import reverse

from fieldcast.accounts.mfa import staff_mfa_ok, staff_mfa_required
from fieldcast.core.testing.factories import PASSWORD, UserFactory

ACTIVATE = "/accounts/2fa/totp/activate/"


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def give_totp(user) -> str:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    return secret


def sign_in(client, user) -> None:
    """Through the real form, then the password again: allauth asks for it before any
    change of second factor."""
    response = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    asked = client.get(ACTIVATE)
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    page = client.get(asked["Location"]).content.decode()
    assert 'for="id_password"' in page
    response = client.post(asked["Location"], {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def moderator(db):
    user = UserFactory(username="mod")
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.MFA_TOTP_TOLERANCE = 1  # a code computed just before a 30 s boundary still counts


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, staff, required):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    page = client.get(response["Location"], follow=True).content.decode()
    assert "must protect their account with two-factor authentication" in page


def test_moderators_too_on_moderation_pages(client, moderator, required):
    client.force_login(moderator)
    response = client.get("/moderation/")
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    assert not staff_mfa_ok(moderator)


def test_with_an_authenticator_staff_pass(client, staff, required):
    give_totp(staff)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert staff_mfa_ok(staff)


def test_members_and_guests_are_not_concerned(client, member, required):
    assert staff_mfa_ok(member)
    client.force_login(member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert ACTIVATE not in response["Location"]
    client.logout()
    assert ACTIVATE not in client.get("/admin/")["Location"]


def test_the_rule_is_off_without_the_setting(client, staff, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert staff_mfa_ok(staff)


def test_views_using_moderator_powers_can_require_it(rf, staff, member, required):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    view = staff_mfa_required(lambda request: HttpResponse("powers"))
    request = rf.get("/v/abc/-/edit")
    request.user, request.session = staff, SessionStore()
    request._messages = FallbackStorage(request)
    assert view(request).status_code == 302
    assert request.session["fc_mfa_next"] == "/v/abc/-/edit"
    request.user = member
    assert view(request).content == b"powers"


def test_admin_sign_in_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_member_turns_on_totp_and_then_signs_in_with_a_code(client, member, required):
    sign_in(client, member)
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="totp-qr"' in body
    assert 'for="id_code"' in body
    assert "Safe Mode:" in body
    secret = client.session[SECRET_SESSION_KEY]
    wrong = client.post(ACTIVATE, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert 'id="id_code_error"' in wrong.content.decode()
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    codes = client.get(response["Location"]).content.decode()
    assert "Keep these codes somewhere safe" in codes
    assert "two-factor" in client.get("/me/settings").content.decode().lower()

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": member.username, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    auth_page = client.get(response["Location"]).content.decode()
    assert 'for="id_code"' in auth_page
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


def test_after_setup_the_member_is_offered_the_page_they_were_going_to(client, staff, required):
    sign_in(client, staff)
    client.get("/admin/?e=1")
    secret = client.get(ACTIVATE) and client.session[SECRET_SESSION_KEY]
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    codes = client.get(response["Location"]).content.decode()
    assert 'href="/admin/?e=1"' in codes
    assert client.get("/admin/?e=1").status_code == 200
