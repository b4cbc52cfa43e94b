"""Reports from members (once per target) and guests, grouped into one open Case per
target; enough distinct trusted reporters hold an item (REPORT_HOLD_THRESHOLD)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fieldcast.items.models import Item, Moderation
from fieldcast.items.services import item_set_moderation

from .models import ActionKind as A
from .models import Case, Report, TargetKind
from .selectors import user_is_suspended, user_is_trusted
from .services import ModerationError, Target, describe, log_action, tell_member

if TYPE_CHECKING:
    from django.db.models import Model

    from fieldcast.accounts.models import User

HOLD_REASON = "Held for review after reports from trusted members."


def _open_case(target: Target) -> Case:
    """The target's open case, locked (created when there is none)."""
    case = Case.objects.select_for_update().filter(target_key=target.key, status=Case.Status.OPEN).first()
    if case is not None:
        return case
    try:
        with transaction.atomic():
            return Case.objects.create(
                kind=target.kind,
                target_key=target.key,
                target_label=target.label,
                item=target.item,
                comment=target.comment,
                owner=target.owner,
            )
    except IntegrityError:  # opened by a concurrent report
        return Case.objects.select_for_update().get(target_key=target.key, status=Case.Status.OPEN)


@transaction.atomic
def report_create(
    *,
    reporter: User | None,
    target: Model,
    reason: str,
    details: str = "",
    timestamp_s: int | None = None,
    reporter_ip: str | None = None,
    contact_email: str = "",
) -> Report:
    """Record a report (members: once per target) and hold an item once enough
    distinct trusted members reported it (REPORT_HOLD_THRESHOLD)."""
    t = describe(target)
    if reporter is not None:
        if t.owner is not None and t.owner.pk == reporter.pk:
            raise ModerationError("You cannot report your own content.")
        if user_is_suspended(reporter):
            raise ModerationError("Your account is suspended: you cannot report until the suspension ends.")
        if Report.objects.filter(reporter=reporter, target_key=t.key).exists():
            raise ModerationError("You have already reported this. Moderators will look at it.")
    case = _open_case(t)
    trusted = reporter is not None and user_is_trusted(reporter)
    now = timezone.now()
    try:
        with transaction.atomic():
            report = Report.objects.create(
                case=case,
                target_key=t.key,
                reporter=reporter,
                reporter_ip=None if reporter else reporter_ip,
                contact_email="" if reporter else contact_email,
                reporter_trusted=trusted,
                reason=reason,
                details=details,
                timestamp_s=timestamp_s,
                created_at=now,
            )
    except IntegrityError as exc:  # the same member, twice at once
        raise ModerationError("You have already reported this. Moderators will look at it.") from exc
    Case.objects.filter(pk=case.pk).update(reports_count=F("reports_count") + 1, last_reported_at=now)
    if t.item is not None and t.kind == TargetKind.ITEM and trusted:
        _hold_at_threshold(case, t)
    return report


def _hold_at_threshold(case: Case, target: Target) -> None:
    trusted = case.reports.filter(reporter_trusted=True).count()
    if trusted < settings.REPORT_HOLD_THRESHOLD:
        return
    item = target.item
    assert item is not None  # noqa: S101 (an item case)
    if Item.objects.select_for_update().get(pk=item.pk).moderation == Moderation.OK:
        item_set_moderation(item_id=item.pk, moderation=Moderation.HELD, reason=HOLD_REASON)
        log_action(
            kind=A.HOLD, target=target, moderator=None, reason=HOLD_REASON, case=case, detail={"trusted": trusted}
        )
        tell_member(target, f"Your item “{item.title}” is held for review", HOLD_REASON)
