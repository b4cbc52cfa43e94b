"""Copyright: takedown notices disable the items they name until a moderator decides;
the uploader may send one counter-notice per item, which is emailed to the claimant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from fieldcast.items.models import Item, Moderation
from fieldcast.items.services import item_set_moderation

from .models import ActionKind as A
from .models import CopyrightNotice, CopyrightNoticeItem, CounterNotice, TargetKind, target_key
from .permissions import require_moderator
from .services import ModerationError, Target, log_action, tell_member

if TYPE_CHECKING:
    from fieldcast.accounts.models import User

DISABLED_REASON = "Named in a copyright notice; its uploader may send a counter-notice."


def _target(item: Item) -> Target:
    return Target(TargetKind.ITEM, target_key("item", item.pk), item.title[:200], item=item, owner=item.author)


@transaction.atomic
def copyright_notice_submit(
    *,
    items: list[Item],
    claimant_name: str,
    claimant_address: str,
    claimant_email: str,
    claimant_phone: str,
    copyrighted_work: str,
    infringing_urls: str,
    signature: str,
    submitter: User | None = None,
    submitter_ip: str | None = None,
) -> CopyrightNotice:
    """Record a complete notice and disable each item it names that is still shown."""
    notice = CopyrightNotice.objects.create(
        claimant_name=claimant_name,
        claimant_address=claimant_address,
        claimant_email=claimant_email,
        claimant_phone=claimant_phone,
        copyrighted_work=copyrighted_work,
        infringing_urls=infringing_urls,
        good_faith=True,
        accuracy_under_perjury=True,
        signature=signature,
        submitter=submitter,
        submitter_ip=submitter_ip,
    )
    for item in items:
        item = Item.objects.select_for_update(of=("self",)).select_related("author").get(pk=item.pk)
        CopyrightNoticeItem.objects.create(notice=notice, item=item)
        if item.moderation not in (Moderation.OK, Moderation.HELD):
            continue  # already disabled by another notice, or removed
        item_set_moderation(item_id=item.pk, moderation=Moderation.DISABLED, reason=DISABLED_REASON)
        t = _target(item)
        log_action(
            kind=A.DISABLE,
            target=t,
            moderator=None,
            reason=f"Copyright notice #{notice.pk}",
            detail={"notice": notice.pk, "was": item.moderation},
        )
        tell_member(
            t,
            f"Your item “{item.title}” is disabled after a copyright notice from {claimant_name}. "
            "If you believe it is a mistake, you can send a counter-notice",
        )
    return notice


@transaction.atomic
def counter_notice_submit(
    *,
    user: User,
    entry: CopyrightNoticeItem,
    full_name: str,
    address: str,
    phone: str,
    email: str,
    statement: str,
    signature: str,
) -> CounterNotice:
    """The uploader's counter-notice, once per item and notice; the claimant gets a copy."""
    entry = CopyrightNoticeItem.objects.select_for_update(of=("self",)).select_related("item").get(pk=entry.pk)
    if entry.item.author_id != user.pk:
        raise PermissionDenied("Only the item's uploader can send a counter-notice.")
    if CounterNotice.objects.filter(entry=entry).exists():
        raise ModerationError("You have already sent a counter-notice for this item.")
    if entry.status != CopyrightNoticeItem.Status.PENDING:
        raise ModerationError("This notice was already decided by the moderators.")
    try:
        with transaction.atomic():
            counter = CounterNotice.objects.create(
                entry=entry,
                user=user,
                full_name=full_name,
                address=address,
                phone=phone,
                email=email,
                statement=statement,
                mistake_under_perjury=True,
                consent_to_jurisdiction=True,
                signature=signature,
            )
    except IntegrityError as exc:
        raise ModerationError("You have already sent a counter-notice for this item.") from exc
    CopyrightNoticeItem.objects.filter(pk=entry.pk).update(status=CopyrightNoticeItem.Status.COUNTERED)
    counter_id = counter.pk
    transaction.on_commit(lambda: _enqueue_counter_email(counter_id))
    return counter


def _enqueue_counter_email(counter_id: int) -> None:
    from .tasks import email_counter_notice

    email_counter_notice.enqueue(counter_id)


def counter_notice_email_send(*, counter_id: int) -> bool:
    """Email the claimant a copy of a counter-notice (the task; safe to run twice: the
    worst case is a second copy)."""
    counter = (
        CounterNotice.objects.select_related("entry", "entry__notice", "entry__item").filter(pk=counter_id).first()
    )
    if counter is None:
        return False
    notice = counter.entry.notice
    body = render_to_string(
        "moderation/email_counter_notice.txt",
        {"counter": counter, "notice": notice, "item": counter.entry.item, "SITE_URL": settings.SITE_URL},
    )
    send_mail(
        subject=f"Counter-notice to your copyright notice #{notice.pk}",
        message=body,
        from_email=None,
        recipient_list=[notice.claimant_email],
    )
    return True


@transaction.atomic
def copyright_resolve(*, moderator: User, entry: CopyrightNoticeItem, restore: bool, reason: str = "") -> None:
    """A moderator's decision on one item of a notice: restore it, or remove it."""
    require_moderator(moderator)
    entry = CopyrightNoticeItem.objects.select_for_update(of=("self",)).select_related("notice").get(pk=entry.pk)
    if not entry.is_open:
        raise ModerationError("This notice was already decided.")
    if not restore and not reason.strip():
        raise ModerationError("Give a reason: the uploader and the public log show it.")
    item = Item.objects.select_for_update(of=("self",)).select_related("author").get(pk=entry.item_id)
    now = timezone.now()
    status = CopyrightNoticeItem.Status.RESTORED if restore else CopyrightNoticeItem.Status.REMOVED
    CopyrightNoticeItem.objects.filter(pk=entry.pk).update(status=status, resolved_at=now, resolved_by=moderator)
    t = _target(item)
    detail = {"notice": entry.notice_id, "was": item.moderation}
    if restore:
        still_open = CopyrightNoticeItem.objects.filter(
            item=item, status__in=[CopyrightNoticeItem.Status.PENDING, CopyrightNoticeItem.Status.COUNTERED]
        ).exists()
        if item.moderation == Moderation.DISABLED and not still_open:
            item_set_moderation(item_id=item.pk, moderation=Moderation.OK)
        not_upheld = f"Copyright notice #{entry.notice_id} not upheld"
        log_action(kind=A.RESTORE, target=t, moderator=moderator, reason=reason or not_upheld, detail=detail)
        tell_member(t, f"Your item “{item.title}” is restored: the copyright notice was not upheld", reason)
    else:
        public_reason = f"Copyright notice: {reason.strip()}"
        item_set_moderation(item_id=item.pk, moderation=Moderation.REMOVED, reason=public_reason)
        log_action(kind=A.REMOVE, target=t, moderator=moderator, reason=public_reason, detail=detail)
        tell_member(t, f"Your item “{item.title}” was removed after a copyright notice", reason)
