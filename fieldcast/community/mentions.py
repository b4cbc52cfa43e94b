"""@mentions: `@username` in a comment links to the member's page.

Linking happens on the sanitised HTML (render_markdown already ran nh3), only in text
outside links and code, and only for active members with no block between them and
the author. The inserted markup is built from escaped values; the result goes
through nh3 once more so that nothing but the allow-list can come out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import nh3
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import escape

from fieldcast.accounts.models import Block, User
from fieldcast.core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, render_markdown

if TYPE_CHECKING:
    from collections.abc import Iterable

MAX_MENTIONS = 10
# Usernames are letters, digits and . + - _ (Django's validator also allows @, which
# cannot be told apart from the next mention). A mention starts after a space or
# punctuation, never inside a word or an e-mail address.
_MENTION = re.compile(r"(?<![\w@/.+-])@(\w[\w.+-]*)")
_TAG = re.compile(r"(<[^>]*>)")
_SKIP_INSIDE = {"a", "code", "pre"}


def _clean_name(raw: str) -> str:
    return raw.rstrip(".+-")


def mention_names(body: str) -> list[str]:
    """The distinct usernames mentioned in Markdown text, first ones first (at most MAX_MENTIONS)."""
    seen: dict[str, str] = {}
    for match in _MENTION.finditer(body):
        name = _clean_name(match.group(1))
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())[:MAX_MENTIONS]


def mentionable_users(names: Iterable[str], *, author_id: int | None) -> dict[str, User]:
    """Active members among `names` (case-insensitive) who share no block with the author."""
    keys = {n.lower() for n in names}
    if not keys:
        return {}
    users = (
        User.objects.filter(is_active=True)
        .annotate(username_key=Lower("username"))
        .filter(username_key__in=keys)
        .only("pk", "username")
    )
    if author_id is not None:
        blocked = Block.objects.filter(Q(blocker_id=author_id) | Q(blocked_id=author_id)).values_list(
            "blocker_id", "blocked_id"
        )
        users = users.exclude(pk__in={pk for pair in blocked for pk in pair} - {author_id})
    return {u.username.lower(): u for u in users}


def link_mentions(html: str, users: dict[str, User]) -> str:
    """Turn @name in the text of sanitised HTML into links for the members in `users`."""
    if not users:
        return html
    parts = _TAG.split(html)
    depth = 0  # inside <a>, <code> or <pre>
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a tag
            name = part.strip("</>").split(None, 1)[0].lower() if part.strip("</>") else ""
            if name in _SKIP_INSIDE:
                if part.startswith("</"):
                    depth = max(0, depth - 1)
                elif not part.endswith("/>"):
                    depth += 1
            continue
        if depth == 0 and "@" in part:
            parts[index] = _MENTION.sub(lambda m: _link(m, users), part)
    linked = "".join(parts)
    return nh3.clean(
        linked,
        tags=ALLOWED_TAGS,
        attributes={**ALLOWED_ATTRIBUTES, "a": {*ALLOWED_ATTRIBUTES["a"], "class"}},
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener ugc",
    )


def _link(match: re.Match[str], users: dict[str, User]) -> str:
    raw = match.group(1)
    name = _clean_name(raw)
    user = users.get(name.lower())
    if user is None:
        return match.group(0)
    url = reverse("accounts:profile", kwargs={"username": user.username})
    rest = raw[len(name) :]
    return f'<a href="{escape(url)}" class="mention">@{escape(name)}</a>{escape(rest)}'


def render_comment(body: str, *, author_id: int | None) -> tuple[str, list[User]]:
    """A comment's HTML with its mentions linked, and the members it mentions."""
    users = mentionable_users(mention_names(body), author_id=author_id)
    html = link_mentions(render_markdown(body), users)
    return html, [u for u in users.values() if u.pk != author_id]
