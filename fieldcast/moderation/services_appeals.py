"""Appeals: the member concerned appeals an action once; a moderator (not the appellant)
accepts, which undoes the action where it still can be, or rejects. Both are logged."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.community.models import Comment
from fieldcast.core import pagecache
from fieldcast.items.models import Item, Moderation, Rating
from fieldcast.items.services import item_set_moderation

from .models import ActionKind as A
from .models import Appeal, ModerationAction
from .permissions import require_moderator
from .services import ModerationError, Target, log_action, tell_member


@transaction.atomic
def appeal_create(*, user: User, action: ModerationAction, text: str) -> Appeal:
    """The member concerned appeals an action, once."""
    if action.subject_id != user.pk:
        raise PermissionDenied("Only the member concerned can appeal this action.")
    if not action.appealable:
        raise ModerationError("This action cannot be appealed.")
    if Appeal.objects.filter(action=action).exists():
        raise ModerationError("You have already appealed this action.")
    try:
        with transaction.atomic():
            return Appeal.objects.create(action=action, appellant=user, text=text)
    except IntegrityError as exc:
        raise ModerationError("You have already appealed this action.") from exc


@transaction.atomic
def appeal_decide(*, moderator: User, appeal: Appeal, accept: bool, response: str = "") -> ModerationAction:
    """Accept (the action is undone where it can be) or reject an appeal; both logged."""
    require_moderator(moderator)
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("action", "appellant").get(pk=appeal.pk)
    if appeal.status != Appeal.Status.PENDING:
        raise ModerationError("This appeal was already decided.")
    if appeal.appellant_id == moderator.pk:
        raise ModerationError("Another moderator must decide an appeal of your own.")
    original = appeal.action
    item = Item.objects.filter(pk=original.item_id).first() if original.item_id else None
    t = Target(
        original.target_kind,
        "",
        original.target_label,
        item=item,
        comment=Comment.objects.filter(pk=original.comment_id).first() if original.comment_id else None,
        owner=appeal.appellant,
    )
    if accept:
        undone = _undo(original, item)
        kind = A.APPEAL_ACCEPT
        summary = "Your appeal was accepted" + (f": {undone}" if undone else "")
    else:
        kind = A.APPEAL_REJECT
        summary = "Your appeal was rejected"
    Appeal.objects.filter(pk=appeal.pk).update(
        status=Appeal.Status.ACCEPTED if accept else Appeal.Status.REJECTED,
        decided_at=timezone.now(),
        decided_by=moderator,
        response=response[:500],
    )
    entry = log_action(
        kind=kind, target=t, moderator=moderator, reason=response, detail={"appeal": appeal.pk, "action": original.pk}
    )
    tell_member(t, summary, response)
    return entry


def _undo(action: ModerationAction, item: Item | None) -> str:
    """Undo what an accepted appeal's action did, where it still can be; what was done."""
    if action.kind in (A.HOLD, A.REMOVE) and item is not None:
        current = Item.objects.select_for_update().get(pk=item.pk)
        if current.moderation in (Moderation.HELD, Moderation.REMOVED):
            item_set_moderation(item_id=item.pk, moderation=Moderation.OK)
            return "the item is back"
    elif action.kind == A.RATE and item is not None and action.detail.get("from") in Rating.values:
        Item.objects.filter(pk=item.pk).update(rating=action.detail["from"])
        pagecache.item_visibility_changed(item.public_id)
        return f"the rating is {action.detail['from']} again"
    elif action.kind == A.LOCK_COMMENTS and item is not None:
        Item.objects.filter(pk=item.pk).update(comments_locked=False)
        pagecache.item_changed(item.public_id)
        return "comments are open again"
    elif action.kind == A.SUSPEND and action.subject_id is not None:
        User.objects.filter(pk=action.subject_id, suspended_until__gt=timezone.now()).update(suspended_until=None)
        return "your suspension is lifted"
    elif action.kind == A.WARN:
        return "the warning is withdrawn"
    return ""
