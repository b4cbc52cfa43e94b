"""Two-factor authentication (allauth.mfa) and the rule that staff and moderators use it.

Every member may turn on an authenticator app (TOTP) and recovery codes from their
settings. With MFA_REQUIRED_FOR_STAFF, staff and moderators without an authenticator
are sent to set one up before any /admin/ or /moderation/ page (StaffMFAMiddleware);
views that use moderator powers elsewhere call `staff_mfa_ok` (or wear
`staff_mfa_required`) themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# Paths where staff and moderators need their second factor first.
PROTECTED_PREFIXES = ("/admin/", "/moderation/")
# ... except the public moderation log, which anyone may read.
PUBLIC_PATHS = ("/moderation/log",)
SETUP_MESSAGE = (
    "Staff and moderators must protect their account with two-factor authentication "
    "before using moderation tools. Set up an authenticator app to continue."
)


def has_authenticator(user: Any) -> bool:
    """The member set up an authenticator app or a security key (recovery codes alone are
    no second factor: they only stand in for one)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    if user is None or not user.is_authenticated:
        return False
    return is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


def needs_second_factor(user: Any) -> bool:
    """Staff and moderators must have a second factor when MFA_REQUIRED_FOR_STAFF is on."""
    if not settings.MFA_REQUIRED_FOR_STAFF or user is None or not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_moderator)


def staff_mfa_ok(user: Any) -> bool:
    """May this user use staff or moderator powers as far as 2FA goes? True for everyone
    who is not staff or a moderator, and for those who have an authenticator."""
    if not needs_second_factor(user):
        return True
    cached = getattr(user, "_fc_staff_mfa_ok", None)
    if cached is None:
        cached = has_authenticator(user)
        user._fc_staff_mfa_ok = cached
    return bool(cached)


# Where a member sent to the setup page was going; the recovery codes page (shown right
# after the authenticator is activated) offers a link back there.
NEXT_SESSION_KEY = "fc_mfa_next"


def mfa_setup_redirect(request: HttpRequest) -> HttpResponse:
    """Send the member to the authenticator setup page, saying why."""
    messages.warning(request, SETUP_MESSAGE)
    if request.method == "GET":
        request.session[NEXT_SESSION_KEY] = request.get_full_path()
    return HttpResponseRedirect(reverse("mfa_activate_totp"))


def mfa_next_url(request: HttpRequest) -> str:
    """The page a member was kept from until they set up 2FA (a path on this site), or ""."""
    next_url = request.session.get(NEXT_SESSION_KEY, "")
    if not isinstance(next_url, str) or not next_url.startswith("/") or next_url.startswith("//"):
        return ""
    return next_url if staff_mfa_ok(request.user) else ""


def staff_mfa_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For views that use moderator powers outside /admin/ and /moderation/."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not staff_mfa_ok(request.user):
            return mfa_setup_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


class StaffMFAMiddleware:
    """Staff and moderators without a second factor set one up before /admin/ or /moderation/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.MFA_REQUIRED_FOR_STAFF
            and request.path.startswith(PROTECTED_PREFIXES)
            and request.path not in PUBLIC_PATHS
            and not staff_mfa_ok(request.user)
        ):
            return mfa_setup_redirect(request)
        return self.get_response(request)
