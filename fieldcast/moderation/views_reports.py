"""The members' side of moderation: reporting, the public log, and one's own record
with appeals."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from fieldcast.accounts.models import User
from fieldcast.community.models import Comment
from fieldcast.core.ratelimit import client_ip, hit, limit_writes
from fieldcast.items.access import Access, item_get_for_viewer
from fieldcast.media.models import MediaAsset

from .forms_queue import AppealForm
from .forms_reports import ReportForm
from .models import ModerationAction, Report, TargetKind, target_key
from .permissions import can_moderate
from .selectors import member_actions_page, member_copyright_entries, public_log_page
from .services import ModerationError
from .services_appeals import appeal_create
from .services_reports import report_create


def guest_report_wait(request: HttpRequest, scope: str) -> int | None:
    """Count one report (or notice) from a guest's address in `scope`: the seconds to wait once
    it has sent GUEST_REPORT_RATE_LIMIT_PER_HOUR within the hour, else None (the API too)."""
    return hit(scope, f"ip{client_ip(request)}", limit=settings.GUEST_REPORT_RATE_LIMIT_PER_HOUR, window_s=3600)


def guest_over_limit(request: HttpRequest, scope: str) -> HttpResponse | None:
    """The 429 page once the guest's address is over its hourly limit in `scope`, else None."""
    wait = guest_report_wait(request, scope)
    if wait is None:
        return None
    response = render(request, "429.html", {"retry_after": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def video_facts(item: Any) -> tuple[bool, float | None]:
    """Whether the item has a video, and the main one's duration when known (one query)."""
    durations = list(
        MediaAsset.objects.filter(item=item, kind="video")
        .order_by("position", "id")
        .values_list("duration", flat=True)[:1]
    )
    return bool(durations), (durations[0] if durations else None)


def _report(
    request: HttpRequest,
    *,
    target: Model,
    kind: str,
    key_pk: int,
    label: str,
    back: str,
    has_video: bool = False,
    duration: float | None = None,
) -> HttpResponse:
    guest = not request.user.is_authenticated
    context: dict[str, Any] = {"kind": kind, "label": label, "back": back}
    if not guest and Report.objects.filter(reporter_id=request.user.pk, target_key=target_key(kind, key_pk)).exists():
        context["already"] = True
        return render(request, "moderation/report_form.html", context)
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        guest=guest,
        has_video=has_video,
        duration=duration,
    )
    status = 200
    if request.method == "POST":
        if guest and (refused := guest_over_limit(request, "report-guest")) is not None:
            return refused
        if form.is_valid():
            data = form.cleaned_data
            try:
                report_create(
                    reporter=None if guest else request.user,  # type: ignore[arg-type]
                    target=target,
                    reason=data["reason"],
                    details=data.get("details", ""),
                    timestamp_s=data.get("timestamp"),
                    reporter_ip=client_ip(request) if guest else None,
                    contact_email=data.get("contact_email", "") if guest else "",
                )
            except ModerationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Thank you: the moderators will review your report.")
                return redirect(back)
        status = 400
    context["form"] = form
    return render(request, "moderation/report_form.html", context, status=status)


@limit_writes("report")
def report_item(request: HttpRequest, public_id: str) -> HttpResponse:
    result = item_get_for_viewer(request.viewer, public_id)  # type: ignore[attr-defined]
    item = result.item
    if result.access not in (Access.SHOW, Access.INTERSTITIAL):
        messages.info(request, "This item is already with the moderators.")
        return redirect(item.get_absolute_url())
    has_video, duration = video_facts(item)
    return _report(
        request,
        target=item,
        kind=TargetKind.ITEM,
        key_pk=item.pk,
        label=item.title,
        back=item.get_absolute_url(),
        has_video=has_video,
        duration=duration,
    )


@limit_writes("report")
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = Comment.objects.select_related("item", "author").filter(pk=comment_id, is_deleted=False).first()
    if comment is None:
        raise Http404("No comment has this address.")
    result = item_get_for_viewer(request.viewer, comment.item.public_id)  # type: ignore[attr-defined]
    if not result.shows_content:
        raise Http404("No comment has this address.")
    comment.item = result.item
    author = comment.author.username if comment.author else "a former member"
    return _report(
        request,
        target=comment,
        kind=TargetKind.COMMENT,
        key_pk=comment.pk,
        label=f"the comment by {author} on “{comment.item.title}”",
        back=f"{comment.item.get_absolute_url()}#comment-{comment.pk}",
    )


@limit_writes("report")
def report_user(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User, username=username, is_active=True)
    if request.user.is_authenticated and request.user.pk == member.pk:
        messages.info(request, "You cannot report yourself.")
        return redirect("accounts:profile", username=member.username)
    return _report(
        request,
        target=member,
        kind=TargetKind.USER,
        key_pk=member.pk,
        label=f"the member {member.username}",
        back=reverse("accounts:profile", kwargs={"username": member.username}),
    )


# --- In the open -----------------------------------------------------------------------


def moderation_log(request: HttpRequest) -> HttpResponse:
    """Every moderation action, public: target (as far as the viewer may see it), action,
    reason, date; moderators named only when MODERATION_LOG_SHOW_MODERATOR is on."""
    page = public_log_page(request.viewer, cursor=request.GET.get("after"))  # type: ignore[attr-defined]
    return render(
        request,
        "moderation/log.html",
        {"page": page, "show_moderator": settings.MODERATION_LOG_SHOW_MODERATOR},
    )


def _mine(
    request: HttpRequest, *, failed: AppealForm | None = None, failed_id: int | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    page = member_actions_page(user, cursor=request.GET.get("after"))  # type: ignore[arg-type]
    return render(
        request,
        "moderation/mine.html",
        {
            "page": page,
            "entries": member_copyright_entries(user),  # type: ignore[arg-type]
            "failed_form": failed,
            "failed_id": failed_id,
            "is_moderator": can_moderate(user),
        },
        status=status,
    )


@login_required
def my_moderation(request: HttpRequest) -> HttpResponse:
    """Every action on the member's content or account, with reasons, appeals and
    copyright notices about their items."""
    return _mine(request)


@login_required
@require_POST
@limit_writes("appeal")
def appeal(request: HttpRequest, action_id: int) -> HttpResponse:
    """The member concerned appeals one action, once."""
    action = ModerationAction.objects.filter(pk=action_id).first()
    if action is None or action.subject_id != request.user.pk:
        raise Http404("No action on your content has this number.")
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            appeal_create(user=request.user, action=action, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except (ModerationError, PermissionDenied) as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, "Your appeal is sent: a moderator will decide it.")
            return redirect(f"{reverse('moderation:mine')}#action-{action.pk}")
    return _mine(request, failed=form, failed_id=action.pk, status=400)
