"""Sign-up (with the age question Safe Mode needs), personal channels, demo passwords."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.channels.models import Channel
from fieldcast.core.testing.factories import PASSWORD, UserFactory


def signup(client, **extra):
    data = {
        "username": "newcomer",
        "email": "newcomer@example.org",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    data.update(extra)
    return client.post(reverse("account_signup"), data)


def test_signup_creates_the_member_and_their_personal_channel(client, db):
    response = signup(client, confirm_adult="on")
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newcomer")
    assert user.adult_confirmed_at is not None
    assert user.safe_mode is True
    assert Channel.objects.filter(kind="personal", owner=user).exists()
    assert client.get("/u/newcomer").status_code == 200


def test_signup_stores_the_date_of_birth(client, db):
    dob = timezone.localdate() - datetime.timedelta(days=365 * 14)
    signup(client, date_of_birth=dob.isoformat())
    user = User.objects.get(username="newcomer")
    assert user.date_of_birth == dob
    assert user.is_minor()


def test_signup_rejects_a_future_birth_date(client, db):
    response = signup(client, date_of_birth="2999-01-01")
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


def test_signup_rejects_adult_claim_contradicting_the_birth_date(client, db):
    dob = timezone.localdate() - datetime.timedelta(days=365 * 10)
    response = signup(client, date_of_birth=dob.isoformat(), confirm_adult="on")
    assert "under 18" in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


def test_usernames_are_unique_ignoring_case(client, db):
    UserFactory(username="Reporter")
    response = signup(client, username="reporter")
    assert response.status_code == 200
    assert User.objects.filter(username__iexact="reporter").count() == 1


def test_demo_passwords_work_only_with_debug(db, settings):
    user = UserFactory(username="demo")
    User.objects.filter(pk=user.pk).update(is_demo=True)
    user.refresh_from_db()
    settings.DEBUG = True
    assert user.check_password(PASSWORD)
    settings.DEBUG = False
    assert not user.check_password(PASSWORD)


def test_login_page_renders_in_the_site_layout(client, db):
    body = client.get(reverse("account_login")).content.decode()
    assert "Safe Mode:" in body
    assert "<label" in body
