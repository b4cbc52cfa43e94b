"""Signed event tokens and the identity an event is counted under."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils import timezone

TOKEN_SALT = "fieldcast.events"  # noqa: S105 (a signing namespace, not a secret)
TOKEN_MAX_AGE_S = 24 * 3600
VISITOR_COOKIE = "fc_vid"
_VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{16,43}$")
# Obvious automated clients; a determined bot is caught by dedup, not by this list.
_BOT = re.compile(
    r"bot\b|crawl|spider|slurp|facebookexternalhit|preview|curl/|wget/|python-requests|httpx|go-http-client|"
    r"java/|libwww|scrapy|headlesschrome.*\b(bot|lighthouse)|lighthouse|pingdom|uptime",
    re.IGNORECASE,
)


def event_token(item_public_id: str, *, embed: bool = False) -> str:
    """The token a page (or an embed) carries so its player and beacon may count events."""
    return signing.dumps({"i": item_public_id, "e": int(embed)}, salt=TOKEN_SALT, compress=False)


def read_event_token(token: str) -> tuple[str, bool]:
    """(item public id, issued for an embed) or raises signing.BadSignature/SignatureExpired."""
    value = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_S)
    if not isinstance(value, dict) or not isinstance(value.get("i"), str):
        raise signing.BadSignature("Malformed event token")
    return value["i"], bool(value.get("e"))


def is_bot(request: HttpRequest) -> bool:
    agent = request.headers.get("User-Agent", "")
    return not agent or bool(_BOT.search(agent))


def viewer_key(request: HttpRequest) -> tuple[str, str | None]:
    """(the key an event counts under, a visitor id to store in the cookie or None).

    Members count by id. A guest counts by their first-party cookie; a guest without
    one counts by a salted hash of address and browser (it changes daily, so no stable
    identifier is kept), and that same hash becomes their cookie, so the next event
    counts under the same key. A client that drops cookies stays on the hash."""
    user = request.user
    if user.is_authenticated:
        return f"u:{user.pk}", None
    cookie = request.COOKIES.get(VISITOR_COOKIE, "")
    if _VISITOR_ID.match(cookie):
        return f"v:{cookie}", None
    material = "|".join(
        [
            settings.SECRET_KEY,
            timezone.now().date().isoformat(),
            client_ip(request),
            request.headers.get("User-Agent", ""),
        ]
    )
    visitor_id = hashlib.sha256(material.encode()).hexdigest()[:40]
    return f"v:{visitor_id}", visitor_id


def client_ip(request: HttpRequest) -> str:
    if settings.BEHIND_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
