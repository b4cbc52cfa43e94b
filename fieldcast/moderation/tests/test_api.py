"""Reports and moderation in the REST API: reporting (members and guests), the queue, the
actions and the public log, through the moderation pages' forms and services."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.api.testing import as_member
from fieldcast.community.services import comment_create
from fieldcast.core.testing import factories
from fieldcast.items.models import Item
from fieldcast.moderation.models import Case, ModerationAction, Report
from fieldcast.moderation.services import target_act
from fieldcast.moderation.services_reports import report_create

from .conftest import make_member, make_trusted

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


# --- reports ----------------------------------------------------------------------------------


def test_member_reports_an_item_once(item, member):
    client = as_member(member)
    url = f"{API}/items/{item.public_id}/reports"
    response = client.post(url, {"reason": "wrong_rating", "details": "It is gory"}, content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    assert body["reason"] == "wrong_rating"
    assert body["status"] == "open"
    assert body["target"] == f"item:{item.public_id}"
    assert Case.objects.get().reports_count == 1
    again = client.post(url, {"reason": "spam"}, content_type=JSON)
    assert again.status_code == 409
    assert "already reported" in again.json()["detail"]


def test_report_validation_is_the_forms(item, member):
    client = as_member(member)
    url = f"{API}/items/{item.public_id}/reports"
    other = client.post(url, {"reason": "other"}, content_type=JSON)
    assert other.status_code == 422
    assert other.json()["errors"][0] == {"field": "details", "message": "Say what is wrong: “Other” needs a few words."}
    unknown = client.post(url, {"reason": "boring"}, content_type=JSON)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "reason"
    no_video = client.post(url, {"reason": "spam", "timestamp": "0:05"}, content_type=JSON)
    assert no_video.status_code == 422
    assert no_video.json()["errors"][0]["field"] == "timestamp"
    factories.attach_video_rows(item)  # a 12 second video
    too_late = client.post(url, {"reason": "spam", "timestamp": "0:30"}, content_type=JSON)
    assert too_late.status_code == 422
    assert too_late.json()["errors"][0] == {"field": "timestamp", "message": "The video is only 0:12 long."}
    assert client.post(url, {"reason": "spam", "timestamp": "0:05"}, content_type=JSON).status_code == 201
    assert Report.objects.get().timestamp_s == 5


def test_guests_report_illegal_content_within_their_hourly_limit(item, settings):
    settings.GUEST_REPORT_RATE_LIMIT_PER_HOUR = 2
    url = f"{API}/items/{item.public_id}/reports"
    taste = Client().post(url, {"reason": "wrong_rating"}, content_type=JSON)
    assert taste.status_code == 422
    assert taste.json()["errors"][0]["field"] == "reason"
    done = Client().post(url, {"reason": "illegal", "contact_email": "me@example.org"}, content_type=JSON)
    assert done.status_code == 201
    assert Report.objects.get().contact_email == "me@example.org"
    over = Client().post(url, {"reason": "illegal"}, content_type=JSON)
    assert over.status_code == 429
    assert "Retry-After" in over.json()["detail"]


def test_report_refusals(item, uploader, member):
    assert (
        as_member(member, "read")
        .post(f"{API}/items/{item.public_id}/reports", {"reason": "spam"}, content_type=JSON)
        .status_code
        == 403
    )
    own = as_member(uploader).post(f"{API}/items/{item.public_id}/reports", {"reason": "spam"}, content_type=JSON)
    assert own.status_code == 403
    assert own.json()["detail"] == "You cannot report your own content."
    Item.objects.filter(pk=item.pk).update(moderation="removed")
    gone = as_member(member).post(f"{API}/items/{item.public_id}/reports", {"reason": "spam"}, content_type=JSON)
    assert gone.status_code == 409
    private = factories.ItemFactory(author=uploader, visibility="private")
    hidden = as_member(member).post(f"{API}/items/{private.public_id}/reports", {"reason": "spam"}, content_type=JSON)
    assert hidden.status_code == 404
    assert not Report.objects.exists()


def test_report_a_comment_and_a_member(item, uploader, member):
    comment = comment_create(item=item, author=uploader, body="Nasty")
    response = as_member(member).post(f"{API}/comments/{comment.pk}/reports", {"reason": "spam"}, content_type=JSON)
    assert response.status_code == 201
    assert response.json()["target"] == f"comment:{comment.pk}"
    rating = as_member(member).post(
        f"{API}/comments/{comment.pk}/reports", {"reason": "wrong_rating"}, content_type=JSON
    )
    assert rating.status_code in (409, 422)  # reported already, and no such reason for comments
    user = as_member(member).post(f"{API}/users/uploader/reports", {"reason": "spam"}, content_type=JSON)
    assert user.status_code == 201
    self_report = as_member(member).post(f"{API}/users/member/reports", {"reason": "spam"}, content_type=JSON)
    assert self_report.status_code == 403
    assert Client().post(f"{API}/users/nobody/reports", {"reason": "other"}, content_type=JSON).status_code == 404


def test_trusted_reports_hold_an_item(item, settings):
    settings.REPORT_HOLD_THRESHOLD = 2
    for name in ("t1", "t2"):
        reporter = make_trusted(name)
        as_member(reporter).post(f"{API}/items/{item.public_id}/reports", {"reason": "graphic"}, content_type=JSON)
    assert Item.objects.get(pk=item.pk).moderation == "held"


# --- the queue and actions ----------------------------------------------------------------------


def test_queue_is_for_moderators(item, member, moderator):
    report_create(reporter=member, target=item, reason="spam")
    refused = as_member(member, "read").get(f"{API}/moderation/queue")
    assert refused.status_code == 403
    assert Client().get(f"{API}/moderation/queue").status_code == 401
    body = as_member(moderator, "read").get(f"{API}/moderation/queue").json()
    case = body["items"][0]
    assert case["target"]["kind"] == "item"
    assert case["target"]["item"] == item.public_id
    assert case["target"]["member"] == "uploader"
    assert case["reasons"] == [{"reason": "spam", "label": "Spam", "count": 1}]
    bad = as_member(moderator, "read").get(f"{API}/moderation/queue", {"kind": "planet"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "kind"


def test_queue_query_count_is_constant(moderator):
    for n in range(12):
        target = factories.ItemFactory(title=f"Item {n}")
        report_create(reporter=make_member(f"r{n}"), target=target, reason="spam")
    client = as_member(moderator, "read")
    client.get(f"{API}/moderation/queue", {"limit": 1})
    counts = []
    for limit in (2, 10):
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(f"{API}/moderation/queue", {"limit": limit}).json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_moderator_removes_an_item_through_the_service(item, member, moderator):
    report_create(reporter=member, target=item, reason="spam")
    response = as_member(moderator).post(
        f"{API}/moderation/items/{item.public_id}/actions", {"action": "remove", "reason": "Spam"}, content_type=JSON
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "remove"
    assert Item.objects.get(pk=item.pk).moderation == "removed"
    entry = ModerationAction.objects.get()
    assert entry.moderator == moderator
    assert entry.reason == "Spam"
    assert Case.objects.get().status == "handled"
    again = as_member(moderator).post(
        f"{API}/moderation/items/{item.public_id}/actions", {"action": "remove", "reason": "Spam"}, content_type=JSON
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "This item is already removed."


def test_actions_refuse_non_moderators_and_bad_input(item, member, moderator, staff):
    url = f"{API}/moderation/items/{item.public_id}/actions"
    payload = {"action": "remove", "reason": "Spam"}
    assert as_member(member).post(url, payload, content_type=JSON).status_code == 403
    assert as_member(staff).post(url, payload, content_type=JSON).status_code == 403  # staff without the permission
    assert as_member(moderator, "read").post(url, payload, content_type=JSON).status_code == 403
    assert Client().post(url, payload, content_type=JSON).status_code == 401
    no_reason = as_member(moderator).post(url, {"action": "remove"}, content_type=JSON)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    no_rating = as_member(moderator).post(url, {"action": "rate"}, content_type=JSON)
    assert no_rating.status_code == 422
    assert no_rating.json()["errors"][0]["field"] == "rating"
    wrong_kind = as_member(moderator).post(url, {"action": "trust"}, content_type=JSON)
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["errors"][0]["field"] == "action"
    assert not ModerationAction.objects.exists()
    assert Item.objects.get(pk=item.pk).moderation == "ok"


def test_moderator_rates_removes_comments_and_suspends(item, uploader, moderator):
    rated = as_member(moderator).post(
        f"{API}/moderation/items/{item.public_id}/actions", {"action": "rate", "rating": "MA"}, content_type=JSON
    )
    assert rated.json()["detail"] == {"from": "GA", "to": "MA"}
    comment = comment_create(item=item, author=uploader, body="Rude")
    removed = as_member(moderator).post(
        f"{API}/moderation/comments/{comment.pk}/actions",
        {"action": "remove_comment", "reason": "Abuse"},
        content_type=JSON,
    )
    assert removed.status_code == 201
    suspended = as_member(moderator).post(
        f"{API}/moderation/users/uploader/actions",
        {"action": "suspend", "reason": "Abuse", "days": 3},
        content_type=JSON,
    )
    assert suspended.status_code == 201
    until = User.objects.get(pk=uploader.pk).suspended_until
    assert until is not None
    assert until > timezone.now() + datetime.timedelta(days=2)
    assert (
        as_member(moderator)
        .post(f"{API}/moderation/users/nobody/actions", {"action": "warn", "reason": "x"}, content_type=JSON)
        .status_code
        == 404
    )


# --- the public log ------------------------------------------------------------------------------


def test_public_log_names_what_the_caller_may_open(item, uploader, moderator, settings):
    settings.MODERATION_LOG_SHOW_MODERATOR = False
    target_act(moderator=moderator, action="remove", target=item, reason="Spam")
    other = factories.ItemFactory(author=uploader, title="Still up")
    target_act(moderator=moderator, action="lock_comments", target=other, reason="Flame war")
    body = Client().get(f"{API}/moderation/log").json()
    newest, oldest = body["items"]
    assert newest["target"] == "Still up"
    assert newest["url"] == other.get_absolute_url()
    assert oldest["target"] == "an item"  # removed: the public may not open it
    assert oldest["reason"] == "Spam"
    assert oldest["moderator"] == ""
    assert "uploader" not in str(body)
    assert as_member(moderator, "read").get(f"{API}/moderation/log").json()["items"][1]["target"] == item.title


def test_public_log_query_count_is_constant(moderator):
    for n in range(12):
        target_act(moderator=moderator, action="lock_comments", target=factories.ItemFactory(title=f"I{n}"))
    client = Client()
    client.get(f"{API}/moderation/log", {"limit": 1})
    counts = []
    for limit in (2, 10):
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(f"{API}/moderation/log", {"limit": limit}).json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
