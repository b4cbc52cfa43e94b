"""An optional RUM index for search on PostgreSQL (the `rum` extension: Debian's
`postgresql-15-rum`, or the package for your PostgreSQL version).

The GIN index finds the documents that hold a word, in no useful order. Relevance ranks the
SEARCH_MAX_CANDIDATES newest matches, so for a word in 2% of a million items GIN makes
PostgreSQL visit all 20,000 matches to keep the newest 1,000, and a phrase makes it recheck the
word positions of each in the table. The RUM index keeps the positions and the item id beside
every entry (`rum_tsvector_addon_ops`, `item_id` attached), so the newest matches come out of
the index in order, phrases checked in the index, and the scan stops after the candidates.

For a word in most documents the other way is cheaper: walking the newest items and checking
each finds 1,000 matches in about 1,100 rows, while an ordered RUM scan first goes through the
word's long posting tree. So a query takes the RUM path only when PostgreSQL's statistics of
the vector column (`pg_stats.most_common_elems`) put its rarest word in at most
SEARCH_RUM_MAX_PERCENT of the documents (`use_for`).

Migration 0003 makes the index when the extension can be created (it needs a superuser, or
the extension made beforehand); `manage.py search_rum` makes it later, or drops it. Without
it, search runs on GIN alone, as before.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

INDEX_NAME = "discovery_search_vector_rum"
# Partial, on a condition only the RUM path writes (ONLY_RUM_SQL): every other query keeps to
# GIN. Without it the planner probes the RUM index once per row of a nested loop ("the
# document of item N, if it holds 'video'"), which walks a common word's whole posting tree
# each time: seconds where the primary key and a filter take microseconds.
CREATE_SQL = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON discovery_searchdocument "
    "USING rum (vector rum_tsvector_addon_ops, item_id) WITH (attach = 'item_id', to = 'vector') "
    "WHERE item_id > 0"
)
ONLY_RUM_SQL = '"discovery_searchdocument"."item_id" > 0'
DROP_SQL = f"DROP INDEX IF EXISTS {INDEX_NAME}"
# ORDER BY this (ascending) reads the index's entries by item id, newest first: the distance
# down from MAX_ITEM_ID, a double precision number (2**52: every id below it is exact; far
# more items than any site holds). This and ONLY_RUM_SQL are valid where the search
# document's table keeps its own name (a query compiled on its own, not as a subquery).
NEWEST_FIRST_SQL = '"discovery_searchdocument"."item_id" <=| %s'
MAX_ITEM_ID = 2**52
_CACHE_S = 300.0  # how long a process trusts what it read about the index and the statistics
_STATS_SQL = (
    "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
    "WHERE schemaname = current_schema() AND tablename = 'discovery_searchdocument' AND attname = 'vector'"
)

_cache: dict[str, tuple[float, Any]] = {}


def _cached(key: str, read: Any) -> Any:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < _CACHE_S:
        return hit[1]
    value = read()
    _cache[key] = (now, value)
    return value


def forget() -> None:
    """Drop what this process read about the index and the statistics (after a change)."""
    _cache.clear()


def extension_available(conn: BaseDatabaseWrapper = connection) -> bool:
    """Whether the server has the rum extension installed (a package), created or not."""
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        return cursor.fetchone() is not None


def index_create(conn: BaseDatabaseWrapper = connection) -> tuple[bool, str]:
    """Make the extension (when missing) and the index: whether it is there now, and what
    happened in words."""
    if conn.vendor != "postgresql":
        return False, "The RUM index is for PostgreSQL; this database searches with its own index."
    if not extension_available(conn):
        return False, (
            "The rum extension is not installed on the database server: install its package "
            "(Debian: postgresql-15-rum) and run `manage.py search_rum` again. Search works without it."
        )
    with conn.cursor() as cursor:
        try:
            with transaction.atomic(using=conn.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
        except DatabaseError as exc:
            return False, (
                f"Could not create the rum extension ({str(exc).strip()}): a superuser must run "
                "CREATE EXTENSION rum in this database, then run `manage.py search_rum` again."
            )
        cursor.execute(CREATE_SQL)
    forget()
    return True, f"The RUM index {INDEX_NAME} is in place: rare words and phrases find their newest matches in it."


def index_drop(conn: BaseDatabaseWrapper = connection) -> str:
    if conn.vendor != "postgresql":
        return "There is no RUM index on this database."
    with conn.cursor() as cursor:
        cursor.execute(DROP_SQL)
    forget()
    return f"The RUM index {INDEX_NAME} is gone; search uses the GIN index alone."


def index_ready() -> bool:
    """Whether the RUM index exists and is valid (checked at most every few minutes)."""
    if connection.vendor != "postgresql":
        return False

    def read() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace",
                [INDEX_NAME],
            )
            row = cursor.fetchone()
        return bool(row and row[0])

    return bool(_cached(f"ready:{connection.alias}", read))


def _word_shares() -> tuple[dict[str, float], float] | None:
    """The vector column's most common words with the share of documents holding each, and
    the share below which every other word lies; None before ANALYZE has looked."""

    def read() -> tuple[dict[str, float], float] | None:
        with connection.cursor() as cursor:
            cursor.execute(_STATS_SQL)
            row = cursor.fetchone()
        if not row or not row[0] or not row[1]:
            return None
        words, freqs = row
        # most_common_elem_freqs: one per word, then the lowest and highest of them and the
        # share of empty values.
        return dict(zip(words, freqs[: len(words)], strict=True)), float(freqs[len(words)])

    result: tuple[dict[str, float], float] | None = _cached(f"stats:{connection.alias}", read)
    return result


def use_for(words: list[str]) -> bool:
    """Whether a query that needs all of `words` should find its candidates in the RUM index:
    the index exists and the rarest word is in at most SEARCH_RUM_MAX_PERCENT of documents."""
    if not words or settings.SEARCH_RUM_MAX_PERCENT <= 0 or not index_ready():
        return False
    shares = _word_shares()
    if shares is None:
        return False
    common, floor = shares
    return min(common.get(word, floor) for word in words) * 100 <= settings.SEARCH_RUM_MAX_PERCENT
