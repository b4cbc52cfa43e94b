"""Full-text search over items: the index (kept in step by the item services) and the reads.

The text of an item is found by its title (highest weight), tags, channel names, place
names and body. PostgreSQL keeps a weighted tsvector in SearchDocument.vector (GIN
index, `simple` configuration: no stemming, so Arabic, Ukrainian and English words all
match as written); SQLite keeps the FTS5 table `discovery_search_fts`. Queries are parsed
here, in Python, into words, "quoted phrases" and -excluded words, and each backend gets
them in a form that cannot fail: PostgreSQL through plainto/phraseto_tsquery, SQLite with
every term quoted before MATCH. Results always come from Item.objects.visible_to(viewer).

Relevance sorting ranks a bounded set of candidates (the SEARCH_MAX_CANDIDATES newest
matches), so that a very common word does not make the database rank every item.
"""

from __future__ import annotations

import datetime
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import strip_tags

from fieldcast.core.text import normalize_key
from fieldcast.items.models import Item
from fieldcast.items.selectors import _with_tags
from fieldcast.moderation.viewer import Viewer

from . import rum
from .models import SearchDocument

MAX_QUERY_LENGTH = 200  # characters of a query we look at; the rest is cut
MAX_TERMS = 12  # words and phrases used from one query
PG_CONFIG = "simple"
# SQLite's FTS5 table (created by migration 0002), rowid = item id. Every user string is a
# bound parameter; MATCH expressions are built from quoted terms (_fts_expression).
FTS_MATCH_IDS = "SELECT rowid FROM discovery_search_fts WHERE discovery_search_fts MATCH %s"
FTS_RANK = (  # bm25 weights: title, tags, channels, places, body (lower is better, hence the minus)
    "SELECT -bm25(discovery_search_fts, 10.0, 4.0, 4.0, 3.0, 1.0) FROM discovery_search_fts "
    'WHERE discovery_search_fts MATCH %s AND discovery_search_fts.rowid = "items_item"."id"'
)
FTS_DELETE = "DELETE FROM discovery_search_fts WHERE rowid = %s"
FTS_INSERT = (
    "INSERT INTO discovery_search_fts (rowid, title, tags, channels, places, body) VALUES (%s, %s, %s, %s, %s, %s)"
)
FTS_PRUNE = "DELETE FROM discovery_search_fts WHERE rowid NOT IN (SELECT id FROM items_item)"
SNIPPET_CHARS = 220
SUGGEST_CANDIDATES = 500  # title matches looked at for suggestions (PostgreSQL)
TITLE_PREFIX_MIN = 3  # characters of the last word before titles are suggested (tags, channels: 2)

SORTS: dict[str, str] = {
    "relevance": "Relevance",
    "newest": "Newest",
    "played": "Most played",
    "voted": "Top voted",
    "occurred": "Date of the event",
}

# Letters and digits (no underscore), with the combining marks that belong to a word
# (Arabic harakat, accents written as separate code points).
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed])+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


@dataclass(frozen=True)
class ParsedQuery:
    """What a search box string means: all `terms` and `phrases` must match, no `excluded` word may."""

    text: str = ""
    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    highlight: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.phrases


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(unicodedata.normalize("NFKC", text))]


def parse_query(raw: str | None) -> ParsedQuery:
    """Words, "phrases" and -words from what someone typed. Never fails: operators,
    quotes and punctuation that mean nothing here are dropped; the query is cut at
    MAX_QUERY_LENGTH characters and MAX_TERMS terms."""
    text = unicodedata.normalize("NFKC", raw or "").replace("\x00", "")[:MAX_QUERY_LENGTH].strip()
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[str] = []
    for match in _TOKEN.finditer(text):
        quoted_neg, quoted, neg, bare = match.groups()
        if quoted is not None:
            words = _words(quoted)
            if quoted_neg:
                excluded.extend(words)
            elif len(words) == 1:
                terms.append(words[0])
            elif words:
                phrases.append(tuple(words))
            continue
        words = _words(bare or "")
        if neg and words and bare and len(bare) > 1:
            excluded.extend(words)
        else:
            terms.extend(words)
    terms = list(dict.fromkeys(terms))[:MAX_TERMS]
    phrases = list(dict.fromkeys(phrases))[: max(0, MAX_TERMS - len(terms))]
    excluded = [w for w in dict.fromkeys(excluded) if w not in terms][:MAX_TERMS]
    highlight = tuple(dict.fromkeys([*terms, *(w for p in phrases for w in p)]))
    return ParsedQuery(text, tuple(terms), tuple(phrases), tuple(excluded), highlight)


