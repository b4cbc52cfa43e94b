"""allauth's pages in the site's layout and field markup; email verification; sign-up limits."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from fieldcast.accounts.selectors import user_email_verified, user_may_be_trusted
from fieldcast.accounts.services import user_set_trusted
from fieldcast.core.testing.factories import PASSWORD

SIGNUP = {
    "username": "newcomer",
    "email": "newcomer@example.org",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
    "confirm_adult": "on",
}


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
)
def test_entrance_pages_use_the_site_layout_and_labelled_fields(client, db, name):
    body = client.get(reverse(name)).content.decode()
    assert "Safe Mode:" in body  # the site header
    assert 'class="narrow account-page"' in body
    for field_id in re.findall(r'<input type="(?:text|email|password|date)"[^>]*id="([^"]+)"', body):
        assert f'for="{field_id}"' in body, field_id


@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"])
def test_member_pages_use_the_site_layout_with_the_settings_menu(client, member, path):
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 200, path
    body = response.content.decode()
    assert 'aria-label="Account settings"' in body
    assert "Safe Mode:" in body


def test_login_label_says_what_to_type_and_errors_are_summarised(client, member):
    body = client.get(reverse("account_login")).content.decode()
    assert ">Username or email" in body
    response = client.post(reverse("account_login"), {"login": member.username, "password": "wrong"})
    body = response.content.decode()
    assert 'class="error-summary" role="alert"' in body
    assert "not correct" in body


def test_signup_field_errors_are_tied_to_their_fields(client, db):
    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "not-an-email", "password2": "other"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in body
    assert re.search(r'id="id_email"[^>]*aria-describedby="[^"]*id_email_error', body) or re.search(
        r'aria-describedby="[^"]*id_email_error[^"]*"[^>]*id="id_email"', body
    )
    assert '<a href="#id_email">' in body


def test_email_verification_through_the_emailed_link(client, db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)  # type: ignore[union-attr]
    path = link.split("testserver", 1)[-1]
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm" in page.content.decode()
    client.post(path)
    address = EmailAddress.objects.get(email="newcomer@example.org")
    assert address.verified
    assert user_email_verified(address.user)


def test_trust_needs_a_verified_email(member):
    from django.core.exceptions import ValidationError

    assert not user_may_be_trusted(member)
    with pytest.raises(ValidationError):
        user_set_trusted(user=member, trusted=True)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    user_set_trusted(user=member, trusted=True)
    member.refresh_from_db()
    assert member.trusted_by_moderator


def test_password_reset_mail_and_change(client, member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    assert "password/reset/key" in mail.outbox[0].body
    client.force_login(member)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("another-long-passphrase")


def test_changing_the_email_address(client, member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    client.force_login(member)
    page = client.get("/accounts/email/").content.decode()
    assert 'for="id_email"' in page
    response = client.post("/accounts/email/", {"action_add": "", "email": "new-address@example.org"})
    assert response.status_code == 302
    assert any("new-address@example.org" in m.to for m in mail.outbox)
    assert EmailAddress.objects.filter(user=member, email="new-address@example.org", verified=False).exists()


def test_sign_ups_per_address_are_limited_with_a_clear_page(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/h/ip"}
    statuses = []
    for n in range(3):
        data = {**SIGNUP, "username": f"newcomer{n}", "email": f"n{n}@example.org"}
        statuses.append(client.post(reverse("account_signup"), data).status_code)
        client.logout()
    assert statuses == [302, 302, 429]
    response = client.post(reverse("account_signup"), {**SIGNUP, "username": "late", "email": "late@example.org"})
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many attempts" in body
    assert "wait a few minutes" in body
    assert response["Retry-After"]
