"""Reporting items, comments and members: members once per target, guests by address
with an hourly limit, timestamps checked against the video, and the trusted-reporter
threshold that holds an item."""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from fieldcast.community.services import comment_create
from fieldcast.core.testing.factories import ItemFactory, attach_video_rows
from fieldcast.items.models import Item
from fieldcast.moderation.models import ActionKind, Case, ModerationAction, Report
from fieldcast.moderation.selectors import user_is_trusted
from fieldcast.moderation.services import ModerationError, target_act
from fieldcast.moderation.services_reports import report_create
from fieldcast.notifications.models import Notification

from .conftest import make_member, make_trusted


def report_url(item: Item) -> str:
    return reverse("moderation:report_item", args=[item.public_id])


def test_member_reports_an_item_with_a_reason(client, member, item):
    client.force_login(member)
    page = client.get(report_url(item))
    assert page.status_code == 200
    body = page.content.decode()
    for label in (
        "Graphic content without context",
        "Terrorist propaganda",
        "Doxxing",
        "Spam",
        "Copyright",
        "Wrong rating",
        "Other",
    ):
        assert label in body
    response = client.post(report_url(item), {"reason": "wrong_rating", "details": "This is MA, not GA."})
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.details) == (member, "wrong_rating", "This is MA, not GA.")
    assert report.case.item == item
    assert report.case.owner == item.author
    assert report.reporter_ip is None  # members' addresses are not kept


def test_a_member_reports_a_target_once(client, member, item):
    """Report flooding: the second report from the same member is refused (and the
    database refuses it too)."""
    client.force_login(member)
    client.post(report_url(item), {"reason": "spam"})
    page = client.get(report_url(item))
    assert "You have already reported this" in page.content.decode()
    with pytest.raises(ModerationError, match="already reported"):
        report_create(reporter=member, target=item, reason="other", details="again")
    case = Case.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(case=case, target_key=case.target_key, reporter=member, reason="spam")
    assert Report.objects.count() == 1
    assert Case.objects.get().reports_count == 1


