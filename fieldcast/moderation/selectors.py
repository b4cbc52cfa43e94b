"""Reads for reports, the queue, the public log and a member's own moderation page.
Each function runs a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fieldcast.core.pagination import KeysetPage, keyset_paginate
from fieldcast.items.models import Item

from .models import (
    Appeal,
    Case,
    CopyrightNoticeItem,
    ModerationAction,
    Reason,
    Report,
    TargetKind,
)

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.moderation.viewer import Viewer

TRUSTED_ACCOUNT_AGE = datetime.timedelta(days=30)
QUEUE_PAGE_SIZE = 25
LOG_PAGE_SIZE = 50


def user_is_suspended(user: Any) -> bool:
    until = getattr(user, "suspended_until", None)
    return until is not None and until > timezone.now()


def user_is_trusted(user: User) -> bool:
    """A trusted member's reports count toward holding an item: marked trusted by a
    moderator, or a verified email, an account older than 30 days and no upheld
    report against them. A suspended member is never trusted."""
    from allauth.account.models import EmailAddress

    if not user.is_authenticated or not user.is_active or user_is_suspended(user):
        return False
    if user.trusted_by_moderator:
        return True
    if user.date_joined > timezone.now() - TRUSTED_ACCOUNT_AGE:
        return False
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        return False
    return not Report.objects.filter(case__owner=user, status=Report.Status.UPHELD).exists()


def suspension_message(user: Any, doing: str = "post items") -> str | None:
    """The sentence a suspended member reads when refused, or None when not suspended."""
    if not user_is_suspended(user):
        return None
    until = timezone.localtime(user.suspended_until).strftime("%b-%d-%Y %H:%M")
    return f"Your account is suspended until {until}: you cannot {doing} until then."


def item_video_duration(item: Item) -> float | None:
    """The main video's duration in seconds, when known (for report timestamps)."""
    from fieldcast.media.models import MediaAsset

    return (
        MediaAsset.objects.filter(item=item, kind="video", duration__isnull=False)
        .order_by("position", "id")
        .values_list("duration", flat=True)
        .first()
    )


# --- The queue -------------------------------------------------------------------------


def _reason_annotations() -> dict[str, Any]:
    counts: dict[str, Any] = {
        f"n_{value}": Count("reports", filter=Q(reports__reason=value)) for value in Reason.values
    }
    counts["n_trusted"] = Count("reports", filter=Q(reports__reporter_trusted=True))
    return counts


def with_reason_counts(cases: list[Case]) -> list[Case]:
    for case in cases:
        case.reason_counts = [  # type: ignore[attr-defined]
            (label, getattr(case, f"n_{value}")) for value, label in Reason.choices if getattr(case, f"n_{value}")
        ]
    return cases


def queue_cases(*, status: str, kind: str) -> QuerySet[Case]:
    """The cases of the queue (one status, one kind or all) with their targets and the
    number of reports per reason; order and page them, then call `with_reason_counts`."""
    qs = Case.objects.filter(status=status)
    if kind in (TargetKind.ITEM, TargetKind.COMMENT, TargetKind.USER):
        qs = qs.filter(kind=kind)
    return qs.select_related("item", "comment", "owner", "handled_by").annotate(**_reason_annotations())


def queue_page(*, status: str, kind: str, cursor: str | None, size: int = QUEUE_PAGE_SIZE) -> KeysetPage[Case]:
    """Reports grouped by target (one Case each), newest report first, with the number
    of reports per reason (one query)."""
    qs = queue_cases(status=status, kind=kind)
    page = keyset_paginate(qs, keys=("last_reported_at", "id"), cursor=cursor, size=size)
    with_reason_counts(page.items)
    return page


def cases_by_ids(ids: list[int]) -> list[Case]:
    return list(Case.objects.filter(pk__in=ids).select_related("item", "comment", "owner").order_by("id"))


def case_reports(case: Case) -> list[Report]:
    return list(case.reports.select_related("reporter").order_by("-created_at", "-id"))


def open_case_for(target_key: str) -> Case | None:
    return Case.objects.filter(target_key=target_key, status=Case.Status.OPEN).first()


def target_history(*, item: Any = None, comment: Any = None, subject: Any = None) -> list[ModerationAction]:
    """The actions on one thing, newest first (at most 50)."""
    if item is not None:
        where = Q(item=item)
    elif comment is not None:
        where = Q(comment=comment)
    else:
        where = Q(subject=subject, target_kind=TargetKind.USER)
    return list(ModerationAction.objects.filter(where).select_related("moderator").order_by("-created_at", "-id")[:50])


