"""Who is looking: the one input of every visibility decision.

A Viewer is built once per request (ViewerMiddleware) from the session user and
the Safe Mode state: the member's profile, or a signed cookie for guests; plus
the signed per-item grants of "I am 18 or over, show this item".
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from fieldcast.accounts.models import User

SAFE_MODE_COOKIE = "fc_safe_off"
GRANTS_COOKIE = "fc_grants"
COOKIE_SALT = "fieldcast.safe-mode"
GRANTS_SALT = "fieldcast.grants"
# A grant carried in an embed's URL (a third-party iframe gets no first-party cookies).
EMBED_GRANT_SALT = "fieldcast.embed-grant"
MAX_GRANTS = 50
COOKIE_MAX_AGE = 365 * 24 * 3600
# The per-request memo of the moderators-group check, kept on the user object.
_MODERATOR_MEMO = "_fieldcast_is_moderator"


class SafeModePolicy:
    """What Safe Mode does with MA items in lists (site setting SAFE_MODE_POLICY).

    Whatever the policy, an MA item's page, embed and oEmbed ask for the 18+
    confirmation first, and members under 18 never get MA media.
    """

    BLUR = "blur"  # listed with a neutral placeholder instead of the thumbnail
    HIDE = "hide"  # not listed at all (PeerTube's do_not_list)
    SHOW = "show"  # listed with the real thumbnail and the MA badge (PeerTube's display)
    CHOICES = (BLUR, HIDE, SHOW)


@dataclass(frozen=True)
class Viewer:
    user: Any  # User or AnonymousUser
    safe_mode: bool = True
    grants: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    @property
    def is_staff(self) -> bool:
        return self.is_authenticated and bool(self.user.is_staff)

    @cached_property
    def is_moderator(self) -> bool:
        """Staff, or a holder of the moderation permission (User.is_moderator). The
        check costs one query, made at most once per request: the result is memoised
        on the user object, which lives as long as the request."""
        if not self.is_authenticated:
            return False
        if self.user.is_staff:
            return True
        memo = getattr(self.user, _MODERATOR_MEMO, None)
        if memo is None:
            memo = bool(self.user.is_moderator)
            setattr(self.user, _MODERATOR_MEMO, memo)
        return memo

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.is_authenticated else None

    @property
    def is_minor(self) -> bool:
        return self.is_authenticated and self.user.is_minor()

    @property
    def can_leave_safe_mode(self) -> bool:
        return not self.is_minor

    @property
    def hides_ma_in_lists(self) -> bool:
        return self.safe_mode and settings.SAFE_MODE_POLICY == SafeModePolicy.HIDE

    def may_see_ma(self, public_id: str) -> bool:
        """True when MA media may be shown to this viewer for this item."""
        if not self.safe_mode:
            return True
        return self.can_leave_safe_mode and public_id in self.grants

    def may_see_ma_thumbnail(self, public_id: str) -> bool:
        """True when a list may show the real thumbnail of this MA item: the item's
        media may be shown, or the `show` policy puts thumbnails in lists (never
        for members under 18)."""
        if self.may_see_ma(public_id):
            return True
        return settings.SAFE_MODE_POLICY == SafeModePolicy.SHOW and not self.is_minor

    def with_grant(self, public_id: str) -> Viewer:
        """This viewer with one more item unlocked (ignored for members under 18)."""
        if not self.can_leave_safe_mode:
            return self
        return dataclasses.replace(self, grants=self.grants | {public_id})


def anonymous_viewer() -> Viewer:
    from django.contrib.auth.models import AnonymousUser

    return Viewer(user=AnonymousUser(), safe_mode=True)


def viewer_for_user(user: User) -> Viewer:
    return Viewer(user=user, safe_mode=user.safe_mode or user.is_minor())


def viewer_from_request(request: HttpRequest) -> Viewer:
    user = request.user
    grants = frozenset(_read_grants(request))
    if user.is_authenticated:
        minor = user.is_minor()  # type: ignore[union-attr]
        return Viewer(user=user, safe_mode=user.safe_mode or minor, grants=frozenset() if minor else grants)  # type: ignore[union-attr]
    off = request.get_signed_cookie(SAFE_MODE_COOKIE, default=None, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    return Viewer(user=user, safe_mode=off != "1", grants=grants)


def _read_grants(request: HttpRequest) -> list[str]:
    raw = request.get_signed_cookie(GRANTS_COOKIE, default=None, salt=GRANTS_SALT, max_age=COOKIE_MAX_AGE)
    if not raw:
        return []
    try:
        values = json.loads(raw)
    except ValueError:
        return []
    return [v for v in values if isinstance(v, str)][:MAX_GRANTS] if isinstance(values, list) else []


def set_guest_safe_mode(response: HttpResponse, *, on: bool) -> None:
    if on:
        response.delete_cookie(SAFE_MODE_COOKIE, samesite="Lax")
    else:
        response.set_signed_cookie(
            SAFE_MODE_COOKIE,
            "1",
            salt=COOKIE_SALT,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )


def clear_grants(response: HttpResponse) -> None:
    """Forget the items this visitor unlocked (turning Safe Mode back on means all of it)."""
    response.delete_cookie(GRANTS_COOKIE, samesite="Lax")


def add_grant(request: HttpRequest, response: HttpResponse, public_id: str) -> None:
    """Unlock one MA item for this visitor (a signed grant in a cookie)."""
    grants = [g for g in _read_grants(request) if g != public_id]
    grants = [public_id, *grants][:MAX_GRANTS]
    response.set_signed_cookie(
        GRANTS_COOKIE,
        json.dumps(grants),
        salt=GRANTS_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def embed_grant_token(public_id: str) -> str:
    """A signed, short-lived grant for one item, carried in an embed's URL: inside
    another site's iframe the browser sends none of our cookies."""
    return signing.dumps(public_id, salt=EMBED_GRANT_SALT, compress=False)


def embed_grant_valid(token: str | None, public_id: str) -> bool:
    """True when `token` is an unexpired embed grant for exactly this item."""
    if not token:
        return False
    try:
        value = signing.loads(token, salt=EMBED_GRANT_SALT, max_age=settings.MEDIA_URL_TTL_S)
    except signing.BadSignature:  # SignatureExpired included
        return False
    return value == public_id
