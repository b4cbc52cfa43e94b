"""Moderation writes: moderators' actions and the site's hold switch.

Every action checks the `moderation.act` permission, writes one append-only
`ModerationAction` row, tells the member concerned (notify kind "moderation") and
changes its target with a minimal update of the owning app's fields (or the owning
app's service, for comments). Reports are in services_reports.py, appeals in
services_appeals.py, copyright notices in services_copyright.py.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.community.models import Comment
from fieldcast.core import pagecache
from fieldcast.items.models import Item, Moderation, Rating
from fieldcast.items.services import item_set_moderation
from fieldcast.notifications.services import notify

from .holds import site_settings
from .models import (
    ActionKind as A,
)
from .models import (
    Case,
    ModerationAction,
    Report,
    TargetKind,
    target_key,
)
from .permissions import can_moderate, require_moderator
from .selectors import user_is_suspended

if TYPE_CHECKING:
    from django.db.models import Model

MAX_SUSPENSION_DAYS = 3650


class ModerationError(Exception):
    """The action cannot be done; `str(exc)` is the sentence to show."""


# --- Targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: str
    key: str
    label: str
    item: Item | None = None
    comment: Comment | None = None
    owner: User | None = None  # whose content or account it is


def describe(target: Model) -> Target:
    if isinstance(target, Item):
        return Target(
            TargetKind.ITEM, target_key("item", target.pk), target.title[:200], item=target, owner=target.author
        )
    if isinstance(target, Comment):
        label = f"Comment on “{target.item.title}”"[:200]
        return Target(
            TargetKind.COMMENT,
            target_key("comment", target.pk),
            label,
            item=target.item,
            comment=target,
            owner=target.author,
        )
    if isinstance(target, User):
        return Target(TargetKind.USER, target_key("user", target.pk), target.username, owner=target)
    raise TypeError(f"Cannot moderate {type(target).__name__}")


def _case_target(case: Case) -> Model | None:
    if case.kind == TargetKind.ITEM:
        return case.item
    if case.kind == TargetKind.COMMENT:
        return case.comment
    return case.owner


def log_action(
    *,
    kind: str,
    target: Target,
    moderator: User | None,
    reason: str = "",
    case: Case | None = None,
    detail: dict[str, Any] | None = None,
    target_kind: str | None = None,
) -> ModerationAction:
    return ModerationAction.objects.create(
        kind=kind,
        target_kind=target_kind or target.kind,
        moderator=moderator,
        item=target.item,
        comment=target.comment,
        subject=target.owner,
        case=case,
        target_label=target.label,
        reason=reason[:500],
        detail=detail or {},
    )


def tell_member(target: Target, summary: str, reason: str = "", *, link_comment: bool = True) -> None:
    """Tell the member concerned what happened and where to read more or appeal."""
    if target.owner is None:
        return
    where = reverse("moderation:mine")
    text = f"{summary}: {reason}" if reason else summary
    # No actor: a member who blocked a moderator must still hear about moderation.
    notify(
        recipient=target.owner,
        kind="moderation",
        item=target.item,
        comment=target.comment if link_comment else None,
        text=f"{text} (details and appeal: {where})",
    )


# --- Moderators' actions ---------------------------------------------------------------

ACTIONS_FOR: dict[str, tuple[str, ...]] = {
    TargetKind.ITEM: (
        A.DISMISS,
        A.RATE,
        A.REMOVE,
        A.RESTORE,
        A.LOCK_COMMENTS,
        A.UNLOCK_COMMENTS,
        A.WARN,
        A.SUSPEND,
    ),
    TargetKind.COMMENT: (A.DISMISS, A.REMOVE_COMMENT, A.WARN, A.SUSPEND),
    TargetKind.USER: (A.DISMISS, A.WARN, A.SUSPEND, A.UNSUSPEND, A.TRUST, A.UNTRUST),
}
# Actions that say the reports were right; the others dismiss them.
UPHOLDING = frozenset({A.RATE, A.REMOVE, A.LOCK_COMMENTS, A.REMOVE_COMMENT, A.WARN, A.SUSPEND})
REASON_REQUIRED = frozenset({A.REMOVE, A.REMOVE_COMMENT, A.WARN, A.SUSPEND})


@transaction.atomic
def target_act(
    *,
    moderator: User,
    action: str,
    target: Model | None = None,
    case: Case | None = None,
    reason: str = "",
    rating: str = "",
    days: int | None = None,
) -> ModerationAction:
    """Do one moderator action on a target (or a case's target), and close the target's
    open case: its reports are upheld or dismissed by the action."""
    require_moderator(moderator)
    if case is not None:
        case = Case.objects.select_for_update(of=("self",)).select_related("item", "comment", "owner").get(pk=case.pk)
        target = target or _case_target(case)
        kind = case.kind
    elif target is not None:
        kind = describe(target).kind
    else:
        raise ModerationError("Nothing to act on.")
    if action not in ACTIONS_FOR[kind]:
        raise ModerationError(f"“{A(action).label}” does not apply to a {TargetKind(kind).label.lower()}.")
    if action in REASON_REQUIRED and not reason.strip():
        raise ModerationError("Give a reason: the member concerned and the public log show it.")
    if target is None:
        if action != A.DISMISS:
            raise ModerationError("The reported thing no longer exists: dismiss the reports.")
        assert case is not None  # noqa: S101 (no target without a case)
        t = Target(case.kind, case.target_key, case.target_label, owner=case.owner)
    else:
        t = describe(target)
    if case is None:
        case = Case.objects.select_for_update().filter(target_key=t.key, status=Case.Status.OPEN).first()
    entry = _do(moderator=moderator, action=action, t=t, case=case, reason=reason.strip(), rating=rating, days=days)
    if case is not None and case.status == Case.Status.OPEN:
        _case_close(case, moderator=moderator, action=action)
    return entry


def _case_close(case: Case, *, moderator: User, action: str) -> None:
    Case.objects.filter(pk=case.pk, status=Case.Status.OPEN).update(
        status=Case.Status.HANDLED, handled_at=timezone.now(), handled_by=moderator, resolution=action
    )
    verdict = Report.Status.UPHELD if action in UPHOLDING else Report.Status.DISMISSED
    Report.objects.filter(case=case, status=Report.Status.OPEN).update(status=verdict)
    case.status = Case.Status.HANDLED


def _do(
    *, moderator: User, action: str, t: Target, case: Case | None, reason: str, rating: str, days: int | None
) -> ModerationAction:
    if action == A.DISMISS:
        if case is None:
            raise ModerationError("There are no open reports to dismiss.")
        return log_action(kind=A.DISMISS, target=t, moderator=moderator, reason=reason, case=case)
    if t.kind == TargetKind.ITEM and action in (A.RATE, A.REMOVE, A.RESTORE, A.LOCK_COMMENTS, A.UNLOCK_COMMENTS):
        return _item_action(moderator=moderator, action=action, t=t, case=case, reason=reason, rating=rating)
    if action == A.REMOVE_COMMENT:
        return _comment_remove(moderator=moderator, t=t, case=case, reason=reason)
    return _member_action(moderator=moderator, action=action, t=t, case=case, reason=reason, days=days)


def _item_action(
    *, moderator: User, action: str, t: Target, case: Case | None, reason: str, rating: str
) -> ModerationAction:
    item = Item.objects.select_for_update().get(pk=t.item.pk)  # type: ignore[union-attr]
    t = Target(t.kind, t.key, item.title[:200], item=item, owner=item.author)
    title = item.title
    if action == A.REMOVE:
        if item.moderation == Moderation.REMOVED:
            raise ModerationError("This item is already removed.")
        item_set_moderation(item_id=item.pk, moderation=Moderation.REMOVED, reason=reason)
        entry = log_action(
            kind=A.REMOVE, target=t, moderator=moderator, reason=reason, case=case, detail={"was": item.moderation}
        )
        tell_member(t, f"Your item “{title}” was removed by moderators", reason)
    elif action == A.RESTORE:
        if item.moderation == Moderation.OK:
            raise ModerationError("This item is not held or removed: there is nothing to restore.")
        if item.moderation == Moderation.DISABLED:
            raise ModerationError("This item is disabled by a copyright notice: decide it in the copyright queue.")
        item_set_moderation(item_id=item.pk, moderation=Moderation.OK)
        entry = log_action(
            kind=A.RESTORE, target=t, moderator=moderator, reason=reason, case=case, detail={"was": item.moderation}
        )
        tell_member(t, f"Your item “{title}” was restored by moderators", reason)
    elif action == A.RATE:
        if rating not in Rating.values:
            raise ModerationError("Choose the new rating.")
        if rating == item.rating:
            raise ModerationError(f"This item is already rated {rating}.")
        Item.objects.filter(pk=item.pk).update(rating=rating)
        pagecache.item_visibility_changed(item.public_id)  # MA now: cached guest pages must not show it
        entry = log_action(
            kind=A.RATE,
            target=t,
            moderator=moderator,
            reason=reason,
            case=case,
            detail={"from": item.rating, "to": rating},
        )
        tell_member(t, f"Moderators changed the rating of “{title}” from {item.rating} to {rating}", reason)
    else:
        lock = action == A.LOCK_COMMENTS
        if item.comments_locked == lock:
            raise ModerationError("Comments are already locked." if lock else "Comments are not locked.")
        Item.objects.filter(pk=item.pk).update(comments_locked=lock)
        pagecache.item_changed(item.public_id)
        entry = log_action(kind=action, target=t, moderator=moderator, reason=reason, case=case)
        tell_member(t, f"Moderators {'locked' if lock else 'unlocked'} the comments on “{title}”", reason)
    return entry


def _comment_remove(*, moderator: User, t: Target, case: Case | None, reason: str) -> ModerationAction:
    from fieldcast.community.services import CommentNotAllowed, comment_remove

    comment = t.comment
    assert comment is not None  # noqa: S101 (a comment target)
    if comment.is_deleted:
        raise ModerationError("This comment is already deleted.")
    # Logged first: the comment row may disappear (a comment without replies is deleted).
    entry = log_action(
        kind=A.REMOVE_COMMENT,
        target=t,
        moderator=moderator,
        reason=reason,
        case=case,
        detail={"excerpt": comment.body[:200]},
    )
    # Not linked to the comment: a notification about a deleted comment would go with it.
    tell_member(t, f"Moderators removed your comment on “{comment.item.title}”", reason, link_comment=False)
    try:
        comment_remove(comment=comment, actor=moderator)
    except CommentNotAllowed as exc:
        raise ModerationError(str(exc)) from exc
    return entry


def _member_action(
    *, moderator: User, action: str, t: Target, case: Case | None, reason: str, days: int | None
) -> ModerationAction:
    member = t.owner
    if member is None:
        raise ModerationError("The member's account no longer exists.")
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.pk == moderator.pk:
        raise ModerationError("Moderators cannot act on their own account.")
    # A member action on an item or comment case concerns its owner; the item stays as context.
    t = Target(t.kind, t.key, t.label, item=t.item, comment=t.comment, owner=member)
    kind = TargetKind.USER
    if action == A.WARN:
        entry = log_action(kind=A.WARN, target=t, moderator=moderator, reason=reason, case=case, target_kind=kind)
        tell_member(t, "A warning from the moderators", reason)
    elif action == A.SUSPEND:
        if can_moderate(member) or member.is_staff:
            raise ModerationError("Moderators and staff cannot be suspended here: ask an administrator.")
        if days is None or not 1 <= days <= MAX_SUSPENSION_DAYS:
            raise ModerationError(f"Give the number of days, from 1 to {MAX_SUSPENSION_DAYS}.")
        until = timezone.now() + datetime.timedelta(days=days)
        User.objects.filter(pk=member.pk).update(suspended_until=until)
        entry = log_action(
            kind=A.SUSPEND,
            target=t,
            moderator=moderator,
            reason=reason,
            case=case,
            target_kind=kind,
            detail={"days": days, "until": until.isoformat()},
        )
        tell_member(t, f"Your account is suspended for {days} day{'s' if days != 1 else ''}", reason)
    elif action == A.UNSUSPEND:
        if not user_is_suspended(member):
            raise ModerationError("This member is not suspended.")
        User.objects.filter(pk=member.pk).update(suspended_until=None)
        entry = log_action(kind=A.UNSUSPEND, target=t, moderator=moderator, reason=reason, case=case, target_kind=kind)
        tell_member(t, "Your suspension was lifted", reason)
    elif action in (A.TRUST, A.UNTRUST):
        trusted = action == A.TRUST
        if member.trusted_by_moderator == trusted:
            raise ModerationError("Nothing to change: the member already is so marked.")
        User.objects.filter(pk=member.pk).update(trusted_by_moderator=trusted)
        entry = log_action(kind=action, target=t, moderator=moderator, reason=reason, case=case, target_kind=kind)
    else:
        raise ModerationError("Unknown action.")
    return entry


@dataclass(frozen=True)
class BulkOutcome:
    done: int
    skipped: list[str]


def cases_act(
    *, moderator: User, cases: list[Case], action: str, reason: str = "", rating: str = "", days: int | None = None
) -> BulkOutcome:
    """One action on many cases; a case it does not apply to is skipped with the reason."""
    require_moderator(moderator)
    done, skipped = 0, []
    for case in cases:
        try:
            with transaction.atomic():
                target_act(moderator=moderator, action=action, case=case, reason=reason, rating=rating, days=days)
        except ModerationError as exc:
            skipped.append(f"{case.target_label or case.target_key}: {exc}")
        else:
            done += 1
    return BulkOutcome(done=done, skipped=skipped)


@transaction.atomic
def hold_new_uploads_set(*, moderator: User, on: bool, reason: str = "") -> ModerationAction | None:
    """Turn "hold new uploads for review" on or off (logged); None when unchanged."""
    require_moderator(moderator)
    row = site_settings()
    if row.hold_new_uploads == on:
        return None
    row.hold_new_uploads = on
    row.save(update_fields=["hold_new_uploads", "updated_at"])
    t = Target(TargetKind.SITE, "site", "the site")
    return log_action(
        kind=A.HOLD_UPLOADS_ON if on else A.HOLD_UPLOADS_OFF, target=t, moderator=moderator, reason=reason
    )
