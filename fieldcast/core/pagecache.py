"""The guest page cache: item, list and embed pages for visitors who are not signed in.

A page is cached under its *variant*: the address (scheme, host, path and query string),
the Safe Mode state, the unlocked items (grants), the language and the htmx headers; that
is everything a guest's page depends on. Members never get a cached page, and a page whose
response sets a cookie (a CSRF token in a form, a message, a session) is never stored,
because its bytes belong to one visitor.

What a cached page may carry, checked against what the pages contain:
- the signed event token (`player.tokens.event_token`) names the item only, never the
  visitor, and lives 24 h: any guest may post it, and dedup keys on the visitor's own
  cookie or address when the beacon arrives;
- media URLs are signed per window (`media.access`), live at least MEDIA_URL_TTL_S minus
  that window, and name who they were issued *via*, not to whom; settings refuse a
  GUEST_CACHE_SECONDS that would hand out URLs near their end;
- an embed unlocked by its URL grant (`?grant=`) is not cached (a grant is short-lived and
  per visitor).

Invalidation is by version, never by deleting keys. Each entry is stored with the
versions it was rendered under and served only while they are still current: one version
per item (`item_changed`: edits, comments, votes, files, counter flushes), one for all
lists (`lists_changed`: new items, filings, counters), and one for the whole site
(`item_visibility_changed`: an item removed, held, made private, re-rated or deleted drops
out of every cached page at once, related items and follow-up lists included). A lookup
reads the entry and its versions in one round trip (`get_many`); a missing version (never
set, or evicted) gets a fresh random value, so an evicted version can never bring an old
entry back. Bumps run after the transaction commits, so a page rendered from the old rows
is never stored under the new version.

The view decorator `guest_page` looks up and remembers what to store; the middleware
`GuestPageCacheMiddleware` (outside the session, CSRF and message middleware) stores it
only once the whole response is known to set no cookie.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation

logger = logging.getLogger(__name__)

ITEM = "item"
EMBED = "embed"
LIST = "list"
KINDS = (ITEM, EMBED, LIST)

SITE_VERSION = "pc:v:site"
LISTS_VERSION = "pc:v:lists"
HIT_HEADER = "X-Guest-Cache"  # "hit" or "miss" on pages the cache looked up
_PENDING = "_guest_page_pending"
_HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Trigger-Name", "HX-Boosted", "HX-History-Restore-Request")

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def _seconds() -> int:
    return int(getattr(settings, "GUEST_CACHE_SECONDS", 0) or 0)


def item_version_key(public_id: str) -> str:
    return f"pc:v:item:{public_id}"


# --- lookup ---------------------------------------------------------------------------


def guest_page(kind: str) -> Callable[[View], View]:
    """Serve the view's page to guests from the cache. `kind` says which versions the page
    depends on: ITEM and EMBED pages their item's (the view takes `public_id`), LIST pages
    the lists'; every page the site's."""
    if kind not in KINDS:
        raise ValueError(f"unknown page kind {kind!r}")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if _seconds() <= 0 or not _request_cacheable(request, kind):
                return view(request, *args, **kwargs)
            scopes = _version_keys(kind, kwargs)
            page_key = _page_key(kind, request)
            found = cache.get_many([page_key, *scopes])
            versions = tuple(found.get(key) for key in scopes)
            entry = found.get(page_key)
            if None not in versions and entry is not None and entry[0] == versions:
                cached = _rebuild(entry[1])
                cached[HIT_HEADER] = "hit"
                return cached
            if None in versions:
                versions = _versions_ensure(scopes, found)
            response = view(request, *args, **kwargs)
            if (
                request.method == "GET"
                and isinstance(response, HttpResponse)
                and _response_cacheable(request, response)
            ):
                setattr(request, _PENDING, (page_key, (versions, _snapshot(response))))
            response[HIT_HEADER] = "miss"
            return response

        return cast(View, wrapped)

    return decorator


def _request_cacheable(request: HttpRequest, kind: str) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    # A session may hold messages or a sign-in under way; a messages cookie is for one visitor.
    if settings.SESSION_COOKIE_NAME in cookies or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in cookies:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if request.user.is_authenticated:  # type: ignore[union-attr]
        return False
    return not (kind == EMBED and "grant" in request.GET)


def _version_keys(kind: str, kwargs: dict[str, Any]) -> list[str]:
    if kind == LIST:
        return [SITE_VERSION, LISTS_VERSION]
    return [SITE_VERSION, item_version_key(str(kwargs["public_id"]))]


def _page_key(kind: str, request: HttpRequest) -> str:
    viewer = request.viewer  # type: ignore[attr-defined]
    parts = [
        kind,
        "https" if request.is_secure() else "http",
        request.get_host(),
        request.get_full_path(),
        "safe" if viewer.safe_mode else "adult",
        settings.SAFE_MODE_POLICY,  # a restart with another policy must not serve the old lists
        ",".join(sorted(viewer.grants)),
        translation.get_language() or "",
        *(request.headers.get(name, "") for name in _HTMX_HEADERS),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"pc:p:{kind}:{digest}"


def _versions_ensure(scopes: list[str], found: dict[str, Any]) -> tuple[Any, ...]:
    """Current versions, giving missing ones a fresh value (add: a concurrent one wins)."""
    missing = [key for key in scopes if found.get(key) is None]
    for key in missing:
        cache.add(key, _token(), timeout=None)
    now = cache.get_many(missing)
    return tuple(found.get(key) if found.get(key) is not None else now.get(key) for key in scopes)


def _response_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    # The page used a CSRF token (a form): its bytes and cookie belong to this visitor.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def _snapshot(response: HttpResponse) -> dict[str, Any]:
    render = getattr(response, "render", None)
    if callable(render) and not getattr(response, "is_rendered", True):
        render()
    return {
        "status": response.status_code,
        "content": response.content,
        "headers": list(response.items()),
        "xframe_options_exempt": getattr(response, "xframe_options_exempt", False),
    }


def _rebuild(snapshot: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(snapshot["content"], status=snapshot["status"])
    for name, value in snapshot["headers"]:
        response[name] = value
    if snapshot["xframe_options_exempt"]:
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
    return response


class GuestPageCacheMiddleware:
    """Stores the page a `guest_page` view rendered, once every other middleware has had
    its say: a response that ends up setting any cookie (CSRF, session, messages, Safe
    Mode) is not stored. Place it above the session, CSRF and message middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        pending = getattr(request, _PENDING, None)
        if pending is not None and response.status_code == 200 and not response.cookies:
            key, entry = pending
            cache.set(key, entry, timeout=_seconds())
        return response


