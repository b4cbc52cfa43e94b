from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from fieldcast.accounts.services import user_set_safe_mode
from fieldcast.core.ratelimit import limit_writes

from .forms import SafeModeOffForm
from .viewer import clear_grants, set_guest_safe_mode


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@limit_writes("safe_mode")
def safe_mode(request: HttpRequest) -> HttpResponse:
    """Show the Safe Mode state; turn it on at once, or off after the 18+ confirmation."""
    viewer = request.viewer  # type: ignore[attr-defined]
    form = SafeModeOffForm()
    if request.method == "POST":
        turn_on = request.POST.get("mode") == "on"
        if turn_on:
            response = redirect(_next_url(request))
            if viewer.is_authenticated:
                user_set_safe_mode(user=request.user, on=True)  # type: ignore[arg-type]
            else:
                set_guest_safe_mode(response, on=True)
            clear_grants(response)
            messages.info(request, "Safe Mode is on: graphic (MA) items are shielded.")
            return response
        if not viewer.can_leave_safe_mode:
            messages.error(request, "Safe Mode stays on: your date of birth says you are under 18.")
            return render(request, "moderation/safe_mode.html", _context(request, form), status=403)
        form = SafeModeOffForm(request.POST)
        if form.is_valid():
            response = redirect(_next_url(request))
            if viewer.is_authenticated:
                user_set_safe_mode(user=request.user, on=False)  # type: ignore[arg-type]
            else:
                set_guest_safe_mode(response, on=False)
            messages.info(request, "Safe Mode is off: MA items show without a shield.")
            return response
    return render(request, "moderation/safe_mode.html", _context(request, form))


def _context(request: HttpRequest, form: SafeModeOffForm) -> dict[str, object]:
    return {"form": form, "next": _next_url(request), "policy": settings.SAFE_MODE_POLICY}
