"""Reports in the REST API: items, comments and members, by members and (as the site allows)
by guests. Routes on `moderation.api.router`; the same form and service as /report/..."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest
from ninja import Schema, Status
from ninja.errors import HttpError, Throttled
from pydantic import Field

from fieldcast.accounts.models import User
from fieldcast.api.auth import api_user
from fieldcast.api.schemas import WRITE_ERRORS
from fieldcast.api.throttling import limit_write
from fieldcast.community.api import CommentId
from fieldcast.community.api_support import ITEM_WRITE_ERRORS, WRITE_OR_GUEST_AUTH, item_or_404, no_nul
from fieldcast.community.models import Comment
from fieldcast.core.ratelimit import client_ip
from fieldcast.items.access import Access

from .api import ReasonChoice, router
from .forms_reports import ReportForm
from .models import Report, TargetKind, target_key
from .services import ModerationError
from .services_reports import report_create
from .views_reports import guest_report_wait, video_facts


class ReportIn(Schema):
    reason: ReasonChoice = Field(
        ...,
        description=(
            "What is wrong. Guests may report only illegal, terrorism, doxxing and other; comments and "
            "members cannot be reported for copyright or a wrong rating (members not for graphic content)."
        ),
        examples=["wrong_rating"],
    )
    details: str = Field("", max_length=2000, description="What moderators should look at; needed for 'other'.")
    timestamp: str = Field(
        "", max_length=9, description="Items with a video: where in it, as m:ss or h:mm:ss.", examples=["1:23"]
    )
    contact_email: str = Field("", max_length=254, description="Guests only, optional: for moderators' questions.")


class ReportOut(Schema):
    id: int
    target: str = Field(..., description="What was reported.", examples=["item:k3Jd9aQ2"])
    reason: ReasonChoice
    status: Literal["open", "upheld", "dismissed"]
    created_at: datetime.datetime


# --- Reports --------------------------------------------------------------------------------


def _report(
    request: HttpRequest,
    payload: ReportIn,
    *,
    target: Model,
    kind: str,
    key_pk: int,
    label: str,
    has_video: bool = False,
    duration: float | None = None,
) -> Status[ReportOut]:
    user = api_user(request)
    guest = user is None
    if not guest and Report.objects.filter(reporter=user, target_key=target_key(kind, key_pk)).exists():
        raise HttpError(409, "You have already reported this. Moderators will look at it.")
    data = payload.dict()
    form = ReportForm(data=data, kind=kind, guest=guest, has_video=has_video, duration=duration)
    if guest and (wait := guest_report_wait(request, "report-guest")) is not None:
        raise Throttled(wait=wait)
    if not form.is_valid():
        raise ValidationError({f: [e["message"] for e in errs] for f, errs in form.errors.get_json_data().items()})
    if not has_video and data.get("timestamp"):
        raise ValidationError({"timestamp": "Only items with a video take a timestamp."})
    if not guest and data.get("contact_email"):
        raise ValidationError(
            {"contact_email": "Only guests leave an email address: moderators reach members on the site."}
        )
    cleaned = form.cleaned_data
    try:
        report = report_create(
            reporter=user,
            target=target,
            reason=cleaned["reason"],
            details=cleaned.get("details", ""),
            timestamp_s=cleaned.get("timestamp"),
            reporter_ip=client_ip(request) if guest else None,
            contact_email=cleaned.get("contact_email", "") if guest else "",
        )
    except ModerationError as exc:
        raise HttpError(403, str(exc)) from exc
    out = ReportOut(
        id=report.pk,
        target=label,
        reason=report.reason,  # type: ignore[arg-type]
        status=report.status,  # type: ignore[arg-type]
        created_at=report.created_at,
    )
    return Status(201, out)


REPORT_ERRORS: dict[int, Any] = {**ITEM_WRITE_ERRORS, **WRITE_ERRORS}


@router.post(
    "/items/{public_id}/reports",
    auth=WRITE_OR_GUEST_AUTH,
    response={201: ReportOut, **REPORT_ERRORS},
    summary="Report an item",
)
def report_item(request: HttpRequest, public_id: str, payload: ReportIn) -> Status[ReportOut]:
    """Report an item to the moderators. Members report a thing once (409 after); anonymous
    callers may report illegal content, terrorist propaganda, doxxing or 'other', a limited
    number of times an hour per address. Items already with the moderators answer 409."""
    limit_write(request, "report")
    result = item_or_404(request, public_id)
    item = result.item
    if result.access not in (Access.SHOW, Access.INTERSTITIAL):
        raise HttpError(409, "This item is already with the moderators.")
    has_video, duration = video_facts(item)
    return _report(
        request,
        payload,
        target=item,
        kind=TargetKind.ITEM,
        key_pk=item.pk,
        label=f"item:{item.public_id}",
        has_video=has_video,
        duration=duration,
    )


@router.post(
    "/comments/{comment_id}/reports",
    auth=WRITE_OR_GUEST_AUTH,
    response={201: ReportOut, **REPORT_ERRORS},
    summary="Report a comment",
)
def report_comment(request: HttpRequest, comment_id: CommentId, payload: ReportIn) -> Status[ReportOut]:
    """Report a comment (not a deleted one, and only on an item whose content you may see)."""
    limit_write(request, "report")
    comment = Comment.objects.select_related("item", "author").filter(pk=comment_id, is_deleted=False).first()
    if comment is None:
        raise Http404("There is no comment with this number.")
    try:
        result = item_or_404(request, comment.item.public_id)
    except Http404 as exc:
        raise Http404("There is no comment with this number.") from exc
    if not result.shows_content:
        raise Http404("There is no comment with this number, or its item is not visible to you.")
    comment.item = result.item
    return _report(
        request, payload, target=comment, kind=TargetKind.COMMENT, key_pk=comment.pk, label=f"comment:{comment.pk}"
    )


@router.post(
    "/users/{username}/reports",
    auth=WRITE_OR_GUEST_AUTH,
    response={201: ReportOut, **REPORT_ERRORS},
    summary="Report a member",
)
def report_member(request: HttpRequest, username: str, payload: ReportIn) -> Status[ReportOut]:
    """Report a member (not yourself)."""
    limit_write(request, "report")
    no_nul(username, "There is no member with this username.")
    member = User.objects.filter(username=username, is_active=True).first()
    if member is None:
        raise Http404("There is no member with this username.")
    user = api_user(request)
    if user is not None and user.pk == member.pk:
        raise HttpError(403, "You cannot report yourself.")
    return _report(
        request, payload, target=member, kind=TargetKind.USER, key_pk=member.pk, label=f"user:{member.username}"
    )
