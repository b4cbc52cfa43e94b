"""Copyright takedown notices (anyone) and counter-notices (the uploader, once per item)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from fieldcast.core.ratelimit import client_ip, limit_writes

from .forms_copyright import CounterNoticeForm, TakedownForm
from .models import CopyrightNotice, CopyrightNoticeItem
from .services import ModerationError
from .services_copyright import copyright_notice_submit, counter_notice_submit
from .views_reports import guest_over_limit

NOTICE_SESSION_KEY = "moderation_last_notice"


@limit_writes("copyright")
def takedown(request: HttpRequest) -> HttpResponse:
    """The takedown form: a complete notice disables the items it names until review."""
    viewer = request.viewer  # type: ignore[attr-defined]
    form = TakedownForm(request.POST if request.method == "POST" else None, viewer=viewer)
    if request.method == "POST":
        if not request.user.is_authenticated and (refused := guest_over_limit(request, "copyright-guest")) is not None:
            return refused
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("good_faith")
            data.pop("accuracy_under_perjury")
            notice = copyright_notice_submit(
                items=form.items,
                submitter=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                submitter_ip=client_ip(request) or None,
                **data,
            )
            request.session[NOTICE_SESSION_KEY] = notice.pk
            return redirect("moderation:takedown_sent")
    return render(request, "moderation/takedown_form.html", {"form": form}, status=400 if form.errors else 200)


def takedown_sent(request: HttpRequest) -> HttpResponse:
    """The confirmation, for the person who just sent the notice (kept in their session)."""
    pk = request.session.get(NOTICE_SESSION_KEY)
    notice = CopyrightNotice.objects.filter(pk=pk).prefetch_related("entries__item").first() if pk else None
    if notice is None:
        return redirect("moderation:takedown")
    return render(request, "moderation/takedown_sent.html", {"notice": notice})


@login_required
@limit_writes("copyright")
def counter_notice(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = CopyrightNoticeItem.objects.select_related("notice", "item").filter(pk=entry_id).first()
    if entry is None or entry.item.author_id != request.user.pk:
        raise Http404("No copyright notice about your items has this number.")
    form = CounterNoticeForm(request.POST if request.method == "POST" else None)
    already = hasattr(entry, "counter_notice")
    if request.method == "POST" and form.is_valid():
        try:
            counter_notice_submit(user=request.user, entry=entry, **form.cleaned_data_for_service())  # type: ignore[arg-type]
        except (ModerationError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Your counter-notice is sent: the claimant gets a copy, and the moderators will decide."
            )
            return redirect(reverse("moderation:mine"))
    return render(
        request,
        "moderation/counter_notice_form.html",
        {"form": form, "entry": entry, "already": already},
        status=400 if form.errors else 200,
    )