def held_items_page(*, cursor: str | None, size: int = QUEUE_PAGE_SIZE) -> KeysetPage[Item]:
    """Items waiting for review (report threshold or "hold new uploads")."""
    qs = Item.objects.held_for_review().select_related("author")
    return keyset_paginate(qs, keys=("added_at", "id"), cursor=cursor, size=size)


def pending_appeals() -> list[Appeal]:
    return list(
        Appeal.objects.filter(status=Appeal.Status.PENDING)
        .select_related("action", "action__item", "action__comment", "action__moderator", "appellant")
        .order_by("created_at", "id")[:100]
    )


def open_copyright_entries() -> list[CopyrightNoticeItem]:
    return list(
        CopyrightNoticeItem.objects.filter(
            status__in=[CopyrightNoticeItem.Status.PENDING, CopyrightNoticeItem.Status.COUNTERED]
        )
        .select_related("notice", "item", "item__author", "counter_notice")
        .order_by("notice__created_at", "id")[:100]
    )


@dataclass(frozen=True)
class QueueCounts:
    open_cases: int
    held_items: int
    pending_appeals: int
    open_notices: int


def queue_counts() -> QueueCounts:
    return QueueCounts(
        open_cases=Case.objects.filter(status=Case.Status.OPEN).count(),
        held_items=Item.objects.held_for_review().count(),
        pending_appeals=Appeal.objects.filter(status=Appeal.Status.PENDING).count(),
        open_notices=CopyrightNoticeItem.objects.filter(
            status__in=[CopyrightNoticeItem.Status.PENDING, CopyrightNoticeItem.Status.COUNTERED]
        ).count(),
    )


# --- In the open -----------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    action: ModerationAction
    target: str  # what the public may read about the target
    url: str  # a link to it, when this viewer may open it
    moderator: str  # empty unless MODERATION_LOG_SHOW_MODERATOR


def _public_target(action: ModerationAction, openable: set[int]) -> tuple[str, str]:
    item_open = action.item_id is not None and action.item_id in openable
    if action.target_kind == TargetKind.ITEM:
        if item_open:
            return action.item.title, action.item.get_absolute_url()  # type: ignore[union-attr]
        return "an item", ""
    if action.target_kind == TargetKind.COMMENT:
        if item_open:
            return f"a comment on “{action.item.title}”", action.item.get_absolute_url()  # type: ignore[union-attr]
        return "a comment", ""
    if action.target_kind == TargetKind.USER:
        return "a member", ""
    return "the site", ""


@dataclass(frozen=True)
class LogPage:
    items: list[LogEntry]
    next_cursor: str | None


def public_log_page(viewer: Viewer, *, cursor: str | None, size: int = LOG_PAGE_SIZE) -> LogPage:
    """Every action, newest first: the target named only where this viewer may open it,
    moderators named only when the site says so (3 queries)."""
    page = keyset_paginate(log_actions(), keys=("created_at", "id"), cursor=cursor, size=size)
    return LogPage(items=log_entries(viewer, page.items), next_cursor=page.next_cursor)


def log_actions() -> QuerySet[ModerationAction]:
    """Every action, with what the public log shows of it (order and page them)."""
    qs: QuerySet[ModerationAction] = ModerationAction.objects.select_related("item")
    if settings.MODERATION_LOG_SHOW_MODERATOR:
        qs = qs.select_related("moderator")
    return qs


def log_entries(viewer: Viewer, actions: list[ModerationAction]) -> list[LogEntry]:
    """A page of `log_actions` as `viewer` may read it (one query for the items they may open)."""
    show_moderator = settings.MODERATION_LOG_SHOW_MODERATOR
    item_ids = {a.item_id for a in actions if a.item_id is not None}
    openable = (
        set(Item.objects.openable_by(viewer).filter(pk__in=item_ids).values_list("pk", flat=True))
        if item_ids
        else set()
    )
    entries = []
    for action in actions:
        target, url = _public_target(action, openable)
        moderator = ""
        if show_moderator:
            moderator = action.moderator.public_name if action.moderator is not None else "automatic"
        entries.append(LogEntry(action=action, target=target, url=url, moderator=moderator))
    return entries


def member_actions_page(user: User, *, cursor: str | None, size: int = LOG_PAGE_SIZE) -> KeysetPage[ModerationAction]:
    """Every action on a member's content or account, with its appeal if any."""
    qs = ModerationAction.objects.filter(subject=user).select_related("item", "comment", "appeal")
    return keyset_paginate(qs, keys=("created_at", "id"), cursor=cursor, size=size)


def member_copyright_entries(user: User) -> list[CopyrightNoticeItem]:
    return list(
        CopyrightNoticeItem.objects.filter(item__author=user)
        .select_related("notice", "item", "counter_notice")
        .order_by("-notice__created_at", "-id")[:100]
    )
