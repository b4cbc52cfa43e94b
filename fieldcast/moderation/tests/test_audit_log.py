"""The audit log is append-only (model, queryset, admin, and a PostgreSQL trigger), and
the public log shows what the viewer may know: item titles only where they may open the
item, moderators' names only when the site says so."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.items.services import item_delete
from fieldcast.moderation.models import ModerationAction
from fieldcast.moderation.services import target_act
from fieldcast.moderation.services_reports import report_create

from .conftest import make_member


@pytest.fixture
def logged(moderator, item):
    return target_act(moderator=moderator, action="remove", target=item, reason="Propaganda")


def test_entries_cannot_be_changed_or_deleted(logged):
    logged.reason = "Something else"
    with pytest.raises(PermissionDenied):
        logged.save()
    with pytest.raises(PermissionDenied):
        logged.delete()
    with pytest.raises(PermissionDenied):
        ModerationAction.objects.filter(pk=logged.pk).update(reason="x")
    with pytest.raises(PermissionDenied):
        ModerationAction.objects.all().delete()
    assert ModerationAction.objects.get(pk=logged.pk).reason == "Propaganda"


def test_the_admin_is_read_only(client, logged, db):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    change_url = reverse("admin:moderation_moderationaction_change", args=[logged.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url, {"reason": "edited"}).status_code == 403
    assert client.get(reverse("admin:moderation_moderationaction_delete", args=[logged.pk])).status_code == 403
    assert client.get(reverse("admin:moderation_moderationaction_add")).status_code == 403
    assert ModerationAction.objects.get(pk=logged.pk).reason == "Propaganda"


def test_entries_outlive_their_target(logged, item):
    item_delete(item=Item.objects.get(pk=item.pk))
    entry = ModerationAction.objects.get(pk=logged.pk)
    assert entry.item_id is None
    assert entry.target_label == "Footage of the square"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_raw_updates_and_deletes(logged):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE moderation_moderationaction SET reason = 'x' WHERE id = %s", [logged.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM moderation_moderationaction WHERE id = %s", [logged.pk])
    assert ModerationAction.objects.filter(pk=logged.pk, reason="Propaganda").exists()


def test_public_log_lists_actions(client, logged, moderator):
    response = client.get(reverse("moderation:log"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Removed" in body
    assert "Propaganda" in body
    assert "an item" in body  # a removed item cannot be opened: its title is not shown
    assert "Footage of the square" not in body
    assert moderator.username not in body  # MODERATION_LOG_SHOW_MODERATOR is off


def test_public_log_names_items_the_viewer_may_open(client, moderator, uploader):
    shown = ItemFactory(author=uploader, title="Open footage")
    target_act(moderator=moderator, action="rate", target=shown, rating="PG", reason="Distressing")
    private = ItemFactory(author=uploader, title="Private footage", visibility="private")
    target_act(moderator=moderator, action="lock_comments", target=private)
    body = client.get(reverse("moderation:log")).content.decode()
    assert "Open footage" in body
    assert "Private footage" not in body
    client.force_login(uploader)  # the author may open their private item
    assert "Private footage" in client.get(reverse("moderation:log")).content.decode()


def test_member_actions_name_nobody(client, moderator, uploader):
    target_act(moderator=moderator, action="warn", target=uploader, reason="Be civil")
    body = client.get(reverse("moderation:log")).content.decode()
    assert "a member" in body
    assert "Be civil" in body
    assert "uploader" not in body


def test_moderator_names_by_setting(client, settings, logged, moderator, item):
    settings.MODERATION_LOG_SHOW_MODERATOR = True
    settings.REPORT_HOLD_THRESHOLD = 1
    other = ItemFactory()
    report_create(reporter=make_member("t", trusted_by_moderator=True), target=other, reason="spam")
    body = client.get(reverse("moderation:log")).content.decode()
    assert f"By {moderator.public_name}" in body
    assert "By automatic" in body  # the threshold's hold


def test_public_log_pages_with_fixed_queries(client, moderator, django_assert_max_num_queries, settings):
    settings.MODERATION_LOG_SHOW_MODERATOR = True
    for n in range(60):
        target_act(moderator=moderator, action="lock_comments", target=ItemFactory(title=f"Item {n}"))
    with django_assert_max_num_queries(5):
        first = client.get(reverse("moderation:log"))
    assert len(first.context["page"].items) == 50
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("moderation:log"), {"after": cursor})
    assert len(second.context["page"].items) == 10
    assert "Item 0" in second.content.decode()
