"""Copyright: a complete takedown notice disables the items it names (451) and tells their
uploaders; each uploader may counter-notify once (the claimant gets a copy by email);
moderators restore or remove."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.items.models import Item
from fieldcast.moderation.models import CopyrightNotice, CopyrightNoticeItem, CounterNotice, ModerationAction
from fieldcast.moderation.services import ModerationError
from fieldcast.moderation.services_copyright import (
    copyright_resolve,
    counter_notice_email_send,
    counter_notice_submit,
)
from fieldcast.notifications.models import Notification

TAKEDOWN = reverse("moderation:takedown")


def notice_data(*urls: str, **changes: str) -> dict[str, str]:
    data = {
        "claimant_name": "Lina Haddad",
        "claimant_address": "12 Rue de la Paix\nParis",
        "claimant_email": "lina@example.org",
        "claimant_phone": "+33 1 23 45 67 89",
        "copyrighted_work": "My documentary “Homs 2012”, https://example.org/homs",
        "infringing_urls": "\n".join(urls),
        "good_faith": "on",
        "accuracy_under_perjury": "on",
        "signature": "Lina Haddad",
    }
    data.update(changes)
    return data


COUNTER = {
    "full_name": "Up Loader",
    "address": "1 Main St",
    "phone": "555-0100",
    "email": "up@example.org",
    "statement": "I filmed this myself.",
    "mistake_under_perjury": "on",
    "consent_to_jurisdiction": "on",
    "signature": "Up Loader",
}


def test_a_valid_notice_disables_the_items_and_tells_the_uploader(client, item, uploader, settings):
    other = ItemFactory(title="Second copy")
    response = client.post(
        TAKEDOWN,
        notice_data(
            f"{settings.SITE_URL}{item.get_absolute_url()}", f"https://mirror.example{other.get_absolute_url()}"
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:takedown_sent")
    sent = client.get(response["Location"]).content.decode()
    assert "Footage of the square" in sent
    assert "Second copy" in sent
    notice = CopyrightNotice.objects.get()
    assert notice.good_faith
    assert notice.accuracy_under_perjury
    assert set(notice.entries.values_list("item_id", flat=True)) == {item.pk, other.pk}
    item.refresh_from_db()
    assert item.moderation == "disabled"
    page = client.get(item.get_absolute_url())
    assert page.status_code == 451
    assert "copyright notice" in page.content.decode()
    action = ModerationAction.objects.get(kind="disable", item=item)
    assert action.moderator is None
    assert action.subject == uploader
    assert "counter-notice" in Notification.objects.get(recipient=uploader).text


def test_notice_fields_are_required_each_with_its_message(client, item):
    response = client.post(TAKEDOWN, {})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("This field is required.") >= 6
    assert body.count("This statement is required for a copyright notice.") == 4  # summary and field
    response = client.post(TAKEDOWN, notice_data("https://elsewhere.example/nothing", signature="Someone Else"))
    body = response.content.decode()
    assert "These addresses are not item pages on this site" in body
    assert "Type your full name exactly as above to sign." in body
    assert not CopyrightNotice.objects.exists()
    assert Item.objects.get(pk=item.pk).moderation == "ok"


def test_private_or_removed_items_cannot_be_named(client, uploader):
    private = ItemFactory(author=uploader, visibility="private")
    removed = ItemFactory(author=uploader, moderation="removed", moderation_reason="x")
    for target in (private, removed):
        response = client.post(TAKEDOWN, notice_data(target.get_absolute_url()))
        assert response.status_code == 400
    assert not CopyrightNotice.objects.exists()


def test_guest_notices_are_rate_limited(client, settings, db):
    settings.GUEST_REPORT_RATE_LIMIT_PER_HOUR = 1
    first, second = ItemFactory(), ItemFactory()
    assert client.post(TAKEDOWN, notice_data(first.get_absolute_url())).status_code == 302
    assert client.post(TAKEDOWN, notice_data(second.get_absolute_url())).status_code == 429
    assert CopyrightNotice.objects.count() == 1


@pytest.fixture
def entry(client, item):
    client.post(TAKEDOWN, notice_data(item.get_absolute_url()))
    return CopyrightNoticeItem.objects.get()


def test_uploader_counter_notifies_once_and_the_claimant_gets_a_copy(
    client, uploader, entry, django_capture_on_commit_callbacks
):
    client.force_login(uploader)
    mine = client.get(reverse("moderation:mine")).content.decode()
    assert "Lina Haddad" in mine
    assert "Send a counter-notice" in mine
    url = reverse("moderation:counter_notice", args=[entry.pk])
    response = client.post(url, {**COUNTER, "consent_to_jurisdiction": ""})
    assert response.status_code == 400
    assert "This statement is required for a counter-notice." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, COUNTER)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "countered"
    counter = CounterNotice.objects.get()
    assert DBTaskResult.objects.filter(task_path="fieldcast.moderation.tasks.email_counter_notice").exists()
    assert counter_notice_email_send(counter_id=counter.pk)
    message = mail.outbox[-1]
    assert message.to == ["lina@example.org"]
    assert "I filmed this myself." in message.body
    assert "penalty of perjury" in message.body
    # Once.
    assert "You already sent a counter-notice" in client.get(url).content.decode()
    with pytest.raises(ModerationError):
        counter_notice_submit(
            user=uploader,
            entry=entry,
            **{k: v for k, v in COUNTER.items() if k not in ("mistake_under_perjury", "consent_to_jurisdiction")},
        )
    assert CounterNotice.objects.count() == 1


def test_only_the_uploader_counter_notifies(client, member, entry):
    client.force_login(member)
    assert client.get(reverse("moderation:counter_notice", args=[entry.pk])).status_code == 404
    assert client.post(reverse("moderation:counter_notice", args=[entry.pk]), COUNTER).status_code == 404
    assert not CounterNotice.objects.exists()


def test_moderator_restores_or_removes(client, moderator, entry, uploader, item):
    client.force_login(moderator)
    queue = client.get(reverse("moderation:copyright")).content.decode()
    assert "Lina Haddad" in queue
    url = reverse("moderation:copyright_decide", args=[entry.pk])
    response = client.post(url, {"decision": "remove"})
    assert response.status_code == 400
    assert "Give a reason to remove the item." in response.content.decode()
    client.post(url, {"decision": "restore"})
    item.refresh_from_db()
    assert item.moderation == "ok"
    entry.refresh_from_db()
    assert (entry.status, entry.resolved_by) == ("restored", moderator)
    assert ModerationAction.objects.filter(kind="restore", item=item, moderator=moderator).exists()
    with pytest.raises(ModerationError, match="already decided"):
        copyright_resolve(moderator=moderator, entry=entry, restore=False, reason="late")


def test_moderator_removes_after_a_notice(moderator, entry, item):
    copyright_resolve(moderator=moderator, entry=entry, restore=False, reason="The footage is the claimant's film")
    item.refresh_from_db()
    assert item.moderation == "removed"
    assert item.moderation_reason == "Copyright notice: The footage is the claimant's film"
