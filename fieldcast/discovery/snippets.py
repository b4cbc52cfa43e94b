"""What the search page shows besides the results: highlighted snippets of the matching
text (escaped, with <mark> the only markup) and the header box's suggestions as you type
(titles, tags, channel names)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from fieldcast.core.text import normalize_key
from fieldcast.items.models import Item
from fieldcast.moderation.viewer import Viewer

from .models import SearchDocument
from .search import (
    FTS_MATCH_IDS,
    MAX_QUERY_LENGTH,
    PG_CONFIG,
    SNIPPET_CHARS,
    SUGGEST_CANDIDATES,
    TITLE_PREFIX_MIN,
    ParsedQuery,
    _fts_expression,
    parse_query,
)


def _highlight_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", re.IGNORECASE)


def highlight(text: str, words: Iterable[str]) -> SafeString:
    """`text` escaped, with whole-word matches of `words` in <mark>: the only markup."""
    pattern = _highlight_pattern(words)
    if pattern is None:
        return SafeString(html.escape(text, quote=False))
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()], quote=False))
        out.append(f"<mark>{html.escape(match.group(0), quote=False)}</mark>")
        last = match.end()
    out.append(html.escape(text[last:], quote=False))
    return mark_safe("".join(out))  # every piece escaped above


def snippet(text: str, words: Iterable[str], *, length: int = SNIPPET_CHARS) -> SafeString:
    """A window of `text` around the first match of `words`, highlighted (the start of
    the text when nothing matches)."""
    text = re.sub(r"\s+", " ", text).strip()
    words = list(words)
    pattern = _highlight_pattern(words)
    start = 0
    if pattern is not None and (match := pattern.search(text)):
        start = max(0, match.start() - length // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < match.start() else start
    end = min(len(text), start + length)
    if end < len(text) and (space := text.rfind(" ", start, end)) > start:
        end = space
    piece = highlight(text[start:end], words)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(f"{prefix}{piece}{suffix}")  # highlight() escapes


def _title_suggestions(visible: QuerySet[Item], parsed: ParsedQuery, *, limit: int) -> list[str]:
    """Titles with all the words typed, the last one as a prefix (title words only)."""
    if connection.vendor == "postgresql":
        # Title words only (weight A), the last one a prefix: 'convoy':A & 'bri':*A
        quoted = ["'" + t.replace("'", "''") + "'" for t in parsed.terms]
        words = " & ".join([*(f"{t}:A" for t in quoted[:-1]), f"{quoted[-1]}:*A"])
        # A bounded, unordered set of matches first: the GIN index answers it, where ordering
        # by date with the match as a filter walks the date index through every item.
        docs = SearchDocument.objects.filter(vector=SearchQuery(words, search_type="raw", config=PG_CONFIG))
        title_match = visible.filter(pk__in=docs.values("item_id")[:SUGGEST_CANDIDATES])
    else:
        expr = _fts_expression(ParsedQuery(terms=parsed.terms), prefix_last=True, column="title")
        title_match = visible.filter(pk__in=RawSQL(FTS_MATCH_IDS, [expr]))  # noqa: S611 (bound parameter)
    titles = title_match.order_by("-added_at", "-id").values_list("title", flat=True)[:limit]
    return list(dict.fromkeys(titles))


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "title", "tag" or "channel"
    label: str


def search_suggestions(viewer: Viewer, q: str, *, limit: int = 5) -> list[Suggestion]:
    """Titles, tags and channel names that start with what was typed (the last word a
    prefix), for the header search box. Three queries."""
    from fieldcast.channels.models import Channel
    from fieldcast.items.models import Tag

    q = q[:MAX_QUERY_LENGTH].replace("\x00", "")
    parsed = parse_query(q)
    key = normalize_key(q)
    if not parsed.terms or len(key) < 2:
        return []
    visible = Item.objects.visible_to(viewer)
    titles = _title_suggestions(visible, parsed, limit=limit) if len(parsed.terms[-1]) >= TITLE_PREFIX_MIN else []
    tags = (
        Tag.objects.filter(key__startswith=key)
        .filter(Exists(visible.filter(tag_links__tag=OuterRef("pk"))))
        .order_by("key")
        .values_list("name", flat=True)[:limit]
    )
    channels = Channel.objects.directory().filter(name_key__startswith=key).order_by("name_key")[:limit]
    out = [Suggestion("title", t) for t in dict.fromkeys(titles)][:limit]
    out += [Suggestion("tag", t) for t in tags]
    out += [Suggestion("channel", c.name) for c in channels]
    return out