# --- the index -------------------------------------------------------------------------


def _plain_body(item: Item) -> str:
    return html.unescape(strip_tags(item.body_html or "")).strip() or item.body


def _document_fields(item: Item) -> dict[str, str]:
    from fieldcast.channels.models import Channel
    from fieldcast.items.models import Tag

    tags = Tag.objects.filter(item_links__item=item).order_by("item_links__position").values_list("name", flat=True)
    channels = Channel.objects.filter(item_links__item=item).order_by("name").values_list("name", flat=True)
    places = [item.location_label]
    if item.place is not None:
        places += [item.place.name, item.place.country_name]
    return {
        "title": item.title,
        "tags": " ".join(tags),
        "channels": " ".join(channels),
        "places": " ".join(dict.fromkeys(p for p in places if p)),
        "body": _plain_body(item),
    }


@transaction.atomic
def search_index_item(*, item_id: int) -> None:
    """(Re)write an item's search document from the item, its tags, channels and place
    (the item services call this after every create and edit)."""
    item = Item.objects.select_related("place").filter(pk=item_id).first()
    if item is None:
        search_unindex_item(item_id=item_id)
        return
    fields = _document_fields(item)
    SearchDocument.objects.update_or_create(item_id=item_id, defaults={**fields, "indexed_at": timezone.now()})
    _write_backend_index([item_id], {item_id: fields})


def search_unindex_item(*, item_id: int) -> None:
    SearchDocument.objects.filter(item_id=item_id).delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(FTS_DELETE, [item_id])


def _write_backend_index(item_ids: list[int], fields_by_id: dict[int, dict[str, str]]) -> None:
    if connection.vendor == "postgresql":
        SearchDocument.objects.filter(item_id__in=item_ids).update(
            vector=SearchVector("title", weight="A", config=PG_CONFIG)
            + SearchVector("tags", weight="B", config=PG_CONFIG)
            + SearchVector("channels", weight="B", config=PG_CONFIG)
            + SearchVector("places", weight="C", config=PG_CONFIG)
            + SearchVector("body", weight="D", config=PG_CONFIG)
        )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(FTS_DELETE, [[i] for i in item_ids])
            cursor.executemany(
                FTS_INSERT,
                [[i, f["title"], f["tags"], f["channels"], f["places"], f["body"]] for i, f in fields_by_id.items()],
            )


