"""The moderation queue: only holders of `moderation.act` get in (a member acting as a
moderator gets 403 on every endpoint and from every service), reports grouped by target,
each action logged and told to the member concerned, bulk actions, and the "hold new
uploads" switch."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from fieldcast.accounts.models import User
from fieldcast.community.models import Comment
from fieldcast.community.services import comment_create
from fieldcast.core.testing.factories import ItemFactory
from fieldcast.items.models import Item
from fieldcast.moderation.models import (
    Appeal,
    Case,
    CopyrightNotice,
    CopyrightNoticeItem,
    ModerationAction,
    Report,
    SiteModerationSettings,
)
from fieldcast.moderation.services import cases_act, hold_new_uploads_set, target_act
from fieldcast.moderation.services_appeals import appeal_decide
from fieldcast.moderation.services_copyright import copyright_resolve
from fieldcast.moderation.services_reports import report_create
from fieldcast.notifications.models import Notification

from .conftest import make_member


@pytest.fixture
def reported(item, uploader):
    """An item with three reports (two reasons) and a reported comment."""
    report_create(reporter=make_member("r1"), target=item, reason="graphic")
    report_create(reporter=make_member("r2"), target=item, reason="graphic")
    report_create(reporter=make_member("r3"), target=item, reason="wrong_rating")
    comment = comment_create(item=item, author=uploader, body="Here is their home address")
    report_create(reporter=make_member("r4"), target=comment, reason="doxxing")
    return item


def _endpoints(item: Item, case: Case, comment_id: int, username: str) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("moderation:queue"), {}),
        ("get", reverse("moderation:case", args=[case.pk]), {}),
        ("post", reverse("moderation:case", args=[case.pk]), {"action": "dismiss"}),
        ("post", reverse("moderation:bulk"), {"action": "dismiss", "cases": [case.pk]}),
        ("get", reverse("moderation:item", args=[item.public_id]), {}),
        ("post", reverse("moderation:item", args=[item.public_id]), {"action": "remove", "reason": "x"}),
        ("get", reverse("moderation:comment", args=[comment_id]), {}),
        ("post", reverse("moderation:comment", args=[comment_id]), {"action": "remove_comment", "reason": "x"}),
        ("get", reverse("moderation:member", args=[username]), {}),
        ("post", reverse("moderation:member", args=[username]), {"action": "suspend", "reason": "x", "days": 3}),
        ("get", reverse("moderation:held"), {}),
        ("post", reverse("moderation:hold_uploads"), {"on": "1"}),
        ("get", reverse("moderation:appeals"), {}),
        ("post", reverse("moderation:appeal_decide", args=[1]), {"decision": "accept"}),
        ("get", reverse("moderation:copyright"), {}),
        ("post", reverse("moderation:copyright_decide", args=[1]), {"decision": "restore"}),
    ]


def test_a_member_acting_as_moderator_gets_403_everywhere(client, member, staff, reported, uploader):
    case = Case.objects.get(kind="item")
    comment = Comment.objects.get()
    for user in (member, staff):  # staff without the permission are no moderators either
        client.force_login(user)
        for method, url, data in _endpoints(reported, case, comment.pk, uploader.username):
            response = getattr(client, method)(url, data)
            assert response.status_code == 403, (user, method, url, response.status_code)
    reported.refresh_from_db()
    uploader.refresh_from_db()
    assert reported.moderation == "ok"
    assert uploader.suspended_until is None
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert not ModerationAction.objects.exists()
    assert not SiteModerationSettings.objects.filter(hold_new_uploads=True).exists()


def test_guests_are_sent_to_log_in(client, reported):
    case = Case.objects.get(kind="item")
    for url in (reverse("moderation:queue"), reverse("moderation:case", args=[case.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    response = client.post(reverse("moderation:case", args=[case.pk]), {"action": "dismiss"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "open"


def test_every_action_service_refuses_a_non_moderator(member, item, uploader):
    report_create(reporter=make_member("r"), target=item, reason="spam")
    with pytest.raises(PermissionDenied):
        target_act(moderator=member, action="remove", target=item, reason="nope")
    with pytest.raises(PermissionDenied):
        target_act(moderator=member, action="suspend", target=uploader, reason="nope", days=3)
    with pytest.raises(PermissionDenied):
        cases_act(moderator=member, cases=list(Case.objects.all()), action="dismiss")
    with pytest.raises(PermissionDenied):
        hold_new_uploads_set(moderator=member, on=True)
    with pytest.raises(PermissionDenied):
        appeal_decide(moderator=member, appeal=Appeal(pk=1), accept=True)
    with pytest.raises(PermissionDenied):
        copyright_resolve(moderator=member, entry=CopyrightNoticeItem(pk=1), restore=True)
    assert Item.objects.get(pk=item.pk).moderation == "ok"


def test_the_moderators_group_carries_the_permission(db):
    group = Group.objects.get(name="moderators")  # created by the data migration
    assert group.permissions.filter(codename="act", content_type__app_label="moderation").exists()
    user = make_member("someone")
    user.user_permissions.add(Permission.objects.get(codename="act", content_type__app_label="moderation"))
    user = User.objects.get(pk=user.pk)
    assert user.has_perm("moderation.act")


def test_queue_groups_reports_by_target_with_counts_per_reason(
    client, moderator, reported, django_assert_max_num_queries
):
    client.force_login(moderator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("moderation:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Graphic content without context × 2" in body
    assert "Wrong rating × 1" in body
    assert "Doxxing (private information about someone) × 1" in body
    assert "3 reports" in body
    rows = response.context["rows"]
    assert [case.kind for case, _ in rows] == ["comment", "item"]  # newest report first
    assert "Hold new uploads for review: <strong>Off</strong>" in body
    # More groups do not mean more queries.
    for n in range(5):
        report_create(reporter=make_member(f"x{n}"), target=ItemFactory(), reason="spam")
    with django_assert_max_num_queries(14):
        assert len(client.get(reverse("moderation:queue")).context["rows"]) == 7


def test_queue_filters(client, moderator, reported):
    client.force_login(moderator)
    only_comments = client.get(reverse("moderation:queue"), {"kind": "comment"}).context["rows"]
    assert [case.kind for case, _ in only_comments] == ["comment"]
    target_act(moderator=moderator, action="dismiss", case=Case.objects.get(kind="comment"))
    assert [c.kind for c, _ in client.get(reverse("moderation:queue")).context["rows"]] == ["item"]
    handled = client.get(reverse("moderation:queue"), {"status": "handled"}).context["rows"]
    assert [case.kind for case, _ in handled] == ["comment"]
    assert "Handled" in client.get(reverse("moderation:queue"), {"status": "handled"}).content.decode()


def test_case_page_lists_every_report(client, moderator, reported):
    client.force_login(moderator)
    case = Case.objects.get(kind="item")
    body = client.get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert body.count("<strong>Graphic content without context</strong>") == 2
    assert "r3" in body


def test_remove_with_a_reason_from_the_queue(client, moderator, reported, uploader):
    client.force_login(moderator)
    case = Case.objects.get(kind="item")
    response = client.post(
        reverse("moderation:case", args=[case.pk]),
        {"action": "remove", "reason": "Beheading video without context", "next": reverse("moderation:queue")},
    )
    assert response.status_code == 302
    reported.refresh_from_db()
    assert (reported.moderation, reported.moderation_reason) == ("removed", "Beheading video without context")
    case.refresh_from_db()
    assert (case.status, case.handled_by, case.resolution) == ("handled", moderator, "remove")
    assert set(Report.objects.filter(case=case).values_list("status", flat=True)) == {"upheld"}
    action = ModerationAction.objects.get(kind="remove")
    assert (action.moderator, action.subject, action.item, action.reason) == (
        moderator,
        uploader,
        reported,
        "Beheading video without context",
    )
    note = Notification.objects.get(recipient=uploader, kind="moderation")
    assert "removed by moderators: Beheading video without context" in note.text
    assert note.item == reported
    # In the open: the page says why, with 410.
    client.logout()
    page = client.get(reported.get_absolute_url())
    assert page.status_code == 410
    assert "Removed by moderators: Beheading video without context" in strip_tags(page.content.decode())


def test_remove_needs_a_reason(client, moderator, reported):
    client.force_login(moderator)
    case = Case.objects.get(kind="item")
    response = client.post(reverse("moderation:case", args=[case.pk]), {"action": "remove"})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert Item.objects.get(pk=reported.pk).moderation == "ok"


def test_change_rating_is_logged_and_told(client, moderator, reported, uploader):
    client.force_login(moderator)
    case = Case.objects.get(kind="item")
    response = client.post(reverse("moderation:case", args=[case.pk]), {"action": "rate"})
    assert "Choose the new rating." in response.content.decode()
    client.post(reverse("moderation:case", args=[case.pk]), {"action": "rate", "rating": "MA", "reason": "Gore"})
    reported.refresh_from_db()
    assert reported.rating == "MA"
    action = ModerationAction.objects.get(kind="rate")
    assert action.detail == {"from": "GA", "to": "MA"}
    assert "from GA to MA" in Notification.objects.get(recipient=uploader).text


def test_restore_and_lock_comments(client, moderator, item, uploader):
    Item.objects.filter(pk=item.pk).update(moderation="held", moderation_reason="Held")
    client.force_login(moderator)
    url = reverse("moderation:item", args=[item.public_id])
    assert client.post(url, {"action": "restore"}).status_code == 302
    item.refresh_from_db()
    assert (item.moderation, item.moderation_reason) == ("ok", "")
    client.post(url, {"action": "lock_comments", "reason": "Flame war"})
    item.refresh_from_db()
    assert item.comments_locked
    response = client.post(url, {"action": "lock_comments"})
    assert "Comments are already locked." in response.content.decode()
    assert list(ModerationAction.objects.order_by("id").values_list("kind", flat=True)) == ["restore", "lock_comments"]


def test_remove_a_comment(client, moderator, reported, uploader):
    client.force_login(moderator)
    case = Case.objects.get(kind="comment")
    comment_pk = case.comment_id
    client.post(reverse("moderation:case", args=[case.pk]), {"action": "remove_comment", "reason": "Doxxing"})
    assert not Comment.objects.filter(pk=comment_pk, is_deleted=False).exists()
    action = ModerationAction.objects.get(kind="remove_comment")
    assert action.detail["excerpt"] == "Here is their home address"
    assert action.subject == uploader
    case.refresh_from_db()
    assert case.status == "handled"
    assert Report.objects.get(case=case).status == "upheld"  # the case outlives the comment
    assert "removed your comment" in Notification.objects.get(recipient=uploader, kind="moderation").text


def test_warn_suspend_and_unsuspend_a_member(client, moderator, uploader):
    client.force_login(moderator)
    url = reverse("moderation:member", args=[uploader.username])
    client.post(url, {"action": "warn", "reason": "Credit your sources"})
    assert "A warning from the moderators: Credit your sources" in Notification.objects.get(recipient=uploader).text
    response = client.post(url, {"action": "suspend", "reason": "Spam"})
    assert "Give the number of days." in response.content.decode()
    client.post(url, {"action": "suspend", "reason": "Spam", "days": "7"})
    uploader.refresh_from_db()
    assert uploader.suspended_until is not None
    assert uploader.suspended_until > timezone.now() + datetime.timedelta(days=6)
    # Item creation now refuses them with a clear message.
    client.force_login(uploader)
    refused = client.get(reverse("items:new"))
    assert refused.status_code == 403
    assert "Your account is suspended until" in refused.content.decode()
    client.force_login(moderator)
    client.post(url, {"action": "unsuspend"})
    uploader.refresh_from_db()
    assert uploader.suspended_until is None
    kinds = list(ModerationAction.objects.order_by("id").values_list("kind", "target_kind"))
    assert kinds == [("warn", "user"), ("suspend", "user"), ("unsuspend", "user")]


def test_mark_a_member_trusted(client, moderator, member):
    client.force_login(moderator)
    client.post(reverse("moderation:member", args=[member.username]), {"action": "trust"})
    member.refresh_from_db()
    assert member.trusted_by_moderator


def test_moderators_cannot_suspend_moderators_or_themselves(client, moderator):
    other = make_member("othermod")
    other.groups.add(Group.objects.get(name="moderators"))
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:member", args=["othermod"]), {"action": "suspend", "reason": "x", "days": 3}
    )
    assert "cannot be suspended here" in response.content.decode()
    response = client.post(reverse("moderation:member", args=[moderator.username]), {"action": "trust"})
    assert "their own account" in response.content.decode()
    assert not ModerationAction.objects.exists()


def test_bulk_dismiss_and_remove(client, moderator, reported):
    extra = ItemFactory(title="Spam item")
    report_create(reporter=make_member("s1"), target=extra, reason="spam")
    client.force_login(moderator)
    cases = list(Case.objects.filter(kind="item").values_list("pk", flat=True))
    comment_case = Case.objects.get(kind="comment")
    response = client.post(
        reverse("moderation:bulk"),
        {"cases": [*cases, comment_case.pk], "action": "remove", "reason": "Spam wave"},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Done for 2 groups of reports." in body
    assert "does not apply to a comment" in body  # skipped, with the reason
    assert set(Item.objects.filter(pk__in=[reported.pk, extra.pk]).values_list("moderation", flat=True)) == {"removed"}
    assert Case.objects.get(pk=comment_case.pk).status == "open"
    response = client.post(reverse("moderation:bulk"), {"action": "dismiss"})
    assert response.status_code == 400
    assert "Select at least one group of reports." in response.content.decode()


def test_htmx_row_action_answers_with_the_row(client, moderator, reported):
    client.force_login(moderator)
    case = Case.objects.get(kind="item")
    response = client.post(reverse("moderation:case", args=[case.pk]), {"action": "remove"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    response = client.post(reverse("moderation:case", args=[case.pk]), {"action": "dismiss"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<strong>Reports dismissed</strong>" in response.content.decode()
    assert set(Report.objects.filter(case=case).values_list("status", flat=True)) == {"dismissed"}


def test_hold_new_uploads(client, moderator, member):
    client.force_login(moderator)
    client.post(reverse("moderation:hold_uploads"), {"on": "1"})
    assert SiteModerationSettings.objects.get().hold_new_uploads
    assert ModerationAction.objects.get().kind == "hold_uploads_on"
    client.force_login(member)
    client.post(
        reverse("items:new"),
        {
            "title": "Fresh footage",
            "rating": "GA",
            "visibility": "public",
            "agree_terms": "on",
            "occurred_precision": "unknown",
        },
    )
    item = Item.objects.get(title="Fresh footage")
    assert item.moderation == "held"
    assert not item.is_listed
    own = ItemFactory(author=moderator)  # moderators' own items are not held
    assert own.moderation == "ok"
    client.force_login(moderator)
    held = client.get(reverse("moderation:held"))
    assert "Fresh footage" in held.content.decode()
    client.post(reverse("moderation:item", args=[item.public_id]), {"action": "restore"})
    assert Item.objects.get(pk=item.pk).moderation == "ok"
    client.post(reverse("moderation:hold_uploads"), {"on": "0"})
    assert not SiteModerationSettings.objects.get().hold_new_uploads


def test_copyright_queue_and_appeals_pages_render(client, moderator, item):
    notice = CopyrightNotice.objects.create(
        claimant_name="Rights Holder",
        claimant_address="1 Road",
        claimant_email="r@example.org",
        claimant_phone="+1 555",
        copyrighted_work="My film",
        infringing_urls=item.get_absolute_url(),
        good_faith=True,
        accuracy_under_perjury=True,
        signature="Rights Holder",
    )
    CopyrightNoticeItem.objects.create(notice=notice, item=item)
    client.force_login(moderator)
    assert "Rights Holder" in client.get(reverse("moderation:copyright")).content.decode()
    assert client.get(reverse("moderation:appeals")).status_code == 200


def test_target_pages_render_for_moderators(client, moderator, reported, uploader):
    client.force_login(moderator)
    comment = Comment.objects.get()
    pages = {
        reverse("moderation:item", args=[reported.public_id]): "Remove the item",
        reverse("moderation:comment", args=[comment.pk]): "Remove the comment",
        reverse("moderation:member", args=[uploader.username]): "Suspend the member",
    }
    for url, action_label in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert action_label in body
        assert '<label for="at_reason">Reason</label>' in body  # every control has its label
    body = client.get(reverse("moderation:comment", args=[comment.pk])).content.decode()
    assert "Here is their home address" in body
    assert "<strong>Doxxing (private information about someone)</strong>" in body  # the open case's reports
