"""The settings page: profile fields, the avatar (validated by content, re-encoded), rate limits."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fieldcast.accounts.avatars import AVATAR_SIZES, avatar_storage_name

SETTINGS = "/me/settings"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # FileSystemStorage follows the setting


def picture(
    fmt: str = "PNG", size: tuple[int, int] = (400, 300), *, gps: bool = False, name: str = ""
) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    options = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"  # Make
        exif[0x8825] = {2: (34.0, 43.0, 0.0), 1: "N"}  # GPSInfo: latitude
        options["exif"] = exif
    image.save(out, format=fmt, **options)
    return SimpleUploadedFile(name or f"me.{fmt.lower()}", out.getvalue(), content_type=f"image/{fmt.lower()}")


def post_settings(client, **data):
    fields = {"display_name": "", "bio": "", **data}
    return client.post(SETTINGS, fields)


def test_settings_need_a_member(client, db):
    response = client.get(SETTINGS)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_settings_page_links_everything_a_member_manages(client, member):
    client.force_login(member)
    body = client.get(SETTINGS).content.decode()
    for name in ["account_email", "account_change_password", "mfa_index", "safe_mode"]:
        assert reverse(name) in body
    for name in ["accounts:export", "accounts:delete"]:
        assert reverse(name) in body
    assert 'for="id_display_name"' in body
    assert 'for="id_bio"' in body
    assert 'for="id_avatar"' in body
    assert 'enctype="multipart/form-data"' in body
    assert "not verified" in body


def test_saving_the_profile(client, member):
    client.force_login(member)
    response = post_settings(client, display_name="  Kyiv Witness ", bio="I film *storms*.", favorites_public="on")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Kyiv Witness"
    assert member.bio == "I film *storms*."
    assert member.bio_html == "<p>I film <em>storms</em>.</p>"
    assert member.favorites_public is True


def test_profile_errors_are_explained_per_field(client, member):
    client.force_login(member)
    response = post_settings(client, display_name="x" * 81 + "\u202e")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error-summary" role="alert"' in body
    assert 'id="id_display_name_error"' in body
    assert 'aria-describedby="id_display_name_helptext id_display_name_error"' in body
    response = post_settings(client, display_name="evil\u202egnp.exe")
    assert "text-direction characters" in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == ""


def test_zero_width_joiners_stay_in_names(client, member):
    client.force_login(member)
    post_settings(client, display_name="می\u200cخواهم")
    member.refresh_from_db()
    assert member.display_name == "می\u200cخواهم"


def test_avatar_is_reencoded_into_small_squares_without_metadata(client, member):
    client.force_login(member)
    response = post_settings(client, avatar=picture("JPEG", (900, 500), gps=True, name="holiday.jpg"))
    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert member.avatar_key.endswith(".webp")
    for size in AVATAR_SIZES:
        name = avatar_storage_name(member.pk, size, member.avatar_key)
        with default_storage.open(name) as handle:
            stored = Image.open(handle)
            stored.load()
        assert stored.format == "WEBP"
        assert stored.size == (size, size)
        assert not stored.getexif()
        assert "exif" not in stored.info
    assert not default_storage.exists(f"avatars/{member.pk}/holiday.jpg")
    served = client.get(member.avatar_url(64))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"
    assert "immutable" in served["Cache-Control"]
    assert b"SecretCam" not in b"".join(served.streaming_content)
    assert member.avatar_url(256) in client.get(f"/u/{member.username}").content.decode()


def test_a_new_avatar_replaces_the_old_files(client, member, django_capture_on_commit_callbacks):
    client.force_login(member)
    post_settings(client, avatar=picture())
    member.refresh_from_db()
    old_key, old_url = member.avatar_key, member.avatar_url(64)
    with django_capture_on_commit_callbacks(execute=True):
        post_settings(client, avatar=picture("GIF"))
    member.refresh_from_db()
    assert member.avatar_key != old_key
    assert client.get(old_url).status_code == 404
    assert not default_storage.exists(avatar_storage_name(member.pk, 64, old_key))
    with django_capture_on_commit_callbacks(execute=True):
        post_settings(client, remove_avatar="on")
    member.refresh_from_db()
    assert member.avatar_key == ""
    assert not default_storage.exists(avatar_storage_name(member.pk, 256, old_key))


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>', "face.svg"),
        (b"<html><script>alert(1)</script></html>", "face.png"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png"),
    ],
)
def test_files_that_are_not_pictures_are_refused(client, member, content, name):
    client.force_login(member)
    response = post_settings(client, avatar=SimpleUploadedFile(name, content, content_type="image/png"))
    assert response.status_code == 400
    assert "not a picture we can use" in response.content.decode()
    member.refresh_from_db()
    assert member.avatar_key == ""


def test_pictures_over_the_pixel_bound_are_refused_before_decoding(client, member, settings):
    settings.AVATAR_MAX_PIXELS = 1_000_000
    client.force_login(member)
    response = post_settings(client, avatar=picture("PNG", (2000, 1000)))
    assert response.status_code == 400
    assert "2000×1000 pixels" in response.content.decode()


def test_pictures_over_the_byte_bound_are_refused(client, member, settings):
    settings.AVATAR_MAX_BYTES = 1024
    client.force_login(member)
    response = post_settings(client, avatar=picture("PNG", (600, 600)))
    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_avatar_urls_only_answer_for_the_current_key_and_sizes(client, member):
    client.force_login(member)
    post_settings(client, avatar=picture())
    member.refresh_from_db()
    assert client.get(f"/avatars/{member.pk}/128-{member.avatar_key}").status_code == 404
    assert client.get(f"/avatars/{member.pk + 1}/64-{member.avatar_key}").status_code == 404
    assert client.get(f"/avatars/{member.pk}/64-{member.avatar_key}").status_code == 200


def test_profile_writes_are_rate_limited(client, member, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 2
    client.force_login(member)
    statuses = [post_settings(client, display_name=f"Name {n}").status_code for n in range(4)]
    assert statuses[:2] == [302, 302]
    assert statuses[-1] == 429


def test_settings_post_needs_the_csrf_token(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(SETTINGS, {"display_name": "Forged"}).status_code == 403
    member.refresh_from_db()
    assert member.display_name == ""