def test_member_reports_are_rate_limited(client, member, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 2
    client.force_login(member)
    items = [ItemFactory() for _ in range(3)]
    codes = [client.post(report_url(i), {"reason": "spam"}).status_code for i in items]
    assert codes == [302, 302, 429]
    assert Report.objects.count() == 2


def test_guest_reports_illegal_content_with_an_email(client, item):
    page = client.get(report_url(item)).content.decode()
    assert "Illegal content" in page
    assert "Wrong rating" not in page  # guests report illegal content, not matters of taste
    response = client.post(
        report_url(item),
        {"reason": "illegal", "details": "Shows a crime scene with a victim's name", "contact_email": "a@example.org"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.reporter is None
    assert report.reporter_ip == "203.0.113.7"
    assert report.contact_email == "a@example.org"
    assert report.reporter_trusted is False


def test_guest_cannot_pick_a_member_reason(client, item):
    response = client.post(report_url(item), {"reason": "wrong_rating"})
    assert response.status_code == 400
    assert "Choose one of the reasons listed." in response.content.decode()
    assert not Report.objects.exists()


def test_guest_reports_are_limited_per_hour_per_address(client, db, settings):
    settings.GUEST_REPORT_RATE_LIMIT_PER_HOUR = 2
    items = [ItemFactory() for _ in range(3)]
    codes = [client.post(report_url(i), {"reason": "illegal"}, REMOTE_ADDR="198.51.100.9").status_code for i in items]
    assert codes == [302, 302, 429]
    assert client.post(report_url(items[2]), {"reason": "illegal"}, REMOTE_ADDR="198.51.100.10").status_code == 302
    assert Report.objects.count() == 3


def test_per_field_errors(client, member, item):
    client.force_login(member)
    response = client.post(report_url(item), {})
    assert response.status_code == 400
    assert "Choose what is wrong." in response.content.decode()
    response = client.post(report_url(item), {"reason": "other"})
    assert "“Other” needs a few words" in response.content.decode()


def test_timestamp_in_the_video_is_checked_against_its_duration(client, member, item):
    attach_video_rows(item)  # a 12 s video
    client.force_login(member)
    form_page = client.get(report_url(item)).content.decode()
    assert "Where in the video (mm:ss)" in form_page
    response = client.post(report_url(item), {"reason": "graphic", "timestamp": "0:30"})
    assert response.status_code == 400
    assert "The video is only 0:12 long." in response.content.decode()
    response = client.post(report_url(item), {"reason": "graphic", "timestamp": "abc"})
    assert "Write the time as minutes:seconds" in response.content.decode()
    response = client.post(report_url(item), {"reason": "graphic", "timestamp": "0:07"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.timestamp_s == 7
    assert report.timestamp_label == "0:07"


def test_no_timestamp_field_without_a_video(client, member, item):
    client.force_login(member)
    assert "Where in the video" not in client.get(report_url(item)).content.decode()


def test_member_reports_a_comment_and_a_member(client, member, item, uploader):
    comment = comment_create(item=item, author=uploader, body="Some doxxing here")
    client.force_login(member)
    url = reverse("moderation:report_comment", args=[comment.pk])
    response = client.post(url, {"reason": "doxxing"})
    assert response["Location"] == f"{item.get_absolute_url()}#comment-{comment.pk}"
    response = client.post(reverse("moderation:report_user", args=[uploader.username]), {"reason": "spam"})
    assert response.status_code == 302
    kinds = sorted(Case.objects.values_list("kind", flat=True))
    assert kinds == ["comment", "user"]
    assert all(case.owner == uploader for case in Case.objects.all())


def test_nobody_reports_their_own_things(client, uploader, item):
    client.force_login(uploader)
    response = client.post(report_url(item), {"reason": "spam"})
    assert response.status_code == 400
    assert "You cannot report your own content." in response.content.decode()
    response = client.get(reverse("moderation:report_user", args=[uploader.username]))
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_a_suspended_member_cannot_report(client, item):
    suspended = make_member("suspended", suspended_until=timezone.now() + datetime.timedelta(days=2))
    client.force_login(suspended)
    response = client.post(report_url(item), {"reason": "spam"})
    assert "Your account is suspended" in response.content.decode()
    assert not Report.objects.exists()


def test_hidden_things_cannot_be_reported(client, member, uploader):
    client.force_login(member)
    private = ItemFactory(author=uploader, visibility="private")
    assert client.get(report_url(private)).status_code == 404
    removed = ItemFactory(author=uploader, moderation="removed", moderation_reason="Gone")
    response = client.post(report_url(removed), {"reason": "spam"})
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_report_links_on_the_item_page_each_comment_and_profiles(client, member, item, uploader):
    comment = comment_create(item=item, author=uploader, body="A comment")
    client.force_login(member)
    page = client.get(item.get_absolute_url()).content.decode()
    assert f'href="{report_url(item)}"' in page
    assert f'href="{reverse("moderation:report_comment", args=[comment.pk])}"' in page
    profile = client.get(reverse("accounts:profile", args=[uploader.username])).content.decode()
    assert f'href="{reverse("moderation:report_user", args=[uploader.username])}"' in profile
    client.force_login(uploader)  # no report links on one's own things
    page = client.get(item.get_absolute_url()).content.decode()
    assert report_url(item) not in page
    assert reverse("moderation:report_comment", args=[comment.pk]) not in page


def test_guests_see_a_report_link_without_a_form_on_the_item_page(client, item):
    response = client.get(item.get_absolute_url())
    assert f'href="{report_url(item)}"' in response.content.decode()
    assert "csrftoken" not in response.cookies  # the page stays cacheable


# --- Trust and the threshold ----------------------------------------------------------


def test_trust_needs_a_verified_email_an_old_account_and_no_upheld_reports(db, item):
    fresh = make_member("fresh")
    assert not user_is_trusted(fresh)
    old = make_member("old", date_joined=timezone.now() - datetime.timedelta(days=31))
    assert not user_is_trusted(old)  # no verified email
    EmailAddress.objects.create(user=old, email=old.email, verified=True, primary=True)
    assert user_is_trusted(old)
    # An upheld report against them takes it away.
    case = Case.objects.create(kind="user", target_key=f"user:{old.pk}", owner=old, status="handled")
    Report.objects.create(case=case, target_key=case.target_key, reason="spam", status="upheld")
    assert not user_is_trusted(old)
    marked = make_member("marked", trusted_by_moderator=True)
    assert user_is_trusted(marked)  # marked trusted by a moderator


def test_reports_from_distinct_trusted_members_hold_an_item(settings, item, uploader):
    settings.REPORT_HOLD_THRESHOLD = 3
    report_create(reporter=make_member("untrusted"), target=item, reason="graphic")
    report_create(reporter=make_trusted("t1"), target=item, reason="graphic")
    report_create(reporter=make_trusted("t2"), target=item, reason="terrorism")
    item.refresh_from_db()
    assert item.moderation == "ok"  # 2 trusted reports: not yet
    report_create(reporter=make_trusted("t3"), target=item, reason="graphic")
    item.refresh_from_db()
    assert item.moderation == "held"
    hold = ModerationAction.objects.get(kind=ActionKind.HOLD)
    assert hold.moderator is None  # a system action
    assert hold.item == item
    assert hold.subject == uploader
    note = Notification.objects.get(recipient=uploader, kind="moderation")
    assert "held for review" in note.text
    # A fourth report does not hold it twice.
    report_create(reporter=make_trusted("t4"), target=item, reason="graphic")
    assert ModerationAction.objects.filter(kind=ActionKind.HOLD).count() == 1


def test_untrusted_reports_never_hold(settings, item):
    settings.REPORT_HOLD_THRESHOLD = 2
    for n in range(4):
        report_create(reporter=make_member(f"new{n}"), target=item, reason="spam")
    for n in range(3):
        report_create(reporter=None, target=item, reason="illegal", reporter_ip=f"192.0.2.{n}")
    item.refresh_from_db()
    assert item.moderation == "ok"
    assert Case.objects.get().reports_count == 7


def test_a_handled_case_is_closed_and_new_reports_open_another(moderator, item):
    report_create(reporter=make_member("a"), target=item, reason="spam")
    target_act(moderator=moderator, action="dismiss", target=item)
    report_create(reporter=make_member("b"), target=item, reason="spam")
    assert list(Case.objects.order_by("id").values_list("status", "reports_count")) == [("handled", 1), ("open", 1)]