# --- invalidation -----------------------------------------------------------------------


def _token() -> str:
    return secrets.token_hex(8)


def _bump_after_commit(keys: Iterable[str] = (), *, item_ids: Iterable[int] = ()) -> None:
    """New versions for `keys` and for the items `item_ids`, once the transaction commits
    (nothing when the cache is off: no page is stored, so none can be stale)."""
    wanted, ids = list(keys), list(item_ids)
    if _seconds() <= 0 or not (wanted or ids):
        return

    def bump() -> None:
        try:
            names = wanted + [item_version_key(p) for p in _public_ids(ids)]
            cache.set_many({key: _token() for key in dict.fromkeys(names)}, timeout=None)
        except Exception:  # the write committed; a cache outage must not turn it into an error
            logger.exception("guest page cache: could not bump %s (items %s)", wanted, ids)

    transaction.on_commit(bump)


def _public_ids(item_ids: list[int]) -> list[str]:
    if not item_ids:
        return []
    from fieldcast.items.models import Item

    return list(Item.objects.filter(pk__in=item_ids).values_list("public_id", flat=True))


def item_changed(public_id: str | None = None, *, item_id: int | None = None) -> None:
    """The item's page and embed changed (text, files, comments, votes, channels); its
    card in lists may show it too. Give the public id, or the primary key."""
    keys = [LISTS_VERSION] + ([item_version_key(public_id)] if public_id else [])
    _bump_after_commit(keys, item_ids=[item_id] if item_id is not None and not public_id else [])


def item_visibility_changed(public_id: str | None = None) -> None:
    """An item may have become visible or invisible to someone (moderation, visibility,
    rating, lifecycle, deletion, its author's account): every cached page goes, since any
    of them may show it (cards, related items, follow-ups)."""
    keys = [SITE_VERSION, LISTS_VERSION] + ([item_version_key(public_id)] if public_id else [])
    _bump_after_commit(keys)


def lists_changed() -> None:
    """Lists changed (a new item, a filing, trending scores)."""
    _bump_after_commit([LISTS_VERSION])


def items_counters_flushed(item_ids: Iterable[int]) -> None:
    """A counter flush moved these items' counts (called once per flush)."""
    ids = list(item_ids)
    if ids:
        _bump_after_commit([LISTS_VERSION], item_ids=ids)


def item_counters_changed(item_id: int) -> None:
    """One event counted without a buffer (COUNTER_BUFFER=database): the item's pages and
    the lists are invalidated at most once per COUNTER_FLUSH_S, as a flush would be."""
    if _seconds() <= 0:
        return

    def throttled() -> None:
        try:
            keys = []
            if cache.add(f"pc:t:item:{item_id}", 1, timeout=settings.COUNTER_FLUSH_S):
                keys += [item_version_key(p) for p in _public_ids([item_id])]
            if cache.add("pc:t:lists", 1, timeout=settings.COUNTER_FLUSH_S):
                keys.append(LISTS_VERSION)
            if keys:
                cache.set_many({key: _token() for key in keys}, timeout=None)
        except Exception:  # the event committed; a cache outage must not turn it into an error
            logger.exception("guest page cache: could not mark item %s's counters", item_id)

    transaction.on_commit(throttled)
