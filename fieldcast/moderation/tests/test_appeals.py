"""The uploader sees every action on their content with its reason, and appeals each
once; moderators decide appeals in the queue, and an accepted appeal undoes the action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fieldcast.accounts.models import User
from fieldcast.moderation.models import Appeal, ModerationAction
from fieldcast.moderation.services import ModerationError, target_act
from fieldcast.moderation.services_appeals import appeal_create, appeal_decide
from fieldcast.notifications.models import Notification

from .conftest import make_member


@pytest.fixture
def removal(moderator, item):
    return target_act(moderator=moderator, action="remove", target=item, reason="No context given")


def test_uploader_sees_every_action_with_the_reason(
    client, uploader, moderator, item, removal, django_assert_max_num_queries
):
    target_act(moderator=moderator, action="warn", target=uploader, reason="Read the rules")
    client.force_login(uploader)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("moderation:mine"))
    body = response.content.decode()
    assert "Removed" in body
    assert "Reason: No context given" in body
    assert "Member warned" in body
    assert "Reason: Read the rules" in body
    assert "Footage of the square" in body
    assert body.count("Appeal this action") == 2


def test_others_see_nothing_of_it(client, member, removal):
    client.force_login(member)
    body = client.get(reverse("moderation:mine")).content.decode()
    assert "No context given" not in body
    assert client.get(reverse("moderation:mine")).status_code == 200


def test_appeal_once(client, uploader, removal):
    client.force_login(uploader)
    url = reverse("moderation:appeal", args=[removal.pk])
    response = client.post(url, {"text": ""})
    assert response.status_code == 400
    assert "Say why you appeal." in response.content.decode()
    response = client.post(url, {"text": "It is news footage, the article explains it."})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.appellant, appeal.status) == (uploader, "pending")
    response = client.post(url, {"text": "Again"})
    assert response.status_code == 400
    assert "You have already appealed this action." in response.content.decode()
    assert Appeal.objects.count() == 1
    body = client.get(reverse("moderation:mine")).content.decode()
    assert "Waiting for a moderator" in body


def test_only_the_member_concerned_appeals(client, member, removal):
    client.force_login(member)
    response = client.post(reverse("moderation:appeal", args=[removal.pk]), {"text": "Not mine"})
    assert response.status_code == 404
    assert not Appeal.objects.exists()


def test_some_actions_cannot_be_appealed(moderator, uploader, item):
    action = target_act(moderator=moderator, action="lock_comments", target=item)
    target_act(moderator=moderator, action="unlock_comments", target=item)
    unlock = ModerationAction.objects.get(kind="unlock_comments")
    with pytest.raises(ModerationError, match="cannot be appealed"):
        appeal_create(user=uploader, action=unlock, text="?")
    appeal_create(user=uploader, action=action, text="Why?")


def test_appeals_appear_in_the_queue_and_acceptance_undoes(client, moderator, uploader, item, removal):
    appeal_create(user=uploader, action=removal, text="It is news footage.")
    client.force_login(moderator)
    page = client.get(reverse("moderation:appeals")).content.decode()
    assert "It is news footage." in page
    appeal = Appeal.objects.get()
    response = client.post(reverse("moderation:appeal_decide", args=[appeal.pk]), {})
    assert response.status_code == 400
    assert "Choose accept or reject." in response.content.decode()
    client.post(reverse("moderation:appeal_decide", args=[appeal.pk]), {"decision": "accept", "response": "Fair"})
    item.refresh_from_db()
    assert item.moderation == "ok"
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by, appeal.response) == ("accepted", moderator, "Fair")
    decided = ModerationAction.objects.get(kind="appeal_accept")
    assert decided.detail == {"appeal": appeal.pk, "action": removal.pk}
    assert decided.subject == uploader
    assert (
        "Your appeal was accepted: the item is back"
        in Notification.objects.filter(recipient=uploader).latest("id").text
    )
    with pytest.raises(ModerationError, match="already decided"):
        appeal_decide(moderator=moderator, appeal=appeal, accept=False)


def test_rejected_appeal_leaves_the_action(moderator, uploader, item, removal):
    appeal = appeal_create(user=uploader, action=removal, text="Please")
    appeal_decide(moderator=moderator, appeal=appeal, accept=False, response="The footage has no context.")
    item.refresh_from_db()
    assert item.moderation == "removed"
    assert ModerationAction.objects.filter(kind="appeal_reject").exists()


def test_accepted_appeals_undo_ratings_and_suspensions(moderator, uploader, item):
    rate = target_act(moderator=moderator, action="rate", target=item, rating="MA")
    suspend = target_act(moderator=moderator, action="suspend", target=uploader, reason="Spam", days=3)
    appeal_decide(moderator=moderator, appeal=appeal_create(user=uploader, action=rate, text="GA"), accept=True)
    appeal_decide(moderator=moderator, appeal=appeal_create(user=uploader, action=suspend, text="Mistake"), accept=True)
    item.refresh_from_db()
    assert item.rating == "GA"
    assert User.objects.get(pk=uploader.pk).suspended_until is None


def test_a_moderator_does_not_decide_their_own_appeal(moderator):
    other = make_member("othermod2")
    other.groups.add(*moderator.groups.all())
    other = User.objects.get(pk=other.pk)
    warn = target_act(moderator=other, action="warn", target=moderator, reason="Slow down")
    appeal = appeal_create(user=moderator, action=warn, text="No")
    with pytest.raises(ModerationError, match="Another moderator"):
        appeal_decide(moderator=moderator, appeal=appeal, accept=True)
