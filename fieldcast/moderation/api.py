"""Reports and moderation in the REST API: reporting items, comments and members (guests
too, as on the site), the moderators' queue and actions, and the public moderation log.
The same forms (ReportForm, ActionForm), services (report_create, target_act) and
selectors as the moderation pages; every action is recorded in ModerationAction."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from fieldcast.accounts.models import User
from fieldcast.api.auth import MEMBER_AUTH, WRITE_AUTH, api_user, api_viewer
from fieldcast.api.pagination import Page, keyset_page, newest_first
from fieldcast.api.schemas import CURSOR_DESCRIPTION, LIMIT_DESCRIPTION, LIST_ERRORS, WRITE_ERRORS, ErrorOut
from fieldcast.api.throttling import limit_write
from fieldcast.community.api import CommentId
from fieldcast.community.api_support import no_nul
from fieldcast.community.models import Comment
from fieldcast.items.models import Item

from .forms_queue import ACTION_LABELS, ActionForm
from .models import ActionKind, Case, Reason, TargetKind, target_key
from .permissions import can_moderate
from .selectors import log_actions, log_entries, open_case_for, queue_cases, with_reason_counts
from .services import ModerationError, target_act

router = Router(tags=["Reports and moderation"])


# --- Schemas -------------------------------------------------------------------------------

ReasonChoice = Literal["graphic", "terrorism", "doxxing", "spam", "copyright", "wrong_rating", "illegal", "other"]
ActionChoice = Literal[
    "dismiss",
    "rate",
    "remove",
    "restore",
    "lock_comments",
    "unlock_comments",
    "remove_comment",
    "warn",
    "suspend",
    "unsuspend",
    "trust",
    "untrust",
]


class TargetOut(Schema):
    kind: Literal["item", "comment", "user"]
    label: str = Field(..., description="The target's title or name when it was reported.")
    item: str | None = Field(None, description="The item's public id (items, and comments' items).")
    comment: int | None = Field(None, description="The comment's number.")
    member: str | None = Field(None, description="The username of whose content or account it is.")


class ReasonCount(Schema):
    reason: ReasonChoice
    label: str
    count: int


class CaseOut(Schema):
    """The reports about one target (a group in the queue)."""

    id: int
    target: TargetOut
    status: Literal["open", "handled"]
    reports_count: int
    trusted_reports: int = Field(..., description="Reports from trusted members (they can hold an item).")
    reasons: list[ReasonCount]
    opened_at: datetime.datetime
    last_reported_at: datetime.datetime
    handled_at: datetime.datetime | None = None
    resolution: str = Field("", description="The action that closed it.")


class CasePage(Page):
    items: list[CaseOut]


class ActionIn(Schema):
    action: ActionChoice = Field(
        ...,
        description=(
            "Items: dismiss, rate, remove, restore, lock_comments, unlock_comments, warn, suspend. "
            "Comments: dismiss, remove_comment, warn, suspend. Members: dismiss, warn, suspend, "
            "unsuspend, trust, untrust."
        ),
        examples=["remove"],
    )
    reason: str = Field(
        "", max_length=500, description="Shown to the member and in the public log; needed to remove, warn or suspend."
    )
    rating: Literal["GA", "PG", "MA", ""] = Field("", description="The new rating, for 'rate'.")
    days: int | None = Field(None, ge=1, le=3650, description="How long, for 'suspend'.")


class ActionOut(Schema):
    id: int
    kind: str = Field(..., examples=["remove"])
    label: str = Field(..., examples=["Removed"])
    target_kind: str
    target_label: str
    reason: str
    detail: dict[str, Any] = Field(default_factory=dict, description="E.g. the old and new rating.")
    created_at: datetime.datetime


class LogEntryOut(Schema):
    id: int
    created_at: datetime.datetime
    kind: str = Field(..., examples=["remove"])
    label: str = Field(..., examples=["Removed"])
    target_kind: Literal["item", "comment", "user", "site"]
    target: str = Field(
        ..., description="The item's title where you may open it, else 'an item'; members are never named."
    )
    url: str = Field("", description="A link to the target, where you may open it.")
    reason: str
    moderator: str = Field("", description="Named only where the site shows moderators; 'automatic' for the system.")


class LogPage(Page):
    items: list[LogEntryOut]


# --- The moderators' side -----------------------------------------------------------------


def _moderator(request: HttpRequest) -> User:
    user = api_user(request)
    if not can_moderate(user):
        raise HttpError(403, "Only moderators can do this.")
    return user  # type: ignore[no-any-return]


def case_out(case: Case) -> CaseOut:
    member = case.owner.username if case.owner is not None else None
    return CaseOut(
        id=case.pk,
        target=TargetOut(
            kind=case.kind,  # type: ignore[arg-type]
            label=case.target_label,
            item=case.item.public_id if case.item is not None else None,
            comment=case.comment_id,
            member=member,
        ),
        status=case.status,  # type: ignore[arg-type]
        reports_count=case.reports_count,
        trusted_reports=case.n_trusted,  # type: ignore[attr-defined]
        reasons=[
            ReasonCount(reason=value, label=label, count=getattr(case, f"n_{value}"))  # type: ignore[arg-type]
            for value, label in Reason.choices
            if getattr(case, f"n_{value}")
        ],
        opened_at=case.opened_at,
        last_reported_at=case.last_reported_at,
        handled_at=case.handled_at,
        resolution=case.resolution,
    )


@router.get(
    "/moderation/queue",
    auth=MEMBER_AUTH,
    response={200: CasePage, 403: ErrorOut, **LIST_ERRORS},
    summary="The moderation queue",
)
def moderation_queue(
    request: HttpRequest,
    status: Literal["open", "handled"] = Query("open"),
    kind: Literal["all", "item", "comment", "user"] = Query("all"),
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> CasePage:
    """Reports grouped by target, most recently reported first, with how many reports give
    each reason (moderators only)."""
    _moderator(request)
    qs = queue_cases(status=status, kind=kind)
    rows, next_cursor = keyset_page(qs, newest_first("last_reported_at"), cursor=cursor, limit=limit, tag="queue")
    return CasePage(items=[case_out(c) for c in with_reason_counts(rows)], next_cursor=next_cursor)


def _act(request: HttpRequest, payload: ActionIn, *, target: Model, kind: str) -> Status[ActionOut]:
    limit_write(request, "moderation")
    moderator = _moderator(request)
    data = {k: ("" if v is None else v) for k, v in payload.dict().items()}
    form = ActionForm(data=data, kind=kind)
    if not form.is_valid():
        raise ValidationError({f: [e["message"] for e in errs] for f, errs in form.errors.get_json_data().items()})
    cleaned = form.cleaned_data
    key_pk = target.pk
    try:
        entry = target_act(
            moderator=moderator,
            action=cleaned["action"],
            target=target,
            case=open_case_for(target_key(kind, key_pk)),
            reason=cleaned.get("reason", ""),
            rating=cleaned.get("rating", ""),
            days=cleaned.get("days"),
        )
    except ModerationError as exc:
        raise HttpError(409, str(exc)) from exc
    out = ActionOut(
        id=entry.pk,
        kind=entry.kind,
        label=ACTION_LABELS.get(ActionKind(entry.kind), entry.get_kind_display()),
        target_kind=entry.target_kind,
        target_label=entry.target_label,
        reason=entry.reason,
        detail=entry.detail,
        created_at=entry.created_at,
    )
    return Status(201, out)


ACT_RESPONSES: dict[int, Any] = {201: ActionOut, **WRITE_ERRORS}


@router.post("/moderation/items/{public_id}/actions", auth=WRITE_AUTH, response=ACT_RESPONSES, summary="Act on an item")
def act_on_item(request: HttpRequest, public_id: str, payload: ActionIn) -> Status[ActionOut]:
    """A moderator's action on an item (held, reported, or found without reports): it is
    recorded in the public log, the uploader is told, and the item's open reports close."""
    _moderator(request)
    no_nul(public_id, "There is no item with this public id.")
    item = Item.objects.openable_by(api_viewer(request)).select_related("author").filter(public_id=public_id).first()
    if item is None:
        raise Http404("There is no item with this public id.")
    return _act(request, payload, target=item, kind=TargetKind.ITEM)


