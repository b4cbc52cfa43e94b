from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fieldcast.accounts.models import User
from fieldcast.core.ratelimit import limit_writes

from .context_processors import forget_unread_count
from .forms import PreferenceForm
from .models import Digest, NotificationPreference
from .selectors import entries_for, notification_page, notifications_for
from .services import notification_mark_read, notification_preference_set, notifications_mark_all_read

PAGE_SIZE = 30


def _page_context(request: HttpRequest) -> dict[str, object]:
    entries, next_cursor = notification_page(
        user=request.user,  # type: ignore[arg-type]
        viewer=request.viewer,  # type: ignore[attr-defined]
        cursor=request.GET.get("after"),
        size=PAGE_SIZE,
    )
    return {"entries": entries, "next_cursor": next_cursor, "first_page": not request.GET.get("after")}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The member's notifications, newest first; unread ones marked."""
    return render(request, "notifications/index.html", _page_context(request))


@login_required
@require_POST
@limit_writes("notifications")
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)  # type: ignore[arg-type]
    forget_unread_count(request)
    if request.htmx:  # type: ignore[attr-defined]
        context = _page_context(request)
        context["announce"] = _marked(count)
        return render(request, "notifications/_list_response.html", context)
    messages.success(request, _marked(count))
    return redirect("notifications:index")


def _marked(count: int) -> str:
    if count == 0:
        return "Nothing was unread."
    return f"Marked {count} notification{'s' if count != 1 else ''} read."


@login_required
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go where it points (`?part=N`: the Nth link of its sentence).

    Every address comes from the notification itself, through the access layer: nothing in
    the query string can send the member elsewhere."""
    note = get_object_or_404(notifications_for(request.user), pk=notification_id)  # type: ignore[arg-type]
    entry = entries_for(request.viewer, [note])[0]  # type: ignore[attr-defined]
    notification_mark_read(notification=note)
    part = request.GET.get("part", "")
    return redirect(entry.link(int(part)) if part.isdigit() else entry.target_url)


@login_required
@limit_writes("notifications")
def preferences(request: HttpRequest) -> HttpResponse:
    """Email digests: off (the default), daily or weekly."""
    user: User = request.user  # type: ignore[assignment]  # login_required: a member
    saved = NotificationPreference.objects.filter(user=user).first()
    current = saved.email_digest if saved else Digest.OFF
    form = PreferenceForm(initial={"email_digest": current})
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            choice = form.cleaned_data["email_digest"]
            notification_preference_set(user=user, email_digest=choice)
            if choice == Digest.OFF:
                messages.success(request, "Email digests are off.")
            else:
                messages.success(
                    request, f"You will get a {Digest(choice).label.lower()} email digest of unread notifications."
                )
            return redirect("notifications:settings")
    verified = _verified_address(user)
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "verified_address": verified},
        status=400 if form.is_bound else 200,
    )


def _verified_address(user: User) -> str | None:
    address = EmailAddress.objects.filter(user=user, primary=True, verified=True).first()
    return address.email if address else None
