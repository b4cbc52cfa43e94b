"""Accounts journeys: sign up on a phone and verify the email address from the emailed link,
log out and in again; edit the profile (picture, Arabic bio); turn on two-factor
authentication and sign in with a code from the authenticator app."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from browser_helpers import assert_clean, login, make_user, no_horizontal_scroll, shot
from django.core import mail
from PIL import Image
from playwright.sync_api import Page, expect

from fieldcast.accounts.models import User
from fieldcast.core.testing.factories import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PASSPHRASE = "a-long-unusual-passphrase"
ARABIC_BIO = "أصور الاحتجاجات في حمص منذ ٢٠١١"


def totp_code(secret: str) -> str:
    """What an authenticator app shows now (RFC 6238, through allauth's own HOTP)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_sign_up_verify_the_email_log_out_and_in(
    phone_page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    page = phone_page
    page.goto("/")
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    page.get_by_label("Email").fill("witness@example.org")
    page.get_by_label("Username").fill("witness")
    page.get_by_label(re.compile(r"^Password\s*\*?$")).fill(PASSPHRASE)
    page.get_by_label("Password (again)").fill(PASSPHRASE)
    page.get_by_label("I am 18 or over").check()
    width, viewport = no_horizontal_scroll(page)
    assert width <= viewport, f"the sign-up page scrolls sideways on a phone ({width} > {viewport})"
    shot(page, tmp_path, "1-signup")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(lambda url: "/accounts/signup" not in url)
    page.locator("header .user-link", has_text="witness").wait_for()
    user = User.objects.get(username="witness")
    assert user.adult_confirmed_at is not None

    # The verification link, from the email the site sent.
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    body = str(mail.outbox[0].body)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert link, body
    path = "/accounts/" + link.group(0).split("/accounts/", 1)[1]
    page.goto(path)
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    page.goto("/me/settings")
    expect(page.locator(".account-badge", has_text="verified")).to_be_visible()
    assert EmailAddress.objects.get(user=user).verified
    shot(page, tmp_path, "2-verified")

    page.get_by_role("button", name="Log out").click()
    page.locator("header").get_by_role("link", name="Log in").wait_for()
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("witness@example.org")
    page.get_by_label("Password").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign In").click()
    page.locator("header .user-link", has_text="witness").wait_for()
    assert_clean(page)


def test_edit_the_profile_with_a_picture_and_an_arabic_bio(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    member = make_user(username="reporter")
    login(page, live_server, member)
    picture = tmp_path / "face.png"
    Image.new("RGB", (640, 480), (30, 90, 160)).save(picture)

    page.get_by_role("link", name="My pages").click()
    expect(page.get_by_role("heading", name="reporter")).to_be_visible()
    page.get_by_role("navigation", name="My pages").get_by_role("link", name="Settings").click()
    page.get_by_label("Display name").fill("مراسل حمص")
    page.get_by_label("About you").fill(ARABIC_BIO + "\n\n**<script>alert(1)</script>**")
    page.get_by_label("Profile picture").set_input_files(str(picture))
    page.get_by_label("Anyone may see my favorites").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    page.goto("/u/reporter")
    title = page.locator("h1")
    expect(title).to_have_text("مراسل حمص")
    assert title.evaluate("el => el.matches(':dir(rtl)')"), "the Arabic name is not laid out right to left"
    bio = page.locator(".profile-bio")
    expect(bio).to_contain_text(ARABIC_BIO)
    assert bio.evaluate("el => el.matches(':dir(rtl)')"), "the Arabic bio is not laid out right to left"
    assert bio.locator("script").count() == 0
    avatar = page.locator("img.avatar")
    expect(avatar).to_be_visible()
    assert avatar.evaluate("el => el.complete && el.naturalWidth") == 256
    expect(page.get_by_role("link", name="Your favorites")).to_be_visible()
    shot(page, tmp_path, "profile")
    assert_clean(page)


def test_a_member_turns_on_two_factor_and_signs_in_with_a_code(
    page: Page, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MFA_TOTP_TOLERANCE = 1  # a code read just before a 30 s boundary still counts
    member = make_user(username="careful")
    login(page, live_server, member)
    page.goto("/me/settings")
    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_role("link", name="Activate").click()
    # allauth asks for the password again before any change of second factor.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    expect(page.locator("img.totp-qr")).to_be_visible()
    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    shot(page, tmp_path, "1-activate")
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    expect(page.get_by_text("Keep these codes somewhere safe")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("careful")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    code = page.get_by_label("Code")
    expect(code).to_be_visible()
    expect(page.locator("header .user-link")).to_have_count(0)
    shot(page, tmp_path, "2-code")
    code.fill(totp_code(secret))
    code.press("Enter")
    page.locator("header .user-link", has_text="careful").wait_for()
    assert_clean(page)