@router.post(
    "/moderation/comments/{comment_id}/actions", auth=WRITE_AUTH, response=ACT_RESPONSES, summary="Act on a comment"
)
def act_on_comment(request: HttpRequest, comment_id: CommentId, payload: ActionIn) -> Status[ActionOut]:
    """A moderator's action on a comment: dismiss its reports, remove it, warn or suspend its author."""
    _moderator(request)
    comment = Comment.objects.select_related("item", "author").filter(pk=comment_id).first()
    if comment is None:
        raise Http404("There is no comment with this number.")
    return _act(request, payload, target=comment, kind=TargetKind.COMMENT)


@router.post("/moderation/users/{username}/actions", auth=WRITE_AUTH, response=ACT_RESPONSES, summary="Act on a member")
def act_on_member(request: HttpRequest, username: str, payload: ActionIn) -> Status[ActionOut]:
    """A moderator's action on a member: warn, suspend for some days, lift a suspension,
    mark or unmark trusted, dismiss reports about them."""
    _moderator(request)
    no_nul(username, "There is no member with this username.")
    member = User.objects.filter(username=username).first()
    if member is None:
        raise Http404("There is no member with this username.")
    return _act(request, payload, target=member, kind=TargetKind.USER)


# --- In the open ----------------------------------------------------------------------------


@router.get("/moderation/log", response={200: LogPage, **LIST_ERRORS}, summary="The public moderation log")
def moderation_log(
    request: HttpRequest,
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> LogPage:
    """Every moderation action, newest first, as /moderation/log shows it: the item's title
    only where you may open it, members never named, moderators only where the site says so."""
    rows, next_cursor = keyset_page(log_actions(), newest_first(), cursor=cursor, limit=limit, tag="log")
    entries = log_entries(api_viewer(request), rows)
    show_moderator = settings.MODERATION_LOG_SHOW_MODERATOR
    return LogPage(
        items=[
            LogEntryOut(
                id=e.action.pk,
                created_at=e.action.created_at,
                kind=e.action.kind,
                label=e.action.get_kind_display(),
                target_kind=e.action.target_kind,  # type: ignore[arg-type]
                target=e.target,
                url=e.url,
                reason=e.action.reason,
                moderator=e.moderator if show_moderator else "",
            )
            for e in entries
        ],
        next_cursor=next_cursor,
    )


from . import api_reports  # noqa: E402, F401  (reports: routes on this router)