def search_reindex(*, batch_size: int = 500, item_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search index (all items, or `item_ids`) in batches; returns how many
    items were indexed. `manage.py search_reindex` and the demo loader run this."""
    ids_qs = Item.objects.order_by("pk").values_list("pk", flat=True)
    if item_ids is not None:
        ids_qs = ids_qs.filter(pk__in=list(item_ids))
    else:
        with transaction.atomic():
            SearchDocument.objects.exclude(item_id__in=Item.objects.values("pk")).delete()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(FTS_PRUNE)
    ids = list(ids_qs)
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            for item_id in ids[start : start + batch_size]:
                search_index_item(item_id=item_id)
    return len(ids)


# --- the reads -------------------------------------------------------------------------


def _fts_quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _fts_expression(parsed: ParsedQuery, *, prefix_last: bool = False, column: str = "") -> str:
    parts = [_fts_quote(t) for t in parsed.terms] + [_fts_quote(" ".join(p)) for p in parsed.phrases]
    if prefix_last and parts and parsed.terms:
        parts[len(parsed.terms) - 1] += "*"
    expr = " AND ".join(parts)
    if column:
        expr = f"{column} : ({expr})"
    if parsed.excluded:
        expr = f"({expr}) NOT ({' OR '.join(_fts_quote(w) for w in parsed.excluded)})"
    return expr


def _pg_query(parsed: ParsedQuery) -> SearchQuery:
    query: SearchQuery | None = None
    parts = [SearchQuery(t, search_type="plain", config=PG_CONFIG) for t in parsed.terms]
    parts += [SearchQuery(" ".join(p), search_type="phrase", config=PG_CONFIG) for p in parsed.phrases]
    for part in parts:
        query = part if query is None else query & part
    for word in parsed.excluded:
        query = query & ~SearchQuery(word, search_type="plain", config=PG_CONFIG)  # type: ignore[operator]
    assert query is not None  # noqa: S101 (callers check parsed.is_empty)
    return query


def _matching(qs: QuerySet[Item], parsed: ParsedQuery) -> QuerySet[Item]:
    if connection.vendor == "postgresql":
        return qs.filter(search_doc__vector=_pg_query(parsed))
    return qs.filter(pk__in=RawSQL(FTS_MATCH_IDS, [_fts_expression(parsed)]))  # noqa: S611 (bound parameter)


def _rank(parsed: ParsedQuery) -> Any:
    if connection.vendor == "postgresql":
        return SearchRank(F("search_doc__vector"), _pg_query(parsed))
    return RawSQL(FTS_RANK, [_fts_expression(parsed)], output_field=FloatField())  # noqa: S611 (bound parameter)


def _ranked(candidates: QuerySet[Item], parsed: ParsedQuery) -> QuerySet[Item]:
    return Item.objects.filter(pk__in=candidates.values("pk")).annotate(search_rank=_rank(parsed))


@dataclass(frozen=True)
class SearchFilters:
    """Validated filters (discovery.views_search.SearchForm builds them from the query string)."""

    rating: str = ""
    channel_id: int | None = None
    tag_key: str = ""
    country: str = ""
    place: str = ""
    occurred_from: datetime.date | None = None
    occurred_to: datetime.date | None = None
    added_from: datetime.date | None = None
    added_to: datetime.date | None = None
    has_video: bool = False
    # Seconds of the main video (the first playable one): duration_min <= length < duration_max
    # (0 or None: no bound). Either bound leaves out items without a playable video.
    duration_min: int | None = None
    duration_max: int | None = None
    verification: str = ""  # provenance.VerificationStatus; "unverified" includes items never reviewed

    @property
    def any(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)


def _filtered(qs: QuerySet[Item], f: SearchFilters) -> QuerySet[Item]:
    from fieldcast.media.models import MediaAsset

    if f.rating:
        qs = qs.filter(rating=f.rating)
    if f.channel_id is not None:
        qs = qs.filter(channel_links__channel_id=f.channel_id)
    if f.tag_key:
        qs = qs.filter(tag_links__tag__key=normalize_key(f.tag_key.replace("\x00", "")))
    if f.country:
        qs = qs.filter(place__country_code=f.country.upper())
    if place := f.place.replace("\x00", ""):
        qs = qs.filter(Q(place__name_key=normalize_key(place)) | Q(location_label__icontains=place))
    if f.occurred_from:
        qs = qs.filter(occurred_on__gte=f.occurred_from)
    if f.occurred_to:
        qs = qs.filter(occurred_on__lte=f.occurred_to)
    tz = timezone.get_current_timezone()
    if f.added_from:
        qs = qs.filter(added_at__gte=datetime.datetime.combine(f.added_from, datetime.time.min, tz))
    if f.added_to:
        qs = qs.filter(
            added_at__lt=datetime.datetime.combine(f.added_to, datetime.time.min, tz) + datetime.timedelta(1)
        )
    if f.has_video:
        videos = MediaAsset.objects.filter(item=OuterRef("pk"), kind=MediaAsset.Kind.VIDEO, playable=True)
        qs = qs.filter(Exists(videos))
    if f.duration_min or f.duration_max:
        main_video = MediaAsset.objects.filter(item=OuterRef("pk"), kind=MediaAsset.Kind.VIDEO, playable=True)
        main_duration = main_video.order_by("position", "id").values("duration")[:1]
        qs = qs.alias(main_video_duration=Subquery(main_duration)).filter(main_video_duration__isnull=False)
        if f.duration_min:
            qs = qs.filter(main_video_duration__gte=f.duration_min)
        if f.duration_max:
            qs = qs.filter(main_video_duration__lt=f.duration_max)
    if f.verification:
        from fieldcast.provenance.selectors import filter_by_verification

        qs = filter_by_verification(qs, f.verification)
    return qs


ORDERINGS: dict[str, tuple[Any, ...]] = {
    "newest": ("-added_at", "-id"),
    "played": ("-plays_count", "-added_at", "-id"),
    "voted": ("-vote_score", "-id"),
    "occurred": (F("occurred_on").desc(nulls_last=True), "-added_at", "-id"),
}


NEWEST_BY_ID = ("-pk",)


def _candidate_order(filters: SearchFilters) -> tuple[Any, ...]:
    """Which matches relevance ranks when there are too many: the newest ones, walking the
    primary key; within a date range, the latest in that range, walking the index of that
    date (a range far from today would otherwise be found only after most of the table)."""
    if filters.occurred_from or filters.occurred_to:
        return ORDERINGS["occurred"]
    if filters.added_from or filters.added_to:
        return ORDERINGS["newest"]
    return NEWEST_BY_ID


def search_items(
    viewer: Viewer,
    q: str | ParsedQuery | None,
    *,
    sort: str = "relevance",
    filters: SearchFilters | None = None,
    **filter_fields: Any,
) -> QuerySet[Item]:
    """Items `viewer` may list that match `q` and the filters, in `sort` order (see SORTS).

    Filters come as a SearchFilters or as its fields (`search_items(viewer, "fire",
    rating="GA", tag_key="kharkiv")`). Without words (an empty or operator-only query) the
    filters alone choose the items, newest first; with neither, nothing matches. Every row
    is annotated `search_rank` (0 when not sorted by relevance). Callers slice the result."""
    parsed = q if isinstance(q, ParsedQuery) else parse_query(q)
    filters = filters or SearchFilters(**filter_fields)
    qs: QuerySet[Item] = Item.objects.visible_to(viewer)
    if parsed.is_empty and not filters.any:
        return qs.none()
    qs = _filtered(qs, filters)
    if parsed.is_empty:
        return qs.annotate(search_rank=Value(0.0, output_field=FloatField())).order_by(*ORDERINGS["newest"])
    qs = _matching(qs, parsed)
    if sort not in ORDERINGS:  # relevance: rank a bounded set of the newest matches
        return _ranked(_candidates(qs, filters), parsed).order_by(*RELEVANCE_ORDER)
    return qs.annotate(search_rank=Value(0.0, output_field=FloatField())).order_by(*ORDERINGS[sort])


RELEVANCE_ORDER = ("-search_rank", "-added_at", "-id")
# PostgreSQL: the candidates ranked in the query that finds them, then sorted as a derived
# table (column names given by its alias), so no candidate is looked up a second time. The
# rank goes out in double precision, as the API's cursors carry it.
_RANKED_SQL = (
    "SELECT c.search_rank::float8, c.added_at, c.id FROM (%(candidates)s) AS c(id, added_at, search_rank) "
    "ORDER BY c.search_rank DESC, c.added_at DESC, c.id DESC LIMIT %%s OFFSET %%s"
)


def _candidates(matches: QuerySet[Item, Any], filters: SearchFilters) -> QuerySet[Item, Any]:
    return matches.order_by(*_candidate_order(filters))[: settings.SEARCH_MAX_CANDIDATES]


def search_page_rows(
    viewer: Viewer, parsed: ParsedQuery, *, sort: str, filters: SearchFilters, start: int, stop: int
) -> list[Item]:
    """Rows [start, stop) of `search_items(viewer, parsed, sort=sort, filters=filters)`, in
    its order, ready for cards and snippets (`search_rows`).

    The page's ids come first, from a query that sorts narrow rows; by relevance on
    PostgreSQL the candidates are ranked where they are found (`ranked_candidates`: carrying
    every joined column of a thousand candidates through the sort, or looking each up again
    to rank it, cost more than the ranking itself). Then the full rows of those ids only."""
    if sort not in ORDERINGS and not parsed.is_empty and connection.vendor == "postgresql":
        ids = [pk for _, _, pk in ranked_candidates(viewer, parsed, filters, start=start, stop=stop)]
    else:
        results = search_items(viewer, parsed, sort=sort, filters=filters)
        ids = list(results.values_list("pk", flat=True)[start:stop])
    return search_rows(viewer, ids)


def search_rows(viewer: Viewer, ids: list[int]) -> list[Item]:
    """The items `ids`, in that order, through the access layer again, with what cards show
    (author, place, verification, tags, card files) and snippets need (the search document,
    without its vector): four queries whatever their number."""
    if not ids:
        return []
    rows = _with_tags(Item.objects.visible_to(viewer).filter(pk__in=ids)).select_related("search_doc")
    by_id = {row.pk: row for row in rows.defer("search_doc__vector")}
    return [by_id[pk] for pk in ids if pk in by_id]


def ranked_candidates(
    viewer: Viewer, parsed: ParsedQuery, filters: SearchFilters, *, start: int = 0, stop: int | None = None
) -> list[tuple[float, datetime.datetime, int]]:
    """PostgreSQL, by relevance (`parsed` has words): (rank, added_at, id) of the candidates
    [start, stop) in relevance order, all of them (at most SEARCH_MAX_CANDIDATES) by default.
    The newest candidates come from the RUM index when it serves this query better
    (discovery.rum.use_for), else from walking the newest items or the GIN index, as the
    planner judges."""
    matches = _matching(_filtered(Item.objects.visible_to(viewer), filters), parsed)
    ranked = matches.annotate(search_rank=_rank(parsed)).values_list("pk", "added_at", "search_rank")
    in_rum = _candidate_order(filters) == NEWEST_BY_ID and rum.use_for(list(parsed.highlight))
    candidates: QuerySet[Item, Any]
    if in_rum:  # the same candidates: the newest matches by item id, read from the index in order
        newest = RawSQL(rum.NEWEST_FIRST_SQL, [rum.MAX_ITEM_ID])  # noqa: S611 (a constant)
        in_index = RawSQL(rum.ONLY_RUM_SQL, [], output_field=BooleanField())  # noqa: S611 (a constant)
        candidates = ranked.filter(in_index).order_by(newest.asc())[: settings.SEARCH_MAX_CANDIDATES]
    else:
        candidates = _candidates(ranked, filters)
    sql, params = candidates.query.sql_with_params()
    limit = None if stop is None else max(0, stop - start)  # LIMIT NULL: no limit
    query, args = _RANKED_SQL % {"candidates": sql}, [*params, limit, start]
    if not in_rum:
        with connection.cursor() as cursor:
            cursor.execute(query, args)
            return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner underestimates how many documents a phrase matches and would collect
        # every match with a bitmap scan and sort them all: what the ordered scan avoids.
        cursor.execute("SELECT current_setting('enable_bitmapscan'), set_config('enable_bitmapscan', 'off', true)")
        bitmapscan = cursor.fetchone()[0]  # type: ignore[index]
        cursor.execute(query, args)
        found = [tuple(row) for row in cursor.fetchall()]
        cursor.execute("SELECT set_config('enable_bitmapscan', %s, true)", [bitmapscan])
    return found  # type: ignore[return-value]
