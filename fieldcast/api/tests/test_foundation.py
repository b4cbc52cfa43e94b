"""The API's common parts: tokens, the three ways in, errors, rate limits, ETag, CORS,
cursors and the OpenAPI document."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from fieldcast.accounts.models import ApiToken
from fieldcast.accounts.tokens import api_token_create, api_token_revoke, token_find, user_from_bearer
from fieldcast.api.pagination import CursorError, Key, decode_cursor, encode_cursor, keyset_page
from fieldcast.api.testing import api_client, as_member, token_for
from fieldcast.core.testing import factories
from fieldcast.items.models import Item
from fieldcast.moderation.viewer import anonymous_viewer

pytestmark = pytest.mark.django_db


# --- tokens -------------------------------------------------------------------------------


def test_token_is_stored_hashed_and_found_by_its_plaintext(member):
    token, plaintext = api_token_create(user=member, name="bot", scope="read")
    assert plaintext.startswith(f"fc_{token.prefix}_")
    assert plaintext not in token.digest
    assert token_find(plaintext) == token
    assert token_find(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
    assert token_find("fc_nope_nope") is None
    assert token_find("") is None


def test_revoked_expired_and_inactive_owner_tokens_stop_working(member):
    token, plaintext = api_token_create(user=member, name="bot")
    assert api_token_revoke(user=member, token_id=token.pk)
    assert token_find(plaintext) is None
    assert not api_token_revoke(user=member, token_id=token.pk)

    token, plaintext = api_token_create(user=member, name="bot", expires_in_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert token_find(plaintext) is None

    _, plaintext = api_token_create(user=member, name="bot")
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert token_find(plaintext) is None


def test_member_cannot_revoke_another_members_token(member, other_member):
    token, plaintext = api_token_create(user=other_member, name="theirs")
    assert not api_token_revoke(user=member, token_id=token.pk)
    assert token_find(plaintext) is not None


def test_token_creation_rules(member, settings):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="name"):
        api_token_create(user=member, name="  ")
    with pytest.raises(ValidationError):
        api_token_create(user=member, name="x", scope="admin")
    settings.API_TOKENS_PER_MEMBER = 1
    api_token_create(user=member, name="one")
    with pytest.raises(ValidationError, match="revoke one"):
        api_token_create(user=member, name="two")


def test_user_from_bearer_needs_a_write_token(member):
    assert user_from_bearer(f"Bearer {token_for(member, 'write')}") == member
    assert user_from_bearer(f"Bearer {token_for(member, 'read')}") is None
    assert user_from_bearer("Basic abc") is None
    assert user_from_bearer(None) is None


# --- the tokens page ------------------------------------------------------------------------


def test_tokens_page_makes_shows_once_and_revokes(client, member):
    client.force_login(member)
    page = client.get("/me/tokens")
    assert page.status_code == 200
    assert b'<label for="id_name"' in page.content
    made = client.post("/me/tokens", {"name": "archive bot", "scope": "write"})
    assert made.status_code == 200
    token = ApiToken.objects.get(user=member)
    assert token.scope == "write"
    plaintext = made.content.decode().split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert token_find(plaintext) == token
    assert made["Cache-Control"] == "no-store"
    again = client.get("/me/tokens")
    assert plaintext not in again.content.decode()  # shown once
    assert b"archive bot" in again.content

    revoked = client.post(f"/me/tokens/{token.pk}/revoke")
    assert revoked.status_code == 302
    assert token_find(plaintext) is None


def test_tokens_page_explains_bad_input(client, member):
    client.force_login(member)
    response = client.post("/me/tokens", {"name": "", "scope": "write", "expires_in_days": "0"})
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert not ApiToken.objects.exists()


def test_tokens_page_needs_sign_in_and_csrf(member):
    assert Client().get("/me/tokens").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post("/me/tokens", {"name": "x", "scope": "read"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_revoking_another_members_token_does_nothing(client, member, other_member):
    token, plaintext = api_token_create(user=other_member, name="theirs")
    client.force_login(member)
    client.post(f"/me/tokens/{token.pk}/revoke")
    assert token_find(plaintext) is not None


# --- ways in ------------------------------------------------------------------------------------


def test_me_answers_for_token_and_session_and_refuses_guests(member):
    response = as_member(member, "read").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "member"
    assert response.json()["token_scope"] == "read"
    assert response.json()["safe_mode"] is True

    session = Client()
    session.force_login(member)
    assert session.get("/api/v1/me").json()["token_scope"] is None

    guest = Client().get("/api/v1/me")
    assert guest.status_code == 401
    assert "Bearer" in guest.json()["detail"]


def test_a_bad_token_is_refused_not_treated_as_anonymous(member):
    response = api_client("fc_12345678_wrong").get("/api/v1/users/member")
    assert response.status_code == 401
    assert "/me/tokens" in response.json()["detail"]
    response = Client(HTTP_AUTHORIZATION="Token abc").get("/api/v1/users/member")
    assert response.status_code == 401


def test_token_inherits_its_owners_safe_mode(member):
    member.safe_mode = False
    member.save(update_fields=["safe_mode"])
    assert as_member(member).get("/api/v1/me").json()["safe_mode"] is False


def test_public_profile_counts_only_what_the_caller_may_see(member):
    factories.ItemFactory(author=member, lifecycle="ready")
    factories.ItemFactory(author=member, lifecycle="ready")
    Item.objects.filter(author=member).filter(pk=Item.objects.filter(author=member).order_by("-pk").first().pk).update(
        visibility="private"
    )
    response = Client().get("/api/v1/users/member")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "member"
    assert body["items_count"] == Item.objects.visible_to(anonymous_viewer()).filter(author=member).count()
    assert body["url"] == "/u/member"
    assert Client().get("/api/v1/users/nobody").status_code == 404
    assert Client().get("/api/v1/users/nobody").json()["detail"] == "There is no member with this username."


# --- rate limits, ETag, CORS --------------------------------------------------------------------


def test_reads_over_the_limit_get_429_with_retry_after(member, settings):
    settings.API_READ_RATE_LIMIT_PER_MINUTE = 3
    client = as_member(member)
    for _ in range(3):
        assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Retry-After" in response.json()["detail"]
    # another caller has their own bucket
    assert as_member(member).get("/api/v1/me").status_code == 200


def test_detail_answers_carry_an_etag_and_honour_if_none_match(member):
    client = Client()
    first = client.get("/api/v1/users/member")
    etag = first["ETag"]
    assert etag
    assert "Authorization" in first["Vary"]
    again = client.get("/api/v1/users/member", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    member.display_name = "Someone else"
    member.save(update_fields=["display_name"])
    changed = client.get("/api/v1/users/member", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200


def test_cors_is_off_by_default_and_allows_reads_from_configured_origins(member, settings):
    response = Client().get("/api/v1/users/member", HTTP_ORIGIN="https://example.org")
    assert "Access-Control-Allow-Origin" not in response
    settings.API_CORS_ORIGINS = ["https://example.org"]
    response = Client().get("/api/v1/users/member", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "https://example.org"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = Client().options(
        "/api/v1/users/member", HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 204
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    other = Client().get("/api/v1/users/member", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


# --- cursors ----------------------------------------------------------------------------------


def test_cursor_round_trip_and_refusals():
    when = timezone.now()
    cursor = encode_cursor("newest", [when, datetime.date(2024, 1, 2), None, 3, 1.5])
    assert decode_cursor(cursor, "newest", 5) == [when, datetime.date(2024, 1, 2), None, 3, 1.5]
    for bad, tag, count in ((cursor, "played", 5), (cursor, "newest", 2), ("!!!", "newest", 5), ("e30", "newest", 1)):
        with pytest.raises(CursorError):
            decode_cursor(bad, tag, count)


def test_keyset_pages_walk_every_row_once_with_nulls_last(member):
    dates = [datetime.date(2024, 1, d) if d else None for d in (3, None, 1, 3, None, 2, 1)]
    for d in dates:
        item = factories.ItemFactory(author=member)
        Item.objects.filter(pk=item.pk).update(occurred_on=d, occurred_precision="day" if d else "unknown")
    keys = (Key("occurred_on", nullable=True), Key("pk"))
    seen, cursor = [], None
    while True:
        rows, cursor = keyset_page(Item.objects.all(), keys, cursor=cursor, limit=2, tag="occ")
        seen += rows
        if cursor is None:
            break
    assert len(seen) == len(dates)
    assert len({r.pk for r in seen}) == len(dates)
    got = [r.occurred_on for r in seen]
    assert got[:5] == sorted([d for d in dates if d], reverse=True)
    assert got[5:] == [None, None]


# --- the document ---------------------------------------------------------------------------


def test_openapi_document_and_docs_page_are_served_without_a_cdn():
    spec = Client().get("/api/v1/openapi.json")
    assert spec.status_code == 200
    document = spec.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/users/{username}" in document["paths"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    for cdn in ("cdn.", "unpkg", "jsdelivr"):
        assert cdn not in html


def test_validation_errors_name_the_field_even_one_called_body():
    from fieldcast.api.main import _field_name

    assert _field_name(("body", "payload", "title")) == "title"
    assert _field_name(("body", "payload", "body")) == "body"
    assert _field_name(("body", "data", "place", "lat")) == "place.lat"
    assert _field_name(("query", "limit")) == "limit"
    assert _field_name(("path", "public_id")) == "public_id"


def test_an_operations_own_write_limit_answers_429_with_retry_after(member, other_member, settings):
    settings.COMMENT_RATE_LIMIT_PER_MINUTE = 1
    item = factories.ItemFactory(author=other_member, lifecycle="ready")
    client = as_member(member)
    path = f"/api/v1/items/{item.public_id}/comments"
    first = client.post(path, {"body": "First"}, content_type="application/json")
    assert first.status_code == 201, first.content
    second = client.post(path, {"body": "Second"}, content_type="application/json")
    assert second.status_code == 429
    assert 1 <= int(second["Retry-After"]) <= 60


def test_an_item_detail_with_media_keeps_its_etag_between_requests(member, monkeypatch):
    monkeypatch.setattr("fieldcast.media.access._window_start", lambda: 1_800_000_000)  # no window edge
    item = factories.ItemFactory(author=member, lifecycle="ready")
    factories.attach_video_rows(item)
    client = Client()
    first = client.get(f"/api/v1/items/{item.public_id}")
    assert first.status_code == 200
    assert first.json()["media"], "the item's renditions come with URLs"
    again = client.get(f"/api/v1/items/{item.public_id}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
