"""Who is calling the API, and the Viewer that decides what they may see.

Three ways in, tried in this order on every operation:
- `Authorization: Bearer fc_...`: a personal token (accounts.tokens). A header that is present
  but names no active token is refused (401), never treated as anonymous.
- the site's session cookie (the site's own JavaScript), with Django's CSRF check on writes;
- nobody: anonymous reads of public data (READ_AUTH only).

A token acts as its owner with Safe Mode as the owner set it; anonymous callers always have
Safe Mode on (ARCHITECTURE.md, "The one rule about visibility").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from fieldcast.accounts.models import ApiToken
from fieldcast.accounts.tokens import token_find
from fieldcast.moderation.viewer import Viewer, anonymous_viewer, viewer_for_user, viewer_from_request


class TokenAuth(HttpBearer):
    """A personal API token. With `write=True`, a read-only token is refused with 403."""

    def __init__(self, *, write: bool = False) -> None:
        super().__init__()
        self.write = write

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if header and not header.lower().startswith("bearer "):
            raise AuthenticationError(401, "The Authorization header must read 'Bearer <your API token>'.")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_find(token.strip())
        if found is None:
            raise AuthenticationError(401, "This API token is unknown, revoked or expired: make one at /me/tokens.")
        if self.write and not found.can_write:
            raise HttpError(403, "This token is read-only: make a token with the write scope at /me/tokens.")
        request.user = found.user
        return found


class SiteSessionAuth(SessionAuth):
    """The site's session, for its own JavaScript. Only a signed-in member counts (a guest's
    session cookie is not a credential), and writes need Django's CSRF token."""

    def __call__(self, request: HttpRequest) -> Any:
        if not getattr(request.user, "is_authenticated", False):
            return None
        try:
            return super().__call__(request)
        except HttpError as exc:
            raise HttpError(
                403, "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie, or use an API token."
            ) from exc


class AnonymousAuth:
    """Lets a request without credentials through as a guest (reads only)."""

    def __call__(self, request: HttpRequest) -> Any:
        return _GUEST


class _Guest:
    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "guest"


_GUEST = _Guest()

# Reads of public data (the API's default): a token, the session, or nobody.
READ_AUTH: list[Callable[..., Any]] = [TokenAuth(), SiteSessionAuth(), AnonymousAuth()]
# Reads of a member's own data (notifications, /me): any token, or the session.
MEMBER_AUTH: list[Callable[..., Any]] = [TokenAuth(), SiteSessionAuth()]
# Every write: a write-scope token, or the session with its CSRF token.
WRITE_AUTH: list[Callable[..., Any]] = [TokenAuth(write=True), SiteSessionAuth()]


def api_viewer(request: HttpRequest) -> Viewer:
    """The Viewer of an authenticated API request (memoised on the request)."""
    cached = getattr(request, "_api_viewer", None)
    if cached is not None:
        return cached
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        viewer = viewer_for_user(auth.user)
    elif auth is not None and auth is not _GUEST and getattr(request.user, "is_authenticated", False):
        viewer = viewer_from_request(request)  # the site's own JavaScript: the page's viewer
    else:
        viewer = anonymous_viewer()
    request._api_viewer = viewer  # type: ignore[attr-defined]
    return viewer


def api_user(request: HttpRequest) -> Any:
    """The member making an authenticated request (write operations), else None."""
    viewer = api_viewer(request)
    return viewer.user if viewer.is_authenticated else None


def client_bucket(request: HttpRequest) -> str:
    """The rate-limit bucket of the caller: the token, else the member, else the address."""
    from fieldcast.core.ratelimit import client_ip

    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return f"t{auth.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"ip{client_ip(request)}"
